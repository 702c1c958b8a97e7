"""What each contest structure pays, for one outcome or for many simulated ones at once.

A seller's **score** is their metric over the window divided by their handicap factor
(1 without a handicap; :mod:`compass_nb.incentives.handicap`). Then:

* ``winner_take_all``: the one prize to the highest score;
* ``top_k``: ``prizes[r]`` to rank ``r + 1``;
* ``threshold``: ``prize`` to everyone whose score reaches ``threshold``;
* ``milestones``: each step whose ``at`` the score reaches pays its prize (cumulative);
* ``team_vs_team``: ``prize`` to every member of the team with the highest mean score.

Ranked prizes need a score above 0; sellers tied on a score share the prizes of the ranks
they occupy equally. With a ``budget`` cap, every amount is scaled by budget ÷ total when
the total would exceed it.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from compass_nb.incentives.contests import Contest


def payout_matrix(contest: Contest, scores: np.ndarray, teams: np.ndarray) -> np.ndarray:
    """Amount each seller earns (draws × sellers) for each row of ``scores``; ``teams`` is
    each seller's team (team_vs_team)."""
    scores = np.atleast_2d(np.asarray(scores, dtype=float))
    structure = contest.structure
    if structure in ("winner_take_all", "top_k"):
        earned = _ranked(scores, np.asarray(contest.prizes, dtype=float))
    elif structure == "threshold":
        earned = np.where(scores >= contest.threshold, contest.prize, 0.0)
    elif structure == "milestones":
        earned = np.zeros_like(scores)
        for step in contest.milestones:
            earned += np.where(scores >= step.at, step.prize, 0.0)
    else:
        earned = _team_prize(scores, np.asarray(teams), contest.prize)
    return capped(earned, contest.budget)


def _ranked(scores: np.ndarray, prizes: np.ndarray) -> np.ndarray:
    """Prizes by rank; ties share the prizes of the ranks they occupy."""
    n = scores.shape[1]
    padded = np.concatenate([[0.0], np.cumsum(np.pad(prizes, (0, max(n - len(prizes), 0))))])
    above = (scores[:, None, :] > scores[:, :, None]).sum(axis=2)
    tied = (scores[:, None, :] == scores[:, :, None]).sum(axis=2)
    last = np.minimum(above + tied, len(padded) - 1)
    share = (padded[last] - padded[np.minimum(above, len(padded) - 1)]) / tied
    return np.where(scores > 0, share, 0.0)


def _team_prize(scores: np.ndarray, teams: np.ndarray, prize: float) -> np.ndarray:
    names = np.unique(teams)
    means = np.stack([scores[:, teams == t].mean(axis=1) for t in names], axis=1)
    best = means.max(axis=1, keepdims=True)
    winning = (means == best) & (best > 0)
    member = teams[None, :] == names[:, None]  # teams × sellers
    return (winning @ member).astype(float) * prize


def capped(earned: np.ndarray, budget: float | None) -> np.ndarray:
    """Scale each draw's amounts so that their total stays within ``budget``."""
    if budget is None:
        return earned
    total = earned.sum(axis=1, keepdims=True)
    scale = np.where(total > budget, budget / np.where(total > 0, total, 1.0), 1.0)
    return earned * scale


def max_payout(contest: Contest, n_sellers: int, team_sizes: list[int]) -> float:
    """The most the contest can pay (its budget cap, else every prize paid out)."""
    if contest.structure in ("winner_take_all", "top_k"):
        most = sum(contest.prizes[:n_sellers])
    elif contest.structure == "threshold":
        most = contest.prize * n_sellers
    elif contest.structure == "milestones":
        most = sum(s.prize for s in contest.milestones) * n_sellers
    else:
        most = contest.prize * max(team_sizes, default=0)
    return most if contest.budget is None else min(most, contest.budget)


def alternatives(contest: Contest, pot: float, top_k: int, n_sellers: int, target: float):
    """The structures compared side by side for ``contest``, each able to pay at most ``pot``:
    the contest as designed, winner-take-all of the pot, the pot shared equally by the top
    ``top_k``, and a prize of pot ÷ sellers to everyone reaching ``target`` (the contest's
    threshold or first milestone, else the sellers' median expected score)."""
    plain = dataclasses.replace(
        contest, prizes=(), prize=None, threshold=None, milestones=(), budget=pot
    )
    k = min(top_k, max(n_sellers, 1))
    return {
        "as designed": contest,
        "winner-take-all": dataclasses.replace(plain, structure="winner_take_all", prizes=(pot,)),
        f"top {k}, equal prizes": dataclasses.replace(
            plain, structure="top_k", prizes=(pot / k,) * k
        ),
        "threshold for everyone": dataclasses.replace(
            plain, structure="threshold", prize=pot / max(n_sellers, 1), threshold=target
        ),
    }
