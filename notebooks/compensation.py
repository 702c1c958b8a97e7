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
# # Sales compensation
#
# What variable pay costs and how it relates to performance. Payouts are computed exactly,
# line by line, from the plan files (`parameters/comp_plans/`) and the deals credited to
# each seller (the same crediting as the pipeline notebook). This page is shareable: it shows
# only totals of groups of at least five sellers and anonymous distributions. Per-seller
# statements and the payroll export are in the private folder.

# %% tags=["parameters"]
period = None  # month under review, YYYY-MM (None: the latest complete month)
source = "demo"  # demo | demo:small | folder | DuckDB file | SQLAlchemy URL
store = "reports/compass.duckdb"  # the cycle store
encoding = "utf-8"  # encoding of CSV files
currency = "EUR"
fiscal_year_start = 1  # month number the fiscal year starts in
strict = False
audience = "executive"
statements = False  # write one HTML + CSV statement per seller into the private folder
plans = "parameters/comp_plans"  # folder of plan files, <plan_id>.yaml
min_group_size = 5  # no total is shown for a group of fewer sellers
window_months = 12  # months shown in the trends and used for plan modelling
simulations = 2000  # Monte-Carlo draws for next period's cost
seed = 0  # seed of the Monte-Carlo
changed_by = "compensation run"  # recorded in the audit trail of adjustments to closed periods
adjustment_reason = ""  # why closed periods are being adjusted (audit trail); empty: the detected change
run_dir = None  # set by the runner: this run's staging folder
threads = None  # set by the runner: threads this kernel may use

# %%
from compass_nb import nb
from compass_nb.comp import analysis, close, payroll
from compass_nb.comp import statements as statement_files
from compass_nb.viz import comp as charts

ctx = nb.context("compensation", period=period, source=source, store=store, run_dir=run_dir,
                 encoding=encoding, strict=strict, fiscal_year_start=fiscal_year_start,
                 currency=currency, audience=audience, threads=threads)
tables = ctx.load("opportunities", "credit_splits", "reps", "quotas").tables  # quotas keep their own period column
closes = close.closed_periods(ctx.store)
a = analysis.analyse(tables, ctx.period, plans_dir=nb.project_path(plans), closes=closes,
                     locked=close.locked_payouts(ctx.store, closes),
                     prior_adjustments=ctx.read("payout_adjustments", periods="all"),
                     changed_by=changed_by, reason=adjustment_reason, min_sellers=min_group_size,
                     window_months=window_months, simulations=simulations, seed=seed,
                     fiscal_year_start=fiscal_year_start)
h = a.headlines
for table, frame in {"payouts": a.records, "payout_adjustments": a.adjustments, "comp_audit": a.audit}.items():
    if not a.is_closed and not frame.empty:
        ctx.write(table, frame)
payroll.write_payroll(ctx.private_dir("payroll"), payroll.payroll_export(a.result, tables["reps"], ctx.period, currency),
                      ctx.period)
if not a.audit.empty:
    a.audit.to_csv(ctx.private_dir("payroll") / f"adjustments_audit_{ctx.period}.csv", index=False)
if not a.split_exceptions.empty:
    a.split_exceptions.to_csv(ctx.private_dir("payroll") / f"split_exceptions_{ctx.period}.csv", index=False)
if statements:
    statement_files.write_statements(ctx.private_dir("statements"), a.result, tables["reps"], ctx.period, currency)
ctx.metric("payout", h["payout"], label=f"Variable pay ({currency})", fmt="{:,.0f}")
ctx.metric("cost_of_sales", h["cost_of_sales"], label="Cost of sales", fmt="{:.1%}")
ctx.metric("cost_of_sales_ytd", h["cost_of_sales_ytd"], label="Cost of sales, year to date", fmt="{:.1%}")
ctx.metric("next_p50", h["next_p50"], label=f"Next period P50 ({currency})", fmt="{:,.0f}")
ctx.metric("next_p90", h["next_p90"], label=f"Next period P90 ({currency})", fmt="{:,.0f}")
ctx.metric("reconciliation_gap", h["reconciliation_cents"] / 100, label="Reconciliation gap", fmt="{:,.2f}")

# %% [markdown]
# ## Summary

# %%
nb.summary(analysis.summary_lines(a, currency))

# %% [markdown]
# ## Cost by team and month
#
# Variable pay per month, by team. Teams with fewer than five sellers are merged into
# "Other teams" (or into the smallest team) so that no total describes fewer than five people.

# %%
charts.payout_by_team(a.by_team, currency=currency);

# %% [markdown]
# Cost of sales is variable pay divided by the bookings credited to sellers paid on split
# credit (overlay and manager credit would count a deal twice). A rising line means pay
# grows faster than bookings: look at accelerators, SPIFs and draws.

# %%
charts.cost_of_sales(a.by_month, by_team=a.by_team);

# %%
nb.show(a.by_month.rename(columns={"period": "month"}), caption="Company totals by month",
        formats={"payout": "{:,.0f}", "revenue": "{:,.0f}", "cost_of_sales": "{:.1%}"}, max_rows=window_months)

# %% [markdown]
# ## Attainment against payout
#
# Each dot is one seller in one month (no names). Dots above the dashed line earn more than
# their attainment (accelerators, SPIFs, draws); dots below, less (decelerators, gates, caps,
# clawbacks).

# %%
charts.attainment_vs_payout(a.points);

# %% [markdown]
# ## Outliers
#
# Seller-months in the window that fall in each band, as counts only.

# %%
nb.show(a.outliers, caption=f"Outliers, {a.months[0]} to {a.months[-1]}", formats={"share": "{:.1%}"})

# %% [markdown]
# ## Plan modelling
#
# What the last months would have cost under a changed plan (a period-level estimate
# without per-deal caps, SPIFs, clawbacks or draws). The widget at the end of the notebook
# tries any combination.

# %%
nb.show(a.scenarios, caption=f"Variable pay {a.months[0]} to {a.months[-1]} under each change",
        formats={"total_cost": "{:,.0f}", "cost_of_sales": "{:.1%}", "vs_current": "{:+.1%}"})

# %% [markdown]
# ## Next period's budget
#
# Each seller's attainment drawn from the past attainment of sellers on the same plan and
# measure (last 24 months, quarters for quarterly plans, seeded), priced through the plan on
# next month's quotas: the spread of total cost for the next period. Budget at P50 with the
# P90 as the reserve.

# %%
charts.cost_simulation(a.simulated, a.percentiles, currency=currency);

# %%
nb.show(a.percentiles, caption=f"Total variable pay for {a.next_period}", formats={"total_cost": "{:,.0f}"})

# %% [markdown]
# ## Reconciliation and closed periods
#
# Credited bookings against the credit the payouts were computed on, in cents; the
# difference must be zero. Closed periods are locked; changes to them appear as adjustments
# in this period (details in the private audit trail).

# %%
nb.show(a.reconciliation.tail(window_months), caption="Reconciliation (cents)", max_rows=window_months)

# %%
nb.show(a.closed.loc[:, [c for c in ("period", "closed_at") if c in a.closed]],
        caption="Closed periods (who and why: private audit trail)", empty="No period is closed yet.")

# %% tags=["widget"]
from compass_nb.widgets import comp as comp_widgets

comp_widgets.show_modeller(a, currency)
