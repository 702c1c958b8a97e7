"""What each structure pays, worked by hand."""

import numpy as np
import pandas as pd
import pytest

from compass_nb.incentives.leaderboard import awards, standings
from compass_nb.incentives.structures import max_payout, payout_matrix

from .conftest import contest

SCORES = np.array([[5.0, 5.0, 3.0, 0.0]])
TEAMS = np.array(["X", "X", "Y", "Y"])


def test_top_k_ties_share_the_prizes_of_the_ranks_they_occupy():
    # ranks 1–2 tied: (300 + 200) / 2 each; rank 3: 100; a score of 0 wins nothing
    paid = payout_matrix(contest(), SCORES, TEAMS)
    assert paid.tolist() == [[250.0, 250.0, 100.0, 0.0]]


def test_a_budget_cap_scales_every_amount_by_budget_over_total():
    paid = payout_matrix(contest(budget=500), SCORES, TEAMS)  # 600 → 500: × 5/6
    assert paid[0] == pytest.approx([208.3333, 208.3333, 83.3333, 0.0], abs=1e-4)


def test_winner_take_all_pays_the_one_prize_to_the_top_score_only():
    c = contest(structure="winner_take_all", prizes=[900])
    assert payout_matrix(c, [[1.0, 4.0, 2.0, 0.0]], TEAMS).tolist() == [[0, 900, 0, 0]]
    assert payout_matrix(c, [[0.0, 0.0, 0.0, 0.0]], TEAMS).sum() == 0


def test_threshold_pays_everyone_who_reaches_it():
    c = contest(structure="threshold", prizes=None, threshold=4, prize=50)
    assert payout_matrix(c, SCORES, TEAMS).tolist() == [[50, 50, 0, 0]]


def test_milestones_pay_every_step_reached():
    steps = [{"at": 2, "prize": 10}, {"at": 4, "prize": 20}]
    c = contest(structure="milestones", prizes=None, milestones=steps)
    assert payout_matrix(c, SCORES, TEAMS).tolist() == [[30, 30, 10, 0]]
    assert max_payout(c, 4, [2, 2]) == 120


def test_team_vs_team_pays_every_member_of_the_team_with_the_best_mean_score():
    c = contest(structure="team_vs_team", prizes=None, prize=70, eligible={"teams": ["X", "Y"]})
    # X: mean(5, 1) = 3; Y: mean(3, 4) = 3.5
    assert payout_matrix(c, [[5.0, 1.0, 3.0, 4.0]], TEAMS).tolist() == [[0, 0, 70, 70]]


def test_standings_rank_by_score_after_the_handicap_and_awards_name_the_rule():
    sellers = pd.DataFrame(
        {"rep_id": ["a", "b", "c"], "name": ["A", "B", "C"], "team": ["East"] * 3}
    )
    values = pd.Series({"a": 4.0, "b": 3.0, "c": 1.0})
    factors = pd.Series({"a": 2.0, "b": 1.0, "c": 0.5})  # scores 2, 3, 2
    board = standings(contest(handicap="history"), sellers, values, factors)
    assert board["rep_id"].tolist() == ["b", "a", "c"]
    assert board["rank"].tolist() == [1, 2, 2]
    assert board["amount"].tolist() == [300.0, 150.0, 150.0]  # a, c share ranks 2–3
    paid = awards(contest(), board)
    assert paid["amount"].sum() == 600 and set(paid["spif_id"]) == {"c1"}
    assert paid["pay_period"].unique().tolist() == ["2025-03"]
    assert "rank 1 of 3" in paid.loc[0, "rule"] and "history factor 1.00" in paid.loc[0, "rule"]
