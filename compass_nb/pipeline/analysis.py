"""Everything the pipeline notebook shows, computed in one call from the input tables."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from compass_nb.calendar import (
    next_quarter_bounds,
    past_quarters,
    quarter_bounds,
    quarter_label,
    to_datetime,
)
from compass_nb.crediting import NO_SPLITS, no_splits
from compass_nb.exports import write_csv
from compass_nb.formatting import assumed_lines, money, pct
from compass_nb.pipeline import calibration, outcome
from compass_nb.pipeline._history import month_bounds, opportunities_at, timeline, with_team
from compass_nb.pipeline.coverage import coverage, quota_reps, team_quota
from compass_nb.pipeline.cycle import (
    cycle_days,
    cycle_summary,
    stage_duration_summary,
    stalled_deals,
    stalled_summary,
    stalled_with_owner,
    time_in_stage,
)
from compass_nb.pipeline.flow import (
    close_date_changes,
    close_date_moves,
    flow_movements,
    pipeline_flow,
    slippage,
)
from compass_nb.pipeline.forecast import forecast_table
from compass_nb.pipeline.funnel import (
    closed_between,
    loss_reasons,
    stage_conversion,
    stage_reach,
    win_rates,
)
from compass_nb.pipeline.outcome import OutcomeSettings, QuarterOutcome
from compass_nb.pipeline.performance import (
    attainment,
    attainment_bands,
    attainment_distribution,
    ramp,
    ramp_groups,
    scorecard,
)
from compass_nb.pipeline.risk import teams_at_risk
from compass_nb.pipeline.stages import (
    flag_mismatches,
    stage_table,
    static_probabilities,
    unknown_stages,
)
from compass_nb.pipeline.velocity import monthly_velocity, velocity_drivers

#: Formats of the attainment tables (their columns are shares of quota).
ATTAINMENT_FORMATS = {c: "{:.0%}" for c in ("at_or_above_quota", "p25", "median", "p75")}

#: What the absence of an optional input forces the page to assume (stated in the summary).
NO_QUOTAS = "no quotas: attainment and quota coverage are not measured"

#: ``pipeline_commit``: the columns demand planning has always read, then the parts of the
#: forecast it shows as separate lines (closed, open pipeline weighted, new business) and
#: the outcome model's percentiles.
COMMIT_COLUMNS = [
    "product_family",
    "quarter",
    "commit",
    "best_case",
    "weighted",
    "closed",
    "weighted_pipeline",
    "expected_new",
    "p10",
    "p50",
    "p90",
]


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
    ramp_months: int
    risk_coverage: float
    risk_at_quota: float
    age_buckets: list[int]
    calibration_months: int
    calibration_prior: float
    run_rate_quarters: int
    shock_quarters: int
    simulations: int
    seed: int

    @property
    def outcome(self) -> OutcomeSettings:
        """The knobs of the outcome model."""
        return OutcomeSettings(
            calibration_months=self.calibration_months,
            prior=self.calibration_prior,
            run_rate_quarters=self.run_rate_quarters,
            shock_quarters=self.shock_quarters,
            simulations=self.simulations,
            seed=self.seed,
        )


@dataclass
class PipelineAnalysis:
    """The tables and figures of the pipeline notebook (see :func:`analyse`)."""

    period: str
    cutoff: pd.Timestamp
    quarter: tuple[str, pd.Timestamp, pd.Timestamp]
    next_quarter: tuple[str, pd.Timestamp, pd.Timestamp]
    covered_quarter: tuple[str, pd.Timestamp, pd.Timestamp]  # coverage and risk: still to play
    stages: pd.DataFrame
    unknown: pd.DataFrame
    flag_mismatches: pd.DataFrame
    snapshot: pd.DataFrame
    conversion: pd.DataFrame
    conversion_by_cohort: pd.DataFrame
    win_rates: dict[str, pd.DataFrame]
    loss_reasons: pd.DataFrame
    cycles: pd.DataFrame
    cycle: pd.DataFrame
    stage_durations: pd.DataFrame
    stalled: pd.DataFrame
    stalled_summary: pd.DataFrame
    velocity: pd.DataFrame
    drivers: pd.DataFrame
    coverage: pd.DataFrame
    flow: pd.DataFrame
    moves: pd.DataFrame
    slippage: dict
    push_days: pd.Series
    stage_probabilities: pd.DataFrame
    calibration: pd.DataFrame
    brier: dict
    current: QuarterOutcome
    upcoming: QuarterOutcome
    forecast: pd.DataFrame
    backtest: pd.DataFrame
    backtest_summary: pd.DataFrame
    attainment: pd.DataFrame
    attainment_distribution: pd.DataFrame
    attainment_by_team: pd.DataFrame
    attainment_bands: pd.DataFrame
    ramp_groups: pd.DataFrame
    ramp: pd.DataFrame
    risk: pd.DataFrame
    scorecard: pd.DataFrame
    headlines: dict = field(default_factory=dict)
    opportunities: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    states: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    inputs: dict = field(default_factory=dict, repr=False)
    settings: Settings | None = field(default=None, repr=False)
    fiscal_year_start: int = 1
    scorecard_note: str = ""
    quarantined: list[str] = field(default_factory=list)  # sentences: CRM rows quarantined
    assumptions: list[str] = field(default_factory=list)  # what absent inputs force

    @property
    def has_quotas(self) -> bool:
        """Whether the source holds quotas (attainment, coverage and risk need them)."""
        return NO_QUOTAS not in self.assumptions

    @property
    def quota_missing(self) -> str | None:
        """Why the quota charts are not drawn (``None`` when the source holds quotas)."""
        return None if self.has_quotas else "not measured: the source holds no quotas"

    @property
    def teams(self) -> list[str]:
        """Teams owning deals, for pickers."""
        return sorted(self.opportunities["team"].dropna().unique().tolist())

    @property
    def months(self) -> list[str]:
        """The months the velocity trend covers, oldest first."""
        return sorted(self.velocity["month"].unique().tolist())

    @property
    def outcomes(self) -> pd.DataFrame:
        """The current and the next quarter's outcome, one row each (see
        :meth:`compass_nb.pipeline.outcome.QuarterOutcome.summary`)."""
        return pd.DataFrame([self.current.summary(), self.upcoming.summary()])

    @property
    def in_quarter_rates(self) -> pd.DataFrame:
        """Win, slip and won-in-quarter rates by stage behind the current quarter's forecast
        (the next quarter's when the current one is over)."""
        q = self.current if not self.current.is_over else self.upcoming
        if q.rates is None:
            return pd.DataFrame()
        return q.rates.stages.rename(
            columns={"q": "won_in_quarter_rate", "win": "win_rate", "slip": "slip_rate"}
        )

    def pipeline_commit(self) -> pd.DataFrame:
        """The next fiscal quarter's forecast per product family: commit, best case, weighted
        and its parts (the store table ``pipeline_commit`` that demand planning reads)."""
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


def _fiscal_year_start(cutoff: pd.Timestamp, fiscal_year_start: int) -> pd.Timestamp:
    start = quarter_bounds(cutoff, fiscal_year_start)[0]
    while start.month != fiscal_year_start:
        start = quarter_bounds(start - pd.Timedelta(days=1), fiscal_year_start)[0]
    return start


def _backtest_quarters(opps, cutoff, fiscal_year_start, settings: Settings, longest: int) -> list:
    """Past quarters whose earliest forecast has a year of deal-months behind it."""
    first = to_datetime(opps["created_date"]).min()
    earliest = first + pd.DateOffset(months=12 + longest)
    return past_quarters(earliest, cutoff, fiscal_year_start)[-settings.backtest_quarters :]


def _quarter_quota(tables, settings: Settings, start, end) -> float:
    sellers = quota_reps(tables["reps"], settings.quota_roles)
    return float(team_quota(tables["quotas"], sellers, start, end).sum())


def with_optional_inputs(tables: dict[str, pd.DataFrame]) -> tuple[dict, list[str]]:
    """The tables with an empty ``quotas`` / ``credit_splits`` standing in for an absent one,
    and the assumptions their absence forces (:data:`NO_QUOTAS`, :data:`NO_SPLITS`).

    Without credit splits every won deal credits its owner in full
    (:func:`compass_nb.crediting.credited_bookings` on an empty split table); without quotas
    nothing is measured against quota.
    """
    out, assumed = dict(tables), []
    if "quotas" not in out:
        out["quotas"] = pd.DataFrame(
            {
                "rep_id": pd.Series(dtype=object),
                "period": pd.Series(dtype=object),
                "quota": pd.Series(dtype=float),
            }
        )
        assumed.append(NO_QUOTAS)
    if "credit_splits" not in out:
        out["credit_splits"] = no_splits()
        assumed.append(NO_SPLITS)
    return out, assumed


def _calibration(history: outcome.History, stages, cutoff, s: Settings) -> tuple:
    """The stage probability table now, the reliability points and the Brier scores of the
    last ``lookback_months`` month ends."""
    static = static_probabilities(stages)
    final = calibration.outcomes(history.states, cutoff)
    now = calibration.fit_probabilities(
        calibration.training(history.samples, final, cutoff, s.calibration_months),
        s.calibration_prior,
    )
    ends = calibration.month_ends(cutoff - pd.DateOffset(months=s.lookback_months), cutoff)
    sample = calibration.calibration_sample(
        history.samples,
        history.states,
        [e for e in ends if e < cutoff],
        final,
        months=s.calibration_months,
        prior=s.calibration_prior,
        static=static,
    )
    won_share = float(sample["won"].mean()) if len(sample) else float("nan")
    brier = {
        "calibrated": calibration.brier_score(sample["calibrated"], sample["won"]),
        "static": calibration.brier_score(sample["static"], sample["won"])
        if static is not None
        else float("nan"),
        "base_rate": calibration.brier_score(np.full(len(sample), won_share), sample["won"])
        if len(sample)
        else float("nan"),
        "deal_months": int(len(sample)),
        "months": int(sample["as_of"].nunique()) if len(sample) else 0,
    }
    return (
        calibration.stage_probability_table(now, static, stages),
        calibration.reliability(sample),
        brier,
    )


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
        ``opportunities``, ``opportunity_history``, ``reps`` and, when the source holds them,
        ``quotas`` and ``credit_splits``, cut off at the period (an absent one is stated in
        ``assumptions``: see :func:`with_optional_inputs`).
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
    tables, assumed = with_optional_inputs(tables)
    stages = stage_table(s.stages)
    cutoff = month_bounds(period)[1]
    reps = tables["reps"]
    opps = with_team(_with_columns(tables["opportunities"]), reps)
    opps = opps.loc[to_datetime(opps["created_date"]) <= cutoff]
    history = tables["opportunity_history"]
    history = history.loc[
        to_datetime(history["changed_at"]) <= cutoff + pd.Timedelta(days=1) - pd.Timedelta(1)
    ]
    unknown = unknown_stages({"opportunities": opps, "opportunity_history": history}, stages)
    states = timeline(opps, history, stages)
    snapshot = opportunities_at(opps, states, cutoff)
    lookback_start = month_bounds(_months_back(period, s.lookback_months)[0])[0]
    q_label, q_start, q_end = (
        quarter_label(cutoff, fiscal_year_start),
        *quarter_bounds(cutoff, fiscal_year_start),
    )
    n_start, n_end = next_quarter_bounds(cutoff, fiscal_year_start)
    next_q = (quarter_label(n_start, fiscal_year_start), n_start, n_end)

    reach = stage_reach(states, stages)
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

    ends = calibration.month_ends(to_datetime(opps["created_date"]).min(), cutoff)
    samples = calibration.snapshots(
        states, opps.loc[:, ["opportunity_id", "segment", "product_family"]], ends, s.age_buckets
    )
    deal_history = outcome.build_history(samples, states, opps, fiscal_year_start)
    stage_probabilities, reliability_points, brier = _calibration(deal_history, stages, cutoff, s)
    current = outcome.quarter_outcome(
        deal_history, q_end, cutoff, _quarter_quota(tables, s, q_start, q_end), s.outcome
    )
    upcoming = outcome.quarter_outcome(
        deal_history,
        n_end,
        cutoff,
        _quarter_quota(tables, s, n_start, n_end),
        s.outcome,
        seed_offset=1,
    )
    horizons = sorted({3, 2, 1, upcoming.months_to_go}, reverse=True)
    quarters = _backtest_quarters(opps, cutoff, fiscal_year_start, s, max(horizons))
    bt = outcome.backtest(
        deal_history,
        quarters,
        horizons,
        {label: _quarter_quota(tables, s, a, b) for label, a, b in quarters},
        calibration.outcomes(states, cutoff),
        s.outcome,
    )
    forecast = pd.concat(
        [forecast_table(snapshot, stages, current), forecast_table(snapshot, stages, upcoming)],
        ignore_index=True,
    )

    fy_start = _fiscal_year_start(cutoff, fiscal_year_start)
    attained = attainment(
        snapshot,
        tables["credit_splits"],
        tables["quotas"],
        reps,
        fy_start,
        cutoff,
        cutoff,
        roles=s.quota_roles,
        ramp_months=s.ramp_months,
    )
    ramped = attained.loc[~attained["in_ramp"]]
    # coverage (and the teams at risk) look at the quarter still to play: the next one once
    # the current quarter is over at the cut-off
    covered = next_q if current.is_over else (q_label, q_start, q_end)
    cov = coverage(
        snapshot,
        tables["credit_splits"],
        tables["quotas"],
        reps,
        covered[1],
        covered[2],
        roles=s.quota_roles,
    )
    stalled = stalled_deals(snapshot, cutoff, s.stalled_days)
    month_start = month_bounds(period)[0] - pd.Timedelta(days=1)

    result = PipelineAnalysis(
        period=period,
        cutoff=cutoff,
        quarter=(q_label, q_start, q_end),
        next_quarter=next_q,
        covered_quarter=covered,
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
        loss_reasons=loss_reasons(closed),
        cycles=cycles,
        cycle=cycle_summary(cycles),
        stage_durations=stage_duration_summary(
            time_in_stage(states.loc[states["at"] >= lookback_start], cutoff)
        ),
        stalled=stalled,
        stalled_summary=stalled_summary(stalled),
        velocity=velocity,
        drivers=velocity_drivers(velocity, by="team"),
        coverage=cov,
        flow=pipeline_flow(flow_movements(states, month_start, cutoff, q_start, q_end)),
        moves=close_date_moves(states, month_start, cutoff, q_start, q_end),
        slippage=slippage(changes, recent),
        push_days=changes.loc[
            changes["pushed"] & changes["opportunity_id"].isin(recent["opportunity_id"]), "days"
        ],
        stage_probabilities=stage_probabilities,
        calibration=reliability_points,
        brier=brier,
        current=current,
        upcoming=upcoming,
        forecast=forecast,
        backtest=bt,
        backtest_summary=outcome.backtest_summary(bt),
        attainment=attained,
        attainment_distribution=attainment_distribution(ramped, min_group_size=s.min_group_size),
        attainment_by_team=attainment_distribution(
            ramped, by=["team"], min_group_size=s.min_group_size
        ),
        attainment_bands=attainment_bands(ramped, min_group_size=s.min_group_size),
        ramp_groups=ramp_groups(attained, min_group_size=s.min_group_size),
        ramp=ramp(
            snapshot,
            tables["credit_splits"],
            tables["quotas"],
            reps,
            cutoff,
            since=to_datetime(opps["created_date"]).min(),
            roles=s.quota_roles,
            min_group_size=s.min_group_size,
        ),
        risk=teams_at_risk(
            cov,
            attained,
            min_coverage=s.risk_coverage,
            min_at_quota=s.risk_at_quota,
            min_group_size=s.min_group_size,
        ),
        scorecard=scorecard(attained, snapshot, reps, fy_start, cutoff),
    )
    if NO_QUOTAS in assumed:  # nothing is measured against quota: no empty "0 sellers" rows
        result.ramp_groups = result.ramp_groups.iloc[:0]
        result.ramp = result.ramp.iloc[:0]
        result.risk = result.risk.iloc[:0]
    result.assumptions = assumed
    result.opportunities, result.states, result.settings = opps, states, s
    result.inputs = {name: tables[name] for name in ("credit_splits", "quotas", "reps")}
    result.fiscal_year_start = fiscal_year_start
    result.headlines = headlines(result)
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


def _backtest_at(a: PipelineAnalysis, horizon: int) -> dict:
    rows = a.backtest_summary.loc[a.backtest_summary["horizon"] == horizon]
    if rows.empty:
        return {"forecasts": 0, "coverage": float("nan"), "p50_mape": float("nan")}
    return rows.iloc[0].to_dict()


def headlines(a: PipelineAnalysis) -> dict:
    """The headline figures: the current and next quarter's P10 / P50 / P90 and chance of
    quota, the Brier scores, the backtest's coverage and P50 error, win rate, cycle,
    velocity, coverage, attainment of ramped sellers and the teams at risk."""
    company = a.velocity.loc[
        (a.velocity["team"] == "All teams") & (a.velocity["month"] == a.period)
    ]
    total = a.coverage.loc[a.coverage["team"] == "All teams", "coverage"]
    dist = a.attainment_distribution
    overall = _backtest_at(a, "all")
    here = _backtest_at(a, a.current.months_to_go) if not a.current.is_over else {}
    commit = a.pipeline_commit()
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
        "in_ramp": int(a.attainment["in_ramp"].sum()),
        **{f"current_{k}": v for k, v in a.current.summary().items() if k != "as_of"},
        **{f"next_{k}": v for k, v in a.upcoming.summary().items() if k != "as_of"},
        "brier_calibrated": a.brier["calibrated"],
        "brier_static": a.brier["static"],
        "backtest_forecasts": int(overall["forecasts"]),
        "backtest_coverage": float(overall["coverage"]),
        "backtest_p50_mape": float(overall["p50_mape"]),
        "backtest_coverage_here": float(here.get("coverage", float("nan"))),
        "backtest_forecasts_here": int(here.get("forecasts", 0)),
        "backtest_p50_mape_here": float(here.get("p50_mape", float("nan"))),
        "next_quarter_weighted": float(commit["weighted"].sum()),
        "next_quarter_commit": float(commit["commit"].sum()),
        "teams_at_risk": a.risk.loc[a.risk["at_risk"], "team"].tolist(),
        "risk_judged": a.has_quotas,
    }


