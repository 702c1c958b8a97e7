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
# # 05 · Executive S&OP
#
# The one-page decision pack: the headline figures against the previous cycle, the budget
# and the targets; the top risks and opportunities; the decisions the meeting must take,
# with the options and their figures from the pre-S&OP review. The decisions taken are
# recorded in the cycle's decision log.

# %% tags=["parameters"]
run_dir = None  # set by the runner; defaults of every knob: parameters/default.yaml
approved_scenario = None  # the scenario the meeting approved (a name from step 04)
decisions = None  # decisions taken: text, or {title, option, owner, due}

# %%
from compass_nb import nb, steps

ctx = nb.context("executive_sop", globals())
review = steps.executive_sop.run(ctx)

# %% [markdown]
# ## Summary

# %%
nb.summary(review.summary)

# %% [markdown]
# ## Headline KPIs
#
# Each figure for the next months of this cycle's plan, beside the same months in the
# previous cycle's plan, the budget and the target. *Status* compares with the target
# (higher is better, except inventory and days of supply).

# %%
nb.show(review.kpi_display, caption=f"KPIs against previous cycle, budget and targets ({ctx.shared.currency})")

# %% [markdown]
# ## Top risks and opportunities
#
# Risks: demand the plan cannot serve, revenue below budget, stock above the maximum
# cover. Opportunities: upside demand the capacity can take, revenue above budget, and
# the recommended actions. Values in money.

# %%
nb.show(review.risks, caption="Risks and opportunities")

# %% [markdown]
# ## Decisions required
#
# The scenario the plan follows, and each recommended action to approve or decline, with
# its value. The options' figures follow.

# %%
nb.show(review.decisions_required, caption="Decisions required")

# %%
nb.show(review.side_by_side, caption="Options: the scenarios of the pre-S&OP review against base")

# %% [markdown]
# ## Decision log
#
# What this meeting decided (parameters `executive_sop.approved_scenario` and
# `executive_sop.decisions`), recorded in the cycle store with the period and run; step
# 06 sets each cycle's decisions beside what followed.

# %%
nb.show(review.log, caption=f"Decisions of the {ctx.period} cycle")
