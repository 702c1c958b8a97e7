import pandas as pd

from compass_nb.pipeline.risk import teams_at_risk


def test_a_team_is_at_risk_for_low_coverage_or_few_ramped_sellers_at_quota():
    coverage = pd.DataFrame(
        {"team": ["A", "B", "C", "All teams"], "coverage": [0.8, 2.0, float("nan"), 1.2]}
    )
    attained = pd.DataFrame(
        {
            "team": ["A", "A"] + ["B"] * 6 + ["C"] * 5,
            "attainment": [0.1, 2.0] + [0.0, 0.5, 0.9, 1.2, 0.3, 1.5] + [1.0] * 5,
            # B's 1.5 is a seller in ramp: not counted
            "in_ramp": [False, False] + [False] * 5 + [True] + [False] * 5,
        }
    )
    risk = teams_at_risk(
        coverage, attained, min_coverage=1.5, min_at_quota=0.25, min_group_size=5
    ).set_index("team")
    assert risk["at_risk"].to_dict() == {"A": True, "B": True, "C": False}
    assert risk.loc["A", ["low_coverage", "few_at_quota"]].tolist() == [True, False]
    assert pd.isna(risk.loc["A", "share_at_quota"])  # two ramped sellers: not judged
    assert risk.loc["B", ["ramped_sellers", "share_at_quota"]].tolist() == [5, 0.2]
    assert not risk.loc["C", "low_coverage"]  # quota already met: no coverage to judge