def _share(value: float) -> str:
    return pct(value, digits=0)


def _attainment_line(a: PipelineAnalysis) -> str:
    h, n = a.headlines, a.settings.min_group_size
    ramp_note = (
        f"; {h['in_ramp']} {'seller is' if h['in_ramp'] == 1 else 'sellers are'} still in "
        f"ramp (first {a.settings.ramp_months} months) and shown apart"
        if h["in_ramp"]
        else ""
    )
    if not a.has_quotas:
        return "Attainment not measured: the source holds no quotas."
    if pd.isna(h["attainment_median"]):
        return (
            f"Attainment not shown: fewer than {n} ramped sellers carry a quota this fiscal "
            f"year{ramp_note}."
        )
    return (
        f"Median attainment of ramped sellers {_share(h['attainment_median'])} of quota, fiscal "
        f"year to date; {_share(h['at_or_above_quota'])} of them at or above quota{ramp_note}."
    )


def _quarter_line(q: QuarterOutcome, currency: str, backtest: dict, has_quotas: bool) -> str:
    if q.is_over:
        of = f" against a quota of {money(q.quota, currency)}" if q.quota > 0 else ""
        return (
            f"{q.quarter} is over: {money(q.actual, currency)} booked{of} (actual, not a forecast)."
        )
    lead = q.months_to_go - 3
    if lead > 0:
        when = f"{lead} {'month' if lead == 1 else 'months'} before it starts"
    else:
        when = f"{q.months_to_go} {'month' if q.months_to_go == 1 else 'months'} to go"
    text = (
        f"{q.quarter} bookings, seen from {q.as_of:%Y-%m-%d} ({when}): P50 "
        f"{money(q.percentile(50), currency)} (P10 {money(q.percentile(10), currency)} – P90 "
        f"{money(q.percentile(90), currency)})"
    )
    if q.quota > 0:
        text += f"; {_share(q.p_quota)} chance of reaching the quota of {money(q.quota, currency)}"
    elif has_quotas:
        text += "; no quota for it in the quotas table, so no chance of quota is given"
    else:
        text += "; no quotas in the source, so no chance of quota is given"
    text += (
        f". {money(q.closed, currency)} won so far, {money(q.weighted_pipeline - q.closed, currency)} "
        f"expected from open deals due in it, {money(q.expected_new, currency)} from new business "
        "at the run rate."
    )
    if backtest.get("forecasts"):
        inside = round(backtest["coverage"] * backtest["forecasts"])
        text += (
            f" Backtest at this horizon: {inside} of {backtest['forecasts']} past quarters closed "
            f"inside P10–P90, P50 off by {_share(backtest['p50_mape'])} on average."
        )
    else:
        text += " Not enough history to backtest this horizon."
    return text


