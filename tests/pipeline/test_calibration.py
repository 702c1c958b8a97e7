"""Calibrated stage probabilities: cells shrunk towards their parents, fitted only on what was
known, scored out of sample (the hand-built deals of conftest, as of March 2026)."""

import numpy as np
import pandas as pd
import pytest

from compass_nb.pipeline import calibration
from compass_nb.pipeline.stages import stage_table, static_probabilities


def _samples(opportunities, states, last="2026-03-31"):
    ends = calibration.month_ends("2025-12-01", last)
    deals = opportunities.loc[:, ["opportunity_id", "segment", "product_family"]]
    return calibration.snapshots(states, deals, ends, [30, 90])


def test_deal_months_count_days_since_the_deal_entered_its_stage(opportunities, states):
    samples = _samples(opportunities, states)
    feb = samples.loc[samples["as_of"] == pd.Timestamp("2026-02-28")].set_index("opportunity_id")
    # A won on 10 Feb; an amount change (D on 20 Feb) does not restart the stage
    assert feb["days_in_stage"].to_dict() == {"B": 13, "C": 89, "D": 75, "E": 23, "F": 16}
    assert feb.loc["C", "age"] == "31–90 d" and feb.loc["B", "age"] == "0–30 d"


def test_training_keeps_earlier_deal_months_whose_deal_had_closed_by_then(opportunities, states):
    samples = _samples(opportunities, states)
    known = calibration.outcomes(states, "2026-03-31")
    train = calibration.training(samples, known, "2026-03-31", months=3)
    # 31 Jan: A, B won, E lost (C, D open); 28 Feb: B won, E lost (F, C, D open)
    assert sorted(
        zip(train["as_of"].dt.strftime("%m-%d"), train["opportunity_id"], train["won"], strict=True)
    ) == [
        ("01-31", "A", True),
        ("01-31", "B", True),
        ("01-31", "E", False),
        ("02-28", "B", True),
        ("02-28", "E", False),
    ]


def test_thin_cells_are_shrunk_towards_their_stage_worked_by_hand():
    train = pd.DataFrame(
        {
            "stage": ["S"] * 10,
            "segment": ["X"] * 10,
            "age": ["0–30 d"] * 2 + ["> 90 d"] * 8,
            "won": [True, False] + [True] * 7 + [False],
        }
    )
    model = calibration.fit_probabilities(train, prior=10)
    cells = model.cells.set_index("age")["probability"]
    assert model.overall == 0.8 and model.stages["probability"].iloc[0] == pytest.approx(0.8)
    assert cells["0–30 d"] == pytest.approx((1 + 10 * 0.8) / 12)  # 0.75
    assert cells["> 90 d"] == pytest.approx((7 + 10 * 0.8) / 18)
    unseen = pd.DataFrame({"stage": ["S", "T"], "segment": ["Y", "X"], "age": ["0–30 d"] * 2})
    assert model.predict(unseen).tolist() == pytest.approx([0.8, 0.8])  # stage, then overall


def test_the_sample_scores_each_month_with_a_model_fitted_on_what_was_known_then(
    opportunities, states
):
    stages = stage_table(
        [
            {"name": "Prospecting", "order": 1, "category": "Pipeline", "is_closed": False, "is_won": False, "probability": 0.1},
            {"name": "Qualification", "order": 2, "category": "Pipeline", "is_closed": False, "is_won": False, "probability": 0.2},
            {"name": "Discovery", "order": 3, "category": "Pipeline", "is_closed": False, "is_won": False, "probability": 0.4},
            {"name": "Proposal", "order": 4, "category": "Best Case", "is_closed": False, "is_won": False, "probability": 0.6},
            {"name": "Negotiation", "order": 5, "category": "Commit", "is_closed": False, "is_won": False, "probability": 0.8},
            {"name": "Closed Won", "order": 6, "category": "Closed", "is_closed": True, "is_won": True},
            {"name": "Closed Lost", "order": 7, "category": "Omitted", "is_closed": True, "is_won": False},
        ]
    )  # fmt: skip
    samples = _samples(opportunities, states)
    final = calibration.outcomes(states, "2026-03-31")
    sample = calibration.calibration_sample(
        samples,
        states,
        [pd.Timestamp("2026-02-28")],
        final,
        months=3,
        prior=10,
        static=static_probabilities(stages),
    ).set_index("opportunity_id")
    # by 28 Feb only A had closed (won): every deal reads 100 %; E's loss on 1 Mar is unseen
    assert sample.index.tolist() == ["B", "E"]  # C, D, F are still open at the cut-off
    assert sample["calibrated"].tolist() == [1.0, 1.0]
    assert sample["static"].tolist() == [0.8, 0.2]  # Negotiation, Qualification
    assert calibration.brier_score(sample["calibrated"], sample["won"]) == pytest.approx(0.5)
    assert calibration.brier_score(sample["static"], sample["won"]) == pytest.approx(0.04)


def test_brier_score_is_the_mean_squared_error_of_the_probabilities():
    assert calibration.brier_score([0.8, 0.3], [1, 0]) == pytest.approx((0.04 + 0.09) / 2)
    assert calibration.brier_score([0.5] * 4, [1, 0, 1, 0]) == 0.25
    assert np.isnan(calibration.brier_score([np.nan], [1]))


def test_reliability_bins_forecasts_and_reports_the_share_won():
    sample = pd.DataFrame(
        {"calibrated": [0.05, 0.05, 0.95, 0.95], "static": np.nan, "won": [False, True, True, True]}
    )
    points = calibration.reliability(sample)
    assert points[["bin", "deal_months", "forecast", "won_share"]].values.tolist() == [
        ["0%–10%", 2, 0.05, 0.5],
        ["90%–100%", 2, 0.95, 1.0],
    ]
    assert set(points["method"]) == {"calibrated"}


def test_a_stage_probability_outside_zero_to_one_is_refused():
    from compass_nb.errors import ParameterError

    bad = [
        {"name": "Open", "order": 1, "category": "Pipeline", "is_closed": False, "is_won": False, "probability": 20},
        {"name": "Won", "order": 2, "category": "Closed", "is_closed": True, "is_won": True},
    ]  # fmt: skip
    with pytest.raises(ParameterError, match="fraction from 0 to 1"):
        stage_table(bad)
