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
# # 05 · Executive S&OP
#
# The one-page decision pack: the headline figures against the previous cycle, the budget
# and the targets; the top risks and opportunities; the decisions the meeting must take,
# with the options and their figures from the pre-S&OP review. The decisions taken are
# recorded in the cycle's decision log.

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
approved_scenario = "base"  # the scenario the plan follows (a name from step 04)
decisions = []  # decisions taken: text, or {title, option, owner, due}
targets = {  # KPI targets; None: no target (revenue and margin are compared with the budget)
    "revenue_plan": None,
    "margin_plan": None,
    "margin_rate": None,
    "fill_rate": 0.95,
    "inventory_value": None,
    "days_of_supply": 60.0,
    "forecast_accuracy": 0.7,
}
kpi_months = 12  # months the headline KPIs cover

# %%
from compass_nb import nb, sop
from compass_nb.sop import cycle

ctx = nb.context(
    "executive_sop",
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
t = ctx.inputs("orders", "budget")
scenario_table = ctx.read("scenarios")
recommendations = ctx.read("recommendations")
review = cycle.executive_review(
    ctx.read("consensus", periods="all"),
    ctx.read("supply_plan", periods="all"),
    scenario_table,
    recommendations,
    t["budget"],
    t["orders"],
    period=ctx.period,
    targets=targets,
    kpi_months=kpi_months,
    currency=currency,
)
log = sop.decision_log(approved_scenario, decisions, list(scenario_table["scenario"].unique()))
ctx.write("decisions", log)
kpis = review.kpis.set_index("kpi")["value"]
ctx.metric(
    "revenue_plan",
    float(kpis["revenue_plan"]),
    label=f"Revenue plan ({kpi_months} months)",
    fmt="{:,.0f}",
)
ctx.metric("fill_rate_plan", float(kpis["fill_rate"]), label="Planned fill rate", fmt="{:.1%}")
ctx.metric("approved_scenario", approved_scenario, label="Approved scenario")

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
nb.show(
    sop.kpi_display(review.kpis),
    caption=f"KPIs against previous cycle, budget and targets ({currency})",
)

# %% [markdown]
# ## Top risks and opportunities
#
# Risks: demand the plan cannot serve, revenue below budget, stock above the maximum
# cover. Opportunities: upside demand the capacity can take, revenue above budget, and
# the recommended actions. Values in money.

# %%
nb.show(review.risks, caption="Risks and opportunities", formats={"value": "{:,.0f}"})

# %% [markdown]
# ## Decisions required
#
# The scenario the plan follows, and each recommended action to approve or decline, with
# its value. The options' figures follow.

# %%
nb.show(review.decisions_required, caption="Decisions required", formats={"value": "{:,.0f}"})

# %%
nb.show(
    sop.side_by_side(scenario_table),
    caption="Options: the scenarios of the pre-S&OP review against base",
    formats={c: "{:,.2f}" for c in sop.side_by_side(scenario_table).columns if c != "metric"},
)

# %% [markdown]
# ## Decision log
#
# What this meeting decided (parameters `executive_sop.approved_scenario` and
# `executive_sop.decisions`), recorded in the cycle store with the period and run; step
# 06 sets each cycle's decisions beside what followed.

# %%
nb.show(log, caption=f"Decisions of the {ctx.period} cycle")
