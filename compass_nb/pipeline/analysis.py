"""Everything the pipeline notebook shows, computed in one call from the input tables."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from compass_nb.calendar import next_quarter_bounds, quarter_bounds, quarter_label
from compass_nb.formatting import money, pct
from compass_nb.pipeline._history import month_bounds, opportunities_at, timeline, with_team
from compass_nb.pipeline.coverage import coverage
from compass_nb.pipeline.cycle import (
    cycle_days,
    cycle_summary,
    stage_duration_summary,
    stalled_deals,
    time_in_stage,
)
from compass_nb.pipeline.flow import close_date_changes, flow_movements, pipeline_flow, slippage
from compass_nb.pipeline.forecast import (
    backtest,
    backtest_error,
    in_quarter_win_rates,
    quarter_forecast,
    stage_win_rates,
)
from compass_nb.pipeline.funnel import closed_between, stage_conversion, stage_reach, win_rates
from compass_nb.pipeline.performance import attainment, attainment_distribution, ramp, scorecard
from compass_nb.pipeline.stages import flag_mismatches, stage_table, unknown_stages
from compass_nb.pipeline.velocity import monthly_velocity, velocity_drivers

COMMIT_COLUMNS = ["product_family", "quarter", "commit", "best_case", "weighted"]


@dataclass(frozen=True)
class Settings:
    """The ``pipeline`` parameter section (defaults and meanings: ``parameters/default.yaml``;
    build it with :func:`compass_nb.params.build` or :func:`compass_nb.params.section_settings`)."""

    stages: list
    stalled_days: int
    quota_roles: list[str] | None
    lookback_months: int
    velocity_window: int
    backtest_quarters: int
    min_group_size: int


@dataclass
class PipelineAnalysis:
    """The tables and figures of the pipeline notebook (see :func:`analyse`)."""

    period: str
    cutoff: pd.Timestamp
    quarter: tuple[str, pd.Timestamp, pd.Timestamp]
    next_quarter: tuple[str, pd.Timestamp, pd.Timestamp]
    stages: pd.DataFrame
    unknown: pd.DataFrame
    flag_mismatches: pd.DataFrame
    snapshot: pd.DataFrame
    conversion: pd.DataFrame
    conversion_by_cohort: pd.DataFrame
    win_rates: dict[str, pd.DataFrame]
    cycles: pd.DataFrame
    cycle: pd.DataFrame
    stage_durations: pd.DataFrame
    stalled: pd.DataFrame
    velocity: pd.DataFrame
    drivers: pd.DataFrame
    coverage: pd.DataFrame
    flow: pd.DataFrame
    slippage: dict
    push_days: pd.Series
    stage_rates: pd.DataFrame
    forecast_rates: pd.DataFrame
    forecast: pd.DataFrame
    backtest: pd.DataFrame
    backtest_error: dict
    attainment: pd.DataFrame
    attainment_distribution: pd.DataFrame
    attainment_by_team: pd.DataFrame
    ramp: pd.DataFrame
    scorecard: pd.DataFrame
    headlines: dict = field(default_factory=dict)
    opportunities: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    states: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    inputs: dict = field(default_factory=dict, repr=False)
    settings: Settings | None = field(default=None, repr=False)
    fiscal_year_start: int = 1
    scorecard_note: str = ""

    @property
    def teams(self) -> list[str]:
        """Teams owning deals, for pickers."""
        return sorted(self.opportunities["team"].dropna().unique().tolist())

    @property
    def months(self) -> list[str]:
        """The months the velocity trend covers, oldest first."""
        return sorted(self.velocity["month"].unique().tolist())

    def pipeline_commit(self) -> pd.DataFrame:
        """The next fiscal quarter's commit, best case and weighted forecast per product family
        (the store table ``pipeline_commit`` that demand planning shows beside the consensus)."""
        nxt = self.forecast.loc[self.forecast["quarter"] == self.next_quarter[0]]
        return nxt.loc[:, COMMIT_COLUMNS].reset_index(drop=True)


def _months_back(period: str, n: int) -> list[str]:
    last = pd.Period(period, "M")
    return [str(last - k) for k in range(n - 1, -1, -1)]


def _with_columns(opportunities: pd.DataFrame) -> pd.DataFrame:
    out = opportunities.copy()
    for column in ("product_family", "segment", "type"):
        if column not in out:
            out[column] = "unassigned"
        out[column] = out[column].fillna("unassigned")
    return out


def _forecast(
    opps, states, stages, cutoff, quarters, fiscal_year_start, lookback_days
) -> pd.DataFrame:
    parts = [
        quarter_forecast(
            opps,
            states,
            stages,
            cutoff,
            start,
            end,
            fiscal_year_start,
            by=["product_family"],
            lookback_days=lookback_days,
        )
        for _, start, end in quarters
    ]
    return pd.concat(parts, ignore_index=True)


def analyse(
    tables: dict[str, pd.DataFrame],
    period: str,
    *,
    fiscal_year_start: int = 1,
    settings: Settings,
) -> PipelineAnalysis:
    """Compute every section of the pipeline notebook.

    Parameters
    ----------
    tables
        ``opportunities``, ``opportunity_history``, ``reps``, ``quotas``, ``credit_splits``,
        cut off at the period.
    period
        The cycle, ``YYYY-MM``; its last day is the as-of date.
    fiscal_year_start
        Month the fiscal year starts in.
    settings
        The ``pipeline`` parameter section.

    Returns
    -------
    PipelineAnalysis
    """
    s = settings
    stages = stage_table(s.stages)
    cutoff = month_bounds(period)[1]
    reps = tables["reps"]
    opps = with_team(_with_columns(tables["opportunities"]), reps)
    opps = opps.loc[pd.to_datetime(opps["created_date"]) <= cutoff]
    history = tables["opportunity_history"]
    history = history.loc[
        pd.to_datetime(history["changed_at"]) <= cutoff + pd.Timedelta(days=1) - pd.Timedelta(1)
    ]
    unknown = unknown_stages({"opportunities": opps, "opportunity_history": history}, stages)
    states = timeline(opps, history, stages)
    snapshot = opportunities_at(opps, states, cutoff)
    lookback_start = month_bounds(_months_back(period, s.lookback_months)[0])[0]
    lookback_days = (cutoff - lookback_start).days + 1
    q_label, q_start, q_end = (
        quarter_label(cutoff, fiscal_year_start),
        *quarter_bounds(cutoff, fiscal_year_start),
    )
    n_start, n_end = next_quarter_bounds(cutoff, fiscal_year_start)
    next_q = (quarter_label(n_start, fiscal_year_start), n_start, n_end)

    reach = stage_reach(states, stages)
    reached_rates = stage_win_rates(states, stages, cutoff, lookback_days=lookback_days)
    cohorts = reach.loc[reach["cohort"].isin(_months_back(period, s.lookback_months))]
    closed = closed_between(snapshot, lookback_start, cutoff)
    cycles = cycle_days(closed)
    changes = close_date_changes(states)
    recent = pd.concat([closed, snapshot.loc[~snapshot["is_closed"]]])

    velocity = monthly_velocity(
        opps, states, _months_back(period, s.lookback_months), by="team", window=s.velocity_window
    )
    company = monthly_velocity(
        opps, states, _months_back(period, s.lookback_months), by=None, window=s.velocity_window
    ).assign(team="All teams")
    velocity = pd.concat([company, velocity], ignore_index=True)

    lead_months = len(
        pd.period_range(cutoff + pd.Timedelta(days=1), n_start - pd.Timedelta(days=1), freq="M")
    )
    bt = (
        backtest(
            opps,
            states,
            stages,
            cutoff,
            fiscal_year_start,
            lead_months=lead_months,
            lookback_days=lookback_days,
        )
        .tail(s.backtest_quarters)
        .reset_index(drop=True)
    )

    fy_start = quarter_bounds(cutoff, fiscal_year_start)[0]
    while fy_start.month != fiscal_year_start:
        fy_start = quarter_bounds(fy_start - pd.Timedelta(days=1), fiscal_year_start)[0]
    attained = attainment(
        snapshot,
        tables["credit_splits"],
        tables["quotas"],
        reps,
        fy_start,
        cutoff,
        cutoff,
        roles=s.quota_roles,
    )

    result = PipelineAnalysis(
        period=period,
        cutoff=cutoff,
        quarter=(q_label, q_start, q_end),
        next_quarter=next_q,
        stages=stages,
        unknown=unknown,
        flag_mismatches=flag_mismatches(opps, stages),
        snapshot=snapshot,
        conversion=stage_conversion(cohorts, stages),
        conversion_by_cohort=stage_conversion(cohorts, stages, by=["cohort"]),
        win_rates={
            "all": win_rates(closed),
            "team": win_rates(closed, by=["team"]),
            "segment": win_rates(closed, by=["segment"]),
            "product_family": win_rates(closed, by=["product_family"]),
        },
        cycles=cycles,
        cycle=cycle_summary(cycles),
        stage_durations=stage_duration_summary(
            time_in_stage(states.loc[states["at"] >= lookback_start], cutoff)
        ),
        stalled=stalled_deals(snapshot, cutoff, s.stalled_days),
        velocity=velocity,
        drivers=velocity_drivers(velocity, by="team"),
        coverage=coverage(
            snapshot,
            tables["credit_splits"],
            tables["quotas"],
            reps,
            q_start,
            q_end,
            roles=s.quota_roles,
        ),
        flow=pipeline_flow(
            flow_movements(
                states, month_bounds(period)[0] - pd.Timedelta(days=1), cutoff, q_start, q_end
            )
        ),
        slippage=slippage(changes, recent),
        push_days=changes.loc[
            changes["pushed"] & changes["opportunity_id"].isin(recent["opportunity_id"]), "days"
        ],
        stage_rates=reached_rates,
        forecast_rates=in_quarter_win_rates(
            opps, states, stages, n_start, cutoff, fallback=reached_rates
        ),
        forecast=_forecast(
            opps,
            states,
            stages,
            cutoff,
            [(q_label, q_start, q_end), next_q],
            fiscal_year_start,
            lookback_days,
        ),
        backtest=bt,
        backtest_error=backtest_error(bt),
        attainment=attained,
        attainment_distribution=attainment_distribution(attained, min_group_size=s.min_group_size),
        attainment_by_team=attainment_distribution(
            attained, by=["team"], min_group_size=s.min_group_size
        ),
        ramp=ramp(
            snapshot,
            tables["credit_splits"],
            tables["quotas"],
            reps,
            cutoff,
            since=pd.to_datetime(opps["created_date"]).min(),
            roles=s.quota_roles,
            min_group_size=s.min_group_size,
        ),
        scorecard=scorecard(attained, snapshot, reps, fy_start, cutoff),
    )
    result.headlines = headlines(result)
    result.opportunities, result.states, result.settings = opps, states, s
    result.inputs = {name: tables[name] for name in ("credit_splits", "quotas", "reps")}
    result.fiscal_year_start = fiscal_year_start
    return result


@dataclass
class TeamView:
    """The funnel, velocity and coverage of one team as of the end of one month."""

    team: str
    month: str
    quarter: str
    conversion: pd.DataFrame
    velocity: pd.DataFrame
    drivers: pd.DataFrame
    coverage: pd.DataFrame


def team_view(a: PipelineAnalysis, team: str, month: str) -> TeamView:
    """Funnel (cohorts of the ``lookback_months`` to ``month``, as known then), velocity up to
    ``month`` and coverage of the fiscal quarter holding ``month``, for ``team`` (or
    ``"All teams"``)."""
    end = month_bounds(month)[1]
    known = a.states.loc[a.states["at"] <= end]
    deals = (
        a.opportunities
        if team == "All teams"
        else a.opportunities.loc[a.opportunities["team"] == team]
    )
    known = known.loc[known["opportunity_id"].isin(deals["opportunity_id"])]
    reach = stage_reach(known, a.stages) if len(known) else stage_reach(a.states.iloc[:0], a.stages)
    reach = reach.loc[reach["cohort"].isin(_months_back(month, a.settings.lookback_months))]
    snapshot = opportunities_at(a.opportunities, a.states, end)
    start, q_end = quarter_bounds(end, a.fiscal_year_start)
    cov = coverage(
        snapshot,
        a.inputs["credit_splits"],
        a.inputs["quotas"],
        a.inputs["reps"],
        start,
        q_end,
        roles=a.settings.quota_roles,
    )
    if team != "All teams":
        cov = cov.loc[cov["team"] == team]
    return TeamView(
        team=team,
        month=month,
        quarter=quarter_label(end, a.fiscal_year_start),
        conversion=stage_conversion(reach, a.stages),
        velocity=a.velocity.loc[(a.velocity["team"] == team) & (a.velocity["month"] <= month)],
        drivers=a.drivers.loc[(a.drivers["team"] == team) & (a.drivers["month"] <= month)],
        coverage=cov.reset_index(drop=True),
    )


def headlines(a: PipelineAnalysis) -> dict:
    """The headline figures: win rate, median cycle, velocity, coverage, median attainment,
    backtest error and the next quarter's weighted forecast."""
    company = a.velocity.loc[
        (a.velocity["team"] == "All teams") & (a.velocity["month"] == a.period)
    ]
    total = a.coverage.loc[a.coverage["team"] == "All teams", "coverage"]
    dist = a.attainment_distribution
    return {
        "win_rate": float(a.win_rates["all"]["win_rate"].iloc[0])
        if len(a.win_rates["all"])
        else float("nan"),
        "cycle_days": float(a.cycle["median"].iloc[0]) if len(a.cycle) else float("nan"),
        "velocity": float(company["velocity"].iloc[0]) if len(company) else float("nan"),
        "coverage": float(total.iloc[0]) if len(total) else float("nan"),
        "attainment_median": float(dist["median"].iloc[0]) if len(dist) else float("nan"),
        "at_or_above_quota": float(dist["at_or_above_quota"].iloc[0])
        if len(dist)
        else float("nan"),
        "backtest_mape": a.backtest_error["mape"],
        "backtest_bias": a.backtest_error["bias"],
        "next_quarter_weighted": float(a.pipeline_commit()["weighted"].sum()),
        "next_quarter_commit": float(a.pipeline_commit()["commit"].sum()),
    }


