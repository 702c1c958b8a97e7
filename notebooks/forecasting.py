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
# The statistical forecast of every SKU × location for the coming months, added up to
# family, location and total (MinTrace reconciliation). Each series is classified by its
# demand pattern, cleaned of one-off spikes for fitting, and forecast by the candidate models
# or their combination, chosen on a rolling-origin backtest; intervals are checked against
# that backtest. Series whose past forecasts drifted (tracking signal beyond ±4) are
# re-selected and flagged.

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
# ## Demand classes
#
# Smooth and erratic series get the continuous models (damped trend, Theta, CES and their
# combination); intermittent and lumpy series (many months without demand) get Croston,
# SBA, TSB and ADIDA.

# %%
charts.demand_classes(review.cycle.result.classes);

# %%
nb.show(review.class_counts, caption="Series by demand class and level")

# %% [markdown]
# ## Backtest leaderboard
#
# Each candidate's backtest error relative to the naive forecast (below 1 beats naive), and
# how many series it forecast best. The combination is kept unless a single model is clearly
# better on a series.

# %%
charts.leaderboard(review.leaderboard);

# %%
nb.show(review.leaderboard, caption="Backtest leaderboard")

# %% [markdown]
# ## Accuracy by family
#
# Backtest WAPE and bias of the SKU × location forecasts, and the model most used in each
# family. Interval coverage is measured in the same backtest.

# %%
charts.accuracy_by_family(review.accuracy_by_family);

# %%
nb.show(review.accuracy_by_family, caption="Backtest accuracy by family")

# %%
nb.show(review.cycle.result.coverage, caption="Interval coverage in the backtest and the method kept")

# %% [markdown]
# ## Forecasts with their history
#
# The largest series, with 80 % and 95 % intervals.

# %%
charts.series_panel(review.cycle.history, review.cycle.forecast, review.largest);

# %% [markdown]
# ## Forecast value added
#
# Error of the naive forecast, the statistical forecast and the forecast after planners'
# overrides, on past cycles' next-month forecasts (or on the backtest before the store has
# past cycles). A step that raises the error destroys value.

# %%
charts.fva_stairstep(review.fva);

# %%
nb.show(review.fva_family, caption="Forecast value added by family")

# %% [markdown]
# ## Tracking signals and re-selection
#
# The tracking signal of each series over the last twelve cycles' next-month forecasts.
# Series beyond ±4 were re-selected in this run (flag `re-selected`).

# %%
charts.tracking_signals(review.signals);

# %%
nb.show(review.flagged, caption="Flagged series", empty="No series is flagged.")

# %% [markdown]
# ## Nowcast of the current month
#
# Month-to-date orders scaled by the share of a normal month they usually represent
# (weekday pattern), blended with the forecast as the month goes by.

# %%
nb.show(review.nowcast_table, caption="Nowcast against forecast, largest gaps first", max_rows=10, empty="No month-to-date orders.")

# %% tags=["widget"]
from compass_nb.widgets import forecast as forecast_widgets

forecast_widgets.series_explorer(review.cycle)
