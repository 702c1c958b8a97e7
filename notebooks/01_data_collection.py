# ---
# jupyter:
#   jupytext:
#     cell_metadata_filter: tags,-papermill
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
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
period = None  # month under review, YYYY-MM; None means the latest complete month
source = "demo"  # demo | demo:small | folder | DuckDB file | SQLAlchemy URL
store = "reports/compass.duckdb"  # the cycle store
encoding = "utf-8"  # encoding of CSV files
currency = "EUR"
fiscal_year_start = 1
strict = False  # True: any quarantined row fails the run
horizon = 18
audience = "executive"
run_dir = None  # set by the runner: this run's staging folder
threads = None  # set by the runner: threads this kernel may use

# %%
from compass_nb import nb, quality
from compass_nb.viz import quality as charts

ctx = nb.context("data_collection", period=period, source=source, store=store, run_dir=run_dir,
                 encoding=encoding, strict=strict, threads=threads)
loaded = ctx.load()
ctx.keep_inputs(loaded)
overview = quality.table_overview(loaded.tables, loaded.rows_read, loaded.rows_accepted, loaded.quarantine)
fresh = quality.freshness(loaded.tables, ctx.cutoff)
reasons = quality.quarantine_reasons(loaded.quarantine)
volume = quality.monthly_order_volume(loaded.tables["orders"])
ctx.metric("rows_read", int(overview["rows_read"].sum()), label="Rows read", fmt="{:,}")
ctx.metric("rows_quarantined", int(overview["quarantined"].sum()), label="Rows quarantined", fmt="{:,}")
ctx.metric("tables", len(overview), label="Tables loaded")

# %% [markdown]
# ## Summary

# %%
nb.summary(quality.summary_lines(overview, fresh, ctx.period))

# %% [markdown]
# ## Rows per table and period coverage
#
# Rows read from the source, accepted and quarantined (accepted + quarantined = rows read,
# always), the rows this cycle sees (events after the cut-off belong to later cycles), and
# the dates (or periods) each table spans.

# %%
nb.show(overview, caption="Tables of the cycle", formats={"months_covered": "{:,}"})

# %% [markdown]
# ## Freshness
#
# The latest event in each dated table and how many days it lies before the cut-off. A table
# that stops weeks before the cut-off usually means an export was not refreshed.

# %%
nb.show(fresh, caption="Latest event per table")

# %% [markdown]
# ## Items by family and location
#
# How many items of each family sold at each location in the last twelve months, and when
# each family last sold. A family missing from a location, or one that stopped selling,
# shows up here before it distorts a forecast.

# %%
nb.show(quality.family_coverage(loaded.tables["orders"], loaded.tables["products"], ctx.cutoff), caption="Items with orders in the last 12 months")

# %% [markdown]
# ## Missing values and duplicates
#
# Optional columns may be empty by design (a `cancelled_date` is empty for most deals);
# a required column never is — such rows are quarantined.

# %%
nb.show(quality.missing_values(loaded.tables), caption="Columns with missing values", formats={"share": "{:.1%}"})

# %%
nb.show(quality.duplicate_rows(loaded.tables), caption="Exact duplicate rows", empty="No table has exact duplicate rows.")

# %% [markdown]
# ## Quarantine
#
# The most frequent reasons rows were set aside. The rows themselves, with their file, row
# number, column and reason, are in the private folder (`private/<period>/quarantine/`).

# %%
display(nb.show(reasons, caption="Quarantined rows: top reasons", empty="No row was quarantined."))
charts.quarantine_bars(reasons);

# %% [markdown]
# ## Monthly order volume
#
# Units ordered (bars) and net revenue (line) per month, up to the cut-off.

# %%
charts.order_volume(volume);
