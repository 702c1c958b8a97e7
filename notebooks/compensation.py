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
# What variable pay costs, what it will cost next month, and whether it pays for
# performance. Payouts are computed exactly, line by line, from the plan files
# (`parameters/comp_plans/`), the deals credited to each seller (the crediting of the pipeline
# notebook) and, for SDRs, the activities they logged. This page is shareable: no mark, row or
# figure on it stands for fewer than five sellers. Per-seller statements, the payroll export
# and the ASC 340-40 schedule by deal are in the private folder.

# %% tags=["parameters"]
run_dir = None  # set by the runner; defaults of every knob: parameters/default.yaml
statements = None  # true: one statement per seller, in the private folder
simulations = None  # Monte-Carlo draws of next month's cost

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
# Variable pay per month by team (teams under five sellers merged, so that no total describes
# fewer than five people), and cost of sales: variable pay ÷ the credited bookings of sellers
# paid on split credit (overlay and manager credit would count a deal twice). A rising line
# means pay grows faster than credited bookings: look at accelerators, SPIFs and draws.

# %%
charts.payout_by_team(a.by_team, currency=currency)
charts.cost_of_sales(a.by_month, by_team=a.by_team);

# %%
nb.show(a.by_month, caption="Company totals by month", max_rows=len(a.months))

# %%
nb.show(a.budget, caption="Variable pay against budget", empty="No variable-pay budget is given (parameter compensation.budget): cost is not compared with one.")

# %% [markdown]
# ## Pay for performance
#
# What each plan pays against attainment (tiers, accelerators, gates, caps), then what sellers
# were actually paid in each band of attainment: the middle half of payout ÷ target incentive
# and its median, each band holding at least five sellers.

# %%
charts.pay_curves(a.pay_curves)
charts.attainment_payout_bands(a.bands);

# %%
nb.show(analysis.outlier_table(a), caption=f"Signals, {a.months[0]} to {a.months[-1]}")

# %% [markdown]
# ## Plan modelling
#
# Every change starts from what was paid over the window, to the cent, and is priced by the
# exact engine over the same months: the cost is the baseline plus what the change alters.
# The widget at the end tries any combination (priced at period level).

# %%
nb.show(a.scenarios, caption=f"Variable pay {a.months[0]} to {a.months[-1]}: what was paid and each change", formats={"total_cost": "{:,.2f}", "change": "{:+,.2f}", "vs_baseline": "{:+.1%}"})

# %% [markdown]
# ## Next month's cost
#
# Each simulation draws one market month at the same place in the quarter (its company
# attainment is the shock every seller shares, quarter-end timing included), then each
# seller's attainment relative to the company's; quarterly plans pay what the quarter to date
# adds. Pay per activity, SPIFs, awards and draws are added. Budget at P50, reserve to P90.

# %%
charts.cost_simulation(a.forecast.draws, a.percentiles, currency=currency)
nb.show(a.forecast.components, caption=f"Components of the {a.next_period} forecast", empty="Not forecast.")

# %%
charts.cost_backtest(a.backtest, currency=currency)
nb.note(analysis.backtest_note(a))

# %% [markdown]
# ## Capitalised commissions (ASC 340-40)
#
# Commissions on new and expansion deals are capitalised when paid and amortised over the
# expected customer life; a cancelled deal's remaining balance, net of what its clawback
# recovered, is impaired. Company totals here; the schedule by deal is in the private folder.

# %%
nb.show(a.asc340_journal.tail(6), caption="ASC 340-40 journal, last six months", empty="No capitalised commissions.")

# %%
nb.note(analysis.asc340_note(a, currency))

# %% [markdown]
# ## Reconciliation and closed periods
#
# Every seller's credit (overlay credit included, so more than the split-credit bookings
# behind cost of sales above; manager roll-ups left out) against the credit the payouts
# were computed on and the credit not commissioned, in cents; the difference must be zero.
# Closed periods are locked; changes to them appear as adjustments
# in this period (details in the private audit trail).

# %%
nb.show(a.reconciliation.tail(len(a.months)), caption="Reconciliation of sellers' credit (cents, overlay included)", max_rows=len(a.months))

# %%
nb.show(a.closed_shown, caption="Closed periods (who and why: private audit trail)", empty="No period is closed yet.")

# %% tags=["widget"]
from compass_nb.widgets import comp as comp_widgets

comp_widgets.show_modeller(a, currency)
