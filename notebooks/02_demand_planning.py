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
# # 02 · Demand planning
#
# The consensus demand plan for the planning horizon: the statistical forecast, the
# judgmental overrides sales and marketing made, and the consensus they give, by family and
# month — in units, revenue and margin — against the annual budget, the previous cycle and,
# when the pipeline notebook ran, the sales pipeline's weighted commit.

# %% tags=["parameters"]
period = None  # month under review, YYYY-MM; None: the latest complete month
source = "demo"  # demo | demo:small | folder | DuckDB file | SQLAlchemy URL
store = "reports/compass.duckdb"  # the cycle store
encoding = "utf-8"
currency = "EUR"
fiscal_year_start = 1
strict = False
horizon = 18  # months planned ahead
audience = "executive"
run_dir = None  # set by the runner: this run's staging folder
threads = None  # set by the runner: threads this kernel may use
movers = 10  # biggest changes against the previous cycle to list
author = ""  # default author of overrides kept in the widget

# %%
from compass_nb import nb, sop
from compass_nb.sop import cycle
from compass_nb.viz import sop as charts
from compass_nb.widgets import sop as widgets

ctx = nb.context(
    "demand_planning",
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
t = ctx.inputs("orders", "products", "overrides", "budget")
review = cycle.demand_review(
    ctx.read("forecast"),
    t["overrides"],
    t["products"],
    t["budget"],
    t["orders"],
    period=ctx.period,
    horizon=horizon,
    past_consensus=ctx.read("consensus", periods="all"),
    pipeline_commit=ctx.read("pipeline_commit"),
    fiscal_year_start=fiscal_year_start,
    movers=movers,
    currency=currency,
)
ctx.write("consensus", review.consensus)
ctx.metric(
    "consensus_units",
    float(review.waterfall["consensus"].sum()),
    label="Consensus units (horizon)",
    fmt="{:,.0f}",
)
ctx.metric(
    "consensus_revenue",
    float(review.consensus["revenue"].sum()),
    label="Consensus revenue (horizon)",
    fmt="{:,.0f}",
)
ctx.metric(
    "override_adjustment",
    float(review.waterfall["adjustment"].sum()),
    label="Override adjustment (units)",
    fmt="{:+,.0f}",
)

# %% [markdown]
# ## Summary

# %%
nb.summary(review.summary)

# %% [markdown]
# ## Consensus waterfall
#
# For each family over the horizon: the statistical forecast, the adjustment the overrides
# make (green up, red down) and the consensus that results. The table gives the same by
# month; a large adjustment deserves a reason in the override log.

# %%
charts.consensus_waterfall(review.waterfall);

# %%
nb.show(
    cycle.readable(review.waterfall),
    caption="Statistical forecast → overrides → consensus, by family and month (units, revenue)",
    max_rows=40,
    formats={
        c: "{:,.0f}"
        for c in ["stat_forecast", "adjustment", "consensus", "stat_revenue", "revenue"]
    },
)

# %% [markdown]
# ## Gap to budget
#
# Consensus revenue against the annual operating plan, month by month: bars below zero are
# months where the demand plan falls short of budget.

# %%
charts.budget_gap(review.budget_gap);

# %%
gap = sop.budget_gap_by_family(review.budget_gap)
nb.show(
    gap,
    caption="Consensus against budget over the budgeted months, by family",
    formats={c: "{:,.0f}" for c in gap.columns if c != "family"},
)

# %% [markdown]
# ## Pipeline commit for the next fiscal quarter
#
# When the pipeline notebook ran this cycle, its commit, best case and weighted forecast for
# the next fiscal quarter sit beside the consensus revenue of the same quarter. A weighted
# pipeline well below consensus means the plan counts on deals not yet in the CRM.

# %%
nb.note(
    f"No pipeline output in the store for this cycle ({review.quarter}): run the pipeline notebook to compare."
) if review.pipeline.empty else nb.show(
    review.pipeline,
    caption=f"Consensus revenue and pipeline, {review.quarter}",
    formats={
        c: "{:,.0f}"
        for c in ["consensus_revenue", "commit", "best_case", "weighted", "weighted_vs_consensus"]
    },
)

# %% [markdown]
# ## Value: revenue and margin by family
#
# The consensus valued at list price and unit cost.

# %%
charts.revenue_by_family(review.value);

# %% [markdown]
# ## What changed since the previous cycle
#
# The SKUs whose consensus revenue moved most on the months both cycles plan, with the part
# due to the statistical forecast and the part due to overrides.

# %%
nb.note(
    "No previous cycle in the store: nothing to compare with yet."
) if review.movers.empty else nb.show(
    review.movers,
    caption="Biggest movers against the previous cycle",
    formats={c: "{:,.0f}" for c in review.movers.columns if c not in ("family", "sku", "driver")},
)

# %% [markdown]
# ## Did the overrides add value?
#
# Over past cycles, the lag-1 error (WAPE) of the statistical forecast and of the consensus
# on the rows overrides changed, by family. Positive value added means sales input improved
# the forecast; negative means the statistical forecast alone would have been closer.

# %%
nb.note("No past cycle with overrides and actuals yet.") if review.fva.empty else nb.show(
    review.fva,
    caption="Forecast value added of overrides (lag 1)",
    formats={"wape_statistical": "{:.1%}", "wape_consensus": "{:.1%}", "fva": "{:+.1%}"},
)

# %% [markdown]
# Overrides that name an item or family with no forecast this cycle are not applied; they
# are listed here to be corrected or withdrawn.

# %%
nb.show(review.unmatched, caption="Overrides not applied: no forecast for the item or family")

# %% [markdown]
# ## Try an override
#
# Choose a family, a location and a month, set the consensus total and see the plan and
# revenue change. *Keep override* records it (with your name and a reason) for the next run.

# %% tags=["widget"]
widgets.override_editor(review.consensus, cycle=ctx.period, save=ctx.save_override, author=author)
