import pandas as pd
import pytest

from compass_nb.pipeline import calibration, outcome
from compass_nb.pipeline._history import opportunities_at
from compass_nb.pipeline.forecast import (
    FORECAST_COLUMNS,
    forecast_categories,
    forecast_table,
    rollups,
)

Q1 = ("2026-01-01", "2026-03-31")
RATES = pd.DataFrame(
    {
        "stage": ["Prospecting", "Qualification", "Discovery", "Proposal", "Negotiation"],
        "win_rate": [0.1, 0.2, 0.3, 0.5, 0.8],
    }
)


def test_rollups_are_cumulative_commit_and_best_case(opportunities, states, stages):
    snapshot = opportunities_at(opportunities, states, "2026-02-28")
    r = rollups(snapshot, stages, RATES, *Q1).iloc[0]
    # A won 100 (Closed), B Negotiation 200 (Commit), D Proposal 500 (Best Case), E 50 + F 80 (Pipeline)
    assert r[["closed", "commit", "best_case", "pipeline"]].tolist() == [100, 300, 800, 130]


def test_weighted_forecast_is_closed_plus_open_amount_times_stage_win_rate(
    opportunities, states, stages
):
    snapshot = opportunities_at(opportunities, states, "2026-02-28")
    r = rollups(snapshot, stages, RATES, *Q1).iloc[0]
    assert r["weighted_pipeline"] == pytest.approx(
        100 + 200 * 0.8 + 500 * 0.5 + 50 * 0.2 + 80 * 0.1
    )


def test_rollups_by_family_add_up_to_the_total(opportunities, states, stages):
    snapshot = opportunities_at(opportunities, states, "2026-02-28")
    by = rollups(snapshot, stages, RATES, *Q1, by=["product_family"]).set_index("product_family")
    assert by.loc["Tents", ["closed", "commit", "best_case"]].tolist() == [100, 300, 300]
    assert by.sum()["weighted_pipeline"] == pytest.approx(
        rollups(snapshot, stages, RATES, *Q1)["weighted_pipeline"].iloc[0]
    )


def test_a_sellers_forecast_category_overrides_the_stage_category(opportunities, states, stages):
    snapshot = opportunities_at(opportunities, states, "2026-02-28").set_index("opportunity_id")
    snapshot["forecast_category"] = None
    snapshot.loc["D", "forecast_category"] = "Commit"
    snapshot.loc["A", "forecast_category"] = "Pipeline"  # closed deals stay Closed
    cats = forecast_categories(snapshot.reset_index(), stages)
    assert cats.tolist() == ["Closed", "Commit", "Pipeline", "Commit", "Pipeline", "Pipeline"]


def test_without_rates_the_weighted_pipeline_counts_closed_won_only(opportunities, states, stages):
    snapshot = opportunities_at(opportunities, states, "2026-02-28")
    assert rollups(snapshot, stages, None, *Q1)["weighted_pipeline"].iloc[0] == 100


def _outcome_of_q1(opportunities, states, as_of):
    samples = calibration.snapshots(
        states,
        opportunities.loc[:, ["opportunity_id", "segment", "product_family"]],
        calibration.month_ends("2025-12-01", as_of),
        [30, 90],
    )
    history = outcome.build_history(samples, states, opportunities, 1)
    settings = outcome.OutcomeSettings(24, 10.0, 4, 8, 200, 0)
    return outcome.quarter_outcome(history, pd.Timestamp(Q1[1]), as_of, 300.0, settings)


def test_a_quarter_that_is_over_shows_its_actual_per_family(opportunities, states, stages):
    q = _outcome_of_q1(opportunities, states, pd.Timestamp("2026-03-31"))
    assert q.is_over and q.actual == 300  # A 100 + B 200, both Tents
    table = forecast_table(opportunities_at(opportunities, states, "2026-03-31"), stages, q)
    assert list(table.columns) == FORECAST_COLUMNS
    tents = table.set_index("product_family").loc["Tents"]
    assert tents[["closed", "weighted", "p10", "p50", "p90"]].tolist() == [300] * 5
    assert table["weighted"].sum() == 300
