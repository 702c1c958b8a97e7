"""Coverage: open pipeline due in a period against the quota still to be closed."""

from __future__ import annotations

import pandas as pd

from compass_nb.calendar import month_labels, to_datetime
from compass_nb.crediting import credited_bookings


def quota_reps(reps: pd.DataFrame, roles: list[str] | None) -> pd.DataFrame:
    """The sellers whose quotas count towards team targets (``roles``; all when ``None``)."""
    return reps if roles is None else reps.loc[reps["role"].isin(roles)]


def team_quota(quotas: pd.DataFrame, reps: pd.DataFrame, start, end) -> pd.Series:
    """Sum of the quotas of ``reps`` for the months of ``[start, end]``, per team."""
    months = month_labels(start, end)
    rows = quotas.loc[quotas["period"].astype(str).isin(months)]
    rows = rows.merge(reps.loc[:, ["rep_id", "team"]], on="rep_id", how="inner")
    return rows.groupby("team")["quota"].sum()


def coverage(
    snapshot: pd.DataFrame,
    credit_splits: pd.DataFrame,
    quotas: pd.DataFrame,
    reps: pd.DataFrame,
    start,
    end,
    *,
    roles: list[str] | None = None,
) -> pd.DataFrame:
    """Pipeline coverage per team for the period ``[start, end]``.

    ``coverage = open pipeline due in the period ÷ (quota − closed won)``, where the
    quota is that of the team's quota-carrying sellers (``roles``), closed won is what
    those sellers were credited for deals won in the period (``credited_bookings``) and
    the open pipeline is the open deals owned by the team with a close date in the period.

    Parameters
    ----------
    snapshot
        Opportunities as they stood at the as-of date, with ``team`` (``with_team``).
    credit_splits, quotas, reps
        The input tables.
    start, end
        The period (e.g. a fiscal quarter).
    roles
        Roles whose quotas count (e.g. ``["AE", "AM"]``); ``None`` for every role.

    Returns
    -------
    pandas.DataFrame
        ``team, quota, closed_won, remaining, open_pipeline, coverage`` plus a last row
        ``team = "All teams"``; ``coverage`` is NaN where the quota is already met.
    """
    sellers = quota_reps(reps, roles)
    quota = team_quota(quotas, sellers, start, end)
    credit = credited_bookings(snapshot, credit_splits, start=start, end=end)
    credit = credit.merge(sellers.loc[:, ["rep_id", "team"]], on="rep_id", how="inner")
    won = credit.groupby("team")["credit"].sum()
    close = to_datetime(snapshot["close_date"])
    due = snapshot.loc[
        ~snapshot["is_closed"].astype(bool) & close.between(pd.Timestamp(start), pd.Timestamp(end))
    ]
    pipeline = due.groupby("team")["amount"].sum()
    out = pd.DataFrame({"quota": quota, "closed_won": won, "open_pipeline": pipeline}).fillna(0.0)
    out.loc["All teams"] = out.sum()
    out["remaining"] = out["quota"] - out["closed_won"]
    out["coverage"] = (out["open_pipeline"] / out["remaining"]).where(out["remaining"] > 0)
    out.index.name = "team"
    return out.reset_index().loc[
        :, ["team", "quota", "closed_won", "remaining", "open_pipeline", "coverage"]
    ]
