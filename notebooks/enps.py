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
# # Employee engagement: eNPS and pulse surveys
#
# How likely people are to recommend working here (eNPS), how sure we can be of it, what
# moves it, and who answered — survey by survey up to the period's cut-off. Every figure
# comes from a group large enough to stay anonymous: groups under the minimum size, and
# any group that would let one be worked out by subtraction, are hidden and listed in the
# suppression log at the end.

# %% tags=["parameters"]
run_dir = None  # set by the runner; defaults of every knob: parameters/default.yaml
min_group_size = None  # smallest group whose results may be shown

# %%
from compass_nb import nb, steps
from compass_nb.viz import enps as charts
from compass_nb.widgets import enps as explorer

ctx = nb.context("enps", globals())
review = steps.enps.run(ctx)
result, view, s = review.result, review.view, ctx.settings

# %% [markdown]
# ## Summary

# %%
nb.summary(review.summary)

# %% [markdown]
# ## Company eNPS over time
#
# eNPS is the share of promoters minus the share of detractors. The band is the 95 %
# interval (analytic, corrected for the share of people who answered — when everyone
# answered there is no sampling error left); the whiskers are the bootstrap interval,
# resampling respondents. Month-to-month wiggles inside the band are noise.

# %%
charts.enps_trend(result.scores, buckets=s.buckets, group=view.company);

# %%
nb.show(view.company_trend, caption=f"{view.company}: eNPS by survey, newest first", max_rows=12, formats=charts.SCORE_FORMATS)

# %% [markdown]
# ## Groups in the latest survey, and what changed
#
# Each shown group's mix of promoters, passives and detractors, with its eNPS and interval.
# "… · other" groups gather small teams under a parent where that is safe. A change is
# called *up* or *down* only when its whole 95 % interval sits on one side of zero
# (paired where the same people answered both surveys); otherwise it is within the noise.

# %%
charts.bucket_shares(view.latest_scores, buckets=s.buckets);

# %%
nb.show(view.changes, caption=f"eNPS change into {view.survey_id}", formats=charts.SCORE_FORMATS)

# %% [markdown]
# ## Teams × questions
#
# Favourability of each pulse item: answers 4–5 out of all answers, neutrals included.
# Read across a row for a team's weak spots, down a column for a company-wide issue.

# %%
charts.favourability_heatmap(view.heatmap, favourable_min=s.favourable_min, labels=view.driver_labels);

# %% [markdown]
# ## Drivers: what moves with eNPS
#
# For each item, how strongly people's answers go together with their eNPS answer, with
# the number of people behind it. Correlation, not cause: read it as where to look first.

# %%
charts.driver_dots(view.drivers, buckets=s.buckets);

# %% [markdown]
# ## Participation
#
# Respondents over invited, per shown group; red bars are under the flag. Low
# participation makes a score less representative, whatever its interval says.

# %%
charts.participation_bars(view.participation, flag_below=s.participation_flag);

# %% [markdown]
# ## Comments
#
# Free-text comments of the latest survey, tagged with themes by keyword rules, for groups
# of at least the comment minimum only. Each comment is listed once, under the smallest
# group that may be shown.

# %%
charts.theme_bars(view.themes);

# %%
nb.show(view.comments, caption=f"Comments in {view.survey_id}", max_rows=40)

# %% [markdown]
# ## Suppression log
#
# What was hidden in the latest survey, and why. A group is hidden when it has fewer
# respondents than the minimum, or when showing it beside its parent (or its siblings, the
# previous survey, or an earlier month's report of a survey that was still open) would let a
# hidden group's answers be worked out by subtraction.
# The log names groups, never their answers or sizes.

# %%
nb.show(view.log, caption=f"Hidden in {view.survey_id} (minimum group size {s.min_group_size})", max_rows=80)

# %%
nb.note(view.quarantine_note)

# %% [markdown]
# ## Explore a group
#
# Pick a group and a survey. Groups hidden in that survey say so instead of showing figures.

# %% tags=["widget"]
explorer.show_explorer(result)
