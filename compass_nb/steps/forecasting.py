"""Step · forecasting: the statistical forecast of every SKU × location, reconciled, and
the honest report of how good it is."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from compass_nb import quality
from compass_nb.context import Context
from compass_nb.forecast.adjust import PlanRules
from compass_nb.formatting import assumed_lines
from compass_nb.steps.step import Step, derived_assumptions, held_inputs

if TYPE_CHECKING:
    from compass_nb.forecast.report import ForecastReview


@dataclass(frozen=True)
class ForecastingSettings:
    """The ``forecasting`` section of ``parameters/default.yaml``."""

    level: tuple[int, ...]
    candidates: str | list
    backtest_windows: int | None
    thin_min_nonzero: int
    thin_window: int
    young_months: int
    young_cap: float
    empirical_window: int
    lags: tuple[int, ...]
    fva_max_lag: int
    coverage_tolerance: float


def plan_rules(s: ForecastingSettings, launch_ramp: tuple[float, ...]) -> PlanRules:
    """The bottom-level rules of the section, with the shared ``launch_ramp``."""
    return PlanRules(
        thin_min_nonzero=s.thin_min_nonzero,
        thin_window=s.thin_window,
        young_months=s.young_months,
        young_cap=s.young_cap,
        empirical_window=s.empirical_window,
        launch_ramp=tuple(launch_ramp),
    )


STEP = Step(
    "forecasting",
    notebook="forecasting",
    inputs=("orders", "products"),
    optional_inputs=("overrides",),
    optional_reads=("quarantine_summary",),
    history=("forecast", "consensus"),
    writes=("forecast", "forecast_backtest", "forecast_residuals", "nowcast"),
    settings=ForecastingSettings,
)


@STEP.compute
def run(ctx: Context) -> ForecastReview:
    """Forecast the cycle, score it against benchmarks and past cycles, nowcast the month."""
    # the engine (statsforecast) is imported where this step runs, not by every kernel
    from compass_nb.forecast import cycle, report

    t = held_inputs(ctx, ("orders", "products"), ("overrides",))
    s, shared = ctx.settings, ctx.shared
    rules = plan_rules(s, shared.launch_ramp)
    review = report.review(
        t["orders"],
        t["products"],
        t.get("overrides"),  # none in the source: FVA's override step is not measured
        ctx.read("forecast", periods="all"),
        ctx.read("consensus", periods="all"),
        ctx.mtd_orders(),
        period=ctx.period,
        cutoff=ctx.cutoff,
        horizon=shared.horizon,
        level=s.level,
        rules=rules,
        lags=s.lags,
        fva_max_lag=s.fva_max_lag,
        coverage_tolerance=s.coverage_tolerance,
        currency=shared.currency,
        views=ctx.makes_files,
        candidates=s.candidates,
        backtest_windows=s.backtest_windows,
        n_jobs=ctx.threads,
        executor=shared.executor,
        scheduler=shared.scheduler,
    )
    review.summary += assumed_lines(derived_assumptions(ctx, t))
    review.summary += quality.quarantine_lines(ctx.quarantine_summary(), STEP.inputs)
    ctx.write("forecast", review.cycle.forecast[cycle.FORECAST_COLUMNS])
    ctx.write("forecast_backtest", review.cycle.backtest)
    ctx.write("forecast_residuals", review.residuals)
    ctx.write("nowcast", review.nowcast)
    _metrics(ctx, review)
    return review


def _metrics(ctx: Context, review: ForecastReview) -> None:
    head, totals = review.headline, review.totals
    ctx.metric("wape", head["wape"], label="Backtest WAPE (SKU × location)", fmt="{:.1%}")
    ctx.metric("bias", head["bias"], label="Backtest bias", fmt="{:+.1%}")
    ctx.metric("mase", head["mase"], label="Backtest MASE (median)", fmt="{:.2f}")
    ctx.metric(
        "coverage", head["coverage"], label="80 % interval coverage (backtest)", fmt="{:.0%}"
    )
    ctx.metric(
        "coverage_95", head["coverage_95"], label="95 % interval coverage (backtest)", fmt="{:.0%}"
    )
    if totals["months"]:
        span = f"{totals['first']:%Y-%m} to {totals['last']:%Y-%m}"
        ctx.metric(
            "forecast_units",
            totals["units"],
            label=f"Forecast units, {totals['months']} months ({span})",
            fmt="{:,.0f}",
        )
    ctx.metric(
        "coherence_error",
        review.coherence,
        label="Hierarchy gap (largest, relative)",
        fmt="{:.1e}",
    )
