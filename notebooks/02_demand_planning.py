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
# The consensus demand plan for the planning horizon: the statistical forecast, the
# judgmental overrides sales and marketing made, and the consensus they give, by family and
# month — in units, revenue and margin — against the annual budget, the previous cycle and,
# when the pipeline notebook ran, the sales pipeline's weighted commit.

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

# %% [markdown]
# ## Summary

# %%
nb.summary(review.summary)

# %% [markdown]
# ## Consensus waterfall
#
# For each family over the horizon: the statistical forecast, the adjustment the overrides
# make (green up, red down) and the consensus that results. The table gives the same by
# month; a large adjustment deserves a reason in the override log.

# %%
charts.consensus_waterfall(review.waterfall);

# %%
nb.show(review.waterfall, caption="Statistical forecast → overrides → consensus, by family and month (units, revenue)", max_rows=40)

# %% [markdown]
# ## Gap to budget
#
# Consensus revenue against the annual operating plan, month by month: bars below zero are
# months where the demand plan falls short of budget.

# %%
charts.budget_gap(review.budget_gap);

# %%
nb.show(review.budget_by_family, caption="Consensus against budget over the budgeted months, by family")

# %% [markdown]
# ## Pipeline commit for the next fiscal quarter
#
# When the pipeline notebook ran this cycle, its commit, best case and weighted forecast for
# the next fiscal quarter sit beside the consensus revenue of the same quarter. A weighted
# pipeline well below consensus means the plan counts on deals not yet in the CRM.

# %%
nb.show(review.pipeline, caption=f"Consensus revenue and pipeline, {review.quarter}", empty=f"No pipeline output in the store for this cycle ({review.quarter}): run the pipeline notebook to compare.")

# %% [markdown]
# ## Value: revenue and margin by family
#
# The consensus valued at list price and unit cost.

# %%
charts.revenue_by_family(review.value);

# %% [markdown]
# ## What changed since the previous cycle
#
# The SKUs whose consensus revenue moved most on the months both cycles plan, with the part
# due to the statistical forecast and the part due to overrides.

# %%
nb.show(review.movers, caption="Biggest movers against the previous cycle", empty="No previous cycle in the store: nothing to compare with yet.")

# %% [markdown]
# ## Did the overrides add value?
#
# Over past cycles, the lag-1 error (WAPE) of the statistical forecast and of the consensus
# on the rows overrides changed, by family. Positive value added means sales input improved
# the forecast; negative means the statistical forecast alone would have been closer.

# %%
nb.show(review.fva, caption="Forecast value added of overrides (lag 1)", empty="No past cycle with overrides and actuals yet.")

# %% [markdown]
# Overrides that name an item or family with no forecast this cycle are not applied; they
# are listed here to be corrected or withdrawn.

# %%
nb.show(review.unmatched, caption="Overrides not applied: no forecast for the item or family", empty="Every override names an item or family with a forecast.")

# %% [markdown]
# ## Try an override
#
# Choose a family, a location and a month, set the consensus total and see the plan and
# revenue change. *Keep override* records it (with your name and a reason) for the next run.

# %% tags=["widget"]
widgets.override_editor(review.consensus, ctx)
