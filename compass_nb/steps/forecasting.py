"""Step · forecasting: the statistical forecast of every SKU × location, reconciled."""

from __future__ import annotations

from dataclasses import dataclass

from compass_nb.context import Context
from compass_nb.forecast import cycle
from compass_nb.forecast.cycle import ForecastReview
from compass_nb.steps.step import Step


@dataclass(frozen=True)
class ForecastingSettings:
    """The ``forecasting`` section of ``parameters/default.yaml``."""

    level: tuple[int, ...]
    candidates: str | list
    backtest_windows: int | None
    show_series: int


STEP = Step(
    "forecasting",
    notebook="forecasting",
    inputs=("orders", "products", "overrides"),
    history=("forecast",),
    writes=("forecast", "forecast_backtest"),
    settings=ForecastingSettings,
)


@STEP.compute
def run(ctx: Context) -> ForecastReview:
    """Forecast the cycle, track past cycles' forecasts, measure FVA and nowcast the month."""
    t = ctx.inputs("orders", "products", "overrides")
    s, shared = ctx.settings, ctx.shared
    review = cycle.review(
        t["orders"],
        t["products"],
        t["overrides"],
        ctx.read("forecast", periods="all"),
        ctx.mtd_orders(),
        period=ctx.period,
        cutoff=ctx.cutoff,
        horizon=shared.horizon,
        level=s.level,
        show_series=s.show_series,
        candidates=s.candidates,
        backtest_windows=s.backtest_windows,
        n_jobs=ctx.threads,
        executor=shared.executor,
        scheduler=shared.scheduler,
    )
    ctx.write("forecast", review.cycle.forecast[cycle.FORECAST_COLUMNS])
    ctx.write("forecast_backtest", review.cycle.backtest)
    head = review.headline
    ctx.metric("wape", head["wape"], label="Backtest WAPE (SKU × location)", fmt="{:.1%}")
    ctx.metric("bias", head["bias"], label="Backtest bias", fmt="{:+.1%}")
    ctx.metric("mase", head["mase"], label="Backtest MASE (median)", fmt="{:.2f}")
    ctx.metric(
        "coverage", head["coverage"], label="80 % interval coverage (backtest)", fmt="{:.0%}"
    )
    return review