def _risk_line(a: PipelineAnalysis) -> str:
    s, risk = a.settings, a.risk
    if not a.has_quotas:
        return (
            f"Teams at risk not judged in {a.covered_quarter[0]}: coverage and the share of "
            "sellers at quota both need quotas, and the source holds none."
        )
    flagged = risk.loc[risk["at_risk"]]
    parts = []
    for row in flagged.itertuples():
        why = []
        if row.low_coverage:
            why.append(f"coverage {row.coverage:.2f}× < {s.risk_coverage:g}×")
        if row.few_at_quota:
            why.append(
                f"{_share(row.share_at_quota)} of {row.ramped_sellers} ramped sellers at quota "
                f"< {_share(s.risk_at_quota)}"
            )
        parts.append(f"{row.team} ({'; '.join(why)})")
    unjudged = int((risk["ramped_sellers"] < s.min_group_size).sum())
    tail = (
        f" Share at quota not judged for {unjudged} "
        f"{'team' if unjudged == 1 else 'teams'} of fewer than {s.min_group_size} ramped sellers."
        if unjudged
        else ""
    )
    if parts:
        return f"Teams at risk in {a.covered_quarter[0]}: " + ", ".join(parts) + "." + tail
    return (
        f"No team at risk: every team's coverage is at least {s.risk_coverage:g}× (or its quota "
        f"is met) and at least {_share(s.risk_at_quota)} of its ramped sellers are at quota." + tail
    )


