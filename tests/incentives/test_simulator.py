"""The simulator's probabilities against a case computable exactly."""

import itertools

import numpy as np
import pandas as pd
import pytest

from compass_nb.incentives.simulator import simulate, summary, window_totals
from compass_nb.incentives.structures import payout_matrix

from .conftest import contest

OUTCOMES = {"a": np.array([1.0]), "b": np.array([0.0, 2.0]), "c": np.array([0.0, 1, 2, 3])}
SELLERS = pd.DataFrame({"rep_id": ["a", "b", "c"], "team": ["East"] * 3})


def test_winner_take_all_chances_match_the_exact_enumeration():
    c = contest(structure="winner_take_all", prizes=[100])
    design = simulate(
        c, SELLERS, OUTCOMES, np.ones(3), simulations=40_000, seed=1, motivated_probability=0.3
    )
    # by hand: P(a) = P(b ≤ 1)·P(c ≤ 1) = 1/4; P(b) = P(b = 2)·P(c ≤ 2) = 3/8;
    # P(c) = P(c = 3) + P(c = 2) + P(c = 1)·P(b = 0) = 5/8 (ties share the prize)
    exact = np.zeros(3)
    combos = list(itertools.product(*OUTCOMES.values()))
    for combo in combos:
        exact += payout_matrix(c, [combo], SELLERS["team"].to_numpy())[0] > 0
    exact /= len(combos)
    assert exact.tolist() == [0.25, 0.375, 0.625]
    assert design.sellers["p_prize"].to_numpy() == pytest.approx(exact, abs=0.015)
    assert design.motivated == 2  # b and c reach 30 %
    assert design.expected_cost == pytest.approx(100.0)  # a always scores: someone wins


def test_threshold_cost_is_prize_times_expected_sellers_reaching_it():
    c = contest(structure="threshold", prizes=None, threshold=2, prize=10)
    design = simulate(
        c, SELLERS, OUTCOMES, np.ones(3), simulations=40_000, seed=2, motivated_probability=0.1
    )
    # P(b ≥ 2) = 1/2, P(c ≥ 2) = 1/2: expected cost 10 × 1; P90 cost 20 (both: 1/4)
    assert design.expected_cost == pytest.approx(10.0, abs=0.2)
    assert design.p90_cost == 20.0


def test_past_windows_count_only_days_the_seller_was_employed():
    days = pd.to_datetime(["2025-01-02", "2025-01-03", "2025-01-09"])
    events = pd.DataFrame({"rep_id": ["a", "a", "a"], "date": days, "value": [1.0, 2.0, 4.0]})
    hired = pd.Series(pd.to_datetime(["2025-01-01", "2025-01-08"]), index=["a", "b"])
    out = window_totals(
        events, ["a", "b"], start="2025-01-01", end="2025-01-14", days=7, step_days=7, hired=hired
    )
    assert out["a"].tolist() == [3.0, 4.0]  # 1–7 Jan, 8–14 Jan
    assert out["b"].tolist() == [0.0]  # hired on the 8th: only the second window


def test_milestone_chances_per_seller_and_the_expected_count_reaching_each():
    steps = [{"at": 1, "prize": 10}, {"at": 3, "prize": 20}]
    c = contest(structure="milestones", prizes=None, milestones=steps)
    design = simulate(
        c, SELLERS, OUTCOMES, np.ones(3), simulations=40_000, seed=3, motivated_probability=0.1
    )
    # P(≥ 1): a 1, b 1/2, c 3/4; P(≥ 3): only c, 1/4
    assert design.sellers["p_step_1"].to_numpy() == pytest.approx([1, 0.5, 0.75], abs=0.015)
    assert design.sellers["p_step_2"].to_numpy() == pytest.approx([0, 0, 0.25], abs=0.015)
    table = summary({"as designed": design})
    assert table.loc[0, "expected_sellers_at_milestone_1"] == pytest.approx(2.25, abs=0.03)
    # expected cost: 10 × 2.25 + 20 × 0.25 = 27.5
    assert table.loc[0, "expected_cost"] == pytest.approx(27.5, abs=0.5)
