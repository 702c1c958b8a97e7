"""Helpers of the S&OP cycle tests: a stand-in forecast and the schema's knobs per step."""

import pandas as pd

from compass_nb.calendar import period_month, plan_months
from compass_nb.params import defaults
from compass_nb.sop.months import monthly_actuals

_P = defaults()
DEMAND = dict(
    horizon=_P["horizon"],
    fiscal_year_start=_P["fiscal_year_start"],
    movers=_P["demand_planning"]["movers"],
    currency=_P["currency"],
    price_window=_P["demand_planning"]["price_window_months"],
    launch_ramp=_P["launch_ramp"],
    history_multiple=_P["demand_planning"]["history_multiple"],
)
SUPPLY = dict(
    service_level=_P["supply_planning"]["service_level"],
    history_months=_P["supply_planning"]["history_months"],
    priority=_P["supply_planning"]["priority"],
    max_cover_months=_P["supply_planning"]["max_cover_months"],
    lead_time_sd_share=_P["supply_planning"]["lead_time_sd_share"],
    capacity_lead_months=_P["supply_planning"]["capacity_lead_months"],
    owners=_P["supply_planning"]["owners"],
    currency=_P["currency"],
)
PRE_SOP = dict(
    scenarios=_P["pre_sop_review"]["scenarios"],
    max_increase=_P["pre_sop_review"]["max_capacity_increase"],
    recommendations=_P["pre_sop_review"]["recommendations"],
    holding_rate=_P["pre_sop_review"]["holding_rate"],
    capacity_cost_share=_P["pre_sop_review"]["capacity_cost_share"],
    owners={},
    currency=_P["currency"],
    demo=True,
)
EXECUTIVE = dict(
    targets=_P["executive_sop"]["targets"],
    materiality_share=_P["executive_sop"]["materiality_share"],
    plan_owner=_P["executive_sop"]["plan_owner"],
    approved_scenario=_P["executive_sop"]["approved_scenario"],
    decisions=_P["executive_sop"]["decisions"],
    currency=_P["currency"],
)
TRACKING = dict(
    lags=tuple(_P["implementation_tracking"]["lags"]),
    fill_rate_target=_P["implementation_tracking"]["fill_rate_target"],
    currency=_P["currency"],
)


def seasonal_naive_forecast(
    orders: pd.DataFrame, products: pd.DataFrame, period: str, horizon: int = 18
) -> pd.DataFrame:
    """Same month last year per SKU × location, ±30 % as the 80 % interval (test stand-in)."""
    cutoff = period_month(period) + pd.offsets.MonthEnd(0)
    actuals = monthly_actuals(orders[pd.to_datetime(orders["order_date"]) <= cutoff])
    last_year = actuals[actuals["month"] > period_month(period) - pd.DateOffset(months=12)]
    family = products.set_index("sku")["family"]
    months = plan_months(period, horizon)
    rows = []
    for (sku, loc), g in last_year.groupby(["sku", "location"]):
        by_month = g.set_index(g["month"].dt.month)["actual"]
        for m in months:
            y = float(by_month.get(m.month, 0.0))
            rows.append(
                {
                    "unique_id": f"{sku}|{loc}",
                    "level": "sku_location",
                    "sku": sku,
                    "location": loc,
                    "family": family[sku],
                    "ds": m,
                    "yhat": y,
                    "yhat_lo_80": 0.7 * y,
                    "yhat_hi_80": 1.3 * y,
                    "yhat_lo_95": 0.5 * y,
                    "yhat_hi_95": 1.5 * y,
                    "model": "SeasonalNaive",
                    "demand_class": "smooth",
                    "flag": "",
                }
            )
    return pd.DataFrame(rows)
