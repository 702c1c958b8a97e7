"""Everything the incentives notebook shows, for every contest, as of a cycle's cut-off.

A contest is **planned** (its window starts after the cut-off: the simulator only),
**running** (standings so far), **ended** (standings final, payouts written as SPIF
awards, the lift not yet measurable because the post window has not passed) or
**measured** (the lift, its verdict and the gaming signals too).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from compass_nb.formatting import money, units
from compass_nb.incentives import gaming, leaderboard, lift, measures, sellers, simulator
from compass_nb.incentives.contests import Contest, load_contests
from compass_nb.incentives.settings import IncentivesSettings

AWARD_COLUMNS = ["rep_id", "pay_period", "spif_id", "amount", "rule", "source"]
LIFT_COLUMNS = [
    "contest_id",
    "metric",
    "status",
    "eligible",
    "comparison",
    "gross",
    "post",
    "net",
    "cannibalisation",
    "lift",
    "low",
    "high",
    "cost",
    "cost_per_unit",
    "verdict",
]


@dataclasses.dataclass
class ContestReview:
    """One contest as of the cut-off (named parts are for the private folder only)."""

    contest: Contest
    status: str
    standings: pd.DataFrame  # named: private
    distribution: pd.DataFrame | None  # shareable (≥ min_group_size sellers) or None
    groups: pd.DataFrame  # shareable team groups of ≥ min_group_size
    designs: dict[str, simulator.Design]
    design_table: pd.DataFrame  # structures side by side (no names)
    awards: pd.DataFrame
    cost: float
    lift: lift.Lift | None
    not_measured: str | None  # why the lift is not measured
    value_per_unit: float | None
    cost_per_unit: float | None
    verdict: str | None
    signals: pd.DataFrame
    sentences: list[str]


@dataclasses.dataclass
class IncentivesReview:
    """The incentives notebook's result."""

    period: str
    currency: str
    contests: list[ContestReview]
    awards: pd.DataFrame
    lifts: pd.DataFrame

    def review(self, contest_id: str) -> ContestReview:
        return next(r for r in self.contests if r.contest.contest_id == contest_id)


def status(contest: Contest, cutoff: pd.Timestamp, post_months: int) -> str:
    """``planned``, ``running``, ``ended`` or ``measured`` as of ``cutoff``."""
    if pd.Timestamp(contest.start) > cutoff:
        return "planned"
    if pd.Timestamp(contest.end) > cutoff:
        return "running"
    post_end = pd.Timestamp(contest.end) + pd.DateOffset(months=post_months)
    return "measured" if post_end <= cutoff else "ended"


def analyse(
    tables: dict[str, pd.DataFrame],
    period: str,
    *,
    settings: IncentivesSettings,
    contests_dir,
    currency: str,
) -> IncentivesReview:
    """Review every contest of ``contests_dir`` with the tables as of ``period``'s cut-off."""
    cutoff = pd.Period(period, "M").end_time.normalize()
    reviews = [
        review_contest(c, tables, cutoff, settings=settings, currency=currency)
        for c in load_contests(contests_dir)
    ]
    frames = [r.awards for r in reviews if not r.awards.empty]
    awards = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=AWARD_COLUMNS)
    return IncentivesReview(period, currency, reviews, awards, lift_table(reviews))