def _calibration_line(a: PipelineAnalysis) -> str:
    b = a.brier
    if not b["deal_months"]:
        return "Stage probabilities not checked: no deal open in the last months has closed yet."
    text = (
        f"Calibrated stage probabilities (stage × days in stage × segment) score a Brier of "
        f"{b['calibrated']:.3f} on {b['deal_months']:,} deal-months of the last {b['months']} "
        "month ends whose outcome is known"
    )
    if pd.notna(b["static"]):
        text += f"; the CRM's static stage probabilities score {b['static']:.3f}"
    return text + f" (lower is better; a constant win rate scores {b['base_rate']:.3f})."


#: How each step of the pipeline flow reads in a sentence; created, won and lost are
#: always named, the other steps only when they moved money.
_FLOW_WORDS = {
    "created": "created",
    "pulled_in": "pulled in",
    "amount_change": "in amount changes",
    "won": "won",
    "lost": "lost",
    "pushed_out": "pushed out",
}


def flow_terms(flow: pd.Series, currency: str = "EUR") -> str:
    """The steps between the start and the end of the pipeline flow (step → signed value),
    so that the sentence adds up: ``9.67 M EUR created, +190 k EUR in amount changes,
    3.52 M EUR won, 4.36 M EUR lost``."""
    terms = []
    for step, words in _FLOW_WORDS.items():
        value = float(flow.get(step, 0.0))
        if step in ("created", "won", "lost") or round(value) != 0:
            shown = (
                money(value, currency, signed=True)
                if step == "amount_change"
                else money(abs(value), currency)
            )
            terms.append(f"{shown} {words}")
    return ", ".join(terms)


