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
# # 01 · Data collection
#
# Every input table of the cycle, loaded and checked against its contract as of the period's
# cut-off. Rows that break a contract are kept aside (quarantined, in the private folder) and
# counted here; nothing is dropped silently. Read the summary first, then each check.

# %% tags=["parameters"]
run_dir = None  # set by the runner; defaults of every knob: parameters/default.yaml

# %%
from compass_nb import nb, steps
from compass_nb.viz import quality as charts

ctx = nb.context("data_collection", globals())
inputs = steps.data_collection.run(ctx)

# %% [markdown]
# ## Summary

# %%
nb.summary(inputs.summary)

# %% [markdown]
# ## Rows per table and period coverage
#
# Rows read from the source, accepted and quarantined (accepted + quarantined = rows read,
# always), the rows this cycle sees (events after the cut-off belong to later cycles), and
# the dates (or periods) each table spans.

# %%
nb.show(inputs.overview, caption="Tables of the cycle")

# %% [markdown]
# ## Freshness
#
# The latest event in each dated table and how many days it lies before the cut-off. A table
# that stops weeks before the cut-off usually means an export was not refreshed.

# %%
nb.show(inputs.freshness, caption="Latest event per table")

# %% [markdown]
# ## Items by family and location
#
# How many items of each family sold at each location in the last twelve months, and when
# each family last sold. A family missing from a location, or one that stopped selling,
# shows up here before it distorts a forecast.

# %%
nb.show(inputs.coverage, caption="Items with orders in the last 12 months", empty="No orders or no products in the source.")

# %% [markdown]
# ## Missing values and duplicates
#
# Optional columns may be empty by design (a `cancelled_date` is empty for most deals);
# a required column never is — such rows are quarantined.

# %%
nb.show(inputs.missing, caption="Columns with missing values")

# %%
nb.show(inputs.duplicates, caption="Exact duplicate rows", empty="No table has exact duplicate rows.")

# %% [markdown]
# ## Quarantine
#
# The most frequent reasons rows were set aside. The rows themselves, with their file, row
# number, column and reason, are in the private folder (`private/<period>/quarantine/`).

# %%
nb.show(inputs.reasons, caption="Quarantined rows: top reasons", empty="No row was quarantined.")

# %%
charts.quarantine_bars(inputs.reasons);

# %% [markdown]
# ## Monthly order volume
#
# Units ordered (bars) and net revenue (line) per month, up to the cut-off.

# %%
charts.order_volume(inputs.volume, currency=ctx.shared.currency);
