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
# # Sales compensation
#
# What variable pay costs and how it relates to performance. Payouts are computed exactly,
# line by line, from the plan files (`parameters/comp_plans/`) and the deals credited to
# each seller (the same crediting as the pipeline notebook). This page is shareable: it shows
# only totals of groups of at least five sellers and anonymous distributions. Per-seller
# statements and the payroll export are in the private folder.

# %% tags=["parameters"]
run_dir = None  # set by the runner; defaults of every knob: parameters/default.yaml
statements = None  # true: one statement per seller, in the private folder
simulations = None  # Monte-Carlo draws for next period's cost

# %%
from compass_nb import nb, steps
from compass_nb.comp import analysis
from compass_nb.viz import comp as charts

ctx = nb.context("compensation", globals())
a = steps.compensation.run(ctx)
currency = ctx.shared.currency

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
nb.show(a.by_month, caption="Company totals by month", max_rows=len(a.months))

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
nb.show(a.outliers, caption=f"Outliers, {a.months[0]} to {a.months[-1]}")

# %% [markdown]
# ## Plan modelling
#
# What the last months would have cost under a changed plan (a period-level estimate
# without per-deal caps, SPIFs, clawbacks or draws). The widget at the end of the notebook
# tries any combination.

# %%
nb.show(a.scenarios, caption=f"Variable pay {a.months[0]} to {a.months[-1]} under each change")

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
nb.show(a.percentiles, caption=f"Total variable pay for {a.next_period}")

# %% [markdown]
# ## Reconciliation and closed periods
#
# Credited bookings against the credit the payouts were computed on, in cents; the
# difference must be zero. Closed periods are locked; changes to them appear as adjustments
# in this period (details in the private audit trail).

# %%
nb.show(a.reconciliation.tail(len(a.months)), caption="Reconciliation (cents)", max_rows=len(a.months))

# %%
nb.show(a.closed_shown, caption="Closed periods (who and why: private audit trail)", empty="No period is closed yet.")

# %% tags=["widget"]
from compass_nb.widgets import comp as comp_widgets

comp_widgets.show_modeller(a, currency)
