"""Sales velocity: how much revenue the pipeline produces per day, and why it moved.

``velocity = opportunities × win rate × average deal size ÷ cycle length`` where, for a
month, *opportunities* is the count of open deals at the start of the month and the
other three factors are taken from the deals closed in the trailing ``window`` months
ending with it (win rate by count, mean won amount, mean days created → won).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from compass_nb.pipeline._history import month_bounds, opportunities_at
from compass_nb.pipeline.cycle import cycle_days
from compass_nb.pipeline.funnel import closed_between

FACTORS = ["opportunities", "win_rate", "avg_deal_size", "cycle_days"]


def sales_velocity(
    opportunities: int | float, win_rate: float, avg_deal_size: float, cycle_days: float
) -> float:
    """Revenue per day: ``opportunities × win_rate × avg_deal_size ÷ cycle_days`` (NaN if no cycle)."""
    if not cycle_days or np.isnan(cycle_days):
        return float("nan")
    return opportunities * win_rate * avg_deal_size / cycle_days


def _factors(open_start: pd.DataFrame, closed: pd.DataFrame) -> dict:
    won = cycle_days(closed)
    factors = {
        "opportunities": float(len(open_start)),
        "win_rate": won.shape[0] / len(closed) if len(closed) else float("nan"),
        "avg_deal_size": float(won["amount"].mean()) if len(won) else float("nan"),
        "cycle_days": float(won["cycle_days"].mean()) if len(won) else float("nan"),
    }
    factors["velocity"] = sales_velocity(**factors)
    return factors


def monthly_velocity(
    opportunities: pd.DataFrame,
    states: pd.DataFrame,
    months: list[str],
    *,
    by: str | None = "team",
    window: int = 3,
) -> pd.DataFrame:
    """The four velocity factors and velocity per month (and per group).

    Parameters
    ----------
    opportunities
        Opportunities as exported (with ``by`` as a column, e.g. ``team`` from ``with_team``).
    states
        Their states over time (``timeline``).
    months
        ``YYYY-MM`` months to compute.
    by
        Grouping column, or ``None`` for the whole company.
    window
        Trailing months of closed deals the win rate, deal size and cycle are taken from.

    Returns
    -------
    pandas.DataFrame
        ``month, [by], opportunities, win_rate, avg_deal_size, cycle_days, velocity``.
    """
    rows = []
    for month in months:
        start, end = month_bounds(month)
        window_start = month_bounds(str(pd.Period(month, "M") - (window - 1)))[0]
        snapshot = opportunities_at(opportunities, states, start - pd.Timedelta(days=1))
        open_start = snapshot.loc[~snapshot["is_closed"].astype(bool)]
        closed = closed_between(opportunities, window_start, end)
        groups = sorted(opportunities[by].dropna().unique()) if by else [None]
        for group in groups:
            mine_open = open_start if by is None else open_start.loc[open_start[by] == group]
            mine_closed = closed if by is None else closed.loc[closed[by] == group]
            rows.append(
                {"month": month} | ({by: group} if by else {}) | _factors(mine_open, mine_closed)
            )
    return pd.DataFrame(rows)


def _log_mean(a: pd.Series, b: pd.Series) -> pd.Series:
    same = np.isclose(a, b)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = (b - a) / (np.log(b) - np.log(a))
    return out.where(~same, a)


def velocity_drivers(velocity: pd.DataFrame, by: str | None = "team") -> pd.DataFrame:
    """Which of the four factors moved velocity from one month to the next.

    The change in velocity is split exactly among the factors with the log-mean Divisia
    index: factor *f* contributes ``L(V₀, V₁) · ln(f₁ / f₀)`` (cycle length with the sign
    flipped, since a longer cycle lowers velocity), where ``L`` is the logarithmic mean; the
    contributions add up to ``V₁ − V₀``. Months where a factor is zero or missing get NaN.

    Returns
    -------
    pandas.DataFrame
        ``month, [by], velocity, change`` and one ``from_<factor>`` column per factor, plus
        ``driver`` (the factor with the largest absolute contribution).
    """
    keys = [by] if by else []
    frame = velocity.sort_values(keys + ["month"]).reset_index(drop=True)
    previous = (
        frame.groupby(keys)[FACTORS + ["velocity"]].shift()
        if keys
        else frame[FACTORS + ["velocity"]].shift()
    )
    weight = _log_mean(previous["velocity"], frame["velocity"])
    out = frame.loc[:, ["month"] + keys + ["velocity"]].copy()
    out["change"] = frame["velocity"] - previous["velocity"]
    for factor in FACTORS:
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.log(frame[factor] / previous[factor])
        ratio = ratio.where(np.isfinite(ratio))
        out[f"from_{factor}"] = weight * (-ratio if factor == "cycle_days" else ratio)
    contributions = out[[f"from_{f}" for f in FACTORS]]
    out["driver"] = (
        contributions.abs()
        .fillna(-1.0)
        .idxmax(axis=1)
        .str.removeprefix("from_")
        .where(contributions.notna().all(axis=1))
    )
    return out
