"""The measured metric of a contest: one row per unit a seller scored, dated.

* ``bookings``: credited bookings of won deals (split credit, as compensation pays it),
  dated by the close date; with ``family``, only deals of that product family;
* ``units``: won deals of the contest's product family, counted for the deal's owner
  (the CRM has no quantities: a unit is a won deal);
* ``new_logo``: won deals of type ``new``, counted for the owner;
* ``qualified_meetings``: activities of kind ``meeting`` marked qualified;
* ``activities``: logged activities (of the contest's ``kinds`` when it names some).

A cancelled win still counts on its close date (it was booked); cancellations after the
contest are a gaming signal (:mod:`compass_nb.incentives.gaming`).
"""

from __future__ import annotations

import pandas as pd

from compass_nb.calendar import to_datetime
from compass_nb.crediting import credited_bookings
from compass_nb.incentives.contests import Contest

EVENT_COLUMNS = [
    "rep_id",
    "date",
    "value",
    "amount",
    "family",
    "opportunity_id",
    "account",
    "cancelled",
]


def events(contest: Contest, tables: dict[str, pd.DataFrame], *, own_family: bool = True):
    """Every scored unit of ``contest``'s metric: ``rep_id, date, value, amount, family,
    opportunity_id, account, cancelled`` (``amount``: the deal's money, its credit for
    bookings, NaN for activities; ``own_family=False``: the other families' units, for
    cannibalisation; empty for a metric without a family)."""
    metric = contest.metric
    if metric in ("qualified_meetings", "activities"):
        if not own_family:
            return pd.DataFrame(columns=EVENT_COLUMNS)
        return _activity_events(contest, tables.get("activities"))
    deals = tables["opportunities"]
    won = deals.loc[deals["is_won"].astype(bool)]
    if metric == "bookings":
        credits = credited_bookings(won, tables["credit_splits"])
        rows = credits.assign(
            date=credits["close_date"],
            value=credits["credit"].astype(float),
            amount=credits["credit"].astype(float),
        )
        rows = rows.merge(won[["opportunity_id", "account"]], on="opportunity_id", how="left")
    else:
        if metric == "new_logo":
            won = won.loc[won["type"] == "new"]
        rows = won.assign(
            rep_id=won["owner_id"], date=won["close_date"], value=1.0, amount=won["amount"]
        )
    rows = rows.assign(family=rows["product_family"], cancelled=to_datetime(rows["cancelled_date"]))
    if contest.family is not None:
        same = rows["family"] == contest.family
        rows = rows.loc[same if own_family else ~same]
    elif not own_family:
        rows = rows.iloc[0:0]
    return _shaped(rows)


def _activity_events(contest: Contest, activities: pd.DataFrame | None) -> pd.DataFrame:
    if activities is None or activities.empty:
        return _shaped(pd.DataFrame(columns=EVENT_COLUMNS))  # typed: dates are dates
    rows = activities
    if contest.metric == "qualified_meetings":
        rows = rows.loc[(rows["kind"] == "meeting") & rows["qualified"].fillna(False).astype(bool)]
    elif contest.kinds:
        rows = rows.loc[rows["kind"].isin(contest.kinds)]
    rows = rows.assign(
        date=rows["activity_date"],
        value=1.0,
        amount=float("nan"),
        family=None,
        account=None,
        cancelled=pd.NaT,
    )
    return _shaped(rows)


def _shaped(rows: pd.DataFrame) -> pd.DataFrame:
    out = rows.reindex(columns=EVENT_COLUMNS).copy()
    out["rep_id"] = out["rep_id"].astype(str)
    out["date"] = to_datetime(out["date"])
    out["cancelled"] = to_datetime(out["cancelled"])
    out["value"] = out["value"].astype(float)
    return out.reset_index(drop=True)


def totals(events: pd.DataFrame, sellers, start, end) -> pd.Series:
    """Each seller's total of the metric from ``start`` to ``end`` (inclusive days), 0 for a
    seller who scored nothing."""
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    inside = events.loc[(events["date"] >= start) & (events["date"] <= end)]
    summed = inside.groupby("rep_id")["value"].sum()
    return summed.reindex(pd.Index(list(sellers), name="rep_id"), fill_value=0.0).astype(float)


def monthly(events: pd.DataFrame, sellers, months: pd.PeriodIndex) -> pd.DataFrame:
    """Sellers × months of the metric (0 where nothing was scored)."""
    keyed = events.assign(month=events["date"].dt.to_period("M"))
    table = keyed.groupby(["rep_id", "month"])["value"].sum().unstack("month")
    table = table.reindex(index=pd.Index(list(sellers), name="rep_id"), columns=months)
    return table.fillna(0.0).astype(float)
