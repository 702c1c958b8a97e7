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
# Where the base plan falls short of demand, what other futures do to it, and the actions
# that close the gaps — each valued net of what it costs. Each scenario re-runs the supply
# plan of step 03 with other demand (the coherent 80 % interval of the reconciled
# forecast) or other capacity; each recommendation is valued by re-running the plan with it.

# %% tags=["parameters"]
run_dir = None  # set by the runner; defaults of every knob: parameters/default.yaml
scenarios = None  # capacity scenarios beside base, upside and downside

# %%
from compass_nb import nb, steps
from compass_nb.viz import sop as charts

ctx = nb.context("pre_sop_review", globals())
review = steps.pre_sop_review.run(ctx)
currency = ctx.shared.currency

# %% [markdown]
# ## Summary

# %%
nb.summary(review.summary)

# %% [markdown]
# ## Gaps: demand the base plan cannot serve
#
# Consensus demand minus the supply served in its month; a family's consecutive months
# form one gap to close, valued at net price.

# %%
nb.show(review.gap_periods, caption=f"Gaps to close ({review.horizon}; {currency})", empty="No gap: the base plan serves demand in every month.")

# %% [markdown]
# ## Scenarios against base
#
# Base is the consensus plan on today's capacity. Upside and downside take demand to the
# bounds of the reconciled total's 80 % interval, spread to families and items (never the
# sum of every item's bound); capacity scenarios change one resource from a given month.

# %%
charts.scenario_comparison(review.scenarios, currency=currency);

# %%
nb.show(review.side_by_side, caption=f"Scenarios side by side: base figure and change against base ({currency})")

# %%
nb.show(review.ledger_table, caption="Assumptions per scenario", max_rows=30)

# %% [markdown]
# ## Recommendations, ranked by net value
#
# Capacity actions recover margin at net price and cost the capacity they add (and the
# carrying cost of any stock they build); none starts inside the lead time to add
# capacity. Inventory actions hold back supply that feeds excess stock and save its
# carrying cost. Step 05 puts those above the materiality threshold to the meeting.

# %%
charts.recommendation_values(review.recommendations, currency=currency);

# %%
nb.show(review.recommendation_table, caption=f"Recommendations: gross value, cost and net value ({currency})", empty="No recommendation this cycle: no gap a capacity action can reach and no excess stock fed by supply.")

# %%
nb.show(review.out_of_reach, caption="Gaps that end inside the lead time to add capacity", empty="Every gap can be reached by a capacity action in time.")