def _share(value: float) -> str:
    return pct(value, digits=0)


def _attainment_line(a: PipelineAnalysis) -> str:
    h = a.headlines
    if pd.isna(h["attainment_median"]):
        return (
            f"Attainment not shown: fewer than {a.settings.min_group_size} sellers carry a quota "
            "this fiscal year."
        )
    return (
        f"Median seller attainment {_share(h['attainment_median'])} of quota, fiscal year to date; "
        f"{_share(h['at_or_above_quota'])} of sellers at or above quota."
    )


def _backtest_clause(a: PipelineAnalysis) -> str:
    err = a.backtest_error
    if not err["quarters"]:
        return "not enough history yet to backtest it."
    return (
        f"over the last {err['quarters']} quarters the same forecast missed by {_share(err['mape'])} "
        f"on average (bias {err['bias']:+.0%})."
    )


def summary_lines(a: PipelineAnalysis, currency: str = "EUR") -> list[str]:
    """The notebook's summary sentences, headline figures first."""
    h = a.headlines
    lines = [
        f"Win rate {_share(h['win_rate'])} of deals closed in the last {a.settings.lookback_months} months; "
        f"median sales cycle {h['cycle_days']:.0f} days from created to won.",
        f"Sales velocity {money(h['velocity'], currency)} per day in {a.period} (open deals × win rate × "
        "average deal ÷ cycle length).",
        f"Coverage of {a.quarter[0]}: {h['coverage']:.1f}× the quota still to close."
        if pd.notna(h["coverage"])
        else f"Quota of {a.quarter[0]} already met.",
        _attainment_line(a),
        f"Weighted forecast for {a.next_quarter[0]}: {money(h['next_quarter_weighted'], currency)} "
        f"(commit {money(h['next_quarter_commit'], currency)}); " + _backtest_clause(a),
    ]
    flow = a.flow.set_index("step")["value"]
    lines.append(
        f"{a.quarter[0]} pipeline in {a.period}: {money(flow['start'], currency)} → {money(flow['end'], currency)} "
        f"({money(flow['won'] * -1, currency)} won, {money(flow['lost'] * -1, currency)} lost, "
        f"{money(flow['created'], currency)} created)."
    )
    if len(a.stalled):
        lines.append(
            f"{len(a.stalled)} open {'deal' if len(a.stalled) == 1 else 'deals'} "
            f"({money(a.stalled['amount'].sum(), currency)}) unchanged for "
            f"more than {a.settings.stalled_days} days."
        )
    if len(a.flag_mismatches):
        lines.append(
            f"{int(a.flag_mismatches['opportunities'].sum())} deals carry closed/won flags that disagree "
            "with the stage mapping; the mapping is used (see Data checks)."
        )
    if len(a.unknown):
        lines.append(
            f"{int(a.unknown['rows'].sum())} rows carry stage names the mapping does not know; they are "
            "left out (see Data checks)."
        )
    return lines


