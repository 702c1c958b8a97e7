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
# # 03 · Supply planning
#
# Can supply meet the consensus demand plan? The plan once capacity is respected (built
# ahead where it can be, shortages allocated to the highest-margin items first, nothing
# made outside an item's life), the capacity each family takes on each resource, the
# projected inventory of every family against its safety stock and maximum cover, and the
# exceptions that remain for planners to act on.

# %% tags=["parameters"]
run_dir = None  # set by the runner; defaults of every knob: parameters/default.yaml
service_level = None  # cycle service level for items without their own
priority = None  # shortage allocation: margin | revenue | proportional

# %%
from compass_nb import nb, steps
from compass_nb.viz import sop as charts

ctx = nb.context("supply_planning", globals())
review = steps.supply_planning.run(ctx)
currency = ctx.shared.currency

# %% [markdown]
# ## Summary

# %%
nb.summary(review.summary)

# %% [markdown]
# ## Demand against supply
#
# Per family over the horizon: the demand, the production it would take to serve it and
# keep safety stock (unconstrained), the production capacity allows (constrained), and the
# demand left unserved in its month, in units and in revenue at net price.

# %%
charts.demand_supply_balance(review.balance);

# %%
nb.show(review.families, caption=f"Unconstrained against capacity-constrained plan, by family ({review.horizon}; revenue in {currency})")

# %% [markdown]
# ## Capacity: resource × family × month
#
# The share of each resource's capacity for a family that the constrained plan uses. A row
# at 100 % for several months is a family the resource cannot serve more of: build-ahead is
# exhausted, and the demand left over appears as *capacity short* below.

# %%
charts.capacity_heatmap(review.load);

# %% [markdown]
# ## Projected inventory by family
#
# Projected on-hand (bars) against safety stock (dashed) and maximum cover (dotted), month
# by month; a bar below zero is a backlog.

# %%
charts.inventory_by_family(review.inventory);

# %% [markdown]
# ## Safety stock
#
# Per SKU and location: z · √(LT·σ² + d̄²·σ_LT²), with σ the forecast's error over the
# lead time (its backtest residuals) or, without them, the spread of de-seasonalised
# demand; σ_LT from the products table or the default share of the lead time. Intermittent
# items use the empirical quantile of their lead-time demand. *Demand mean* is the plan's
# monthly demand over the lead time, *demand SD* the monthly spread used. The largest first.

# %%
nb.show(review.safety_table, caption="Safety stock by SKU × location (largest first)", max_rows=12)

# %% [markdown]
# ## Exceptions after levelling
#
# What remains once the constrained plan is made, each with its size in units, its value
# in money, its owner and the month it is due (its month less the lead time); the status
# compares with last cycle. The full list, with the planned orders in whole units after lot
# sizes and minimum order quantities, is in the pack's `exports/` folder.

# %%
nb.show(review.exception_summary, caption=f"Exceptions by kind and status (value in {currency})")

# %%
nb.show(review.open_exceptions, caption=f"Open exceptions (value in {currency})", max_rows=25, empty="No exception remains after levelling.")

# %%
nb.note("Exports for ERP and planners (in exports/): " + ", ".join(review.exports))