def summary_lines(a: PipelineAnalysis, currency: str = "EUR") -> list[str]:
    """The notebook's summary sentences, headline figures first."""
    h = a.headlines
    here = _backtest_at(a, a.current.months_to_go) if not a.current.is_over else {}
    ahead = _backtest_at(a, a.upcoming.months_to_go)
    lines = [
        _quarter_line(a.current, currency, here, a.has_quotas),
        _quarter_line(a.upcoming, currency, ahead, a.has_quotas),
        _risk_line(a),
        _calibration_line(a),
        f"Win rate {_share(h['win_rate'])} of deals closed in the last {a.settings.lookback_months} months; "
        f"median sales cycle {h['cycle_days']:.0f} days from created to won.",
        f"Sales velocity {money(h['velocity'], currency)} per day in {a.period} (open deals × win rate × "
        "average deal ÷ cycle length).",
        coverage_line(a, currency),
        _attainment_line(a),
    ]
    flow = a.flow.set_index("step")["value"]
    moves = a.moves.set_index("move")
    pushed = int(moves.loc["pushed out of the window", "deals"])
    within = int(moves.loc["pushed later within the window", "deals"])
    pulled = int(moves.loc["pulled into the window", "deals"])
    lines.append(
        f"{a.quarter[0]} pipeline in {a.period}: {money(flow['start'], currency)} → {money(flow['end'], currency)} "
        f"({flow_terms(flow, currency)}); {pushed} {'deal' if pushed == 1 else 'deals'} pushed "
        f"out of the quarter, {within} pushed later within it, {pulled} pulled in."
    )
    if not a.loss_reasons.empty:
        lines.append(loss_note(a))
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
    return lines + a.quarantined + assumed_lines(a.assumptions)


