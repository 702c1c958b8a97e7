"""Widgets of the S&OP notebooks: the override editor of 02 demand planning."""

from __future__ import annotations

import ipywidgets as w
import pandas as pd
from IPython.display import display

from compass_nb import formatting
from compass_nb.display import SafeHTML, show
from compass_nb.errors import CompassError
from compass_nb.sop.consensus import adjust_total, override_record

ALL = "(all locations)"
UNITS = "{:,.0f}"
#: The kept overrides as the editor lists them (contract names → what the reader sees).
KEPT_COLUMNS = ["period", "family", "location", "sku", "quantity", "author", "reason", "cycle"]


def _total(plan: pd.DataFrame, family: str, location: str | None) -> pd.DataFrame:
    rows = plan[plan["family"] == family]
    if location is not None:
        rows = rows[rows["location"] == location]
    return rows.groupby("month")[["stat_forecast", "consensus", "revenue", "margin"]].sum()


def adjustment_table(
    plan: pd.DataFrame, family: str, location: str | None, month, quantity: float
) -> pd.DataFrame:
    """The family (× location) by month before and after setting ``month``'s consensus
    total to ``quantity``: statistical forecast, consensus, adjusted consensus, revenue and
    the change in revenue."""
    before = _total(plan, family, location)
    after = _total(adjust_total(plan, family, location, month, quantity), family, location)
    table = pd.DataFrame(
        {
            "month": before.index,
            "statistical_forecast": before["stat_forecast"].to_numpy(),
            "consensus": before["consensus"].to_numpy(),
            "adjusted_consensus": after["consensus"].reindex(before.index).to_numpy(),
            "revenue": after["revenue"].reindex(before.index).to_numpy(),
            "revenue_change": (after["revenue"] - before["revenue"])
            .reindex(before.index)
            .to_numpy(),
        }
    )
    return table


def adjustment_view(
    plan: pd.DataFrame, family: str, location: str | None, month, quantity: float, currency: str
) -> SafeHTML:
    """:func:`adjustment_table` as the editor shows it: whole units, money rounded to the
    unit of currency, no "-0"."""
    formats = {c: UNITS for c in ("statistical_forecast", "consensus", "adjusted_consensus")}
    formats.update({"revenue": "{:,.0f}", "revenue_change": "{:,.0f}"})
    return show(
        adjustment_table(plan, family, location, month, quantity),
        caption=f"{family}, {location or 'all locations'}: units by month, revenue in {currency}",
        formats=formats,
    )


