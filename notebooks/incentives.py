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
# # Incentives: sales contests designed, run and measured for their real lift
#
# Every sales contest of the contest files (`parameters/contests/`), as of the period's
# cut-off: before launch, who can win under its structure and what it may cost; while it
# runs, how the standings spread; after it, what it paid (SPIF lines of compensation) and
# whether it changed anything, net of deals pulled forward from the months after it. This
# page is shareable: it shows distributions and groups of at least the minimum number of
# sellers; the named standings and each seller's chances are in the private folder.

# %% tags=["parameters"]
run_dir = None  # set by the runner; defaults of every knob: parameters/default.yaml
min_group_size = None  # smallest group of sellers a shown figure may stand for
pull_forward_months = None  # months after a contest where pulled-forward deals are missing

# %%
from compass_nb import nb, steps
from compass_nb.viz import incentives as charts

ctx = nb.context("incentives", globals())
review = steps.incentives.run(ctx)
s, currency = ctx.settings, ctx.shared.currency

# %% [markdown]
# ## Summary

# %%
nb.summary(review.summary())

# %% [markdown]
# ## Design: who can win, and what it may cost
#
# Each seller's result over the window is drawn from their own past windows of the same
# length (the months before the contest); each draw is paid through the structure. A
# seller "has a chance" when their probability of a prize reaches
# `incentives.motivated_probability`. Beside the contest as designed: winner-take-all,
# equal prizes for the top k and a prize for everyone reaching a target, each able to pay
# at most the same pot. Field evidence (Lim, Ahearne & Ham 2009) favours several winners.

# %%
charts.design_costs(review, min_group_size=s.min_group_size, currency=currency);

# %%
nb.show(review.designs(), caption=f"Structures side by side ({s.simulations:,} draws; costs in {currency})")

# %% [markdown]
# ## Standings
#
# The spread of the eligible sellers' scores (metric ÷ handicap factor): the line spans
# P10–P90, the box P25–P75, the tick is the median; dashed lines mark a threshold or the
# milestones. No single seller's score is shown; groups are teams of at least the minimum.

# %%
charts.standings_spread(review, min_group_size=s.min_group_size, currency=currency);

# %%
nb.show(review.groups(), caption=f"Standings by team (teams of at least {s.min_group_size} eligible sellers; a total paid to fewer is withheld)")

# %% [markdown]
# ## Lift: did the contest change anything?
#
# Difference-in-differences: the eligible sellers' change in the metric per month from the
# pre-period to the window, minus the comparison sellers' change (parallel trends: without
# the contest both would have moved alike). The months after the window show deals pulled
# into the contest; the net lift adds them back. The interval resamples sellers (cluster
# bootstrap). "No measurable lift" when the interval contains 0; "paid for itself" only
# when the margin of the lift at the interval's low end exceeds the contest's cost.

# %%
charts.lift_trend(review, currency=currency);

# %%
charts.lift_intervals(review, currency=currency);

# %%
nb.show(review.lift_view(), caption="Every contest: lift in units of its metric, interval, cost and verdict")

# %% [markdown]
# ## Gaming signals
#
# Close dates bunched in a contest's last days (against the comparison sellers' same days),
# repeat wins at one account within days (splitting), and contest wins cancelled after it
# (compensation claws back the commissions; contest prizes are not clawed back).

# %%
nb.show(review.signals(), caption="Gaming signals of the measured contests")
