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
# Every past cycle's plan against what happened: why the plan changed since last cycle,
# how accurate the consensus was one and three months ahead, whether the plan was kept,
# what fill rate and inventory followed, and each past decision scored against what
# followed two and three cycles later.

# %% tags=["parameters"]
run_dir = None  # set by the runner; defaults of every knob: parameters/default.yaml

# %%
from compass_nb import nb, steps
from compass_nb.viz import sop as charts

ctx = nb.context("implementation_tracking", globals())
review = steps.implementation_tracking.run(ctx)
s, currency, seen = ctx.settings, ctx.shared.currency, review.has_history

# %% [markdown]
# ## Summary

# %%
nb.summary(review.summary)

# %% [markdown]
# ## Why the plan changed since last cycle
#
# From last cycle's plan to this one's, in revenue at net price: the month that became
# actual, the statistical re-forecast, life-cycle changes, overrides and net prices. The
# pipeline is compared with the consensus on 02 but does not feed it, so it moves nothing.

# %%
charts.plan_change(review.change, currency=currency);

# %% [markdown]
# ## Forecast accuracy by lag
#
# WAPE (Σ|actual − plan| / Σ actual, at SKU × location level) and bias by family for the
# plans made one and three months before each month; the statistical forecast beside.

# %%
charts.accuracy_trend(review.accuracy_trend);

# %%
charts.tracked(review.accuracy, history=seen, caption="Consensus accuracy by family and lag (all tracked months)", empty="No month with actuals has been planned by a stored cycle yet.")

# %%
charts.tracked(review.tracking_signal, history=seen, caption="Tracking signal by family (latest month; outside ±4 = biased)", empty="No tracked month yet.")

# %% [markdown]
# ## Forecast value added, plan adherence, fill rate and inventory
#
# The lag-1 error of a naive forecast, the statistical forecast and the consensus; the
# share of the plan that happened; the share of demand the plan's supply served; month-end
# stock against the plan's projection.

# %%
charts.fva_stairstep(review.fva);

# %%
charts.adherence_and_fill(review.adherence, review.fill, target=s.fill_rate_target);

# %%
charts.inventory_vs_plan(review.inventory, currency=currency, target=s.inventory_target);

# %% [markdown]
# ## Decision ledger
#
# Each past decision (or decision left pending) with what was at stake, scored on one
# measure as known at its meeting and two and three cycles later: for an action, the
# revenue still at risk in its months; for the plan, the revenue of the three months after.

# %%
charts.tracked(review.ledger, history=seen, caption=f"Decision ledger ({currency})", empty="No decision log in the stored past cycles.")
