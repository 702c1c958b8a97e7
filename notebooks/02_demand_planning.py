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
# # 02 · Demand planning
#
# The consensus demand plan for the planning horizon: the statistical forecast, what the
# product life cycles change (nothing is planned before a launch or after a
# discontinuation; new items start from their family's profile), the overrides sales and
# marketing made, and the consensus they give — in units and in revenue and margin at net
# price (what a unit really brings in) — against the last twelve months, the annual budget,
# the previous cycle and, when the pipeline notebook ran, the sales pipeline.

# %% tags=["parameters"]
run_dir = None  # set by the runner; defaults of every knob: parameters/default.yaml
movers = None  # biggest changes against the previous cycle to list
author = None  # default author of overrides kept in the widget

# %%
from compass_nb import nb, steps
from compass_nb.viz import sop as charts
from compass_nb.widgets import sop as widgets

ctx = nb.context("demand_planning", globals())
review = steps.demand_planning.run(ctx)
currency = ctx.shared.currency

# %% [markdown]
# ## Summary

# %%
nb.summary(review.summary)

# %% [markdown]
# ## The plan against the last twelve months
#
# The next twelve months of the plan beside the twelve months of sales before the cycle,
# by family: growth well beyond what the business has shown needs a reason. Items whose
# plan exceeds the set multiple of their last year's sales are listed below and carried to
# the exception list of step 03.

# %%
nb.show(review.history_table, caption=f"Next 12 months of plan against the last 12 months of sales ({currency})")

# %%
nb.show(review.above_history, caption=f"Items planned above {review.history_multiple:g}× their last year's sales", empty="No item is planned above that multiple of its history.")

# %% [markdown]
# ## Launches and phase-outs in the horizon
#
# Items whose launch or discontinuation date falls in the planning horizon, with the units
# the plan holds for them and the units the life cycle added (a new item's start) or
# removed (after discontinuation).

# %%
nb.show(review.life_events, caption=f"Phase-ins and phase-outs ({review.horizon})", empty="No launch or phase-out falls in the horizon.")

# %% [markdown]
# ## Consensus waterfall
#
# For each family over the horizon: the statistical forecast, what the life cycle removes
# or adds, what the overrides change, and the consensus that results.

# %%
charts.consensus_waterfall(review.waterfall);

# %% [markdown]
# ## Gap to budget, and the bridge from budget to plan
#
# Plan revenue at net price against the annual operating plan, month by month, over the
# months the budget covers; then the bridge that explains the gap: volume (the statistical
# forecast against the budget's units), life cycle, overrides, and price and mix (the net
# price against the budget's), all at the budget's price per unit.

# %%
charts.budget_gap(review.budget_gap, currency=currency);

# %%
charts.bridge(review.bridge, currency=currency, title=f"Budget → plan ({review.budget_months})", empty_note="no budget quantities for the plan's months: the gap cannot be split");

# %%
nb.show(review.budget_table, caption=f"Plan against budget by family ({review.budget_months}, {currency})", empty="No budget for the plan's months.")

# %% [markdown]
# ## Value: revenue and margin by family
#
# The plan valued at each SKU's net price (its net revenue per unit over the trailing
# window), falling back to its family's net-to-list ratio, then to list price (flagged).

# %%
charts.revenue_by_family(review.value, currency=currency);

# %%
nb.show(review.prices, caption=f"Where the net price comes from (plan revenue, {currency})")

# %% [markdown]
# ## Pipeline commit for the next fiscal quarter
#
# When the pipeline notebook ran this cycle, its commit, best case and weighted forecast for
# the next fiscal quarter sit beside the plan revenue of the same quarter.

# %%
nb.show(review.pipeline, caption=f"Plan revenue and pipeline, {review.quarter} ({currency})", empty=f"No pipeline output in the store for this cycle ({review.quarter}): run the pipeline notebook to compare.")

# %% [markdown]
# ## What changed since the previous cycle, and did overrides help?
#
# The SKUs whose plan revenue moved most on the months both cycles plan, split into the
# statistical forecast, the life cycle and the overrides; then, over past cycles, the lag-1
# error of the statistical forecast and of the consensus on the rows overrides changed.

# %%
nb.show(review.movers, caption=f"Biggest movers against the previous cycle ({currency})", empty="No previous cycle in the store: nothing to compare with yet.")

# %%
nb.show(review.fva, caption="Forecast value added of overrides (lag 1)", empty="No past cycle with overrides and actuals yet.")

# %%
nb.show(review.unmatched, caption="Overrides not applied, and why", empty="Every override was applied.")

# %% [markdown]
# ## Try an override
#
# Choose a family, a location and a month, set the consensus total and see the plan and
# revenue change. *Keep override* records it (with your name and a reason) for the next run.

# %% tags=["widget"]
widgets.override_editor(review.consensus, ctx)
