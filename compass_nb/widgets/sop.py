"""Widgets of the S&OP notebooks: the override editor of 02 demand planning."""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as w
import pandas as pd
from IPython.display import display

from compass_nb.errors import ParameterError
from compass_nb.sop.consensus import adjust_total, override_record

ALL = "(all locations)"


def _total(plan: pd.DataFrame, family: str, location: str | None) -> pd.DataFrame:
    rows = plan[plan["family"] == family]
    if location is not None:
        rows = rows[rows["location"] == location]
    return rows.groupby("month")[["stat_forecast", "consensus", "revenue", "margin"]].sum()


def override_editor(
    plan: pd.DataFrame,
    *,
    cycle: str,
    save: Callable[[pd.DataFrame], None] | None = None,
    author: str = "",
) -> w.VBox:
    """Choose a family, location and month, set the consensus total and see the plan update.

    ``Keep`` turns the adjustment into an ``overrides`` row (author and reason required)
    and passes it to ``save`` (the notebook gives ``ctx.save_override``), so that the next
    run's consensus includes it.
    """
    family = w.Dropdown(options=sorted(plan["family"].unique()), description="Family")
    location = w.Dropdown(options=[ALL, *sorted(plan["location"].unique())], description="Location")
    month = w.Dropdown(
        options=[(m.strftime("%Y-%m"), m) for m in sorted(plan["month"].unique())],
        description="Month",
    )
    quantity = w.FloatText(description="Consensus")
    who = w.Text(value=author, description="Author")
    why = w.Text(description="Reason")
    keep = w.Button(description="Keep override", button_style="primary")
    out, status = w.Output(), w.Output()

    def scope():
        return family.value, None if location.value == ALL else location.value

    def reset(*_):
        fam, loc = scope()
        quantity.value = float(_total(plan, fam, loc)["consensus"].get(month.value, 0.0))

    def refresh(*_):
        fam, loc = scope()
        before = _total(plan, fam, loc)
        after = _total(adjust_total(plan, fam, loc, month.value, quantity.value), fam, loc)
        table = pd.DataFrame(
            {
                "statistical": before["stat_forecast"],
                "consensus": before["consensus"],
                "with adjustment": after["consensus"],
                "revenue": after["revenue"],
                "revenue change": after["revenue"] - before["revenue"],
            }
        )
        table.index = table.index.strftime("%Y-%m")
        out.clear_output()
        with out:
            display(table.round(0))

    def on_keep(_):
        status.clear_output()
        with status:
            if not who.value.strip() or not why.value.strip():
                print("Give an author and a reason before keeping an override.")
                return
            fam, loc = scope()
            record = override_record(
                cycle, fam, loc, month.value, quantity.value, who.value, why.value
            )
            if save is None:
                raise ParameterError(
                    "this editor has no store to save to; open it from the notebook."
                )
            save(record)
            print(
                f"Kept: {fam} {loc or 'all locations'} {month.label} = {quantity.value:,.0f} (next run)."
            )

    for control in (family, location, month):
        control.observe(reset, "value")
    for control in (family, location, month, quantity):
        control.observe(refresh, "value")
    keep.on_click(on_keep)
    reset()
    refresh()
    return w.VBox(
        [w.HBox([family, location, month]), w.HBox([quantity, who, why, keep]), out, status]
    )
