"""Seller performance: attainment, the ramp of new hires, and the scorecard.

Bookings come from :func:`compass_nb.crediting.credited_bookings`, the crediting
compensation uses, so attainment and pay never disagree. A deal cancelled on or before
the as-of date is not a booking.
"""

from __future__ import annotations

import pandas as pd

from compass_nb.bands import merged_bands
from compass_nb.calendar import month_labels, to_datetime
from compass_nb.crediting import credited_bookings
from compass_nb.pipeline.coverage import quota_reps
from compass_nb.pipeline.cycle import cycle_days

SELLER_COLUMNS = ["rep_id", "team", "role", "hire_date"]


def bookings(
    opportunities: pd.DataFrame, credit_splits: pd.DataFrame, start, end, as_of
) -> pd.DataFrame:
    """Credited bookings of deals won in ``[start, end]`` and not cancelled by ``as_of``."""
    credit = credited_bookings(opportunities, credit_splits, start=start, end=end)
    cancelled = credit["cancelled_date"].notna() & (credit["cancelled_date"] <= pd.Timestamp(as_of))
    return credit.loc[~cancelled]


def attainment(
    opportunities: pd.DataFrame,
    credit_splits: pd.DataFrame,
    quotas: pd.DataFrame,
    reps: pd.DataFrame,
    start,
    end,
    as_of,
    *,
    roles: list[str] | None = None,
    ramp_months: int = 0,
) -> pd.DataFrame:
    """Each quota-carrying seller's credited bookings against quota over ``[start, end]``.

    Parameters
    ----------
    opportunities, credit_splits, quotas, reps
        The input tables (opportunities as they stand at ``as_of``).
    start, end
        The window (quotas of its months are summed).
    as_of
        Deals cancelled on or before this date do not count.
    roles
        Roles whose sellers are measured; ``None`` for all.
    ramp_months
        A seller in their first ``ramp_months`` months at ``end`` (the hire month is month 1)
        is ``in_ramp``.

    Returns
    -------
    pandas.DataFrame
        ``rep_id, team, role, hire_date, quota, bookings, attainment, tenure_months, in_ramp``
        for sellers with a positive quota in the window.
    """
    months = month_labels(start, end)
    quota = quotas.loc[quotas["period"].astype(str).isin(months)].groupby("rep_id")["quota"].sum()
    credit = (
        bookings(opportunities, credit_splits, start, end, as_of).groupby("rep_id")["credit"].sum()
    )
    sellers = quota_reps(reps, roles).loc[:, SELLER_COLUMNS].set_index("rep_id")
    out = sellers.join(quota.rename("quota"), how="inner").join(credit.rename("bookings"))
    out = out.loc[out["quota"] > 0].fillna({"bookings": 0.0})
    out["attainment"] = out["bookings"] / out["quota"]
    out["tenure_months"] = tenure_months(out["hire_date"], end)
    out["in_ramp"] = out["tenure_months"] <= ramp_months
    return out.reset_index()


def tenure_months(hire_date: pd.Series, at) -> pd.Series:
    """Month of tenure at ``at``: 1 in the hire month, 2 the month after, …"""
    hired = to_datetime(hire_date).dt.to_period("M")
    now = pd.Timestamp(at).to_period("M")
    return pd.Series([(now - h).n + 1 for h in hired], index=hire_date.index, dtype=int)


def ramp_groups(table: pd.DataFrame, *, min_group_size: int) -> pd.DataFrame:
    """Attainment of ramped sellers and of sellers in ramp side by side: ``group, sellers,
    at_or_above_quota, p25, median, p75``; a group of fewer than ``min_group_size`` sellers
    shows its head-count only (its figures are NaN)."""
    rows = []
    for name, rows_of in (
        ("ramped", table.loc[~table["in_ramp"]]),
        ("in ramp", table.loc[table["in_ramp"]]),
    ):
        a = rows_of["attainment"]
        shown = len(a) >= min_group_size
        rows.append(
            {
                "group": name,
                "sellers": int(len(a)),
                "at_or_above_quota": float((a >= 1.0).mean()) if shown else float("nan"),
                "p25": float(a.quantile(0.25)) if shown else float("nan"),
                "median": float(a.median()) if shown else float("nan"),
                "p75": float(a.quantile(0.75)) if shown else float("nan"),
            }
        )
    return pd.DataFrame(rows)


def attainment_distribution(
    table: pd.DataFrame, *, by: list[str] | None = None, min_group_size: int = 5
) -> pd.DataFrame:
    """Sellers, share at or above quota, quartiles and median attainment, overall or per group;
    groups of fewer than ``min_group_size`` sellers are left out."""
    by = list(by or [])
    grouped = table.groupby(by) if by else table.groupby(lambda _: "All sellers")
    out = grouped["attainment"].agg(
        sellers="size",
        at_or_above_quota=lambda s: float((s >= 1.0).mean()),
        p25=lambda s: s.quantile(0.25),
        median="median",
        p75=lambda s: s.quantile(0.75),
    )
    out = out.loc[out["sellers"] >= min_group_size]
    return out.reset_index(drop=not by)