def closing_note(a: PipelineAnalysis) -> str:
    """The closing note: how far the weighted forecast has been from what closed."""
    err = a.backtest_error
    if not err["quarters"]:
        return (
            "Not enough history yet to backtest the weighted forecast (a year of deals is needed)."
        )
    return (
        f"Backtest over {err['quarters']} past quarters, each forecast made as far ahead as this one: the "
        f"weighted forecast missed what closed by {_share(err['mape'])} on average (MAPE; WAPE {_share(err['wape'])}, "
        f"bias {err['bias']:+.0%}); the commit roll-up alone missed by {_share(err['commit_mape'])} and best case "
        f"by {_share(err['best_case_mape'])}."
    )


def stalled_table(a: PipelineAnalysis) -> pd.DataFrame:
    """Stalled deals for a shareable table: deal, account, team, stage, amount, close date, days
    since the last change (no seller ids)."""
    columns = [
        c
        for c in [
            "opportunity_id",
            "account",
            "team",
            "stage",
            "amount",
            "close_date",
            "days_since_change",
        ]
        if c in a.stalled
    ]
    return a.stalled.loc[:, columns]


def slippage_note(a: PipelineAnalysis) -> str:
    """One sentence on how often and how far close dates are pushed."""
    s = a.slippage
    if not s["deals"]:
        return "No deals to measure slippage on."
    return (
        f"{s['share_pushed']:.0%} of {s['deals']} deals (closed in the last {a.settings.lookback_months} months "
        f"or still open) had their close date pushed at least once ({s['pushes_per_pushed_deal']:.1f} pushes "
        f"each); the median push moved the date {s['median_push_days']:.0f} days."
    )
