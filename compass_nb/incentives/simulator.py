"""The design simulator: before launch, who can win, how many have a real chance, what it costs.

Each eligible seller's result over the contest window is drawn from their own history: the
totals of every past window of the same length (starting every ``step_days`` over the
``history_months`` before the contest) are that seller's possible outcomes, and each draw
picks one at random, independently across sellers (a seller with no complete past window
draws from the pooled windows of all eligible sellers). Each draw is paid through the
structure (:func:`compass_nb.incentives.structures.payout_matrix`), so the probabilities
and the cost distribution come from the same payouts the contest would make.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from compass_nb.incentives.contests import Contest
from compass_nb.incentives.structures import alternatives, max_payout, payout_matrix


@dataclasses.dataclass
class Design:
    """A simulated structure: per seller, and its cost."""

    structure: str
    sellers: pd.DataFrame  # rep_id, team, mean, p_prize, expected_payout, p_step_<k>...
    motivated: int
    costs: np.ndarray  # total payout per draw

    @property
    def expected_cost(self) -> float:
        return float(self.costs.mean())

    @property
    def p90_cost(self) -> float:
        return float(np.quantile(self.costs, 0.9))


def window_totals(
    events: pd.DataFrame, rep_ids, *, start, end, days: int, step_days: int, hired: pd.Series
) -> dict[str, np.ndarray]:
    """Each seller's totals of every window of ``days`` days starting every ``step_days``
    from ``start`` and ending by ``end``, counting only windows the seller was employed for."""
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    starts = pd.date_range(start, end - pd.Timedelta(days=days - 1), freq=f"{step_days}D")
    by_day = events.groupby(["rep_id", events["date"].dt.normalize()])["value"].sum()
    out = {}
    for rep in rep_ids:
        series = by_day.get(rep, pd.Series(dtype=float))
        daily = series.reindex(pd.date_range(start, end), fill_value=0.0).to_numpy()
        cum = np.concatenate([[0.0], np.cumsum(daily)])
        first = np.array([(s - start).days for s in starts if s >= hired.get(rep, start)], int)
        out[rep] = cum[first + days] - cum[first]
    return out


def simulate(
    contest: Contest,
    sellers: pd.DataFrame,
    outcomes: dict[str, np.ndarray],
    factors: np.ndarray,
    *,
    simulations: int,
    seed: int,
    motivated_probability: float,
) -> Design:
    """Draw each seller's window total from ``outcomes`` and pay it through ``contest``."""
    rng = np.random.default_rng(seed)
    ids = list(sellers["rep_id"])
    pooled = np.concatenate([v for v in outcomes.values() if len(v)] or [np.zeros(1)])
    draws = np.empty((simulations, len(ids)))
    for j, rep in enumerate(ids):
        own = outcomes.get(rep)
        pool = own if own is not None and len(own) else pooled
        draws[:, j] = pool[rng.integers(len(pool), size=simulations)]
    scores = draws / factors[None, :]
    paid = payout_matrix(contest, scores, sellers["team"].to_numpy())
    table = sellers.loc[:, ["rep_id", "team"]].assign(
        mean=draws.mean(axis=0),
        p_prize=(paid > 0).mean(axis=0),
        expected_payout=paid.mean(axis=0),
    )
    for k, step in enumerate(contest.milestones):
        table[f"p_step_{k + 1}"] = (scores >= step.at).mean(axis=0)
    motivated = int((table["p_prize"] >= motivated_probability).sum())
    return Design(contest.structure, table, motivated, paid.sum(axis=1))


def compare(
    contest: Contest,
    sellers: pd.DataFrame,
    outcomes: dict[str, np.ndarray],
    factors: np.ndarray,
    *,
    simulations: int,
    seed: int,
    motivated_probability: float,
    top_k: int,
) -> dict[str, Design]:
    """The contest as designed beside winner-take-all, top-k and a threshold for everyone,
    each able to pay at most the same pot (:func:`~compass_nb.incentives.structures.alternatives`)."""
    n = len(sellers)
    sizes = sellers.groupby("team").size().tolist()
    pot = max_payout(contest, n, sizes)
    if contest.threshold is not None:
        target = contest.threshold
    elif contest.milestones:
        target = contest.milestones[0].at
    else:
        means = [float(np.mean(v)) for v in outcomes.values() if len(v)]
        target = float(np.median(np.array(means) / np.mean(factors))) if means else 1.0
    options = alternatives(contest, pot, top_k, n, max(target, 1e-9))
    if contest.structure == "team_vs_team":
        options = {"as designed": contest}
    return {
        name: simulate(
            option,
            sellers,
            outcomes,
            factors,
            simulations=simulations,
            seed=seed,
            motivated_probability=motivated_probability,
        )
        for name, option in options.items()
    }


def summary(designs: dict[str, Design]) -> pd.DataFrame:
    """One row per structure: sellers, those with a real chance, P(anyone paid), costs (in
    the currency)."""
    rows = [
        {
            "structure": name,
            "sellers": len(d.sellers),
            "with_a_chance": d.motivated,
            "probability_anyone_paid": float((d.costs > 0).mean()),
            "expected_cost": d.expected_cost,
            "p90_cost": d.p90_cost,
        }
        for name, d in designs.items()
    ]
    for row, d in zip(rows, designs.values(), strict=True):
        steps = [c for c in d.sellers.columns if c.startswith("p_step_")]
        for c in steps:  # expected number of sellers reaching each milestone
            row[f"expected_sellers_at_milestone_{c.removeprefix('p_step_')}"] = float(
                d.sellers[c].sum()
            )
    return pd.DataFrame(rows)
