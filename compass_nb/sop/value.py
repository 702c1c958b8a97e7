"""The value view of the demand plan: revenue and margin, and what moved since last cycle."""

from __future__ import annotations

import numpy as np
import pandas as pd


def value_by_family(plan: pd.DataFrame) -> pd.DataFrame:
    """Consensus quantity, revenue, margin and margin rate per family × month."""
    out = plan.groupby(["family", "month"], as_index=False)[
        ["consensus", "revenue", "margin"]
    ].sum()
    out["margin_rate"] = out["margin"] / out["revenue"].where(out["revenue"] != 0)
    return out


def cycle_changes(
    current: pd.DataFrame, previous: pd.DataFrame | None, by: list[str] | None = None
) -> pd.DataFrame:
    """What changed between the previous cycle's consensus and this one, on common months.

    Each change is split into the part due to the statistical forecast and the part due
    to overrides (``consensus − stat``), so that ``delta = delta_stat + delta_override``.

    Parameters
    ----------
    current, previous
        Consensus plans (``family``, ``sku``, ``location``, ``month``, ``stat_forecast``,
        ``consensus``, ``revenue``).
    by
        Grouping of the result (default ``family``, ``sku``).

    Returns
    -------
    pandas.DataFrame
        ``by`` plus ``previous``, ``current``, ``delta``, ``delta_stat``, ``delta_override``,
        ``previous_revenue``, ``current_revenue``, ``delta_revenue``, ``driver``
        (``statistical forecast`` or ``override``), sorted by the size of the revenue move.
    """
    by = by or ["family", "sku"]
    cols = ["stat_forecast", "consensus", "revenue"]
    if previous is None or previous.empty:
        return pd.DataFrame(
            columns=by
            + [
                "previous",
                "current",
                "delta",
                "delta_stat",
                "delta_override",
                "previous_revenue",
                "current_revenue",
                "delta_revenue",
                "driver",
            ]
        )
    common = set(current["month"]) & set(previous["month"])
    cur = current[current["month"].isin(common)].groupby(by)[cols].sum()
    prev = previous[previous["month"].isin(common)].groupby(by)[cols].sum()
    both = cur.join(prev, how="outer", lsuffix="_cur", rsuffix="_prev").fillna(0.0)
    out = pd.DataFrame(index=both.index)
    out["previous"] = both["consensus_prev"]
    out["current"] = both["consensus_cur"]
    out["delta"] = out["current"] - out["previous"]
    out["delta_stat"] = both["stat_forecast_cur"] - both["stat_forecast_prev"]
    out["delta_override"] = out["delta"] - out["delta_stat"]
    out["previous_revenue"] = both["revenue_prev"]
    out["current_revenue"] = both["revenue_cur"]
    out["delta_revenue"] = out["current_revenue"] - out["previous_revenue"]
    out["driver"] = np.where(
        out["delta_stat"].abs() >= out["delta_override"].abs(), "statistical forecast", "override"
    )
    out = out.reset_index()
    return out.reindex(out["delta_revenue"].abs().sort_values(ascending=False).index).reset_index(
        drop=True
    )
