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
# # Employee engagement: eNPS and pulse surveys
#
# How likely people are to recommend working here (eNPS), how sure we can be of it, what
# moves it, and who answered — survey by survey up to the period's cut-off. Every figure
# comes from a group large enough to stay anonymous: groups under the minimum size, and
# any group that would let one be worked out by subtraction, are hidden and listed in the
# suppression log at the end.

# %% tags=["parameters"]
period = None  # month under review, YYYY-MM; None: the latest complete month
source = "demo"  # demo | demo:small | folder | DuckDB file | SQLAlchemy URL
store = "reports/compass.duckdb"  # the cycle store
encoding = "utf-8"  # encoding of CSV files
currency = "EUR"
fiscal_year_start = 1
strict = False  # True: any quarantined row fails the run
horizon = 18
audience = "executive"
run_dir = None  # set by the runner: this run's staging folder
threads = None  # set by the runner: threads this kernel may use
min_group_size = 5  # smallest group whose results may be shown
min_comment_group = 10  # smallest group whose comments may be listed
min_driver_responses = 30  # fewest paired answers for a driver correlation
participation_flag = 0.6  # participation under this share is flagged
confidence = 0.95  # level of every interval
bootstrap_samples = 2000  # resamples of respondents for the bootstrap intervals
seed = 7  # seed of the bootstrap
scale_min = 0  # lowest eNPS answer (0 or 1)
scale_max = 10  # highest eNPS answer
promoter_min = 9  # answers from here up are promoters
detractor_max = 6  # answers up to here are detractors
favourable_min = 4  # Likert answers (1–5) from here up are favourable

# %%
from compass_nb import enps, nb
from compass_nb.enps import pulse
from compass_nb.enps.results import headline, summary_lines
from compass_nb.viz import enps as charts
from compass_nb.widgets import enps as explorer

ctx = nb.context("enps", period=period, source=source, store=store, run_dir=run_dir,
                 encoding=encoding, strict=strict, threads=threads)
t = ctx.inputs("survey_questions", "survey_responses", "survey_invites", "org_units")
settings = enps.Settings.from_parameters(
    min_group_size, min_comment_group, min_driver_responses, participation_flag, confidence,
    bootstrap_samples, seed, scale_min, scale_max, promoter_min, detractor_max, favourable_min)
result = enps.engagement(t["survey_questions"], t["survey_responses"], t["survey_invites"],
                         t["org_units"], settings, strict=strict)
latest, company, buckets = result.latest, result.root, settings.buckets
top = headline(result)
ctx.metric("enps", top["enps"], label=f"Company eNPS ({latest})", fmt="{:+.0f}")
ctx.metric("enps_low", top["low"], label="eNPS 95 % interval, low", fmt="{:+.0f}")
ctx.metric("enps_high", top["high"], label="eNPS 95 % interval, high", fmt="{:+.0f}")
ctx.metric("participation", top["participation"], label="Participation", fmt="{:.0%}")
ctx.metric("enps_change", top["change"], label="eNPS change vs previous survey", fmt="{:+.0f}")
ctx.write("enps_results", result.scores)
result.quarantine.to_csv(ctx.private_dir("enps") / "survey_quarantine.csv", index=False)

# %% [markdown]
# ## Summary

# %%
nb.summary(summary_lines(result))

# %% [markdown]
# ## Company eNPS over time
#
# eNPS is the share of promoters minus the share of detractors. The band is the 95 %
# interval (analytic, corrected for the share of people who answered — when everyone
# answered there is no sampling error left); the whiskers are the bootstrap interval,
# resampling respondents. Month-to-month wiggles inside the band are noise.

# %%
charts.enps_trend(result.scores, buckets=buckets, group=company)