def review_contest(contest, tables, cutoff, *, settings, currency) -> ContestReview:
    """One contest's standings, design, payouts, lift and gaming signals as of ``cutoff``."""
    s = settings
    state = status(contest, cutoff, s.pull_forward_months)
    reps = tables["reps"]
    own = measures.events(contest, tables)
    own = own.loc[own["date"] <= cutoff]
    who = sellers.eligible(contest, reps)
    factors = sellers.handicap_factors(
        contest,
        who,
        quotas=tables["quotas"],
        events=own,
        history_months=s.history_months,
        floor=s.handicap_floor,
    )
    so_far = min(pd.Timestamp(contest.end), cutoff)
    values = measures.totals(own, who["rep_id"], contest.start, so_far)
    board = leaderboard.standings(contest, who, values, factors)
    final = state in ("ended", "measured")
    awards = leaderboard.awards(contest, board) if final else pd.DataFrame(columns=AWARD_COLUMNS)
    designs = _designs(contest, who, own, factors, s)
    review = ContestReview(
        contest=contest,
        status=state,
        standings=board,
        distribution=leaderboard.shareable_distribution(board, s.min_group_size),
        groups=leaderboard.team_groups(board, s.min_group_size),
        designs=designs,
        design_table=simulator.summary(designs, currency) if designs else pd.DataFrame(),
        awards=awards,
        cost=float(awards["amount"].sum()) if final else float("nan"),
        lift=None,
        not_measured=None,
        value_per_unit=None,
        cost_per_unit=None,
        verdict=None,
        signals=pd.DataFrame(columns=gaming.SIGNAL_COLUMNS),
        sentences=[],
    )
    if state == "measured":
        _measure(review, tables, own, who, s)
    else:
        review.not_measured = {
            "planned": "the contest has not started",
            "running": "the contest is still running",
            "ended": f"the {s.pull_forward_months}-month post window (pull-forward) has not "
            "passed yet",
        }[state]
    review.sentences = _sentences(review, s, currency)
    return review


def _designs(contest, who, own, factors, s) -> dict:
    """The simulator's structures side by side, from the history before the window."""
    if who.empty:
        return {}
    days = (contest.end - contest.start).days + 1
    first = pd.Timestamp(contest.start) - pd.DateOffset(months=s.history_months)
    hired = pd.Series(pd.to_datetime(who["hire_date"]).to_numpy(), index=who["rep_id"])
    outcomes = simulator.window_totals(
        own,
        who["rep_id"],
        start=first,
        end=pd.Timestamp(contest.start) - pd.Timedelta(days=1),
        days=days,
        step_days=s.step_days,
        hired=hired,
    )
    return simulator.compare(
        contest,
        who,
        outcomes,
        sellers.as_array(factors, who["rep_id"]),
        simulations=s.simulations,
        seed=s.seed,
        motivated_probability=s.motivated_probability,
        top_k=s.compare_top_k,
    )


def _measure(review: ContestReview, tables, own, who, s) -> None:
    """The lift, its verdict and the gaming signals of an ended contest (in place)."""
    c = review.contest
    periods = lift.Periods.around(c.start, c.end, s.pre_months, s.pull_forward_months)
    span = (periods.pre[0], periods.post[1])
    reps = tables["reps"]
    stayed = set(sellers.employed(reps, *span)["rep_id"].astype(str))
    treated = [r for r in who["rep_id"] if r in stayed]
    control = list(sellers.comparison(c, reps, *span)["rep_id"])
    review.signals = _signals(c, own, treated, control, periods, s)
    small = min(len(treated), len(control))
    if not control:
        review.not_measured = (
            "no comparison team: no seller of the eligible sellers' roles was outside the "
            "contest throughout the pre-period, window and post window (a synthetic control "
            "needs several such teams; it is not estimated)"
        )
        return
    if small < s.min_group_size:
        review.not_measured = (
            f"fewer than {s.min_group_size} sellers in a group ({len(treated)} eligible, "
            f"{len(control)} comparison) employed throughout"
        )
        return
    others = None
    if c.family is not None:
        others = measures.events(c, tables, own_family=False)
    measured = lift.difference_in_differences(
        own,
        treated,
        control,
        periods,
        others=others,
        bootstrap=s.bootstrap,
        seed=s.seed,
        confidence=s.confidence,
    )
    review.lift = measured
    review.value_per_unit = _value_per_unit(c, own, treated, periods, s.margin_rate)
    review.verdict = lift.verdict(measured, review.cost, review.value_per_unit)
    if measured.low > 0:
        review.cost_per_unit = review.cost / measured.total


def _value_per_unit(c: Contest, own, treated, periods, margin_rate: float) -> float | None:
    """What an incremental unit is worth in margin: ``margin_rate`` of a currency unit of
    bookings; of the eligible sellers' mean deal amount in the pre-period for a count of
    deals; ``None`` for meetings and activities (no money value)."""
    if c.is_money:
        return margin_rate
    if c.metric in ("qualified_meetings", "activities"):
        return None
    pre = own.loc[own["rep_id"].isin(treated) & own["date"].between(*periods.pre)]
    return float(pre["amount"].mean()) * margin_rate if len(pre) else None


