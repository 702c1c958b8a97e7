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
# Where deals come from, how many convert, how long they take and what the pipeline is
# likely to close, read from the CRM's opportunities and their change history as of the
# period's cut-off. Sales operations exists to raise conversion and shorten the cycle: the
# funnel, cycle and velocity sections show both; coverage, flow and the forecast show what
# the coming quarters hold; the last sections show how sellers perform against quota
# (distributions only, unless the audience is the sales team).

# %% tags=["parameters"]
run_dir = None  # set by the runner; defaults of every knob: parameters/default.yaml
stages = None  # your CRM's stage names: name, order, category, is_closed, is_won
stalled_days = None  # an open deal unchanged for longer is stalled

# %%
from compass_nb import nb, steps
from compass_nb.pipeline import analysis
from compass_nb.viz import pipeline as charts

ctx = nb.context("pipeline", globals())
a = steps.pipeline.run(ctx)

# %% [markdown]
# ## Summary

# %%
nb.summary(analysis.summary_lines(a, ctx.shared.currency))

# %% [markdown]
# ## Data checks
#
# Stage names in the CRM export that the stage mapping (parameter `pipeline.stages`) does not
# know. Their rows are left out of every figure below rather than guessed; add the stage to
# the mapping to count them.

# %%
nb.show(a.unknown, caption="Unknown stages", empty="Every stage in the data is in the mapping.")

# %% [markdown]
# Deals whose exported closed/won flags disagree with the mapping of their stage. The mapping
# is used here, while compensation reads the flags: fix the mapping or the export so that
# attainment and pay agree.

# %%
nb.show(a.flag_mismatches, caption="Closed/won flags that disagree with the mapping", empty="Every deal's closed/won flags agree with the mapping.")

# %% [markdown]
# ## Funnel
#
# Deals created in the last twelve months and the stages they reached, from the stage
# history: a deal that skipped a stage is counted as having passed it, a re-opened deal once,
# at the furthest stage it reached. The arrow on each bar is the share that went on to the
# next stage.

# %%
charts.funnel(a.conversion, title="Funnel of deals created in the last twelve months");

# %% [markdown]
# The same conversions by month of creation. Recent cohorts are still in flight, so their
# later steps look low until their deals close.

# %%
charts.cohort_conversion(a.conversion_by_cohort);

# %% [markdown]
# Win rate of deals closed in the last twelve months, by count and by amount. A win rate by
# amount below the rate by count means large deals are lost more often.

# %%
charts.win_rate_bars(a.win_rates["team"], "team")
charts.win_rate_bars(a.win_rates["segment"], "segment")
charts.win_rate_bars(a.win_rates["product_family"], "product_family");

# %% [markdown]
# ## Sales cycle
#
# Days from creation to close of the deals won in the last twelve months, and the median
# days deals spend in each stage. Stalled deals have had no change of stage, amount or
# close date for longer than the threshold.

# %%
charts.cycle_histogram(a.cycles)
charts.stage_durations(a.stage_durations);

# %%
nb.show(analysis.stalled_table(a), caption=f"Stalled deals (no change for more than {a.settings.stalled_days} days)", empty="No stalled deals.")

# %% [markdown]
# ## Sales velocity
#
# Revenue the pipeline produces per day: open deals at the start of the month × win rate ×
# average won deal ÷ cycle length (the last three factors from deals closed in the trailing
# months). The second chart splits each month's change among the four factors; the factor
# with the tallest bar is the one that moved velocity.

# %%
charts.velocity_trend(a.velocity)
charts.velocity_drivers(a.drivers);

# %% [markdown]
# ## Coverage
#
# Open pipeline due in the current fiscal quarter ÷ the quota still to close (quota − closed
# won), per team. Below 1× the quota cannot be met from today's pipeline; 3× is the usual
# comfort level.

# %%
charts.coverage_bars(a.coverage);

# %%
nb.show(a.coverage, caption=f"Coverage of {a.quarter[0]} as of {ctx.period}", formats={"coverage": "{:.2f}×"})

# %% [markdown]
# ## Pipeline flow
#
# How the current quarter's open pipeline changed during the month: start + created + pulled
# in ± amount changes − won − lost − pushed out = end. Below, how often and how far close
# dates are pushed (deals closed in the last twelve months and those still open).

# %%
charts.flow_waterfall(a.flow, title=f"{a.quarter[0]} pipeline during {ctx.period}");

# %%
nb.show(a.flow, caption="Pipeline flow")

# %%
charts.slippage_histogram(a.push_days);

# %%
nb.note(analysis.slippage_note(a))

# %% [markdown]
# ## Forecast
#
# Roll-ups by forecast category for the current and the next fiscal quarter: *Commit* =
# commit + closed; *Best case* = best case + commit + closed; *Pipeline* is what is still in
# the pipeline category. The weighted forecast is closed won + each open deal due in the
# quarter × the share of that stage's pipeline that closed won within its quarter in the past
# four quarters (seen from the same point of the quarter, so slips and losses count) + the
# wins that came, in those quarters, from deals not yet in the pipeline (created later, or
# then due in another quarter). The next quarter's commit, best case
# and weighted forecast go to demand planning, beside the consensus.

# %%
charts.stage_win_rates(a.stage_rates, a.forecast_rates)
charts.forecast_rollups(a.forecast, quarter=a.quarter[0])
charts.forecast_rollups(a.forecast, quarter=a.next_quarter[0]);

# %%
nb.show(a.forecast, caption="Forecast roll-ups by product family")

# %% [markdown]
# ### Backtest
#
# The same weighted forecast made for each past quarter, as far ahead as this one and from
# what was known then, against what actually closed.

# %%
charts.backtest_chart(a.backtest)
nb.show(a.backtest, caption="Backtest of the weighted forecast")

# %%
nb.note(analysis.closing_note(a))

# %% [markdown]
# ## Seller performance
#
# Quota attainment of quota-carrying sellers, fiscal year to date: credited bookings (the
# same crediting compensation pays on) ÷ quota. Distributions only; teams with fewer than
# five sellers are not shown on their own.

# %%
charts.attainment_histogram(a.attainment)
nb.show(a.attainment_distribution, caption="Attainment, all sellers", values="{:.0%}")

# %%
nb.show(a.attainment_by_team, caption="Attainment by team (teams of five sellers or more)", values="{:.0%}")

# %% [markdown]
# Ramp of new hires: median cumulative attainment by month since hire (months followed by
# fewer than five new hires are not shown).

# %%
charts.ramp_curve(a.ramp);

# %% [markdown]
# The named scorecard (attainment, win rate, deal size, cycle and open pipeline per seller)
# is written only when the audience is the sales team, and only to the private folder.

# %%
nb.note(a.scorecard_note)

# %% [markdown]
# ## Explore a team
#
# Pick a team and a month: the funnel, coverage and velocity redraw as of that month.

# %% tags=["widget"]
from compass_nb.widgets import pipeline as explorer  # noqa: E402

explorer.show_explorer(a)
