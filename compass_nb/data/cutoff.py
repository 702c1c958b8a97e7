"""The period as a cut-off: what a cycle could have known on its period's last day.

* event tables keep rows dated on or before the period's last day: ``orders`` by
  ``order_date``, ``inventory`` by ``snapshot_date``, ``opportunity_history`` by
  ``changed_at``, ``survey_responses`` by ``survey_date``; ``overrides`` by ``cycle`` (made in
  this cycle or an earlier one);
* ``opportunities`` are rebuilt as they stood then (:func:`opportunities_as_of`);
* ``reps`` lose sellers hired later, and terminations dated later are not yet known;
* period-keyed tables (capacity, receipts, budget, quotas) and master data (products,
  org units, survey questions and invites, credit splits) are returned whole.
"""

from __future__ import annotations

import pandas as pd

from compass_nb.calendar import check_period, period_end
from compass_nb.data.contracts import Contract


def complete_period(last_date: pd.Timestamp) -> str:
    """The latest month fully covered by data running to ``last_date``.

    A month is complete when the data reach its last day, or its last business day
    (Monday to Friday): no working day of the month lies after ``last_date``.

    Examples
    --------
    >>> complete_period(pd.Timestamp("2026-11-15"))
    '2026-10'
    >>> complete_period(pd.Timestamp("2026-10-31"))
    '2026-10'
    >>> complete_period(pd.Timestamp("2017-12-30"))  # 31 December 2017 is a Sunday
    '2017-12'
    """
    day = pd.Timestamp(last_date).normalize()
    month = pd.Period(day, freq="M")
    return str(month if not _working_days_after(day) else month - 1)


def _working_days_after(day: pd.Timestamp) -> list[pd.Timestamp]:
    """The business days (Monday to Friday) of ``day``'s month after ``day``."""
    end = pd.Period(day, freq="M").end_time.normalize()
    return list(pd.bdate_range(day + pd.Timedelta(days=1), end)) if day < end else []


def period_of(table: str, last_date: pd.Timestamp) -> tuple[str, str]:
    """The default period for data whose latest date (in ``table``) is ``last_date``, and why.

    Survey answers are dated by their survey: the month of the latest survey is complete
    once it has been held, so a survey-only source's period is that month (a one-day
    survey on the 14th is in its own month's cycle). Other tables: :func:`complete_period`.

    Examples
    --------
    >>> period_of("orders", pd.Timestamp("2026-12-30"))[0]  # 31 December 2026 is a Thursday
    '2026-11'
    >>> period_of("survey_responses", pd.Timestamp("2026-10-14"))[0]
    '2026-10'
    """
    day = pd.Timestamp(last_date).normalize()
    shown = f"{day.date()} ({day.day_name()})"
    month = pd.Period(day, freq="M")
    if table == "survey_responses":
        return str(month), (
            f"the latest survey, on {shown}, is in {month}: a survey's month is complete once "
            "it is held"
        )
    later = _working_days_after(day)
    if not later:
        end = month.end_time.normalize()
        rule = (
            "the month's last day"
            if day == end
            else f"the month's last business day ({end.date()} is a {end.day_name()})"
        )
        return str(month), f"the {table} run to {shown}, {rule}: {month} is complete"
    first = later[0]
    return str(month - 1), (
        f"the {table} run to {shown}, but {first.date()} ({first.day_name()}) is a business day "
        f"of {month} after it: {month} is not complete, so the period is {month - 1}"
    )


def cutoff_condition(contract: Contract, period: str) -> str | None:
    """SQL condition keeping the rows of ``contract``'s table visible at ``period``'s cut-off."""
    if contract.cutoff is None:
        return None
    column = f'"{contract.cutoff}"'
    if contract.cutoff_is_period:
        return f"{column} <= '{check_period(period)}'"
    day_after = (period_end(period) + pd.Timedelta(days=1)).date().isoformat()
    return f"{column} < TIMESTAMP '{day_after}'"