# %%
nb.show(result.scores.loc[result.scores["group"] == company,
                          ["survey_id", "n", "invited", "pct_promoters", "pct_passives", "pct_detractors",
                           "enps", "low", "high", "boot_low", "boot_high"]].iloc[::-1],
        caption=f"{company}: eNPS by survey, newest first", max_rows=12,
        formats={"invited": "{:.0f}", "pct_promoters": "{:.0f} %", "pct_passives": "{:.0f} %",
                 "pct_detractors": "{:.0f} %", "enps": "{:+.0f}", "low": "{:+.0f}", "high": "{:+.0f}",
                 "boot_low": "{:+.0f}", "boot_high": "{:+.0f}"})

# %% [markdown]
# ## Groups in the latest survey, and what changed
#
# Each shown group's mix of promoters, passives and detractors, with its eNPS and interval.
# "… · other" groups gather small teams under a parent where that is safe. A change is
# called *up* or *down* only when its whole 95 % interval sits on one side of zero
# (paired where the same people answered both surveys); otherwise it is within the noise.

# %%
charts.bucket_shares(result.scores[result.scores["survey_id"] == latest], buckets=buckets)

# %%
nb.show(result.changes.loc[result.changes["survey_id"] == latest,
                           ["group", "previous_survey_id", "delta", "low", "high", "paired_n", "verdict"]],
        caption=f"eNPS change into {latest}",
        formats={"delta": "{:+.0f}", "low": "{:+.0f}", "high": "{:+.0f}"})

# %% [markdown]
# ## Teams × questions
#
# Favourability of each pulse item: answers 4–5 out of all answers, neutrals included.
# Read across a row for a team's weak spots, down a column for a company-wide issue.

# %%
labels = result.questions.set_index("question_id")["driver"].dropna().to_dict()
charts.favourability_heatmap(pulse.heatmap_data(result.favourability, latest, result.questions, first=company),
                             favourable_min=settings.favourable_min, labels=labels)

# %% [markdown]
# ## Drivers: what moves with eNPS
#
# For each item, how strongly people's answers go together with their eNPS answer, with
# the number of people behind it. Correlation, not cause: read it as where to look first.

# %%
charts.driver_dots(result.drivers[(result.drivers["survey_id"] == latest)
                                  & (result.drivers["group"] == company)], buckets=buckets)

# %% [markdown]
# ## Participation
#
# Respondents over invited, per shown group; red bars are under the flag. Low
# participation makes a score less representative, whatever its interval says.

# %%
charts.participation_bars(result.participation[result.participation["survey_id"] == latest],
                          flag_below=settings.participation_flag)

# %% [markdown]
# ## Comments
#
# Free-text comments of the latest survey, tagged with themes by keyword rules, for groups
# of at least the comment minimum only. Each comment is listed once, under the smallest
# group that may be shown.

# %%
charts.theme_bars(result.themes[(result.themes["survey_id"] == latest) & (result.themes["group"] == company)])

# %%
nb.show(result.comments[result.comments["survey_id"] == latest][["group", "themes", "comment"]],
        caption=f"Comments in {latest}", max_rows=40)

# %% [markdown]
# ## Suppression log
#
# What was hidden in the latest survey, and why. A group is hidden when it has fewer
# respondents than the minimum, or when showing it beside its parent (or its siblings, the
# previous survey, or an earlier month's report of a survey that was still open) would let a
# hidden group's answers be worked out by subtraction.
# The log names groups, never their answers or sizes.

# %%
nb.show(result.log[result.log["survey_id"] == latest][["group", "hidden", "reason"]],
        caption=f"Hidden in {latest} (minimum group size {settings.min_group_size})", max_rows=80)

# %%
nb.note(f"Survey rows set aside by the checks: {len(result.quarantine)}"
        + ("" if result.quarantine.empty else " — by reason: "
           + "; ".join(f"{r} ({n})" for r, n in result.quarantine["reason"].value_counts().items()))
        + ". The rows themselves are kept in the private folder.")

# %% [markdown]
# ## Explore a group
#
# Pick a group and a survey. Groups hidden in that survey say so instead of showing figures.

# %% tags=["widget"]
explorer.show_explorer(result)