def coverage_line(a: PipelineAnalysis, currency: str = "EUR") -> str:
    """The company's coverage of the quarter still to play, or why it is not measured."""
    quarter = a.covered_quarter[0]
    total = a.coverage.loc[a.coverage["team"] == "All teams"].iloc[0]
    if not a.has_quotas:
        return f"Coverage of {quarter} not measured: the source holds no quotas."
    if total["quota"] <= 0:
        return f"Coverage of {quarter} not measured: no quota for it in the quotas table."
    if pd.isna(total["coverage"]):
        return (
            f"Quota of {quarter} already met: {money(total['closed_won'], currency)} credited "
            f"against a quota of {money(total['quota'], currency)}."
        )
    return f"Coverage of {quarter}: {total['coverage']:.1f}× the quota still to close."


def quota_note(a: PipelineAnalysis) -> str:
    """What a quota-based table shows when it is empty: why nothing is measured."""
    if not a.has_quotas:
        return "Not measured: the source holds no quotas."
    return f"No group of at least {a.settings.min_group_size} sellers to show."


def backtest_note(a: PipelineAnalysis) -> str:
    """The closing note of the forecast: how often the P10–P90 band held what closed."""
    overall = _backtest_at(a, "all")
    if not overall["forecasts"]:
        return "Not enough history yet to backtest the bookings forecast (about two years of deals are needed)."
    quarters = a.backtest["quarter"].nunique()
    return (
        f"Backtest over {quarters} past quarters at {a.backtest['horizon'].nunique()} horizons "
        f"({overall['forecasts']} forecasts, each from what was known then): "
        f"{_share(overall['coverage'])} of actuals fell inside P10–P90 (80 % is the target of an "
        f"honest band), and P50 missed what closed by {_share(overall['p50_mape'])} on average "
        f"(bias {overall['p50_bias']:+.0%})."
    )


