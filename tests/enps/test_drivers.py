import numpy as np
import pandas as pd
import pytest

from compass_nb.enps.drivers import driver_weights, relative_weights


def _r2(x, y):
    design = np.column_stack([np.ones(len(y)), x])
    beta, *_ = np.linalg.lstsq(design, y, rcond=None)
    fitted = design @ beta
    return 1 - ((y - fitted) ** 2).sum() / ((y - y.mean()) ** 2).sum()


def test_relative_weights_add_up_to_the_r2_of_the_regression():
    rng = np.random.default_rng(0)
    common = rng.normal(size=300)
    x = np.column_stack([common + rng.normal(size=300) for _ in range(4)])
    y = x @ np.array([1.0, 0.5, 0.0, 0.2]) + rng.normal(size=300)
    weights = relative_weights(x, y)
    assert weights.sum() == pytest.approx(_r2(x, y), rel=1e-9)
    assert weights.argmax() == 0 and (weights >= 0).all()


def test_uncorrelated_items_get_their_squared_correlation():
    # two exactly orthogonal, centred items: each weight is its r²
    x = np.array([[1, 1], [1, -1], [-1, 1], [-1, -1]] * 10, dtype=float)
    y = 2 * x[:, 0] + x[:, 1] + np.tile([0.5, -0.5, -0.5, 0.5], 10)
    weights = relative_weights(x, y)
    r = [np.corrcoef(x[:, j], y)[0, 1] for j in range(2)]
    assert weights == pytest.approx(np.square(r), rel=1e-9)


def _responses(n, seed=0, twin=False):
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        mood = rng.normal()
        enps = int(np.clip(round(7 + 2 * mood + rng.normal(0, 0.5)), 0, 10))
        strong = int(np.clip(round(3 + mood + rng.normal(0, 0.3)), 1, 5))
        other = strong if twin else int(rng.integers(1, 6))
        for q, kind, score in (
            ("enps", "enps", enps),
            ("q01", "likert5", strong),
            ("q02", "likert5", other),
        ):
            rows.append(
                {
                    "survey_id": "s",
                    "respondent_id": i,
                    "team": "A",
                    "question_id": q,
                    "kind": kind,
                    "score": score,
                }
            )
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
KW = {"min_responses": 30, "level": 0.95, "n_boot": 500, "seed": 1}


def test_an_item_that_carries_the_answer_is_a_clear_driver_with_an_interval():
    drivers, too_few = driver_weights(_responses(120), MEMBERS, QUESTIONS, **KW)
    top = drivers.iloc[0]
    assert top["question_id"] == "q01" and top["n"] == 120 and bool(top["clear"])
    assert top["low"] < top["weight"] < top["high"]
    assert drivers["weight"].sum() == pytest.approx(top["r2"])
    assert too_few.empty


def test_two_items_that_say_the_same_are_no_clear_driver():
    drivers, _ = driver_weights(_responses(120, twin=True), MEMBERS, QUESTIONS, **KW)
    assert not drivers["clear"].any()
    # the shared variance is split, not counted twice
    assert drivers["weight"].iloc[0] == pytest.approx(drivers["weight"].iloc[1], rel=1e-6)


def test_a_group_under_the_minimum_is_not_analysed():
    drivers, too_few = driver_weights(_responses(29), MEMBERS, QUESTIONS, **KW)
    assert drivers.empty and too_few.empty
    sparse = _responses(40)
    drop = sparse.index[(sparse["question_id"] == "q02")][:15]
    drivers, too_few = driver_weights(sparse.drop(drop), MEMBERS, QUESTIONS, **KW)
    assert set(drivers["question_id"]) == {"q01"}
    assert too_few["question_id"].tolist() == ["q02"]
