# ---
# jupyter:
#   jupytext:
#     cell_metadata_filter: tags,-papermill
#     formats: ipynb,py:percent
#     notebook_metadata_filter: -jupytext.text_representation.jupytext_version,-jupytext.text_representation.format_version
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Demand forecasting
#
# The statistical forecast of every SKU × location for the coming months, and how far it
# can be trusted. Each series is classified by its demand pattern, cleaned of one-off
# spikes for fitting, and forecast by the candidate models or their combination, chosen on
# a rolling-origin backtest. The planned level is SKU × location after the product life
# cycle (nothing after a discontinue date or before a launch), a cap on series with too
# little history and empirical intervals for intermittent demand; family, location and
# total are its exact sums, each with its own interval calibrated on its backtest. Every
# accuracy figure below is measured on the forecast as planned, against raw actuals.

# %% tags=["parameters"]
run_dir = None  # set by the runner; defaults of every knob: parameters/default.yaml
candidates = None  # auto | default | fast | full | a list of model names

# %%
from compass_nb import nb, steps
from compass_nb.viz import forecast as charts

ctx = nb.context("forecasting", globals())
review = steps.forecasting.run(ctx)

# %% [markdown]
# ## Summary

# %%
nb.summary(review.summary)

# %% [markdown]
# ## The total and each family against history
#
# The last three years of demand, then the forecast with its 80 % interval. These are the
# levels the S&OP scenarios take their upside and downside from. (The SKU explorer is in
# JupyterLab, at the end of this notebook.)

# %%
charts.level_forecast(review.cycle.history, review.cycle.forecast, "total", title="Total demand");

# %%
charts.family_forecasts(review.cycle.history, review.cycle.forecast);

# %% [markdown]
# ## Against the benchmarks
#
# The planned SKU × location forecast beside four benchmarks fitted at the same backtest
# origins on the same history: naive (last month), seasonal naive (same month last year),
# Naive2 (naive on the seasonally adjusted series) and Theta. *Beaten share* is the share
# of series where the chosen forecast's mean absolute error is lower. MASE is the
# forecast's mean absolute error divided by the mean absolute change between the same
# months of consecutive years in the series' history before the origin: below 1, the
# forecast missed by less than a seasonal naive forecast moved in-sample.

# %%
nb.show(review.benchmarks, caption="Backtest of the chosen forecast and the benchmarks (SKU × location)")

# %% [markdown]
# ## Bias and accuracy by family and by location
#
# Bias is (forecast − actual) ÷ actual over the backtest: positive means the forecast ran
# high. A family whose bias is far from 0 needs its planners' attention more than its WAPE.

# %%
charts.accuracy_by_family(review.accuracy_by_family);

# %%
nb.show(review.accuracy_by_family, caption="Backtest accuracy by family")

# %%
nb.show(review.accuracy_by_location, caption="Backtest accuracy by location")

# %% [markdown]
# ## Interval coverage
#
# The share of backtest actuals inside the 80 % and 95 % intervals, for each demand class
# of the SKU × location series and for each upper level, beside the target. Intermittent
# and lumpy series use empirical quantiles of their own demand; the upper levels' coverage
# is cross-fitted (each origin scored with the widening learnt on the other). The second
# table gives the intermittent series' demand over their lead time, the figure safety
# stock needs.

# %%
nb.show(review.coverage, caption="Interval coverage in the backtest, by demand class and level")

# %%
nb.show(review.lead_time, caption="Lead-time demand of intermittent series (empirical quantiles, units)", max_rows=10, empty="No intermittent series.")

# %% [markdown]
# ## Accuracy by lag
#
# The forecasts the store kept from past cycles, scored against what happened, by how many
# months ahead they were made.

# %%
nb.show(review.accuracy_by_lag, caption="Stored forecasts of past cycles against actuals")

# %% [markdown]
# ## Forecast value added
#
# Error of the naive forecast, the statistical forecast, the forecast after planners'
# overrides and the consensus, on the same cells. A step that raises the error destroys
# value; a step without data is "not measured". Each override is then set beside the
# forecast of the cycle it was made in.

# %%
charts.fva_stairstep(review.fva);

# %%
nb.show(review.fva, caption=f"Forecast value added, on {review.fva_basis}")

# %%
nb.show(review.fva_family, caption="Forecast value added by family", max_rows=40)

# %%
nb.show(review.overrides, caption="Past overrides at the cycle they were made", max_rows=15, empty="No overrides.")

# %% [markdown]
# ## Product life cycle
#
# Items whose forecast the life cycle changed: phase-outs (no forecast after the
# discontinue date), pre-launch months and launches started from their family.

# %%
nb.show(review.cycle.lifecycle, caption="Life-cycle changes to the forecast", empty="No launch or phase-out touches the horizon.")

# %% [markdown]
# ## Demand classes and the model leaderboard
#
# Smooth and erratic series get the continuous models; intermittent and lumpy series (many
# months without demand) get Croston, SBA, TSB and ADIDA. The leaderboard is each
# candidate's backtest error relative to the naive forecast, and how many series it
# forecast best.

# %%
charts.demand_classes(review.cycle.result.classes);

# %%
nb.show(review.class_counts, caption="Series by demand class and level")

# %%
nb.show(review.leaderboard, caption="Backtest leaderboard of the candidates")

# %% [markdown]
# ## Tracking signals and flagged series
#
# The tracking signal of each series over past cycles' next-month forecasts; series beyond
# ±4 were re-selected in this run. Flags: `outlier`, `new-item`, `short-history`,
# `thin-history` (capped at its recent rate), `growth-capped` (a young series capped at
# `young_cap` times its best month), `discontinued`, `pre-launch`, `launch`, `re-selected`,
# `fallback`.

# %%
charts.tracking_signals(review.signals);

# %%
nb.show(review.flagged, caption="Flagged series", empty="No series is flagged.")

# %% [markdown]
# ## Nowcast of the current month
#
# Month-to-date orders scaled by the share of a normal month they usually represent
# (weekday pattern), blended with the forecast as the month goes by; ranked by the gap in
# money at each SKU's net revenue per unit over the last 12 months (the rank in units
# beside it).

# %%
nb.show(review.nowcast, caption="Nowcast against forecast, largest gaps first", max_rows=10, empty="No month-to-date orders.")

# %% tags=["widget"]
from compass_nb.widgets import forecast as forecast_widgets

forecast_widgets.series_explorer(review.cycle)
