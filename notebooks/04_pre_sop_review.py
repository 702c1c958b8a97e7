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
# # 04 · Pre-S&OP review
#
# Where the supply plan falls short of the consensus demand, what other futures would do
# to the plan, and the actions that close the gaps. Each scenario re-runs the supply plan
# of step 03 with other demand (the forecast's 80 % interval) or other capacity; each
# recommendation is valued by re-running the plan with it.

# %% tags=["parameters"]
run_dir = None  # set by the runner; defaults of every knob: parameters/default.yaml
scenarios = None  # capacity scenarios beside base, upside and downside

# %%
from compass_nb import nb, steps
from compass_nb.viz import sop as charts

ctx = nb.context("pre_sop_review", globals())
review = steps.pre_sop_review.run(ctx)

# %% [markdown]
# ## Summary

# %%
nb.summary(review.summary)

# %% [markdown]
# ## Gaps: demand the constrained plan cannot serve
#
# Consensus demand minus the supply served in its month, by family and month, with the
# revenue and margin at risk; consecutive months of a family form one gap to close.

# %%
nb.show(review.gap_periods, caption="Gaps to close (consecutive months per family)", empty="No gap: constrained supply meets demand in every month.")

# %%
nb.show(review.gaps, caption="Demand against constrained supply by family and month (largest risk first)", max_rows=20)

# %% [markdown]
# ## Scenarios against base
#
# Base is the consensus plan on today's capacity. Upside and downside take demand to the
# upper and lower bound of the forecast's 80 % interval; capacity scenarios change one
# resource from a given month. Each column is the change against base.

# %%
nb.show(review.side_by_side, caption="Scenarios side by side: base figure and change against base")

# %%
charts.scenario_deltas(review.scenarios);

# %% [markdown]
# ## Assumptions ledger
#
# What each scenario assumes about demand, capacity and allocation.

# %%
nb.show(review.ledger, caption="Assumptions per scenario", max_rows=40)

# %% [markdown]
# ## Recommendations, ranked by value
#
# Each action names the gap it closes. Capacity actions are valued at the margin they
# recover when the plan is re-run with them; inventory actions at the carrying cost they
# save. Step 05 asks the executive meeting to approve or decline each.

# %%
nb.show(review.recommendations, caption="Recommendations", empty="No recommendation this cycle: no gap and no stock above the maximum cover.")
