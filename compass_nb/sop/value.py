"""The value view of the demand plan: revenue and margin, and what moved since last cycle."""

from __future__ import annotations

import pandas as pd

from compass_nb.calendar import to_datetime


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

    Each change is split into the part due to the statistical forecast, the part due to
    the life cycle (launches, phase-outs) and the part due to overrides, so that
    ``delta = delta_stat + delta_lifecycle + delta_override``.

    Parameters
    ----------
    current, previous
        Consensus plans (``family``, ``sku``, ``location``, ``month``, ``stat_forecast``,
        ``consensus``, ``revenue`` and ``lifecycle``; a plan without ``lifecycle`` counts 0).
    by
        Grouping of the result (default ``family``, ``sku``).

    Returns
    -------
    pandas.DataFrame
        ``by`` plus ``previous``, ``current``, ``delta``, ``delta_stat``,
        ``delta_lifecycle``, ``delta_override``, ``previous_revenue``, ``current_revenue``,
        ``delta_revenue``, ``driver`` (the largest part), sorted by the size of the revenue move.
    """
    by = by or ["family", "sku"]
    parts = ["delta_stat", "delta_lifecycle", "delta_override"]
    names = {
        "delta_stat": "statistical forecast",
        "delta_lifecycle": "life cycle",
        "delta_override": "override",
    }
    if previous is None or previous.empty:
        return pd.DataFrame(
            columns=by
            + ["previous", "current", "delta", *parts]
            + ["previous_revenue", "current_revenue", "delta_revenue", "driver"]
        )
    cols = ["stat_forecast", "lifecycle", "consensus", "revenue"]
    current = current.assign(lifecycle=current.get("lifecycle", 0.0))
    previous = previous.assign(lifecycle=previous.get("lifecycle", 0.0))
    common = set(current["month"]) & set(previous["month"])
    cur = current[current["month"].isin(common)].groupby(by)[cols].sum()
    prev = previous[previous["month"].isin(common)].groupby(by)[cols].sum()
    both = cur.join(prev, how="outer", lsuffix="_cur", rsuffix="_prev").fillna(0.0)
    out = pd.DataFrame(index=both.index)
    out["previous"] = both["consensus_prev"]
    out["current"] = both["consensus_cur"]
    out["delta"] = out["current"] - out["previous"]
    out["delta_stat"] = both["stat_forecast_cur"] - both["stat_forecast_prev"]
    out["delta_lifecycle"] = both["lifecycle_cur"] - both["lifecycle_prev"]
    out["delta_override"] = out["delta"] - out["delta_stat"] - out["delta_lifecycle"]
    out["previous_revenue"] = both["revenue_prev"]
    out["current_revenue"] = both["revenue_cur"]
    out["delta_revenue"] = out["current_revenue"] - out["previous_revenue"]
    out["driver"] = out[parts].abs().idxmax(axis=1).map(names)
    out = out.reset_index()
    return out.reindex(out["delta_revenue"].abs().sort_values(ascending=False).index).reset_index(
        drop=True
    )


def _window(frame: pd.DataFrame, first, count: int) -> pd.DataFrame:
    last = pd.Timestamp(first) + pd.DateOffset(months=count - 1)
    return frame[(frame["month"] >= pd.Timestamp(first)) & (frame["month"] <= last)]


def plan_vs_history(
    plan: pd.DataFrame,
    actuals: pd.DataFrame,
    products: pd.DataFrame,
    last_month,
    *,
    months: int = 12,
    multiple: float,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The plan's next ``months`` months against the last ``months`` months of actual sales.

    Parameters
    ----------
    plan
        The consensus plan (``family``, ``sku``, ``month``, ``consensus``, ``revenue``,
        ``net_price``).
    actuals
        Monthly actuals (``sku``, ``location``, ``month``, ``actual``, ``actual_revenue``).
    products
        ``sku``, ``family`` and optionally ``launch_date`` (items launched within the
        window, or later, have no year of history and are not flagged).
    last_month
        The cycle's month: history is the ``months`` up to it, the plan the ``months`` after.
    multiple
        A plan above this multiple of its history is flagged.

    Returns
    -------
    (by_family, above)
        ``by_family``: ``family`` (with a ``Total`` row), ``history_units``, ``plan_units``,
        ``growth_units``, ``history_revenue``, ``plan_revenue``, ``growth_revenue``,
        ``above_multiple``. ``above``: the SKUs whose plan exceeds ``multiple`` × history,
        with ``history_units``, ``plan_units``, ``excess_units`` (above the multiple) and
        ``excess_revenue`` (at net price).
    """
    last = pd.Timestamp(last_month)
    hist_first = last - pd.DateOffset(months=months - 1)
    family = products.drop_duplicates("sku").set_index("sku")["family"]
    hist = _window(actuals, hist_first, months).assign(
        family=lambda d: d["sku"].map(family).fillna("(no family)")
    )
    ahead = _window(plan, last + pd.DateOffset(months=1), months)
    h = hist.groupby("family")[["actual", "actual_revenue"]].sum()
    p = ahead.groupby("family")[["consensus", "revenue"]].sum()
    out = p.join(h, how="outer").fillna(0.0)
    out.loc["Total"] = out.sum()
    table = pd.DataFrame(
        {
            "history_units": out["actual"],
            "plan_units": out["consensus"],
            "history_revenue": out["actual_revenue"],
            "plan_revenue": out["revenue"],
        }
    )
    table["growth_units"] = (
        table["plan_units"] / table["history_units"].where(table["history_units"] > 0) - 1
    )
    table["growth_revenue"] = (
        table["plan_revenue"] / table["history_revenue"].where(table["history_revenue"] > 0) - 1
    )
    table["above_multiple"] = table["plan_units"] > multiple * table["history_units"]
    by_family = table.rename_axis("family").reset_index()[
        [
            "family",
            "history_units",
            "plan_units",
            "growth_units",
            "history_revenue",
            "plan_revenue",
            "growth_revenue",
            "above_multiple",
        ]
    ]
    launch = (
        to_datetime(products.drop_duplicates("sku").set_index("sku")["launch_date"])
        if "launch_date" in products
        else pd.Series(pd.NaT, index=family.index)
    )
    seasoned = launch.isna() | (launch < hist_first)
    sku_hist = hist.groupby("sku")["actual"].sum()
    sku_plan = ahead.groupby(["family", "sku"], as_index=False).agg(
        plan_units=("consensus", "sum"), net_price=("net_price", "first")
    )
    sku_plan["history_units"] = sku_plan["sku"].map(sku_hist).fillna(0.0)
    sku_plan = sku_plan[sku_plan["sku"].map(seasoned).fillna(True).astype(bool)]
    sku_plan["excess_units"] = sku_plan["plan_units"] - multiple * sku_plan["history_units"]
    above = sku_plan[sku_plan["excess_units"] > 1e-6].copy()
    above["excess_revenue"] = above["excess_units"] * above["net_price"]
    above = above.sort_values("excess_revenue", ascending=False).reset_index(drop=True)
    return by_family, above[
        ["family", "sku", "history_units", "plan_units", "excess_units", "excess_revenue"]
    ]
