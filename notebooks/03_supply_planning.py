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
# # 03 · Supply planning
#
# Can supply meet the consensus demand plan? Safety stock per SKU and location, the
# projected inventory month by month, the load the plan puts on each resource, the plan
# once capacity is respected (built ahead where it can be, shortages allocated to the
# highest-margin items first) and the exceptions planners must act on.

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
service_level = 0.95  # cycle service level for items without their own (products.service_level)
history_months = 24  # months of demand history behind safety stock
priority = (
    "margin"  # shortage allocation: margin (highest unit margin first) | revenue | proportional
)
max_cover_months = 6.0  # stock above this many months of forward demand counts as excess

# %%
from compass_nb import nb, sop
from compass_nb.sop import cycle
from compass_nb.viz import sop as charts

ctx = nb.context(
    "supply_planning",
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
t = ctx.inputs("orders", "products", "inventory", "capacity", "receipts")
consensus = ctx.read("consensus").drop(columns=["period", "run_id"], errors="ignore")
review = cycle.supply_review(
    consensus,
    t["products"],
    t["inventory"],
    t["capacity"],
    t["receipts"],
    t["orders"],
    period=ctx.period,
    service_level=service_level,
    history_months=history_months,
    priority=priority,
    max_cover_months=max_cover_months,
    currency=currency,
)
ctx.write("supply_plan", review.stored)
ctx.write("exceptions", review.exceptions)
exported = sop.write_exports(
    {"consensus": consensus, "supply_plan": review.stored, "exceptions": review.exceptions},
    ctx.export_dir(),
)
families = sop.family_summary(review.plan)
ctx.metric(
    "fill_rate",
    float(families["met"].sum() / families["demand"].sum()),
    label="Planned fill rate",
    fmt="{:.1%}",
)
ctx.metric(
    "unmet_revenue",
    float(families["unmet_revenue"].sum()),
    label="Unmet demand (revenue)",
    fmt="{:,.0f}",
)
ctx.metric("exceptions", len(review.exceptions), label="Supply exceptions", fmt="{:,}")

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
nb.show(
    families,
    caption="Unconstrained against capacity-constrained plan, by family",
    formats={
        "fill_rate": "{:.1%}",
        **{c: "{:,.0f}" for c in families.columns if c not in ("family", "fill_rate")},
    },
)

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
nb.show(
    cycle.readable(sop.inventory_by_family(review.plan)),
    caption="Inventory balance by family and month",
    max_rows=40,
    formats={"days_of_supply": "{:,.0f}", "below_safety_stock": "{:,}"}
    | {
        c: "{:,.0f}"
        for c in [
            "opening",
            "receipts",
            "production",
            "demand",
            "closing",
            "on_hand",
            "safety_stock",
            "backlog",
            "excess",
        ]
    },
)

# %% [markdown]
# ## Rough-cut capacity
#
# Each resource's utilisation month by month: dashed, the load of the unconstrained plan;
# solid, the plan after levelling. Above the red line a resource is overloaded; the
# constrained plan builds ahead into earlier months with spare capacity.

# %%
charts.capacity_load(review.resource_load);

# %%
nb.show(
    sop.utilisation_grid(review.resource_load),
    caption="Unconstrained load as a share of capacity",
    formats={
        c: "{:.0%}" for c in sop.utilisation_grid(review.resource_load).columns if c != "resource"
    },
)

# %% [markdown]
# ## Safety stock
#
# Safety stock per SKU and location from its service level, demand variability and lead
# time (z · √(LT·σ² + d̄²·σ_LT²)); intermittent items use the empirical quantile of their
# lead-time demand instead. The largest first.

# %%
nb.show(
    review.safety.sort_values("safety_stock", ascending=False),
    caption="Safety stock by SKU × location",
    max_rows=15,
    formats={
        "demand_mean": "{:,.1f}",
        "demand_sd": "{:,.1f}",
        "lead_time_months": "{:.2f}",
        "lead_time_sd_months": "{:.2f}",
        "service_level": "{:.0%}",
        "safety_stock": "{:,.0f}",
    },
)

# %% [markdown]
# ## Exceptions
#
# The four standard exceptions — demand not satisfied, shortage, below safety stock,
# resource overloaded — each with its SKU (or resource), month and size. The full list is
# in the pack's `exports/` folder for planners and the ERP.

# %%
nb.show(
    review.exception_summary,
    caption="Exceptions by kind",
    formats={"count": "{:,}", "size": "{:,.0f}", "value": "{:,.2f}"},
)

# %%
nb.show(
    cycle.readable(review.exceptions),
    caption="Exception list (largest first within each kind)",
    max_rows=25,
    formats={"size": "{:,.0f}", "value": "{:,.2f}"},
)

# %%
nb.note("Exports for ERP and planners: " + ", ".join(p.name for p in exported) + " (in exports/).")