def horizon_label(h: int) -> str:
    """A backtest horizon in words: months before the quarter's end the forecast is made."""
    if h == 3:
        return "month 1 (made on the eve of the quarter)"
    if h in (1, 2):
        return f"month {4 - h} (made after {3 - h} {'month' if 3 - h == 1 else 'months'} of it)"
    return f"{h - 3} months before the quarter starts"


def backtest_table(a: PipelineAnalysis) -> pd.DataFrame:
    """The backtest summary with its horizons in words."""
    out = a.backtest_summary.copy()
    out.insert(
        0,
        "forecast_used_in",
        [horizon_label(h) if h != "all" else "all horizons" for h in out["horizon"]],
    )
    return out.drop(columns="horizon")


def stalled_table(a: PipelineAnalysis) -> pd.DataFrame:
    """Stalled deals for a shareable table: by team and stage (no deal, account or seller)."""
    return a.stalled_summary


def loss_note(a: PipelineAnalysis) -> str:
    """What the loss-reason section says when there is nothing to show."""
    if "loss_reason" not in a.opportunities:
        return "The CRM export has no loss_reason column: loss reasons not measured."
    if a.loss_reasons.empty:
        return (
            f"No deal lost in the last {a.settings.lookback_months} months carries a loss reason."
        )
    top = a.loss_reasons.iloc[0]
    return (
        f"{top['loss_reason']} is the most frequent reason: {_share(top['share_of_lost'])} of lost "
        f"deals and {_share(top['share_of_lost_amount'])} of the lost amount."
    )


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