def override_editor(plan: pd.DataFrame, ctx, *, author: str | None = None) -> w.VBox:
    """Choose a family, location and month, set the consensus total and see the plan update;
    keep the override for the next run, see the overrides kept, remove one.

    ``ctx`` is the notebook's context: *Keep override* turns the adjustment into an
    ``overrides`` row (author and reason required) and writes it to the cycle store
    (:meth:`~compass_nb.context.Context.save_override`, which refuses an exact duplicate);
    the list below shows the overrides the next run applies, with author and reason, and
    *Remove* records a removal (:meth:`~compass_nb.context.Context.remove_override`). Each
    action says where it wrote. ``author`` defaults to the ``demand_planning.author``
    parameter.
    """
    if author is None:
        author = getattr(ctx.settings, "author", "") or ""
    family = w.Dropdown(options=sorted(plan["family"].unique()), description="Family")
    location = w.Dropdown(options=[ALL, *sorted(plan["location"].unique())], description="Location")
    month = w.Dropdown(
        options=[(m.strftime("%Y-%m"), m) for m in sorted(plan["month"].unique())],
        description="Month",
    )
    quantity = w.FloatText(description="Consensus", step=1)
    who = w.Text(value=author, description="Author")
    why = w.Text(description="Reason")
    keep = w.Button(description="Keep override", button_style="primary")
    kept_list = w.Dropdown(description="Kept", layout=w.Layout(width="60%"))
    remove = w.Button(description="Remove override", button_style="warning")
    out, status, kept_out = w.Output(), w.Output(), w.Output()

    def scope():
        return family.value, None if location.value == ALL else location.value

    def current_total() -> float:
        fam, loc = scope()
        return float(_total(plan, fam, loc)["consensus"].get(month.value, 0.0))

    def target() -> float:
        """The field's value; the field showing the current total rounded means no change."""
        total = current_total()
        return total if quantity.value == float(round(total)) else float(quantity.value)

    def reset(*_):
        quantity.value = float(round(current_total()))

    def refresh(*_):
        fam, loc = scope()
        out.clear_output(wait=True)
        with out:
            display(adjustment_view(plan, fam, loc, month.value, target(), ctx.shared.currency))

    def list_kept():
        kept = ctx.kept_overrides()
        rows = [] if kept.empty else list(kept.to_dict("records"))
        kept_list.options = [(_kept_label(row), index) for index, row in enumerate(rows)]
        kept_list.value = 0 if rows else None
        kept_list.disabled = remove.disabled = not rows
        kept_out.clear_output(wait=True)
        with kept_out:
            shown = kept.reindex(columns=KEPT_COLUMNS).rename(
                columns={"period": "month", "cycle": "kept_in_cycle"}
            )
            shown["location"] = shown["location"].fillna("all locations")
            if shown["sku"].isna().all():
                shown = shown.drop(columns="sku")
            display(
                show(
                    shown,
                    caption=f"Overrides kept from this editor that the next run of "
                    f"{ctx.period} applies",
                    formats={"quantity": UNITS},
                    empty="No override kept from this editor for this cycle yet.",
                )
            )
        return rows

    kept_rows = list_kept()

    def on_keep(_):
        nonlocal kept_rows
        status.clear_output()
        with status:
            if not who.value.strip() or not why.value.strip():
                print("Give an author and a reason before keeping an override.")
                return
            fam, loc = scope()
            record = override_record(
                ctx.period, fam, loc, month.value, quantity.value, who.value, why.value
            )
            try:
                print(
                    f"Kept: {fam}, {loc or 'all locations'}, {month.label} = "
                    f"{formatting.units(quantity.value)}. {ctx.save_override(record)}"
                )
            except CompassError as error:
                print(f"Not kept: {error}")
            kept_rows = list_kept()

    def on_remove(_):
        nonlocal kept_rows
        status.clear_output()
        with status:
            if kept_list.value is None:
                return
            if not who.value.strip():
                print("Give your name as author before removing an override.")
                return
            row = kept_rows[kept_list.value]
            try:
                print(f"Removed: {_kept_label(row)}. {ctx.remove_override(row, by=who.value)}")
            except CompassError as error:
                print(f"Not removed: {error}")
            kept_rows = list_kept()

    for control in (family, location, month):
        control.observe(reset, "value")
    for control in (family, location, month, quantity):
        control.observe(refresh, "value")
    keep.on_click(on_keep)
    remove.on_click(on_remove)
    reset()
    refresh()
    editor = w.VBox(
        [
            w.HBox([family, location, month]),
            w.HBox([quantity, who, why, keep]),
            out,
            status,
            kept_out,
            w.HBox([kept_list, remove]),
        ]
    )
    editor.table = lambda: adjustment_table(plan, *scope(), month.value, target())  # as shown
    editor.controls = {
        "family": family,
        "location": location,
        "month": month,
        "quantity": quantity,
        "author": who,
        "reason": why,
        "keep": keep,
        "kept": kept_list,
        "remove": remove,
    }
    return editor


def _kept_label(row: dict) -> str:
    where = row.get("location") or "all locations"
    what = row.get("family") or row.get("sku")
    return (
        f"{row.get('period')} · {what} · {where} = {formatting.units(row.get('quantity'))} "
        f"({row.get('author')}: {row.get('reason')})"
    )
