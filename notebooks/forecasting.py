# ---
# jupyter:
#   jupytext:
#     cell_metadata_filter: tags,-papermill
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Demand forecasting
#
# The statistical forecast of every SKU × location for the coming months, added up to
# family, location and total (MinTrace reconciliation). Each series is classified by its
# demand pattern, cleaned of one-off spikes for fitting, and forecast by the candidate models
# or their combination, chosen on a rolling-origin backtest; intervals are checked against
# that backtest. Series whose past forecasts drifted (tracking signal beyond ±4) are
# re-selected and flagged.

# %% tags=["parameters"]
period = None  # month under review, YYYY-MM (None: the latest complete month)
source = "demo"  # demo | demo:small | folder | DuckDB file | SQLAlchemy URL
store = "reports/compass.duckdb"  # the cycle store
encoding = "utf-8"  # encoding of CSV files
currency = "EUR"
fiscal_year_start = 1  # month number the fiscal year starts in
strict = False
horizon = 18  # months to forecast
audience = "executive"
jobs = 1  # kernels the runner runs side by side
executor = "local"  # local (processes) | dask
scheduler = None  # Dask scheduler address when executor is dask
run_dir = None  # set by the runner: this run's staging folder
threads = None  # set by the runner: processes this kernel may use (None: all cores)
level = [80, 95]  # prediction interval levels, percent
candidates = "auto"  # auto | default | fast | full | list of model names
backtest_windows = None  # rolling origins for selection (None: 2, or 1 above 1,000 series)
show_series = 4  # series plotted with history and intervals

# %%
from compass_nb import nb
from compass_nb.forecast import cycle as fcycle
from compass_nb.viz import forecast as charts

ctx = nb.context("forecasting", period=period, source=source, store=store, run_dir=run_dir,
                 encoding=encoding, strict=strict, fiscal_year_start=fiscal_year_start,
                 currency=currency, audience=audience, threads=threads)
t = ctx.inputs("orders", "products", "overrides")
demand = fcycle.monthly_demand(t["orders"], t["products"], ctx.cutoff)
past = fcycle.past_snapshots(ctx.read("forecast", periods="all"), ctx.period)
signals = fcycle.cycle_tracking(past, demand)
run = fcycle.run_cycle(demand, horizon, level, candidates=candidates, backtest_windows=backtest_windows,
                       reselect=fcycle.reselect_ids(signals), n_jobs=threads, executor=executor,
                       scheduler=scheduler)
ctx.write("forecast", run.forecast[fcycle.FORECAST_COLUMNS])
ctx.write("forecast_backtest", run.backtest)
fva = fcycle.fva_table(past, demand, t["overrides"]) if len(past) else fcycle.fva_from_backtest(run)
fva_family = fcycle.fva_table(past, demand, t["overrides"], by="family") if len(past) else fcycle.fva_from_backtest(run, by="family")
now = fcycle.cycle_nowcast(run.forecast, ctx.mtd_orders(), t["orders"])
head = fcycle.headline_metrics(run.backtest)
ctx.metric("wape", head["wape"], label="Backtest WAPE (SKU × location)", fmt="{:.1%}")
ctx.metric("bias", head["bias"], label="Backtest bias", fmt="{:+.1%}")
ctx.metric("mase", head["mase"], label="Backtest MASE (median)", fmt="{:.2f}")
ctx.metric("coverage", head["coverage"], label="80 % interval coverage (backtest)", fmt="{:.0%}")

# %% [markdown]
# ## Summary

# %%
nb.summary(fcycle.summary_lines(run, head, signals, now))

# %% [markdown]
# ## Demand classes
#
# Smooth and erratic series get the continuous models (damped trend, Theta, CES and their
# combination); intermittent and lumpy series (many months without demand) get Croston,
# SBA, TSB and ADIDA.

# %%
charts.demand_classes(run.result.classes);

# %%
nb.show(fcycle.class_counts(run), caption="Series by demand class and level")

# %% [markdown]
# ## Backtest leaderboard
#
# Each candidate's backtest error relative to the naive forecast (below 1 beats naive), and
# how many series it forecast best. The combination is kept unless a single model is clearly
# better on a series.

# %%
charts.leaderboard(fcycle.leaderboard(run.result));

# %%
nb.show(fcycle.leaderboard(run.result), caption="Backtest leaderboard",
        formats={"relative_mae": "{:.2f}"})

# %% [markdown]
# ## Accuracy by family
#
# Backtest WAPE and bias of the SKU × location forecasts, and the model most used in each
# family. Interval coverage is measured in the same backtest.

# %%
charts.accuracy_by_family(fcycle.accuracy_by_family(run.backtest));

# %%
nb.show(fcycle.accuracy_by_family(run.backtest), caption="Backtest accuracy by family",
        formats={"wape": "{:.1%}", "bias": "{:+.1%}"})

# %%
nb.show(run.result.coverage, caption="Interval coverage in the backtest and the method kept",
        formats={"coverage": "{:.0%}"})

# %% [markdown]
# ## Forecasts with their history
#
# The largest series, with 80 % and 95 % intervals.

# %%
charts.series_panel(run.history, run.forecast, fcycle.largest_series(run, show_series));

# %% [markdown]
# ## Forecast value added
#
# Error of the naive forecast, the statistical forecast and the forecast after planners'
# overrides, on past cycles' next-month forecasts (or on the backtest before the store has
# past cycles). A step that raises the error destroys value.

# %%
charts.fva_stairstep(fva);

# %%
nb.show(fva_family, caption="Forecast value added by family",
        formats={"wape": "{:.1%}", "bias": "{:+.1%}", "mae": "{:,.1f}", "fva": "{:+.1%}"})

# %% [markdown]
# ## Tracking signals and re-selection
#
# The tracking signal of each series over the last twelve cycles' next-month forecasts.
# Series beyond ±4 were re-selected in this run (flag `re-selected`).

# %%
charts.tracking_signals(signals);

# %%
nb.show(fcycle.flagged_series(run, signals), caption="Flagged series",
        formats={"tracking_signal": "{:+.1f}"}, empty="No series is flagged.")

# %% [markdown]
# ## Nowcast of the current month
#
# Month-to-date orders scaled by the share of a normal month they usually represent
# (weekday pattern), blended with the forecast as the month goes by.

# %%
nb.show(fcycle.nowcast_summary(now), caption="Nowcast against forecast, largest gaps first",
        formats={"forecast": "{:,.0f}", "mtd": "{:,.0f}", "share_elapsed": "{:.0%}", "nowcast": "{:,.0f}",
                 "gap": "{:+.0%}"}, max_rows=10, empty="No month-to-date orders.")

# %% tags=["widget"]
from compass_nb.widgets import forecast as forecast_widgets

forecast_widgets.series_explorer(run)
