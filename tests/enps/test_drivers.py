import numpy as np
import pandas as pd
import pytest

from compass_nb.enps.drivers import driver_correlations


def _responses(n, seed=0):
    rng = np.random.default_rng(seed)
    enps = rng.integers(0, 11, n)
    rows = []
    for i, e in enumerate(enps):
        rows.append(
            {
                "survey_id": "s",
                "respondent_id": i,
                "team": "A",
                "question_id": "enps",
                "kind": "enps",
                "score": e,
            }
        )
        rows.append(
            {
                "survey_id": "s",
                "respondent_id": i,
                "team": "A",
                "question_id": "q01",
                "kind": "likert5",
                "score": 1 + e // 3,
            }
        )  # moves with eNPS
        rows.append(
            {
                "survey_id": "s",
                "respondent_id": i,
                "team": "A",
                "question_id": "q02",
                "kind": "likert5",
                "score": int(rng.integers(1, 6)),
            }
        )  # does not
    return pd.DataFrame(rows)


MEMBERS = pd.DataFrame({"survey_id": ["s"], "group": ["A"], "kind": ["team"], "team": ["A"]})
QUESTIONS = pd.DataFrame(
    {
        "survey_id": "s",
        "question_id": ["q01", "q02"],
        "text": ["Tools", "Lunch"],
        "driver": ["tools", "food"],
    }
)


def test_the_item_that_moves_with_enps_ranks_first_with_its_sample_size():
    drivers, too_few = driver_correlations(_responses(60), MEMBERS, QUESTIONS)
    top = drivers.iloc[0]
    assert top["question_id"] == "q01" and top["n"] == 60 and top["r"] > 0.9
    assert top["low"] < top["r"] < top["high"]
    assert abs(drivers.iloc[1]["r"]) < 0.4
    assert too_few.empty


def test_drivers_are_not_estimated_under_30_answers():
    drivers, too_few = driver_correlations(_responses(29), MEMBERS, QUESTIONS)
    assert drivers.empty
    assert set(too_few["question_id"]) == {"q01", "q02"}


def test_fisher_interval_matches_the_formula():
    drivers, _ = driver_correlations(_responses(60), MEMBERS, QUESTIONS)
    row = drivers.iloc[0]
    z = np.arctanh(row["r"])
    assert row["low"] == pytest.approx(np.tanh(z - 1.959964 / np.sqrt(57)), rel=1e-5)