def _closed_flags(opportunities: pd.DataFrame) -> pd.DataFrame:
    """Per stage, whether a deal at that stage is closed and won (as the data says today)."""
    flags = opportunities.groupby("stage")[["is_closed", "is_won"]].agg(
        lambda s: bool(s.mode().iloc[0])
    )
    return flags


def _guess_flags(stage: str) -> tuple[bool, bool]:
    text = str(stage).lower()
    closed = any(word in text for word in ("closed", "won", "lost"))
    return closed, closed and "won" in text and "lost" not in text


def _state_at(history: pd.DataFrame, cutoff: pd.Timestamp) -> pd.DataFrame:
    """The last change of each opportunity on or before the cut-off (else its first change)."""
    ordered = history.sort_values("changed_at", kind="stable")
    seen = ordered.loc[ordered["changed_at"] < cutoff + pd.Timedelta(days=1)]
    last = seen.groupby("opportunity_id", sort=False).tail(1)
    first = ordered.loc[~ordered["opportunity_id"].isin(last["opportunity_id"])]
    first = first.groupby("opportunity_id", sort=False).head(1)
    return pd.concat([last, first])[["opportunity_id", "stage", "amount", "close_date"]]


def opportunities_as_of(
    opportunities: pd.DataFrame, history: pd.DataFrame, cutoff: pd.Timestamp
) -> pd.DataFrame:
    """Opportunities as they stood at ``cutoff``.

    Deals created later are dropped; stage, amount and close date come from the last
    ``opportunity_history`` change on or before the cut-off (a deal whose first recorded
    change is later keeps its first recorded state; a deal without history keeps its row);
    ``is_closed`` / ``is_won`` and ``forecast_category`` follow the stage of then (as the
    data maps stages today); a cancellation dated later is not yet known.
    """
    cutoff = pd.Timestamp(cutoff)
    deals = opportunities.loc[opportunities["created_date"] <= cutoff].copy()
    if deals.empty:
        return deals.reset_index(drop=True)
    state = _state_at(history.loc[history["opportunity_id"].isin(deals["opportunity_id"])], cutoff)
    state = state.set_index("opportunity_id")
    ids = deals["opportunity_id"]
    has_state = ids.isin(state.index)
    then = state.reindex(ids)
    changed = has_state & (then["stage"].to_numpy() != deals["stage"].to_numpy())
    for column in ("stage", "amount", "close_date"):
        deals.loc[has_state.to_numpy(), column] = then.loc[has_state.to_numpy(), column].to_numpy()
    flags = _closed_flags(opportunities)
    for i in deals.index[changed.to_numpy()]:
        stage = deals.at[i, "stage"]
        closed, won = (
            (bool(flags.at[stage, "is_closed"]), bool(flags.at[stage, "is_won"]))
            if stage in flags.index
            else _guess_flags(stage)
        )
        deals.at[i, "is_closed"], deals.at[i, "is_won"] = closed, won
    if "forecast_category" in deals and deals["forecast_category"].notna().any():
        usual = opportunities.dropna(subset=["forecast_category"]).groupby("stage")[
            "forecast_category"
        ]
        usual = usual.agg(lambda s: s.mode().iloc[0])
        mapped = deals.loc[changed.to_numpy(), "stage"].map(usual)
        deals.loc[changed.to_numpy(), "forecast_category"] = mapped.where(
            mapped.notna(), deals.loc[changed.to_numpy(), "forecast_category"]
        )
    if "cancelled_date" in deals:
        deals.loc[deals["cancelled_date"] > cutoff, "cancelled_date"] = pd.NaT
    deals["is_closed"] = deals["is_closed"].astype(bool)
    deals["is_won"] = deals["is_won"].astype(bool)
    return deals.reset_index(drop=True)


def reps_as_of(reps: pd.DataFrame, cutoff: pd.Timestamp) -> pd.DataFrame:
    """Sellers hired on or before ``cutoff``; terminations dated later are not yet known."""
    cutoff = pd.Timestamp(cutoff)
    kept = reps.loc[reps["hire_date"] <= cutoff].copy()
    if "termination_date" in kept:
        kept.loc[kept["termination_date"] > cutoff, "termination_date"] = pd.NaT
    return kept.reset_index(drop=True)
