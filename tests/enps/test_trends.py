import numpy as np
import pandas as pd

from compass_nb.enps.trends import declines
from compass_nb.enps.uncertainty import bootstrap_enps, rng_for

SURVEYS = [f"pulse-2026-{m:02d}" for m in range(5, 11)]


def _cells(path: dict, n: int = 30):
    """Scores and bootstrap draws of groups whose promoter share follows ``path``."""
    rows, draws = [], {}
    for group, shares in path.items():
        for survey, share in zip(SURVEYS, shares, strict=True):
            promoters = round(share * n)
            signed = np.array([1] * promoters + [-1] * (n - promoters))
            draws[(survey, group)] = bootstrap_enps(signed, 2000, rng_for(7, survey, group))
            rows.append(
                {"survey_id": survey, "group": group, "kind": "team", "enps": 100 * signed.mean()}
            )
    return pd.DataFrame(rows), draws


def test_a_slide_of_eight_points_a_survey_is_a_sustained_decline_and_a_flat_team_is_not():
    scores, draws = _cells(
        {
            "Warehouse South": [0.23, 0.13, 0.10, 0.06, 0.02, 0.02],  # −54 → −96
            "Support": [0.6, 0.55, 0.62, 0.58, 0.6, 0.57],
        }
    )
    table, level = declines(scores, draws, SURVEYS, q=0.05)
    rows = table.set_index("group")
    assert bool(rows.loc["Warehouse South", "declining"])
    assert rows.loc["Warehouse South", "high"] < 0
    assert not bool(rows.loc["Support", "declining"])
    # least squares through the six scores, in points per survey
    promoters = np.array([7, 4, 3, 2, 1, 1])  # of 30, the rest detractors
    expected = np.polyfit(np.arange(6), 100 * (2 * promoters - 30) / 30, 1)[0]
    assert rows.loc["Warehouse South", "slope"] == expected
    assert round(expected, 2) == -7.62
    assert level == 1 - 1 * 0.05 / 2


def test_a_group_missing_from_one_survey_of_the_window_is_not_assessed():
    scores, draws = _cells({"A": [0.5] * 6})
    table, _ = declines(scores[scores["survey_id"] != SURVEYS[2]], draws, SURVEYS, q=0.05)
    assert table.empty
