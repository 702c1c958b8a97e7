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
# # 06 · Implementation and tracking
#
# Every past cycle's plan against what happened: how accurate the forecast and consensus
# were one and three months ahead, whether the plan was kept, what fill rate and inventory
# followed, and each cycle's decisions beside what came after them.

# %% tags=["parameters"]
run_dir = None  # set by the runner; defaults of every knob: parameters/default.yaml

# %%
from compass_nb import nb, steps
from compass_nb.viz import sop as charts

ctx = nb.context("implementation_tracking", globals())
review = steps.implementation_tracking.run(ctx)
s = ctx.settings

# %% [markdown]
# ## Summary

# %%
nb.summary(review.summary)

# %% [markdown]
# ## Forecast accuracy by lag
#
# WAPE (Σ|actual − plan| / Σ actual, at SKU × location level) and bias (Σ(plan − actual) /
# Σ actual) by family for the plans made one and three months before each month, over all
# tracked months; the statistical forecast's WAPE beside the consensus. The chart follows
# the error month by month.

# %%
nb.show(review.accuracy, caption="Consensus accuracy by family and lag (all tracked months)")

# %%
charts.accuracy_trend(review.accuracy_trend);

# %% [markdown]
# ## Tracking signal
#
# The running sum of errors over their mean absolute size, per family (lag 1): outside ±4
# the plan is biased — consistently over or under what happened.

# %%
nb.show(review.tracking_signal, caption="Tracking signal by family (latest month)")

# %% [markdown]
# ## Forecast value added over time
#
# The lag-1 error of a naive forecast (last month's actual), the statistical forecast and
# the consensus, month by month. Each step down is value added by the process.

# %%
charts.fva_stairstep(review.fva);

# %%
nb.show(review.fva, caption="Forecast value added (lag-1 WAPE)", formats=dict.fromkeys(["naive", "statistical", "consensus"], "{:.1%}"))

# %% [markdown]
# ## Plan adherence, fill rate and inventory
#
# Plan adherence is Σ min(actual, plan) / Σ plan: the share of the lag-1 plan that
# happened. Achieved fill rate is the share of actual demand the supply the plan provided
# could serve. Inventory compares month-end stock with the plan's projection.

# %%
charts.adherence_and_fill(review.adherence, review.fill, target=s.fill_rate_target);

# %%
charts.inventory_vs_plan(review.inventory, target=s.inventory_target);

# %% [markdown]
# ## Decisions and what followed
#
# Each past cycle's approved scenario and decisions, beside the plan's revenue for the
# following months and the revenue that came in.

# %%
nb.show(review.outcomes, caption="Decisions and what followed", empty="No decision log in the store yet: run 05_executive_sop for past cycles (compass-nb run --backfill 12).")