def ramp(
    opportunities: pd.DataFrame,
    credit_splits: pd.DataFrame,
    quotas: pd.DataFrame,
    reps: pd.DataFrame,
    as_of,
    *,
    since,
    months: int = 12,
    roles: list[str] | None = None,
    min_group_size: int = 5,
) -> pd.DataFrame:
    """How new hires ramp: median cumulative bookings and attainment by month of tenure.

    Sellers hired on or after ``since`` (so their first months are in the data) are
    followed month by month (month 1 is the hire month) up to ``as_of``; a seller's
    attainment at month *k* is their credited bookings of months 1…k over their quota of
    months 1…k (cumulative, since single months of lumpy deals are mostly zero).

    Returns
    -------
    pandas.DataFrame
        ``tenure_month, sellers, median_bookings`` (cumulative), ``median_attainment``;
        months followed by fewer than ``min_group_size`` sellers are left out.
    """
    hires = quota_reps(reps, roles)
    hires = hires.loc[to_datetime(hires["hire_date"]) >= pd.Timestamp(since)].copy()
    hires["hire_month"] = to_datetime(hires["hire_date"]).dt.to_period("M")
    credit = bookings(opportunities, credit_splits, None, as_of, as_of)
    monthly = credit.groupby(["rep_id", "period"])["credit"].sum()
    rows = []
    last = pd.Timestamp(as_of).to_period("M")
    for _, rep in hires.iterrows():
        for k in range(months):
            month = rep["hire_month"] + k
            if month > last:
                break
            rows.append({"rep_id": rep["rep_id"], "tenure_month": k + 1, "period": str(month)})
    if not rows:
        return pd.DataFrame(
            columns=["tenure_month", "sellers", "median_bookings", "median_attainment"]
        )
    grid = pd.DataFrame(rows)
    grid["bookings"] = [
        monthly.get((r, p), 0.0) for r, p in zip(grid["rep_id"], grid["period"], strict=True)
    ]
    grid = grid.merge(
        quotas.assign(period=quotas["period"].astype(str)), on=["rep_id", "period"], how="left"
    )
    grid = grid.sort_values(["rep_id", "tenure_month"])
    grid["bookings"] = grid.groupby("rep_id")["bookings"].cumsum()
    grid["quota"] = grid["quota"].fillna(0.0).groupby(grid["rep_id"]).cumsum()
    grid["attainment"] = (grid["bookings"] / grid["quota"]).where(grid["quota"] > 0)
    out = grid.groupby("tenure_month").agg(
        sellers=("rep_id", "nunique"),
        median_bookings=("bookings", "median"),
        median_attainment=("attainment", "median"),
    )
    return out.loc[out["sellers"] >= min_group_size].reset_index()


def scorecard(
    attained: pd.DataFrame, opportunities: pd.DataFrame, reps: pd.DataFrame, start, end
) -> pd.DataFrame:
    """One row per seller: attainment plus the deals they own that closed in ``[start, end]``
    (won, win rate, average won deal, median cycle) and their open pipeline.

    Holds names and rep ids: for the private folder only.
    """
    close = to_datetime(opportunities["close_date"])
    window = opportunities.loc[close.between(pd.Timestamp(start), pd.Timestamp(end))]
    closed = window.loc[window["is_closed"].astype(bool)]
    won = cycle_days(closed)
    owned = pd.DataFrame(
        {
            "deals_closed": closed.groupby("owner_id").size(),
            "deals_won": won.groupby("owner_id").size(),
            "avg_won_amount": won.groupby("owner_id")["amount"].mean(),
            "median_cycle_days": won.groupby("owner_id")["cycle_days"].median(),
            "open_pipeline": opportunities.loc[~opportunities["is_closed"].astype(bool)]
            .groupby("owner_id")["amount"]
            .sum(),
        }
    )
    owned["win_rate"] = owned["deals_won"].fillna(0) / owned["deals_closed"]
    names = reps.loc[:, ["rep_id", "name"]].drop_duplicates("rep_id")
    out = attained.merge(names, on="rep_id", how="left").merge(
        owned, left_on="rep_id", right_index=True, how="left"
    )
    out = out.fillna({"deals_closed": 0, "deals_won": 0, "open_pipeline": 0.0})
    cols = [
        "rep_id",
        "name",
        "team",
        "role",
        "hire_date",
        "quota",
        "bookings",
        "attainment",
        "deals_closed",
        "deals_won",
        "win_rate",
        "avg_won_amount",
        "median_cycle_days",
        "open_pipeline",
    ]
    return out.loc[:, cols].sort_values("attainment", ascending=False).reset_index(drop=True)


ATTAINMENT_EDGES = (0.5, 0.8, 1.0, 1.2, 1.5, 2.0)


def attainment_bands(table: pd.DataFrame, *, min_group_size: int) -> pd.DataFrame:
    """Sellers per attainment band (bands merged until each holds ``min_group_size``):
    ``band, low, high, sellers``; the shareable view of the attainment distribution."""
    _, bands = merged_bands(table["attainment"], ATTAINMENT_EDGES, min_group_size, table["rep_id"])
    return bands.rename(columns={"count": "sellers"})
