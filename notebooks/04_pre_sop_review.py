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
# # 04 · Pre-S&OP review
#
# Where the supply plan falls short of the consensus demand, what other futures would do
# to the plan, and the actions that close the gaps. Each scenario re-runs the supply plan
# of step 03 with other demand (the forecast's 80 % interval) or other capacity; each
# recommendation is valued by re-running the plan with it.

# %% tags=["parameters"]
period = None  # month under review, YYYY-MM; None: the latest complete month
source = "demo"  # demo | demo:small | folder | DuckDB file | SQLAlchemy URL
store = "reports/compass.duckdb"  # the cycle store
encoding = "utf-8"
currency = "EUR"
fiscal_year_start = 1
strict = False
horizon = 18
audience = "executive"
run_dir = None  # set by the runner: this run's staging folder
threads = None  # set by the runner: threads this kernel may use
scenarios = [
    {
        "name": "line-a-plus-15",
        "capacity": [{"resource": "Line-A", "change": 0.15, "from": "2027-01"}],
    }
]  # beside base, upside, downside
max_capacity_increase = 0.25  # largest capacity increase a recommendation proposes on one resource
recommendations = 5  # gaps (and excess items) to value
holding_rate = 0.25  # yearly carrying cost of inventory, as a share of its value

# %%
from compass_nb import nb, sop
from compass_nb.sop import cycle
from compass_nb.viz import sop as charts

ctx = nb.context(
    "pre_sop_review",
    period=period,
    source=source,
    store=store,
    run_dir=run_dir,
    encoding=encoding,
    strict=strict,
    fiscal_year_start=fiscal_year_start,
    currency=currency,
    audience=audience,
    threads=threads,
)
t = ctx.inputs("products", "capacity")
review = cycle.pre_sop_review(
    ctx.read("consensus"),
    ctx.read("supply_plan"),
    t["capacity"],
    t["products"],
    scenarios=scenarios,
    max_increase=max_capacity_increase,
    recommendations=recommendations,
    holding_rate=holding_rate,
    currency=currency,
)
ctx.write("scenarios", review.scenarios_for_store())
ctx.write("recommendations", review.recommendations)
ctx.metric(
    "revenue_at_risk",
    float(review.gaps["revenue_at_risk"].sum()),
    label="Revenue at risk",
    fmt="{:,.0f}",
)
ctx.metric("scenarios", int(review.scenarios["scenario"].nunique()), label="Scenarios compared")
ctx.metric("recommendations", len(review.recommendations), label="Recommendations")

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
nb.show(
    cycle.readable(review.gap_periods),
    caption="Gaps to close (consecutive months per family)",
    formats={c: "{:,.0f}" for c in ["gap_units", "revenue_at_risk", "margin_at_risk"]},
)

# %%
nb.show(
    cycle.readable(review.gaps),
    caption="Demand against constrained supply by family and month (largest risk first)",
    max_rows=20,
    formats={"fill_rate": "{:.1%}"}
    | {
        c: "{:,.0f}" for c in ["demand", "supply", "gap_units", "revenue_at_risk", "margin_at_risk"]
    },
)

# %% [markdown]
# ## Scenarios against base
#
# Base is the consensus plan on today's capacity. Upside and downside take demand to the
# upper and lower bound of the forecast's 80 % interval; capacity scenarios change one
# resource from a given month. Each column is the change against base.

# %%
nb.show(
    sop.side_by_side(review.scenarios),
    caption="Scenarios side by side: base figure and change against base",
    formats={c: "{:,.2f}" for c in sop.side_by_side(review.scenarios).columns if c != "metric"},
)

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
nb.note(
    "No recommendation this cycle: no gap and no stock above the maximum cover."
) if review.recommendations.empty else nb.show(
    cycle.readable(review.recommendations),
    caption="Recommendations",
    formats={"capacity_change": "{:.0%}", "share_of_gap_closed": "{:.0%}"}
    | {c: "{:,.0f}" for c in ["units", "recovered_revenue", "value", "gap_value"]},
)
