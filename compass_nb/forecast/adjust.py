"""The rules every bottom-level forecast goes through after the engine, at every origin.

The same function turns the engine's SKU × location forecasts into the planned ones for
the cycle and, in the backtest, at each past origin (with only the history before it),
so that what the backtest measures is what the plan uses:

1. no negative demand;
2. intermittent and lumpy series get empirical intervals (:mod:`.empirical`);
3. series with too few months of demand are capped at their recent rate, and young ones
   (a launch still in its ramp) at a multiple of their best month (:mod:`.sparse`);
4. the product life cycle: nothing before a launch or after a discontinuation
   (:mod:`.lifecycle`).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from compass_nb.forecast.classify import INTERMITTENT_CLASSES
from compass_nb.forecast.empirical import apply_empirical
from compass_nb.forecast.lifecycle import apply_lifecycle
from compass_nb.forecast.sparse import cap_thin, cap_young

__all__ = ["PlanRules", "bottom_forecast"]


@dataclass(frozen=True)
class PlanRules:
    """The knobs of the bottom-level rules (the ``forecasting`` section names them)."""

    thin_min_nonzero: int  # fewer months with demand than this: capped at the recent rate
    thin_window: int  # months behind that rate
    young_months: int  # fewer months since the first order: young, capped at its best month
    young_cap: float  # ... times this
    empirical_window: int  # months behind the empirical intervals
    launch_ramp: tuple[float, ...]  # share of an average item in a launch's first months


def bottom_forecast(
    fc: pd.DataFrame,
    history: pd.DataFrame,
    products: pd.DataFrame | None,
    *,
    level,
    rules: PlanRules,
) -> pd.DataFrame:
    """The planned bottom-level forecast from the engine's.

    Parameters
    ----------
    fc : DataFrame
        Bottom rows: ``unique_id``, ``sku``, ``ds``, ``yhat``, ``yhat_lo_<l>`` /
        ``yhat_hi_<l>``, ``demand_class``, ``flag``.
    history : DataFrame
        ``unique_id``, ``ds``, ``y`` of the bottom series up to the origin (raw demand).
    products : DataFrame or None
        ``sku`` and the optional ``launch_date`` / ``discontinue_date``; ``None`` skips
        the life cycle.
    level : sequence of int
    rules : PlanRules
    """
    bounds = [f"yhat_{s}_{lv}" for lv in level for s in ("lo", "hi")]
    out = fc.copy()
    out[["yhat", *bounds]] = out[["yhat", *bounds]].clip(lower=0)
    sparse = set(out.loc[out["demand_class"].isin(INTERMITTENT_CLASSES), "unique_id"])
    out = apply_empirical(out, history, sparse, level, rules.empirical_window)
    out = cap_thin(out, history, rules.thin_min_nonzero, rules.thin_window)
    out = cap_young(out, history, rules.young_months, rules.young_cap)
    if products is not None and len(products):
        out = apply_lifecycle(out, products)
    return out
