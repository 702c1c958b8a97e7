import pandas as pd
import pytest

from compass_nb.pipeline._history import opportunities_at, with_team
from compass_nb.pipeline.coverage import coverage


def test_coverage_is_open_pipeline_due_over_quota_left(
    opportunities, states, reps, quotas, credit_splits
):
    snapshot = with_team(opportunities_at(opportunities, states, "2026-02-28"), reps)
    cov = coverage(
        snapshot, credit_splits, quotas, reps, "2026-01-01", "2026-03-31", roles=["AE"]
    ).set_index("team")
    # East: quota 300, A credited 70 % → 70 won; open due in Q1: B 200 + E 50
    assert cov.loc["East", ["quota", "closed_won", "remaining", "open_pipeline"]].tolist() == [
        300,
        70,
        230,
        250,
    ]
    assert cov.loc["East", "coverage"] == pytest.approx(250 / 230)
    # West: quota 600, nothing won; D 500 + F 80 due (C was pushed to April)
    assert cov.loc["West", "coverage"] == pytest.approx(580 / 600)
    assert cov.loc["All teams", "coverage"] == pytest.approx(830 / 830)


def test_coverage_counts_overlay_quota_only_when_its_role_is_included(
    opportunities, states, reps, quotas, credit_splits
):
    snapshot = with_team(opportunities_at(opportunities, states, "2026-02-28"), reps)
    cov = coverage(snapshot, credit_splits, quotas, reps, "2026-01-01", "2026-03-31").set_index(
        "team"
    )
    assert cov.loc["East", ["quota", "closed_won"]].tolist() == [450, 100]


def test_coverage_is_missing_when_quota_is_already_met(opportunities, states, reps, credit_splits):
    quotas = pd.DataFrame({"rep_id": ["r1"], "period": ["2026-01"], "quota": [50.0]})
    snapshot = with_team(opportunities_at(opportunities, states, "2026-03-31"), reps)
    cov = coverage(
        snapshot, credit_splits, quotas, reps, "2026-01-01", "2026-03-31", roles=["AE"]
    ).set_index("team")
    assert pd.isna(cov.loc["East", "coverage"])
