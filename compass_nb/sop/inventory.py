"""Safety stock and projected inventory per SKU × location × month.

Safety stock protects against what the plan cannot know: the error of the forecast over
the replenishment lead time, and the lead time's own spread::

    SS = z(service level) · √(LT · σ_e² + d̄² · σ_LT²)

* σ_e, the monthly forecast error: the root mean square of the series' backtest residuals
  (store table ``forecast_residuals``, actual − forecast) at the horizons the lead time
  spans (1 … ⌈LT⌉ months ahead), when the series has at least :data:`MIN_RESIDUALS` of
  them; otherwise the spread of its monthly demand once the family's seasonality is taken
  out (demand ÷ the family's month-of-year index), so that a seasonal swing the plan
  already foresees is not counted as risk. The method is stated per item.
* d̄, the plan's mean monthly demand over the lead time (the consensus).
* LT and σ_LT in months: ``products.lead_time_sd_days`` where given, else a documented
  default share of the lead time (``supply_planning.lead_time_sd_share``), never zero.

Intermittent items (average inter-demand interval above 1.32 months, Syntetos & Boylan)
break the normal assumption; for them the safety stock is the service-level quantile of
the empirical lead-time demand minus its mean.

The projection carries a backlog: ``closing = opening + receipts + production − demand``
holds for every row, a negative closing is a backlog, and the next month opens with it.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy.special import ndtri  # the normal quantile (scipy.stats's norm.ppf), light to import

from compass_nb.calendar import DAYS_PER_MONTH, to_datetime
from compass_nb.errors import ParameterError
from compass_nb.sop.months import complete_months

INTERMITTENT_ADI = 1.32
KEYS = ["sku", "location"]
#: Fewest backtest residuals of a series behind its forecast-error spread.
MIN_RESIDUALS = 3
METHODS = {
    "error": "forecast error",
    "demand": "de-seasonalised demand",
    "empirical": "empirical (intermittent)",
}


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
    z = ndtri(np.asarray(service_level, dtype=float))
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


def _lead_times(
    products: pd.DataFrame, default_service_level: float, sd_share: float
) -> pd.DataFrame:
    p = products.drop_duplicates("sku").set_index("sku")
    out = pd.DataFrame(index=p.index)
    out["lead_time_months"] = p["lead_time_days"].astype(float) / DAYS_PER_MONTH
    sd = p["lead_time_sd_days"] if "lead_time_sd_days" in p else pd.Series(np.nan, index=p.index)
    given = sd.astype(float)
    out["lead_time_sd_months"] = (given / DAYS_PER_MONTH).fillna(out["lead_time_months"] * sd_share)
    out["lead_time_sd_source"] = np.where(given.notna(), "products", f"default {sd_share:.0%}")
    level = p["service_level"] if "service_level" in p else pd.Series(np.nan, index=p.index)
    out["service_level"] = level.astype(float).fillna(default_service_level)
    return out.reset_index()


def deseasonalised_sd(history: pd.DataFrame, family: pd.Series) -> pd.DataFrame:
    """Standard deviation of monthly demand per SKU × location once seasonality is removed.

    Each family's month-of-year index is its mean demand in that calendar month over its
    mean month (over the history given); a series' demand is divided by its family's index
    before its spread is taken. Returns ``sku``, ``location``, ``deseasonalised_sd``.
    """
    if history.empty:
        return pd.DataFrame(columns=[*KEYS, "deseasonalised_sd"])
    h = history.assign(family=history["sku"].map(family), moy=history["month"].dt.month)
    by_month = h.groupby(["family", "month"], as_index=False)["actual"].sum()
    by_month["moy"] = by_month["month"].dt.month
    mean = by_month.groupby("family")["actual"].transform("mean")
    by_month["ratio"] = by_month["actual"] / mean.where(mean > 0)
    index = by_month.groupby(["family", "moy"])["ratio"].mean().rename("season")
    h = h.merge(index.reset_index(), on=["family", "moy"], how="left")
    season = h["season"].where(h["season"] > 0.05)
    h["level"] = (h["actual"] / season).fillna(h["actual"])
    out = h.groupby(KEYS)["level"].std().fillna(0.0).rename("deseasonalised_sd")
    return out.reset_index()


def residual_spread(residuals: pd.DataFrame | None, lead: pd.DataFrame) -> pd.DataFrame:
    """Root mean square forecast error per SKU × location at the horizons its lead time spans.

    ``residuals`` is the store table ``forecast_residuals`` (``level``, ``sku``,
    ``location``, ``horizon``, ``actual``, ``forecast``); ``lead`` gives each SKU's
    ``lead_time_months``. Returns ``sku``, ``location``, ``error_rmse``, ``residuals``.
    """
    columns = [*KEYS, "error_rmse", "residuals"]
    if residuals is None or residuals.empty:
        return pd.DataFrame(columns=columns)
    r = residuals[residuals["level"] == "sku_location"] if "level" in residuals else residuals
    r = r.merge(lead[["sku", "lead_time_months"]], on="sku", how="inner")
    span = np.maximum(np.ceil(r["lead_time_months"] - 1e-9), 1)
    r = r[r["horizon"].astype(float) <= span]
    r = r.assign(sq=(r["actual"].astype(float) - r["forecast"].astype(float)) ** 2)
    out = r.groupby(KEYS).agg(error_rmse=("sq", "mean"), residuals=("sq", "size"))
    out["error_rmse"] = np.sqrt(out["error_rmse"])
    return out.reset_index()[columns]


def _forward_mean(items: pd.DataFrame, lead: pd.DataFrame) -> pd.DataFrame:
    """Mean planned monthly demand of each SKU × location over its lead time."""
    if "consensus" not in items:
        return pd.DataFrame(columns=[*KEYS, "forward_mean"])
    df = items.merge(lead[["sku", "lead_time_months"]], on="sku", how="left")
    df = df.sort_values([*KEYS, "month"])
    order = df.groupby(KEYS).cumcount()
    span = np.maximum(np.ceil(df["lead_time_months"].fillna(1.0) - 1e-9), 1)
    out = df[order < span].groupby(KEYS)["consensus"].mean().rename("forward_mean")
    return out.reset_index()


def safety_stock_table(
    items: pd.DataFrame,
    actuals: pd.DataFrame,
    products: pd.DataFrame,
    last_month,
    *,
    service_level: float,
    window: int,
    lead_time_sd_share: float,
    residuals: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Safety stock of every planned SKU × location, with the method used.

    Parameters
    ----------
    items
        The plan rows (``sku``, ``location``, and ``month``, ``consensus`` for the demand
        over the lead time; without them the history's mean is used).
    actuals
        Monthly actuals (``sku``, ``location``, ``month``, ``actual``).
    products
        Products with ``family``, ``lead_time_days`` and optionally ``lead_time_sd_days``,
        ``service_level``.
    last_month
        Last month of history to use (the cycle's period).
    service_level
        Default service level for items without their own.
    window
        Months of history behind the demand statistics.
    lead_time_sd_share
        Lead-time spread of an item without ``lead_time_sd_days``, as a share of its lead time.
    residuals
        The store table ``forecast_residuals``, when the forecasting step wrote it.

    Returns
    -------
    pandas.DataFrame
        ``sku``, ``location``, ``demand_mean``, ``demand_sd`` (the monthly spread used:
        forecast error or de-seasonalised demand), ``residuals``, ``lead_time_months``,
        ``lead_time_sd_months``, ``lead_time_sd_source``, ``service_level``,
        ``intermittent``, ``method`` (:data:`METHODS`), ``safety_stock``.
    """
    _check_service_level(service_level)
    lead = _lead_times(products, service_level, lead_time_sd_share)
    history = complete_months(actuals, last_month, window)
    stats = demand_statistics(history) if not history.empty else pd.DataFrame(columns=KEYS)
    family = products.drop_duplicates("sku").set_index("sku")["family"]
    out = items[KEYS].drop_duplicates().merge(stats, on=KEYS, how="left")
    out = out.merge(deseasonalised_sd(history, family), on=KEYS, how="left")
    out = out.merge(residual_spread(residuals, lead), on=KEYS, how="left")
    out["residuals"] = pd.to_numeric(out["residuals"]).fillna(0)
    out = out.merge(_forward_mean(items, lead), on=KEYS, how="left")
    out = out.merge(lead, on="sku", how="left")
    out["intermittent"] = out["intermittent"].eq(True) if "intermittent" in out else False
    out = out.fillna({"demand_mean": 0.0, "deseasonalised_sd": 0.0, "residuals": 0})
    out = out.fillna(
        {
            "lead_time_months": 0.0,
            "lead_time_sd_months": 0.0,
            "lead_time_sd_source": "no lead time",
            "service_level": service_level,
        }
    )
    forward = pd.to_numeric(out["forward_mean"], errors="coerce")
    out["demand_mean"] = forward.fillna(pd.to_numeric(out["demand_mean"])).astype(float)
    use_error = out["residuals"] >= MIN_RESIDUALS
    error = pd.to_numeric(out["error_rmse"], errors="coerce")
    out["demand_sd"] = error.where(use_error, pd.to_numeric(out["deseasonalised_sd"])).astype(float)
    out["intermittent"] = out["intermittent"].astype(bool)
    out["method"] = np.select(
        [out["intermittent"], use_error],
        [METHODS["empirical"], METHODS["error"]],
        METHODS["demand"],
    )
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
        "residuals",
        "lead_time_months",
        "lead_time_sd_months",
        "lead_time_sd_source",
        "service_level",
        "intermittent",
        "method",
        "safety_stock",
    ]
    return out[cols].astype({"residuals": int})


