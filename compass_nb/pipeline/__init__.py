"""Sales pipeline and seller performance: funnel, cycle, velocity, coverage, flow, calibrated
stage probabilities, the quarter's bookings as a distribution and its backtest, attainment
with ramp, and teams at risk."""

from compass_nb.pipeline._history import (
    month_bounds,
    opportunities_at,
    states_at,
    timeline,
    with_team,
)
from compass_nb.pipeline.calibration import (
    brier_score,
    calibration_sample,
    fit_probabilities,
    reliability,
    snapshots,
)
from compass_nb.pipeline.coverage import coverage
from compass_nb.pipeline.cycle import (
    cycle_days,
    cycle_summary,
    stage_duration_summary,
    stalled_deals,
    stalled_summary,
    time_in_stage,
)
from compass_nb.pipeline.flow import (
    close_date_changes,
    close_date_moves,
    flow_movements,
    pipeline_flow,
    slippage,
)
from compass_nb.pipeline.forecast import forecast_categories, forecast_table, rollups
from compass_nb.pipeline.funnel import (
    closed_between,
    loss_reasons,
    stage_conversion,
    stage_reach,
    win_rates,
)
from compass_nb.pipeline.outcome import backtest, backtest_summary, quarter_outcome
from compass_nb.pipeline.performance import (
    attainment,
    attainment_distribution,
    ramp,
    ramp_groups,
    scorecard,
)
from compass_nb.pipeline.risk import teams_at_risk
from compass_nb.pipeline.stages import stage_table, unknown_stages
from compass_nb.pipeline.velocity import monthly_velocity, sales_velocity, velocity_drivers

__all__ = [
    "attainment",
    "attainment_distribution",
    "backtest",
    "backtest_summary",
    "brier_score",
    "calibration_sample",
    "close_date_changes",
    "close_date_moves",
    "closed_between",
    "coverage",
    "cycle_days",
    "cycle_summary",
    "fit_probabilities",
    "flow_movements",
    "forecast_categories",
    "forecast_table",
    "loss_reasons",
    "month_bounds",
    "monthly_velocity",
    "opportunities_at",
    "pipeline_flow",
    "quarter_outcome",
    "ramp",
    "ramp_groups",
    "reliability",
    "rollups",
    "sales_velocity",
    "scorecard",
    "slippage",
    "snapshots",
    "stage_conversion",
    "stage_duration_summary",
    "stage_reach",
    "stage_table",
    "stalled_deals",
    "stalled_summary",
    "states_at",
    "teams_at_risk",
    "time_in_stage",
    "timeline",
    "unknown_stages",
    "velocity_drivers",
    "win_rates",
    "with_team",
]
