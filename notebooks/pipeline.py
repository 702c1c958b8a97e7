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
# # Sales pipeline and performance
#
# What the current and the next quarter will book, as a range with its track record; how
# well the stage probabilities predict wins; where deals come from, how many convert, how
# long they take and where they stall; and, when quotas are given, how sellers and teams
# stand against quota. Read from the CRM's opportunities and their change history as of the
# period's cut-off. Seller figures are distributions of at least five sellers; named
# scorecards go to the private folder only, when the audience is the sales team.

# %% tags=["parameters"]
run_dir = None  # set by the runner; defaults of every knob: parameters/default.yaml
stages = None  # your CRM's stage names: name, order, category, is_closed, is_won, probability
stalled_days = None  # an open deal unchanged for longer is stalled
ramp_months = None  # sellers this close to their hire month are shown apart
risk_coverage = None  # a team below this coverage (×) is at risk

# %%
from compass_nb import nb, steps
from compass_nb.pipeline import analysis
from compass_nb.viz import pipeline as charts

ctx = nb.context("pipeline", globals())
a = steps.pipeline.run(ctx)
currency = ctx.shared.currency

# %% [markdown]
# ## Summary

# %%
nb.summary(analysis.summary_lines(a, currency))

# %% [markdown]
# ## The quarter's bookings, as a range
#
# Each open deal due in the quarter is won within it with the probability that deals of its
# segment and stage, due in their quarter as far ahead, were won within it (the rest slipped
# or were lost); new business not yet in the pipeline comes at the run rate of past quarters
# seen from the same point; one common shock per simulation moves every deal and the new
# business together (a good or a bad quarter), sized from how far past quarters strayed. A
# quarter already over shows its actual.

# %%
charts.outcome_distribution(a.current, currency=currency)
charts.outcome_distribution(a.upcoming, currency=currency);

# %%
nb.show(a.outcomes, caption="The current and the next quarter", formats={"p_quota": "{:.0%}", "months_to_go": "{:.0f}"})

# %%
nb.show(a.in_quarter_rates, caption="Behind the forecast: deal-months due in their quarter as far ahead, and how they ended")

# %% [markdown]
# ### Track record
#
# The same forecast made for each past quarter at every horizon, from what was known then,
# against what actually closed: an honest P10–P90 band holds about eight actuals in ten.

# %%
charts.backtest_chart(a.backtest, currency=currency);

# %%
nb.show(analysis.backtest_table(a), caption="Backtest by horizon", formats={"coverage": "{:.0%}", "p50_mape": "{:.1%}", "p50_bias": "{:+.1%}"})

# %%
nb.note(analysis.backtest_note(a))

# %% [markdown]
# ## Stage probabilities
#
# The CRM gives each stage one probability. Measured on deals open at each month end (stage ×
# days in the stage × segment, thin cells shrunk towards their stage), the calibrated
# probabilities are scored on the last twelve month ends, each fitted only on what was known
# then; points on the diagonal mean a forecast of 40 % is won four times in ten.

# %%
charts.reliability_chart(a.calibration)
charts.stage_probabilities(a.stage_probabilities);

# %%
nb.show(a.stage_probabilities, caption="Win probability by stage, calibrated now and as the CRM gives it")

# %% [markdown]
# ## Forecast by product family
#
# Roll-ups by forecast category (*Commit* = commit + closed; *Best case* = best case +
# commit + closed) beside the expected bookings and their P10–P90. The next quarter's row
# goes to demand planning, with closed, open pipeline and new business as separate lines.

# %%
charts.forecast_rollups(a.forecast, quarter=a.quarter[0], currency=currency)
charts.forecast_rollups(a.forecast, quarter=a.next_quarter[0], currency=currency);

# %%
nb.show(a.forecast, caption="Forecast by product family")

# %% [markdown]
# ## Funnel and win rates
#
# Deals created in the last twelve months and the stages they reached, in count and in
# money (a deal that skipped a stage passed it; a re-opened deal counts once). A conversion
# lower in money than in count means large deals drop out more often.

# %%
charts.funnel(a.conversion, title="Funnel of deals created in the last twelve months")
charts.funnel(a.conversion, title="The same funnel in money", money=True, currency=currency)
charts.cohort_conversion(a.conversion_by_cohort);

