"""Everything the incentives notebook shows, for every contest, as of a cycle's cut-off.

A contest is **planned** (its window starts after the cut-off: the simulator only),
**running** (standings so far), **ended** (standings final, payouts written as SPIF
awards, the lift not yet measurable because the post window has not passed) or
**measured** (the lift, its verdict and the gaming signals too).
"""

from __future__ import annotations

import dataclasses
from pathlib import PurePath

import numpy as np
import pandas as pd

from compass_nb.calendar import to_datetime
from compass_nb.crediting import NO_SPLITS, no_splits
from compass_nb.formatting import assumed_lines, money, units
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
    "sellers_paid",
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
    sellers_paid: int = 0
    trend: pd.DataFrame | None = None  # month, group, per_seller (groups of ≥ min size)

    def shown_cost(self, min_group_size: int) -> float | None:
        """The contest's cost for the shareable pack: ``None`` when fewer than
        ``min_group_size`` sellers were paid (the total would show their prizes)."""
        if self.status not in ("ended", "measured") or self.sellers_paid < min_group_size:
            return None
        return self.cost


@dataclasses.dataclass
class IncentivesReview:
    """The incentives notebook's result."""

    period: str
    currency: str
    contests: list[ContestReview]
    awards: pd.DataFrame
    lifts: pd.DataFrame
    assumptions: list[str] = dataclasses.field(default_factory=list)  # absent optional inputs

    def review(self, contest_id: str) -> ContestReview:
        """The review of one contest."""
        return next(r for r in self.contests if r.contest.contest_id == contest_id)

    def summary(self) -> list[str]:
        """Every contest's sentences, or why there is nothing to review; what an absent
        optional input forces comes last (``Assumed: …``)."""
        if not self.contests and not self.assumptions:
            return [
                "No contest is defined (add files to the contests folder, see docs/incentives.md)."
            ]
        return [line for r in self.contests for line in r.sentences] + assumed_lines(
            self.assumptions
        )

    def designs(self) -> pd.DataFrame:
        """The simulator's structures side by side, every contest (no names)."""
        frames = [
            r.design_table.assign(contest=r.contest.name)
            for r in self.contests
            if not r.design_table.empty
        ]
        if not frames:
            return pd.DataFrame()
        out = pd.concat(frames, ignore_index=True)
        return out.loc[:, ["contest", *[c for c in out.columns if c != "contest"]]]

    def lift_view(self) -> pd.DataFrame:
        """The lift table as shown: the net lift before cannibalisation and the
        cannibalisation only when some contest measured it."""
        view = self.lifts
        if view["cannibalisation"].isna().all():
            view = view.drop(columns=["net", "cannibalisation"])
        return view

    def signals(self) -> pd.DataFrame:
        """The gaming signals of every measured contest."""
        frames = [
            r.signals.assign(contest_name=r.contest.name)
            for r in self.contests
            if not r.signals.empty
        ]
        if not frames:
            return pd.DataFrame(columns=["contest_name", *gaming.SIGNAL_COLUMNS])
        out = pd.concat(frames, ignore_index=True)
        return out.loc[:, ["contest_name", *gaming.SIGNAL_COLUMNS]].rename(
            columns={"contest_name": "contest", "contest": "in_contest"}
        )

    def groups(self) -> pd.DataFrame:
        """Standings by team group of at least the minimum size, every contest."""
        frames = [
            r.groups.assign(contest=r.contest.name) for r in self.contests if not r.groups.empty
        ]
        if not frames:
            return pd.DataFrame(columns=["contest", "team"])
        out = pd.concat(frames, ignore_index=True)
        return out.loc[:, ["contest", *[c for c in out.columns if c != "contest"]]]


#: Metrics counted from the ``activities`` table (a contest on one needs it).
ACTIVITY_METRICS = ("qualified_meetings", "activities")


def status(contest: Contest, cutoff: pd.Timestamp, post_months: int) -> str:
    """``planned``, ``running``, ``ended`` or ``measured`` as of ``cutoff``."""
    if pd.Timestamp(contest.start) > cutoff:
        return "planned"
    if pd.Timestamp(contest.end) > cutoff:
        return "running"
    post_end = lift.Periods.around(contest.start, contest.end, 0, post_months).post[1]
    return "measured" if post_end <= cutoff else "ended"


