"""Standings of a contest: named for the private folder; distributions and groups of at
least ``min_group_size`` sellers for the shareable pack."""

from __future__ import annotations

import numpy as np
import pandas as pd

from compass_nb.incentives.contests import Contest
from compass_nb.incentives.structures import payout_matrix

STANDING_COLUMNS = ["rank", "rep_id", "name", "team", "value", "factor", "score", "amount", "rule"]


def standings(contest: Contest, sellers: pd.DataFrame, values: pd.Series, factors: pd.Series):
    """Every eligible seller's value, handicap factor, score, rank and what they earn if the
    window closed now (rounded to the cent; the rule names structure, rank and cap)."""
    ids = list(sellers["rep_id"])
    value = values.reindex(ids).to_numpy(dtype=float)
    factor = factors.reindex(ids).to_numpy(dtype=float)
    score = value / factor
    earned = payout_matrix(contest, score[None, :], sellers["team"].to_numpy())[0]
    board = sellers.loc[:, ["rep_id", "name", "team"]].assign(
        value=value, factor=factor, score=score, amount=np.round(earned, 2)
    )
    board["rank"] = board["score"].rank(method="min", ascending=False).astype(int)
    board["rule"] = [_rule(contest, r, len(board)) for r in board.itertuples()]
    return board.sort_values(["rank", "rep_id"]).loc[:, STANDING_COLUMNS].reset_index(drop=True)


def _rule(contest: Contest, row, n: int) -> str:
    unit = contest.unit
    scored = f"{row.value:,.2f} {unit}" if contest.is_money else f"{row.value:,.0f} {unit}"
    handicap = (
        "" if contest.handicap == "none" else f" ÷ {contest.handicap} factor {row.factor:.2f}"
    )
    cap = f"; budget cap {contest.budget:,.0f}" if contest.budget is not None else ""
    return (
        f"{contest.structure}, {contest.start}..{contest.end}: {scored}{handicap}, "
        f"score {row.score:,.2f}, rank {row.rank} of {n}{cap}"
    )


def awards(contest: Contest, board: pd.DataFrame) -> pd.DataFrame:
    """The contest's payouts as ``spif_awards`` rows (sellers who earned something)."""
    paid = board.loc[board["amount"] > 0]
    return pd.DataFrame(
        {
            "rep_id": paid["rep_id"].astype(str),
            "pay_period": contest.pay_period,
            "spif_id": contest.contest_id,
            "amount": paid["amount"].astype(float),
            "rule": paid["rule"],
            "source": f"contest {contest.name}",
        }
    ).reset_index(drop=True)


def shareable_distribution(board: pd.DataFrame, min_group_size: int) -> pd.DataFrame | None:
    """The spread of the eligible sellers' scores as quantiles (P10, P25, median, P75, P90:
    no single seller's score, not even the top one, is shown), when they are at least
    ``min_group_size``; else ``None`` (nothing is shown)."""
    if len(board) < min_group_size:
        return None
    levels = [0.1, 0.25, 0.5, 0.75, 0.9]
    return pd.DataFrame(
        {
            "quantile": ["P10", "P25", "median", "P75", "P90"],
            "score": board["score"].quantile(levels).to_numpy(),
        }
    )


def team_groups(board: pd.DataFrame, min_group_size: int) -> pd.DataFrame:
    """Per team of at least ``min_group_size`` eligible sellers: sellers, median and mean
    score, how many earned a prize and the total; smaller teams are counted in one row
    "other teams" only when they are together at least the minimum, else left out. The
    total is withheld (NaN) where fewer than ``min_group_size`` of the group were paid."""
    board = board.assign(paid=board["amount"] > 0)
    sizes = board.groupby("team")["rep_id"].transform("size")
    board = board.assign(group=board["team"].where(sizes >= min_group_size, "other teams"))
    rows = (
        board.groupby("group")
        .agg(
            sellers=("rep_id", "size"),
            median_score=("score", "median"),
            mean_score=("score", "mean"),
            sellers_paid=("paid", "sum"),
            amount=("amount", "sum"),
        )
        .reset_index()
        .rename(columns={"group": "team"})
    )
    rows = rows.loc[rows["sellers"] >= min_group_size].reset_index(drop=True)
    # a group's total paid to fewer than the minimum would show their prizes
    rows["amount"] = rows["amount"].where(rows["sellers_paid"] >= min_group_size)
    return rows
