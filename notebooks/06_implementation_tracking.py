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
# # 06 · Implementation and tracking
#
# Every past cycle's plan against what happened: how accurate the forecast and consensus
# were one and three months ahead, whether the plan was kept, what fill rate and inventory
# followed, and each cycle's decisions beside what came after them.

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
lags = [1, 3]  # forecast lags tracked, in months
fill_rate_target = 0.95  # achieved fill rate target
inventory_target = None  # target inventory value (money); None: no target line
outcome_months = 3  # months after a cycle its decisions are judged on

# %%
from compass_nb import nb
from compass_nb.sop import cycle
from compass_nb.viz import sop as charts

ctx = nb.context(
    "implementation_tracking",
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
t = ctx.inputs("orders", "inventory", "products")
review = cycle.tracking_review(
    ctx.read("consensus", periods="all"),
    ctx.read("forecast", periods="all"),
    ctx.read("supply_plan", periods="all"),
    ctx.read("decisions", periods="all"),
    t["orders"],
    t["inventory"],
    t["products"],
    period=ctx.period,
    lags=tuple(lags),
    fill_rate_target=fill_rate_target,
    outcome_months=outcome_months,
    currency=currency,
)
ctx.metric("cycles_tracked", len(review.cycles), label="Cycles tracked")
for lag, wape in cycle.overall_wape(review.accuracy_trend).items():
    ctx.metric(f"wape_lag{lag}", wape, label=f"Consensus WAPE, lag {lag}", fmt="{:.1%}")

# %% [markdown]
# ## Summary

# %%
nb.summary(review.summary)

# %% [markdown]
# ## Forecast accuracy by lag
#
# WAPE (Σ|actual − plan| / Σ actual, at SKU × location level) and bias (Σ(plan − actual) /
# Σ actual) by family for the plans made one and three months before each month, over all
# tracked months; the statistical forecast's WAPE beside the consensus. The chart follows
# the error month by month.

# %%
nb.show(
    review.accuracy,
    caption="Consensus accuracy by family and lag (all tracked months)",
    formats={"wape": "{:.1%}", "bias": "{:+.1%}", "statistical_wape": "{:.1%}", "months": "{:,}"},
)

# %%
charts.accuracy_trend(review.accuracy_trend);

# %% [markdown]
# ## Tracking signal
#
# The running sum of errors over their mean absolute size, per family (lag 1): outside ±4
# the plan is biased — consistently over or under what happened.

# %%
nb.show(
    cycle.readable(review.tracking_signal),
    caption="Tracking signal by family (latest month)",
    formats={"tracking_signal": "{:+.2f}"},
)

# %% [markdown]
# ## Forecast value added over time
#
# The lag-1 error of a naive forecast (last month's actual), the statistical forecast and
# the consensus, month by month. Each step down is value added by the process.

# %%
charts.fva_stairstep(review.fva);

# %%
nb.show(
    cycle.readable(review.fva),
    caption="Forecast value added (lag-1 WAPE)",
    formats={c: "{:.1%}" for c in ["naive", "statistical", "consensus"]}
    | {"fva_stat": "{:+.1%}", "fva_override": "{:+.1%}"},
)

# %% [markdown]
# ## Plan adherence, fill rate and inventory
#
# Plan adherence is Σ min(actual, plan) / Σ plan: the share of the lag-1 plan that
# happened. Achieved fill rate is the share of actual demand the supply the plan provided
# could serve. Inventory compares month-end stock with the plan's projection.

# %%
charts.adherence_and_fill(review.adherence, review.fill, target=fill_rate_target);

# %%
charts.inventory_vs_plan(review.inventory, target=inventory_target);

# %% [markdown]
# ## Decisions and what followed
#
# Each past cycle's approved scenario and decisions, beside the plan's revenue for the
# following months and the revenue that came in.

# %%
nb.note(
    "No decision log in the store yet: run 05_executive_sop for past cycles (compass-nb run --backfill 12)."
) if review.outcomes.empty else nb.show(
    review.outcomes,
    caption="Decisions and what followed",
    formats={
        "planned_revenue": "{:,.0f}",
        "actual_revenue": "{:,.0f}",
        "revenue_vs_plan": "{:+.1%}",
        "planned_units": "{:,.0f}",
        "actual_units": "{:,.0f}",
        "adherence": "{:.1%}",
    },
)
