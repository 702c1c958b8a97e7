"""Safety stock and projected inventory per SKU × location × month.

Safety stock follows the textbook normal approximation, with lead-time variability
where the products table gives it::

    SS = z(service level) · √(LT · σ_d² + d̄² · σ_LT²)

(monthly demand mean d̄ and standard deviation σ_d, lead time LT and its standard
deviation σ_LT in months). Intermittent items (average inter-demand interval above
1.32 months, Syntetos & Boylan) break the normal assumption; for them the safety stock
is the service-level quantile of the empirical lead-time demand minus its mean.

The projection carries a backlog: ``closing = opening + receipts + production − demand``
holds for every row, a negative closing is a backlog, and the next month opens with it.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy.stats import norm

from compass_nb.calendar import DAYS_PER_MONTH
from compass_nb.errors import ParameterError
from compass_nb.sop.months import complete_months

INTERMITTENT_ADI = 1.32
KEYS = ["sku", "location"]


def _check_service_level(service_level) -> None:
    levels = np.atleast_1d(np.asarray(service_level, dtype=float))
    if np.any((levels <= 0) | (levels >= 1) | np.isnan(levels)):
        raise ParameterError(
            "service level must lie strictly between 0 and 1 (e.g. 0.95); "
            "fix products.service_level or supply_planning.service_level."
        )


def safety_stock(
    demand_mean,
    demand_sd,
    lead_time_months,
    service_level,
    lead_time_sd_months=0.0,
):
    """Units to hold against demand and lead-time variability: z · √(LT·σ_d² + d̄²·σ_LT²).

    Parameters
    ----------
    demand_mean, demand_sd
        Mean and standard deviation of monthly demand.
    lead_time_months, lead_time_sd_months
        Replenishment lead time and its standard deviation, in months.
    service_level
        Cycle service level, strictly between 0 and 1.

    Returns
    -------
    Same shape as the inputs (scalar, array or Series), never negative.

    Examples
    --------
    >>> round(safety_stock(100, 20, 4, 0.95), 1)   # 1.645 · 20 · 2
    65.8
    """
    _check_service_level(service_level)
    z = norm.ppf(service_level)
    variance = lead_time_months * demand_sd**2 + demand_mean**2 * lead_time_sd_months**2
    return np.maximum(z * np.sqrt(variance), 0.0)


def empirical_safety_stock(
    history: pd.Series, lead_time_months: float, service_level: float
) -> float:
    """Safety stock of an intermittent item from its own lead-time demand distribution.

    Sums monthly demand over rolling windows of ⌈LT⌉ months (scaled by LT/⌈LT⌉), takes
    the service-level quantile of those sums and subtracts the mean lead-time demand.

    Examples
    --------
    >>> empirical_safety_stock(pd.Series([0, 0, 10, 0, 0, 0, 20, 0, 0, 0]), 1.0, 0.9)
    8.0
    """
    _check_service_level(service_level)
    values = pd.Series(history, dtype=float).reset_index(drop=True)
    if values.empty or lead_time_months <= 0:
        return 0.0
    k = max(1, math.ceil(lead_time_months - 1e-9))
    sums = values.rolling(k).sum().dropna() * (lead_time_months / k)
    if sums.empty:
        sums = pd.Series([values.sum() * lead_time_months / len(values)])
    quantile = float(np.quantile(sums, service_level))
    return max(quantile - values.mean() * lead_time_months, 0.0)


def demand_statistics(history: pd.DataFrame) -> pd.DataFrame:
    """Mean, standard deviation and intermittency of monthly demand per SKU × location.

    ``history`` is a full month grid (``sku``, ``location``, ``month``, ``actual``) as made
    by :func:`compass_nb.sop.months.complete_months`. ``adi`` is the average interval
    between months with demand; ``intermittent`` is ``adi > 1.32``.
    """
    g = history.groupby(KEYS)["actual"]
    stats = g.agg(
        months="size", demand_mean="mean", demand_sd="std", nonzero=lambda s: (s > 0).sum()
    )
    stats["demand_sd"] = stats["demand_sd"].fillna(0.0)
    stats["adi"] = stats["months"] / stats["nonzero"].where(stats["nonzero"] > 0)
    stats["intermittent"] = stats["adi"].fillna(np.inf) > INTERMITTENT_ADI
    return stats.drop(columns="nonzero").reset_index()


def _lead_times(products: pd.DataFrame, default_service_level: float) -> pd.DataFrame:
    p = products.set_index("sku")
    out = pd.DataFrame(index=p.index)
    out["lead_time_months"] = p["lead_time_days"].astype(float) / DAYS_PER_MONTH
    sd = p["lead_time_sd_days"] if "lead_time_sd_days" in p else pd.Series(np.nan, index=p.index)
    out["lead_time_sd_months"] = sd.astype(float).fillna(0.0) / DAYS_PER_MONTH
    level = p["service_level"] if "service_level" in p else pd.Series(np.nan, index=p.index)
    out["service_level"] = level.astype(float).fillna(default_service_level)
    return out.reset_index()


def safety_stock_table(
    items: pd.DataFrame,
    actuals: pd.DataFrame,
    products: pd.DataFrame,
    last_month,
    *,
    service_level: float = 0.95,
    window: int = 24,
) -> pd.DataFrame:
    """Safety stock of every planned SKU × location, with the method used.

    Parameters
    ----------
    items
        The planned SKU × location pairs (columns ``sku``, ``location``).
    actuals
        Monthly actuals (``sku``, ``location``, ``month``, ``actual``).
    products
        Products with ``lead_time_days`` and optionally ``lead_time_sd_days``, ``service_level``.
    last_month
        Last month of history to use (the cycle's period).
    service_level
        Default service level for items without their own.
    window
        Months of history behind the statistics.

    Returns
    -------
    pandas.DataFrame
        ``sku``, ``location``, ``demand_mean``, ``demand_sd``, ``lead_time_months``,
        ``lead_time_sd_months``, ``service_level``, ``intermittent``, ``method``
        (``normal`` or ``empirical``), ``safety_stock``.
    """
    _check_service_level(service_level)
    history = complete_months(actuals, last_month, window)
    stats = demand_statistics(history) if not history.empty else pd.DataFrame(columns=KEYS)
    out = items[KEYS].drop_duplicates().merge(stats, on=KEYS, how="left")
    out = out.merge(_lead_times(products, service_level), on="sku", how="left")
    out["intermittent"] = out["intermittent"].eq(True) if "intermittent" in out else False
    out = out.fillna({"demand_mean": 0.0, "demand_sd": 0.0, "months": 0})
    out = out.fillna(
        {"lead_time_months": 0.0, "lead_time_sd_months": 0.0, "service_level": service_level}
    )
    out["intermittent"] = out["intermittent"].astype(bool)
    out["method"] = np.where(out["intermittent"], "empirical", "normal")
    out["safety_stock"] = safety_stock(
        out["demand_mean"],
        out["demand_sd"],
        out["lead_time_months"],
        out["service_level"],
        out["lead_time_sd_months"],
    )
    series = {key: s["actual"] for key, s in history.groupby(KEYS)} if not history.empty else {}
    for i in np.flatnonzero(out["intermittent"].to_numpy()):
        row = out.iloc[i]
        hist = series.get((row["sku"], row["location"]), pd.Series(dtype=float))
        out.iloc[i, out.columns.get_loc("safety_stock")] = empirical_safety_stock(
            hist, row["lead_time_months"], row["service_level"]
        )
    cols = [
        "sku",
        "location",
        "demand_mean",
        "demand_sd",
        "lead_time_months",
        "lead_time_sd_months",
        "service_level",
        "intermittent",
        "method",
        "safety_stock",
    ]
    return out[cols]


def opening_stock(inventory: pd.DataFrame, cutoff) -> pd.DataFrame:
    """On hand per SKU × location at the latest snapshot on or before the cut-off."""
    snaps = inventory[pd.to_datetime(inventory["snapshot_date"]) <= pd.Timestamp(cutoff)]
    snaps = snaps.assign(snapshot_date=pd.to_datetime(snaps["snapshot_date"]))
    latest = snaps.sort_values("snapshot_date").groupby(KEYS, as_index=False).last()
    return latest[KEYS + ["on_hand"]].astype({"on_hand": float})


def _forward_demand(plan: pd.DataFrame, months_ahead: int = 3) -> pd.Series:
    """Mean demand of the next ``months_ahead`` months of each row's series."""

    def ahead(s: pd.Series) -> pd.Series:
        rev = s[::-1].shift(1).rolling(months_ahead, min_periods=1).mean()[::-1]
        return rev.fillna(s.mean())

    return plan.groupby(KEYS, sort=False)["demand"].transform(ahead)


def projected_inventory(
    plan: pd.DataFrame,
    opening: pd.DataFrame,
    safety: pd.DataFrame,
    *,
    max_cover_months: float = 6.0,
) -> pd.DataFrame:
    """Project inventory month by month: opening + receipts + production − demand.

    Parameters
    ----------
    plan
        One row per ``sku``, ``location``, ``month`` with ``demand``, ``receipts``, ``production``.
    opening
        ``sku``, ``location``, ``on_hand`` at the start of the first month (missing = 0).
    safety
        ``sku``, ``location``, ``safety_stock``.
    max_cover_months
        Cover above which stock counts as excess, in months of forward demand.

    Returns
    -------
    pandas.DataFrame
        ``plan`` sorted by SKU, location and month, plus ``opening``, ``closing`` (negative =
        backlog), ``on_hand``, ``backlog``, ``met`` (demand served in its own month),
        ``unmet``, ``safety_stock``, ``below_safety_stock``, ``days_of_supply``,
        ``max_stock`` (the maximum cover in units) and ``excess`` above it.
    """
    df = plan.sort_values(KEYS + ["month"]).reset_index(drop=True)
    df = df.merge(
        opening[KEYS + ["on_hand"]].rename(columns={"on_hand": "_open0"}), on=KEYS, how="left"
    )
    df = df.merge(safety[KEYS + ["safety_stock"]], on=KEYS, how="left")
    df = df.fillna({"_open0": 0.0, "safety_stock": 0.0, "receipts": 0.0, "production": 0.0})
    g = df.groupby(KEYS, sort=False)
    supply = df["_open0"] + g["receipts"].cumsum() + g["production"].cumsum()
    demand = g["demand"].cumsum()
    df["closing"] = supply - demand
    df["opening"] = df.groupby(KEYS, sort=False)["closing"].shift(1).fillna(df["_open0"])
    shipped_to_date = np.minimum(supply, demand)
    df["met"] = np.minimum(
        (shipped_to_date - (demand - df["demand"])).clip(lower=0.0), df["demand"]
    )
    df["unmet"] = (df["demand"] - df["met"]).clip(lower=0.0)
    df["on_hand"] = df["closing"].clip(lower=0.0)
    df["backlog"] = (-df["closing"]).clip(lower=0.0) + 0.0
    df["below_safety_stock"] = df["on_hand"] < df["safety_stock"] - 1e-9
    daily = _forward_demand(df) / DAYS_PER_MONTH
    df["days_of_supply"] = (df["on_hand"] / daily.where(daily > 0)).astype(float)
    df["max_stock"] = max_cover_months * daily * DAYS_PER_MONTH
    df["excess"] = (df["on_hand"] - df["max_stock"]).clip(lower=0.0)
    return df.drop(columns="_open0")


def net_requirements(plan: pd.DataFrame, opening: pd.DataFrame, safety: pd.DataFrame) -> pd.Series:
    """Lot-for-lot production that keeps each SKU × location at its safety stock.

    With ``X_m = opening + Σ(receipts − demand)`` up to month ``m``, the cumulative
    production is ``max(0, max_k≤m (SS − X_k))``; the monthly requirement is its increase.
    Returned aligned to ``plan`` sorted by SKU, location and month.
    """
    df = plan.sort_values(KEYS + ["month"]).reset_index(drop=True)
    df = df.merge(opening[KEYS + ["on_hand"]], on=KEYS, how="left").merge(
        safety[KEYS + ["safety_stock"]], on=KEYS, how="left"
    )
    df = df.fillna({"on_hand": 0.0, "safety_stock": 0.0, "receipts": 0.0})
    position = (
        df["on_hand"]
        + (df["receipts"] - df["demand"]).groupby([df["sku"], df["location"]]).cumsum()
    )
    short = (df["safety_stock"] - position).clip(lower=0.0)
    cumulative = short.groupby([df["sku"], df["location"]]).cummax()
    need = cumulative - cumulative.groupby([df["sku"], df["location"]]).shift(1).fillna(0.0)
    return need.rename("requirement")