# %%
charts.win_rate_bars(a.win_rates["team"], "team")
charts.win_rate_bars(a.win_rates["segment"], "segment");

# %%
nb.show(a.loss_reasons, caption="Why deals were lost (last twelve months)", empty=analysis.loss_note(a))

# %% [markdown]
# ## Sales cycle and stalled deals
#
# Days from creation to won, days in each stage, and the open deals with no change of
# stage, amount or close date for longer than the threshold (by team and stage here; the
# list by deal and owner is in the private scorecard).

# %%
charts.cycle_histogram(a.cycles)
charts.stage_durations(a.stage_durations);

# %%
nb.show(analysis.stalled_table(a), caption=f"Stalled deals (no change for more than {a.settings.stalled_days} days)", empty="No stalled deals.", formats={"median_days": "{:.0f}"})

# %% [markdown]
# ## Sales velocity
#
# Open deals at the start of the month × win rate × average won deal ÷ cycle length; the
# second chart splits each month's change among the four factors.

# %%
charts.velocity_trend(a.velocity, currency=currency)
charts.velocity_drivers(a.drivers, currency=currency);

# %% [markdown]
# ## Coverage and teams at risk
#
# Open pipeline due in the quarter still to play (the next one once the current quarter is
# over) ÷ the quota still to close, per team. A team is at risk below the coverage
# threshold, or when too few of its ramped sellers are at quota. Without quotas neither is
# measured (the summary says so).

# %%
charts.coverage_bars(a.coverage, risk=a.settings.risk_coverage, missing=a.quota_missing)
nb.show(a.risk, caption=f"Teams in {a.covered_quarter[0]}", empty=analysis.quota_note(a), formats={"coverage": "{:.2f}×", "share_at_quota": "{:.0%}"})

# %% [markdown]
# ## Pipeline flow
#
# How the quarter's open pipeline changed during the month: start + created + pulled in ±
# amount changes − won − lost − pushed out = end. A push that keeps the close date inside
# the quarter does not change it: the second table counts every move of a close date.

# %%
charts.flow_waterfall(a.flow, title=f"{a.quarter[0]} pipeline during {ctx.period}", currency=currency);

# %%
nb.show(a.flow, caption="Pipeline flow")

# %%
nb.show(a.moves, caption=f"Close-date moves of open deals in {ctx.period}", formats={"median_days": "{:+.0f}"})

# %%
charts.slippage_histogram(a.push_days)
nb.note(analysis.slippage_note(a))

# %% [markdown]
# ## Seller performance
#
# Attainment fiscal year to date (credited bookings, the crediting compensation pays on, ÷
# quota) of sellers past their ramp, in bands of at least five sellers; sellers still in
# ramp are shown apart (as a head-count when fewer than five). Without credit splits each
# won deal credits its owner in full; without quotas attainment is not measured.

# %%
charts.attainment_bands(a.attainment_bands, missing=a.quota_missing);

# %%
nb.show(a.ramp_groups, caption="Ramped sellers and sellers in ramp", empty=analysis.quota_note(a), formats=analysis.ATTAINMENT_FORMATS)

# %%
nb.show(a.attainment_by_team, caption="Attainment of ramped sellers by team (five or more)", empty=analysis.quota_note(a), formats=analysis.ATTAINMENT_FORMATS)

# %%
charts.ramp_curve(a.ramp, missing=a.quota_missing)
nb.note(a.scorecard_note)

# %% [markdown]
# ## Data checks
#
# Stage names in the CRM export that the stage mapping (parameter `pipeline.stages`) does not
# know: their rows are left out of every figure above rather than guessed; add the stage to
# the mapping. Deals whose exported closed/won flags disagree with their stage's mapping are
# counted with the mapping. Rows of the CRM tables quarantined by their contracts are named
# in the summary and listed on 01 data collection.

# %%
nb.show(a.unknown, caption="Unknown stages", empty="Every stage in the data is in the mapping.")

# %%
nb.show(a.flag_mismatches, caption="Closed/won flags that disagree with the stage mapping", empty="Every deal's closed/won flags agree with its stage.")

# %% [markdown]
# ## Explore a team
#
# Pick a team and a month: the funnel, coverage and velocity redraw as of that month.

# %% tags=["widget"]
from compass_nb.widgets import pipeline as explorer  # noqa: E402

explorer.show_explorer(a)
