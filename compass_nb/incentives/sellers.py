"""Who a contest is for, who it is compared with, and each seller's handicap factor."""

from __future__ import annotations

import numpy as np
import pandas as pd

from compass_nb.calendar import to_datetime
from compass_nb.errors import ParameterError
from compass_nb.incentives.contests import Contest
from compass_nb.incentives.measures import monthly

NOT_SELLING = ("Manager",)


def employed(reps: pd.DataFrame, start, end) -> pd.DataFrame:
    """Sellers (not managers) employed on every day from ``start`` to ``end``."""
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    term = to_datetime(reps["termination_date"])
    here = (to_datetime(reps["hire_date"]) <= start) & (term.isna() | (term >= end))
    return reps.loc[here & ~reps["role"].isin(NOT_SELLING)]


def active(reps: pd.DataFrame, start, end) -> pd.DataFrame:
    """Sellers (not managers) employed on some day from ``start`` to ``end``."""
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    term = to_datetime(reps["termination_date"])
    here = (to_datetime(reps["hire_date"]) <= end) & (term.isna() | (term >= start))
    return reps.loc[here & ~reps["role"].isin(NOT_SELLING)]


def is_eligible(contest: Contest, reps: pd.DataFrame) -> pd.Series:
    """Whether each seller of ``reps`` is eligible (their team or their id is named)."""
    return reps["team"].isin(contest.teams) | reps["rep_id"].astype(str).isin(contest.sellers)


def eligible(contest: Contest, reps: pd.DataFrame) -> pd.DataFrame:
    """The eligible sellers employed during the window: ``rep_id, name, team, role,
    hire_date``."""
    pool = active(reps, contest.start, contest.end)
    columns = ["rep_id", "name", "team", "role", "hire_date"]
    return (
        pool.loc[is_eligible(contest, pool), columns]
        .assign(rep_id=lambda f: f["rep_id"].astype(str))
        .reset_index(drop=True)
    )


def comparison(contest: Contest, reps: pd.DataFrame, start, end) -> pd.DataFrame:
    """The comparison sellers employed from ``start`` to ``end``: the contest's comparison
    teams, else the sellers of the eligible sellers' roles who were not eligible."""
    pool = employed(reps, start, end)
    if contest.comparison:
        chosen = pool["team"].isin(contest.comparison)
    else:
        roles = set(reps.loc[is_eligible(contest, reps), "role"])
        chosen = pool["role"].isin(roles) & ~is_eligible(contest, pool)
    return (
        pool.loc[chosen, ["rep_id", "team", "role"]]
        .assign(rep_id=lambda f: f["rep_id"].astype(str))
        .reset_index(drop=True)
    )


def handicap_factors(
    contest: Contest,
    sellers: pd.DataFrame,
    *,
    quotas: pd.DataFrame,
    events: pd.DataFrame,
    history_months: int,
    floor: float,
) -> pd.Series:
    """Each seller's handicap factor: their target relative to the eligible sellers' mean.

    ``quota``: the seller's quota over the window's months ÷ the mean of the same;
    ``history``: the seller's mean monthly metric over the ``history_months`` before the
    window ÷ the mean of the same; ``none``: 1. Factors below ``floor`` are raised to it
    (a seller with no history would otherwise need nothing to win). A score is the metric
    divided by the factor, so a seller with twice the quota needs twice the metric.
    """
    ids = sellers["rep_id"].astype(str)
    if contest.handicap == "none" or ids.empty:
        return pd.Series(1.0, index=pd.Index(ids, name="rep_id"))
    if contest.handicap == "quota":
        months = pd.period_range(contest.start, contest.end, freq="M").strftime("%Y-%m")
        q = quotas.loc[quotas["period"].isin(months)].assign(
            rep_id=lambda f: f["rep_id"].astype(str)
        )
        base = q.groupby("rep_id")["quota"].sum().astype(float).reindex(ids).fillna(0.0)
        if (base <= 0).all():
            raise ParameterError(
                f"{contest.source}: handicap: quota, but no eligible seller has a quota in "
                f"{contest.start:%Y-%m}..{contest.end:%Y-%m}; use handicap: history or none."
            )
    else:
        before = pd.Period(contest.start, "M") - 1
        months = pd.period_range(end=before, periods=history_months, freq="M")
        base = monthly(events, ids, months).mean(axis=1)
    mean = float(base.mean())
    factor = base / mean if mean > 0 else pd.Series(1.0, index=base.index)
    return factor.clip(lower=floor).rename_axis("rep_id").astype(float)


def as_array(values: pd.Series, ids) -> np.ndarray:
    """``values`` in the order of ``ids``."""
    return values.reindex(list(ids)).to_numpy(dtype=float)
