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
# Can supply meet the consensus demand plan? Safety stock per SKU and location, the
# projected inventory month by month, the load the plan puts on each resource, the plan
# once capacity is respected (built ahead where it can be, shortages allocated to the
# highest-margin items first) and the exceptions planners must act on.

# %% tags=["parameters"]
run_dir = None  # set by the runner; defaults of every knob: parameters/default.yaml
service_level = None  # cycle service level for items without their own
priority = None  # shortage allocation: margin | revenue | proportional

# %%
from compass_nb import nb, steps
from compass_nb.viz import sop as charts

ctx = nb.context("supply_planning", globals())
review = steps.supply_planning.run(ctx)

# %% [markdown]
# ## Summary

# %%
nb.summary(review.summary)

# %% [markdown]
# ## Unconstrained and constrained plan
#
# Per family over the horizon: the demand, the production it would take to serve it and
# keep safety stock (unconstrained), the production capacity allows (constrained), and the
# demand left unserved in its month, in units and revenue.

# %%
nb.show(review.families, caption="Unconstrained against capacity-constrained plan, by family")

# %% [markdown]
# ## Projected inventory
#
# Projected on-hand (bars) against safety stock (dashed) month by month, for all families;
# a bar below zero is a backlog. The dotted line is the maximum cover: stock above it is
# excess. The table gives the balance per family and month: opening + receipts +
# production − demand = closing.

# %%
charts.inventory_projection(review.plan);

# %%
nb.show(review.inventory, caption="Inventory balance by family and month", max_rows=40)

# %% [markdown]
# ## Rough-cut capacity
#
# Each resource's utilisation month by month: dashed, the load of the unconstrained plan;
# solid, the plan after levelling. Above the red line a resource is overloaded; the
# constrained plan builds ahead into earlier months with spare capacity.

# %%
charts.capacity_load(review.resource_load);

# %%
nb.show(review.utilisation, caption="Unconstrained load as a share of capacity", values="{:.0%}")

# %% [markdown]
# ## Safety stock
#
# Safety stock per SKU and location from its service level, demand variability and lead
# time (z · √(LT·σ² + d̄²·σ_LT²)); intermittent items use the empirical quantile of their
# lead-time demand instead. The largest first.

# %%
nb.show(review.safety, caption="Safety stock by SKU × location (largest first)", max_rows=15)

# %% [markdown]
# ## Exceptions
#
# The four standard exceptions — demand not satisfied, shortage, below safety stock,
# resource overloaded — each with its SKU (or resource), month and size. The full list is
# in the pack's `exports/` folder for planners and the ERP.

# %%
nb.show(review.exception_summary, caption="Exceptions by kind")

# %%
nb.show(review.exceptions, caption="Exception list (largest first within each kind)", max_rows=25)

# %%
nb.note("Exports for ERP and planners (in exports/): " + ", ".join(review.exports))