def write_scorecard(a: PipelineAnalysis, audience: str, private_dir=None) -> str:
    """Write the named scorecard and the stalled deals with their owners, only when the
    audience is the sales team, and only into the private folder (``private_dir(name)`` gives
    it; None writes nothing, as outside a run); returns the sentence to show."""
    if audience != "team":
        return (
            "Audience is executive: no named scorecard and no list of stalled deals by owner "
            "(run with audience: team to write them to the private folder)."
        )
    stalled = stalled_with_owner(a.stalled, a.inputs["reps"])
    files = {"stalled_deals": stalled}
    if a.has_quotas:
        files = {"pipeline_scorecard": a.scorecard, **files}
    if private_dir is not None:
        folder = private_dir("scorecards")
        for name, frame in files.items():
            write_csv(frame, folder / f"{name}.csv")
            html = frame.to_html(index=False, escape=True)
            (folder / f"{name}.html").write_text(html, encoding="utf-8")
    if not a.has_quotas:
        return (
            "No named scorecard (it ranks sellers by attainment, and the source holds no "
            f"quotas); {len(stalled)} stalled deals with their owners written to the private "
            "folder."
        )
    return (
        f"Named scorecard of {len(a.scorecard)} sellers and {len(stalled)} stalled deals with "
        "their owners written to the private folder."
    )