def _signals(c: Contest, own, treated, control, periods, s) -> pd.DataFrame:
    if c.metric in ("qualified_meetings", "activities"):
        return pd.DataFrame(columns=gaming.SIGNAL_COLUMNS)
    rows = [
        gaming.end_clustering(
            own,
            treated,
            control,
            periods,
            end_days=s.end_days,
            alpha=s.signal_alpha,
            min_cases=s.signal_min_cases,
        ),
        gaming.splitting(
            own, treated, periods, split_days=s.split_days, min_cases=s.signal_min_cases
        ),
        gaming.cancellations(
            own, treated, periods, cancel_days=s.cancel_days, min_cases=s.signal_min_cases
        ),
    ]
    return pd.DataFrame(rows, columns=gaming.SIGNAL_COLUMNS)


def _amount(value: float, c: Contest, currency: str) -> str:
    return money(value, currency) if c.is_money else f"{units(value)} {c.unit}"


def _sentences(r: ContestReview, s, currency: str) -> list[str]:
    """The contest's summary, each sentence only where its premise holds."""
    c = r.contest
    n = len(r.standings)
    out = [
        f"{c.name} ({c.structure.replace('_', ' ')}, {c.unit}, {c.start} to {c.end}): "
        f"{n} eligible sellers; status {r.status}."
    ]
    if r.status in ("ended", "measured"):
        paid = int((r.awards["amount"] > 0).sum()) if not r.awards.empty else 0
        out.append(
            f"It paid {money(r.cost, currency)} to {paid} sellers in {c.pay_period}, as SPIF "
            "lines of compensation."
        )
    if r.lift is not None:
        m = r.lift
        pct = int(round(m.confidence * 100))
        out.append(
            f"Lift net of pull-forward: {_amount(m.total, c, currency)} "
            f"({pct} % interval {_amount(m.low, c, currency)} to {_amount(m.high, c, currency)}), "
            f"against {m.comparison} comparison sellers; gross in the window "
            f"{_amount(m.gross, c, currency)}, post-window change {_amount(m.post, c, currency)}."
        )
        out.append(f"Verdict: {r.verdict}.")
        if r.cost_per_unit is not None:
            out.append(
                f"Cost per incremental {c.unit.rstrip('s') if not c.is_money else 'unit of bookings'}: "
                f"{money(r.cost_per_unit, currency) if not c.is_money else f'{r.cost_per_unit:.3f}'}."
            )
    else:
        out.append(f"Lift not measured: {r.not_measured}.")
    flagged = r.signals.loc[r.signals["flag"].astype(bool), "signal"].tolist()
    if flagged:
        out.append(f"Gaming signals raised: {', '.join(flagged)}.")
    elif not r.signals.empty:
        out.append("No gaming signal raised.")
    return out


def lift_table(reviews: list[ContestReview]) -> pd.DataFrame:
    """One row per contest: its lift, interval, cost and verdict (the store's
    ``contest_lift``); lift columns are NaN where not measured."""
    rows = []
    for r in reviews:
        m = r.lift
        rows.append(
            {
                "contest_id": r.contest.contest_id,
                "metric": r.contest.unit,
                "status": r.status,
                "eligible": m.eligible if m else len(r.standings),
                "comparison": m.comparison if m else 0,
                "gross": m.gross if m else np.nan,
                "post": m.post if m else np.nan,
                "net": m.net if m else np.nan,
                "cannibalisation": m.cannibalisation
                if m and m.cannibalisation is not None
                else np.nan,
                "lift": m.total if m else np.nan,
                "low": m.low if m else np.nan,
                "high": m.high if m else np.nan,
                "cost": r.cost,
                "cost_per_unit": r.cost_per_unit if r.cost_per_unit is not None else np.nan,
                "verdict": r.verdict or f"not measured: {r.not_measured}",
            }
        )
    return pd.DataFrame(rows, columns=LIFT_COLUMNS)
