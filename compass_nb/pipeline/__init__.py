"""Sales pipeline and seller performance: funnel, cycle, velocity, coverage, flow,
forecast roll-ups and their backtest, attainment and ramp."""

from compass_nb.pipeline._history import (
    month_bounds,
    opportunities_at,
    states_at,
    timeline,
    with_team,
)
from compass_nb.pipeline.coverage import coverage
from compass_nb.pipeline.cycle import (
    cycle_days,
    cycle_summary,
    stage_duration_summary,
    stalled_deals,
    time_in_stage,
)
from compass_nb.pipeline.flow import close_date_changes, flow_movements, pipeline_flow, slippage
from compass_nb.pipeline.forecast import (
    backtest,
    backtest_error,
    forecast_categories,
    quarter_forecast,
    rollups,
    stage_win_rates,
)
from compass_nb.pipeline.funnel import closed_between, stage_conversion, stage_reach, win_rates
from compass_nb.pipeline.performance import attainment, attainment_distribution, ramp, scorecard
from compass_nb.pipeline.stages import stage_table, unknown_stages
from compass_nb.pipeline.velocity import monthly_velocity, sales_velocity, velocity_drivers

__all__ = [
    "attainment",
    "attainment_distribution",
    "backtest",
    "backtest_error",
    "close_date_changes",
    "closed_between",
    "coverage",
    "cycle_days",
    "cycle_summary",
    "flow_movements",
    "forecast_categories",
    "month_bounds",
    "monthly_velocity",
    "opportunities_at",
    "pipeline_flow",
    "quarter_forecast",
    "ramp",
    "rollups",
    "sales_velocity",
    "scorecard",
    "slippage",
    "stage_conversion",
    "stage_duration_summary",
    "stage_reach",
    "stage_table",
    "stage_win_rates",
    "stalled_deals",
    "states_at",
    "time_in_stage",
    "timeline",
    "unknown_stages",
    "velocity_drivers",
    "win_rates",
    "with_team",
]
