"""The sales cycle: how long deals take, where they wait, and which have stalled."""

from __future__ import annotations

import pandas as pd

from compass_nb.calendar import to_datetime
from compass_nb.pipeline._history import stage_changes


def cycle_days(won: pd.DataFrame) -> pd.DataFrame:
    """Days from creation to close of each won deal.

    Parameters
    ----------
    won
        Opportunities (only ``is_won`` rows are kept) with ``created_date`` and ``close_date``.

    Returns
    -------
    pandas.DataFrame
        The won rows with a ``cycle_days`` column (never negative).
    """
    out = won.loc[won["is_won"].astype(bool)].copy()
    days = to_datetime(out["close_date"]) - to_datetime(out["created_date"])
    out["cycle_days"] = days.dt.days.clip(lower=0)
    return out


def cycle_summary(cycles: pd.DataFrame, by: list[str] | None = None) -> pd.DataFrame:
    """Median, quartiles and mean of ``cycle_days``, overall or per group."""
    by = list(by or [])
    grouped = cycles.groupby(by) if by else cycles.groupby(lambda _: "all")
    out = grouped["cycle_days"].agg(
        deals="size",
        median="median",
        p25=lambda s: s.quantile(0.25),
        p75=lambda s: s.quantile(0.75),
        mean="mean",
    )
    return out.reset_index(drop=not by)


def time_in_stage(states: pd.DataFrame, cutoff) -> pd.DataFrame:
    """Every visit of an open stage and how long it lasted.

    A visit runs from the change into the stage to the next change of stage; a visit still
    running at ``cutoff`` is measured to the cut-off and flagged ``ongoing``. Changes of
    amount or close date within a stage do not end the visit.

    Returns
    -------
    pandas.DataFrame
        ``opportunity_id, stage, order, entered, left, days, ongoing``.
    """
    visits = stage_changes(states)
    left = visits.groupby("opportunity_id")["at"].shift(-1)
    out = visits.assign(left=left, ongoing=left.isna())
    out["left"] = out["left"].fillna(pd.Timestamp(cutoff).normalize())
    out = out.loc[~out["is_closed_stage"]]
    out["days"] = (out["left"] - out["at"]).dt.days
    out = out.rename(columns={"at": "entered"})
    return out.loc[:, ["opportunity_id", "stage", "order", "entered", "left", "days", "ongoing"]]


def stage_duration_summary(visits: pd.DataFrame) -> pd.DataFrame:
    """Per stage: completed visits, their median and mean days, and visits still ongoing."""
    done = visits.loc[~visits["ongoing"]]
    out = done.groupby(["order", "stage"])["days"].agg(
        visits="size", median_days="median", mean_days="mean"
    )
    ongoing = visits.loc[visits["ongoing"]].groupby(["order", "stage"]).size().rename("ongoing")
    out = out.join(ongoing, how="outer").fillna({"visits": 0, "ongoing": 0})
    return out.reset_index().sort_values("order").reset_index(drop=True)


def stalled_deals(open_deals: pd.DataFrame, cutoff, days: int) -> pd.DataFrame:
    """Open deals with no change of stage, amount or close date for more than ``days`` days.

    Parameters
    ----------
    open_deals
        Open opportunities as they stand (``opportunities_at``), with ``last_change``.
    cutoff
        The date the age is measured at.
    days
        Days without a change after which a deal counts as stalled.

    Returns
    -------
    pandas.DataFrame
        The stalled rows with ``days_since_change``, oldest first.
    """
    deals = open_deals.loc[~open_deals["is_closed"].astype(bool)].copy()
    deals["days_since_change"] = (pd.Timestamp(cutoff).normalize() - deals["last_change"]).dt.days
    stalled = deals.loc[deals["days_since_change"] > days]
    return stalled.sort_values("days_since_change", ascending=False).reset_index(drop=True)


def stalled_summary(stalled: pd.DataFrame) -> pd.DataFrame:
    """Stalled deals by team and stage, for the shareable pack (no deal, account or seller):
    ``team, stage, deals, amount, median_days, oldest_days``."""
    columns = ["team", "stage", "deals", "amount", "median_days", "oldest_days"]
    if stalled.empty:
        return pd.DataFrame(columns=columns)
    out = stalled.groupby(["team", "stage"], sort=True).agg(
        deals=("opportunity_id", "size"),
        amount=("amount", "sum"),
        median_days=("days_since_change", "median"),
        oldest_days=("days_since_change", "max"),
    )
    return out.reset_index().sort_values("amount", ascending=False).reset_index(drop=True)


def stalled_with_owner(stalled: pd.DataFrame, reps: pd.DataFrame) -> pd.DataFrame:
    """Stalled deals with their owner's name and id and the account: for the private folder."""
    names = reps.loc[:, ["rep_id", "name"]].drop_duplicates("rep_id")
    out = stalled.merge(names, left_on="owner_id", right_on="rep_id", how="left")
    out = out.rename(columns={"name": "owner"})
    columns = [
        "opportunity_id",
        "account",
        "owner",
        "owner_id",
        "team",
        "stage",
        "amount",
        "close_date",
        "days_since_change",
    ]
    return out.loc[:, [c for c in columns if c in out]]