def opening_stock(inventory: pd.DataFrame, cutoff) -> pd.DataFrame:
    """On hand per SKU × location at the latest snapshot on or before the cut-off."""
    snaps = inventory[to_datetime(inventory["snapshot_date"]) <= pd.Timestamp(cutoff)]
    snaps = snaps.assign(snapshot_date=to_datetime(snaps["snapshot_date"]))
    latest = snaps.sort_values("snapshot_date").groupby(KEYS, as_index=False).last()
    return latest[KEYS + ["on_hand"]].astype({"on_hand": float})


def _forward_demand(plan: pd.DataFrame, months_ahead: int = 3) -> pd.Series:
    """Mean demand of the next ``months_ahead`` months of each row's series."""

    groups = plan.groupby(KEYS, sort=False)["demand"]
    total = pd.Series(0.0, index=plan.index)
    count = pd.Series(0, index=plan.index)
    for step in range(1, int(months_ahead) + 1):
        later = groups.shift(-step)
        total += later.fillna(0.0)
        count += later.notna()
    mean = total / count.where(count > 0)
    return mean.fillna(groups.transform("mean"))


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
    if "safety_stock" not in df:
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

    A ``safety_stock`` column of ``plan`` (per row: the life cycle sets it to 0 when the
    item is not held in stock) takes precedence over ``safety``.

    With ``X_m = opening + Σ(receipts − demand)`` up to month ``m``, the cumulative
    production is ``max(0, max_k≤m (SS − X_k))``; the monthly requirement is its increase.
    Returned aligned to ``plan`` sorted by SKU, location and month.
    """
    df = plan.sort_values(KEYS + ["month"]).reset_index(drop=True)
    df = df.merge(opening[KEYS + ["on_hand"]], on=KEYS, how="left")
    if "safety_stock" not in df:
        df = df.merge(safety[KEYS + ["safety_stock"]], on=KEYS, how="left")
    df = df.fillna({"on_hand": 0.0, "safety_stock": 0.0, "receipts": 0.0})
    position = (
        df["on_hand"]
        + (df["receipts"] - df["demand"]).groupby([df["sku"], df["location"]]).cumsum()
    )
    short = (df["safety_stock"] - position).clip(lower=0.0)
    cumulative = short.groupby([df["sku"], df["location"]]).cummax()
    need = cumulative - cumulative.groupby([df["sku"], df["location"]]).shift(1).fillna(0.0)
    return need.rename("requirement")
