"""No shareable figure stands for fewer than the minimum group of sellers."""

import numpy as np
import pandas as pd

from compass_nb.incentives.leaderboard import shareable_distribution, team_groups


def _board(teams, amounts):
    n = len(teams)
    return pd.DataFrame(
        {
            "rep_id": [f"r{k}" for k in range(n)],
            "team": teams,
            "score": np.arange(n, dtype=float),
            "amount": amounts,
        }
    )


def test_no_distribution_is_shown_for_fewer_than_the_minimum():
    assert shareable_distribution(_board(["A"] * 4, [0.0] * 4), 5) is None
    q = shareable_distribution(_board(["A"] * 5, [0.0] * 5), 5)
    # quantiles of 0..4 (linear): no single seller's score, not even the top one (4)
    assert q["score"].tolist() == [0.4, 1.0, 2.0, 3.0, 3.6]


def test_small_teams_are_pooled_or_left_out_and_small_totals_withheld():
    teams = ["A"] * 6 + ["B"] * 3 + ["C"] * 2
    amounts = [100.0] * 5 + [0.0] + [50.0] + [0.0] * 4
    groups = team_groups(_board(teams, amounts), 5)
    assert groups["team"].tolist() == ["A", "other teams"]
    assert groups["sellers"].tolist() == [6, 5]
    assert groups.loc[0, "amount"] == 500.0  # five paid in A
    assert np.isnan(groups.loc[1, "amount"])  # one paid among the others: withheld
    alone = team_groups(_board(["A"] * 6 + ["B"] * 3, [0.0] * 9), 5)
    assert alone["team"].tolist() == ["A"]  # B's 3 sellers alone are not shown
