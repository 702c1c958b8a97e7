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
# The one-page decision pack: the decisions the meeting must take — only those above the
# materiality threshold — with each option's net effect on the P&L, fill rate, inventory
# and cash, an owner and a due month; then the plan against the budget and last year, the
# headline figures against their target bands, and the top risks. Nothing is approved
# until the meeting records it (`executive_sop.approved_scenario` and `decisions`).

# %% tags=["parameters"]
run_dir = None  # set by the runner; defaults of every knob: parameters/default.yaml
approved_scenario = None  # the scenario the meeting approved (a name from step 04)
decisions = None  # decisions taken: {id: A1, option: approve|decline, owner, due}

# %%
from compass_nb import nb, steps
from compass_nb.viz import sop as charts

ctx = nb.context("executive_sop", globals())
review = steps.executive_sop.run(ctx)
currency = ctx.shared.currency

# %% [markdown]
# ## Summary

# %%
nb.summary(review.summary, title=review.status.capitalize())

# %% [markdown]
# ## Decisions required
#
# The plan to follow and each action worth at least the materiality threshold. Every
# option's figures are against the base plan over the horizon: the profit effect (net P&L:
# margin at net price less the action's cost), fill rate, average inventory value and cash.

# %%
nb.show(review.decision_titles, caption="Decisions required")

# %%
nb.show(review.options_table, caption=f"Each decision's options against the base plan ({review.horizon}; {currency})")

# %%
nb.show(review.log_table, caption=f"Decision log of the {ctx.period} cycle ({review.status})")

# %% [markdown]
# ## Revenue: plan, budget and last year
#
# Plan revenue at net price by month beside the budget and the same month last year; then
# the bridge from budget to plan over the months the budget covers.

# %%
charts.revenue_plan_budget_last_year(review.monthly, currency=currency);

# %%
charts.bridge(review.bridge, currency=currency, title="Budget → plan (months the budget covers)", empty_note="no budget for the plan's months");

# %%
nb.show(review.budget_misses, caption=f"Budget by family: demand plan and revenue served against budget, owner and recommendation ({currency})", empty="No budget for the plan's months.")

# %%
nb.show(review.history_table, caption=f"Next 12 months of plan against the last 12 months of sales ({currency})", empty="No sales history to compare with.")

# %% [markdown]
# ## Headline KPIs against their target bands
#
# Each figure over the planning horizon, its change against last cycle on the months both
# plan, its target band and an honest status.

# %%
nb.show(review.kpi_display, caption=f"KPIs ({review.horizon}; money in {currency})")

# %% [markdown]
# ## Demand and supply, risks and options
#
# Demand against what the plan serves in its month, by family; the largest risks and
# opportunities; the scenarios of the pre-S&OP review side by side.

# %%
charts.demand_supply_balance(review.balance);

# %%
nb.show(review.risk_table, caption=f"Risks and opportunities ({currency})")

# %%
nb.show(review.side_by_side, caption=f"Scenarios against base ({currency})")
