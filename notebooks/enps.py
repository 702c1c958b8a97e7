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
# accounts for it, and who answered — survey by survey up to the period's cut-off. Every
# figure comes from a group large enough to stay anonymous: groups under the minimum size,
# any group that would let one be worked out by subtraction (beside its parent, its
# siblings, a remainder or an earlier report), comments of groups under the comment
# minimum and category splits that would tell a small group how each member answered are
# all withheld and listed in the suppression log at the end.

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
# eNPS is the share of promoters minus the share of detractors, in points. The band is a
# respondent bootstrap: the people who answered are resampled and the score recomputed, so
# the band is how far the score would move with another draw of respondents. No
# finite-population correction unless `enps.finite_population` is set: who answers is not
# a random draw of who was asked.

# %%
charts.enps_trend(result.scores, buckets=s.buckets, group=view.company, level=s.confidence);

# %%
nb.show(view.company_trend, caption=f"{view.company}: eNPS by survey, newest first ({view.interval_label})", max_rows=12, formats=charts.SCORE_FORMATS)

# %% [markdown]
# ## Every team, survey by survey
#
# Read across a row for a team's course, down a column for a month. Hatched cells were
# hidden in that survey to keep answers anonymous. A slide shows here long before any
# single month's change is large; the table below fits a line through the last surveys
# and calls a *sustained decline* only when its interval, adjusted for the number of teams
# assessed, lies below zero.

# %%
charts.enps_heatmap(view.enps_grid);

# %%
nb.show(view.trends, caption=f"Slope of eNPS over the last {s.trend_surveys} surveys (points per survey; interval at the FDR-adjusted level)", formats=charts.SCORE_FORMATS)

# %% [markdown]
# ## Groups in the latest survey, and what changed
#
# Each shown group's mix of promoters, passives and detractors, with its eNPS and interval.
# "… · other" groups gather small teams under a parent where that is safe. A small group
# whose answers leave a category empty shows its score without the split. A change is
# called a *clear* rise or fall only when it survives false-discovery-rate control across
# all the groups tested in the survey, and its interval — widened to the level that control
# implies — excludes zero; groups where fewer than the minimum answered both surveys are
# not called at all.

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
# ## Drivers: what accounts for the eNPS answer
#
# The items correlate with each other (people who like their job rate most things well),
# so each item's own correlation says little about which matters. Relative weights split
# the variance of the eNPS answer that all items explain together among the items. An item
# is a clear driver only when its interval lies above every other item's.

# %%
charts.driver_bars(view.drivers, level=s.confidence);

# %% [markdown]
# ## Participation
#
# Respondents over invited, per shown group; red bars are under the flag. Low
# participation makes a score less representative, whatever its interval says. Without
# invitation counts (`survey_invites`) participation is not measured.

# %%
charts.participation_bars(view.participation, flag_below=s.participation_flag, missing=view.participation_missing);

# %% [markdown]
# ## Comments
#
# Free-text comments of the latest survey, tagged with themes by keyword rules, for groups
# of at least the comment minimum only. Each comment is listed once, under the smallest
# such group; a group pooling several shown groups is named after them.

# %%
charts.theme_bars(view.themes, min_group=s.min_comment_group);

# %%
nb.show(view.comments, caption=f"Comments in {view.survey_id}", max_rows=40)

# %% [markdown]
# ## Suppression log
#
# What was withheld in the latest survey, and why. A group is hidden when it has fewer
# respondents than the minimum, or when showing it beside its parent, its siblings, or a
# report already published would let a smaller group's answers be worked out by
# subtraction. A survey reported before is shown as published unless what changed since
# covers enough people. The log names groups, never their answers or sizes.

# %%
nb.show(view.log, caption=f"Withheld in {view.survey_id} (minimum group size {s.min_group_size})", max_rows=80)

# %%
nb.note(view.quarantine_note)

# %% [markdown]
# ## Explore a group
#
# Pick a group and a survey. Groups hidden in that survey say so instead of showing figures.

# %% tags=["widget"]
explorer.show_explorer(result)