def analyse(
    tables: dict[str, pd.DataFrame],
    period: str,
    *,
    settings: IncentivesSettings,
    contests_dir,
    currency: str,
) -> IncentivesReview:
    """Review every contest of ``contests_dir`` with the tables as of ``period``'s cut-off.

    ``credit_splits``, ``quotas`` and ``activities`` are optional: without splits a won deal
    credits its owner in full; without quotas a contest handicapped by quota, without
    activities a contest on meetings or activities, cannot be scored and is left out; each
    is stated in ``assumptions``.
    """
    cutoff = pd.Period(period, "M").end_time.normalize()
    tables, assumed = dict(tables), []
    contests = load_contests(contests_dir)
    if "quotas" not in tables:
        left_out = [c for c in contests if c.handicap == "quota"]
        contests = [c for c in contests if c.handicap != "quota"]
        assumed += [
            f"no quotas: contest {c.name} (handicap by quota) is not reviewed; give it "
            f"handicap: history or none in its file ({PurePath(c.source).name}) to review it "
            "without quotas"
            for c in left_out
        ]
    if "activities" not in tables:
        left_out = [c for c in contests if c.metric in ACTIVITY_METRICS]
        contests = [c for c in contests if c.metric not in ACTIVITY_METRICS]
        assumed += [
            f"no activities: contest {c.name} (metric {c.metric.replace('_', ' ')}) is not "
            "reviewed; add the activities table to review it"
            for c in left_out
        ]
    if "credit_splits" not in tables:
        tables["credit_splits"] = no_splits()
        if any(c.metric == "bookings" for c in contests):  # only bookings are split
            assumed.append(NO_SPLITS)
    reviews = [
        review_contest(c, tables, cutoff, settings=settings, currency=currency) for c in contests
    ]
    frames = [r.awards for r in reviews if not r.awards.empty]
    awards = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=AWARD_COLUMNS)
    return IncentivesReview(
        period, currency, reviews, awards, lift_table(reviews, settings.min_group_size), assumed
    )


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
        quotas=tables.get("quotas"),  # None: no quotas (no contest handicapped by quota)
        events=own,
        history_months=s.history_months,
        floor=s.handicap_floor,
    )
    so_far = min(pd.Timestamp(contest.end), cutoff)
    values = measures.totals(own, who["rep_id"], contest.start, so_far)
    board = leaderboard.standings(contest, who, values, factors)
    final = state in ("ended", "measured")
    awards = leaderboard.awards(contest, board) if final else pd.DataFrame(columns=AWARD_COLUMNS)
    # a design of fewer sellers than the minimum would show their chances and costs
    designs = _designs(contest, who, own, factors, s) if len(who) >= s.min_group_size else {}
    review = ContestReview(
        contest=contest,
        status=state,
        standings=board,
        distribution=leaderboard.shareable_distribution(board, s.min_group_size),
        groups=leaderboard.team_groups(board, s.min_group_size),
        designs=designs,
        design_table=simulator.summary(designs) if designs else pd.DataFrame(),
        awards=awards,
        cost=float(awards["amount"].sum()) if final else float("nan"),
        lift=None,
        not_measured=None,
        value_per_unit=None,
        cost_per_unit=None,
        verdict=None,
        signals=pd.DataFrame(columns=gaming.SIGNAL_COLUMNS),
        sentences=[],
        sellers_paid=int((awards["amount"] > 0).sum()) if final else 0,
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
    hired = pd.Series(to_datetime(who["hire_date"]).to_numpy(), index=who["rep_id"])
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
    review.trend = _trend(own, treated, control, periods, s.min_group_size)
    if not control:
        named = ", ".join(c.comparison)
        who_not = (
            f"the comparison teams ({named}) have no seller"
            if c.comparison
            else "no seller of the eligible sellers' roles was outside the contest"
        )
        review.not_measured = (
            f"no comparison team: {who_not} employed throughout the pre-period, window and "
            "post window (a synthetic control needs several such teams to weigh; it is not "
            "estimated)"
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
    if n == 0:
        named = ", ".join((*c.teams, *c.sellers))
        out.append(
            f"None of its eligible teams or sellers ({named}) had a seller employed in the "
            f"window: check `eligible` in {c.source}."
        )
        return out
    if r.status in ("ended", "measured"):
        cost = r.shown_cost(s.min_group_size)
        paid = r.sellers_paid
        if cost is not None:
            out.append(
                f"It paid {money(cost, currency)} to {paid} sellers in {c.pay_period}, as "
                "SPIF lines of compensation."
            )
        else:
            out.append(
                f"It paid {'no seller' if paid == 0 else f'fewer than {s.min_group_size} sellers'}"
                f" in {c.pay_period} (as SPIF lines of compensation); the amounts are in the "
                "private folder."
            )
    if r.lift is not None:
        m = r.lift
        pct = int(round(m.confidence * 100))
        out.append(
            f"Lift net of pull-forward: {_amount(m.total, c, currency)} "
            f"({pct} % interval {_amount(m.low, c, currency)} to {_amount(m.high, c, currency)}), "
            f"{m.eligible} eligible against {m.comparison} comparison sellers employed "
            "throughout; gross in the window "
            f"{_amount(m.gross, c, currency)}, post-window change {_amount(m.post, c, currency)}."
        )
        out.append(f"Verdict: {r.verdict}.")
        if r.cost_per_unit is not None and r.shown_cost(s.min_group_size) is not None:
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


def _trend(own, treated, control, periods, min_group_size: int) -> pd.DataFrame | None:
    """The metric per seller per month, eligible and comparison sellers, from the
    pre-period to the post window; a group of fewer than ``min_group_size`` is left out."""
    months = pd.period_range(periods.pre[0], periods.post[1], freq="M")
    rows = []
    for group, ids in (("eligible", treated), ("comparison", control)):
        if len(ids) < min_group_size:
            continue
        per_seller = measures.monthly(own, ids, months).mean(axis=0)
        rows.append(
            pd.DataFrame(
                {
                    "month": months.to_timestamp(),
                    "group": group,
                    "per_seller": per_seller.to_numpy(),
                }
            )
        )
    return pd.concat(rows, ignore_index=True) if rows else None


def lift_table(reviews: list[ContestReview], min_group_size: int) -> pd.DataFrame:
    """One row per contest: its lift, interval, cost and verdict (the store's
    ``contest_lift``, shown in the pack); lift columns are NaN where not measured, the cost
    and the cost per unit where fewer than ``min_group_size`` sellers were paid."""
    rows = []
    for r in reviews:
        m = r.lift
        shown = r.shown_cost(min_group_size)
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
                "sellers_paid": r.sellers_paid,
                "cost": shown if shown is not None else np.nan,
                "cost_per_unit": r.cost_per_unit
                if r.cost_per_unit is not None and shown is not None
                else np.nan,
                "verdict": r.verdict or "not measured (the summary says why)",
            }
        )
    return pd.DataFrame(rows, columns=LIFT_COLUMNS)
