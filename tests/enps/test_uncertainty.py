import math

import numpy as np
import pandas as pd
import pytest

from compass_nb.enps.scores import enps_table
from compass_nb.enps.uncertainty import (
    bootstrap_interval,
    change_between,
    change_verdict,
    enps_standard_error,
    finite_population_factor,
    with_intervals,
)


def test_standard_error_is_that_of_a_difference_of_proportions():
    # p = 0.5, d = 0.2, n = 100: var = (0.5 + 0.2 - 0.3²) / 100 = 0.0061
    assert enps_standard_error(0.5, 0.2, 100) == pytest.approx(100 * math.sqrt(0.0061))


def test_interval_width_is_twice_1_96_standard_errors():
    answers = pd.DataFrame({"g": "x", "score": [10] * 50 + [8] * 30 + [2] * 20})
    table = with_intervals(enps_table(answers, ["g"]))
    se = 100 * math.sqrt((0.5 + 0.2 - 0.09) / 100)
    assert table["se"].iloc[0] == pytest.approx(se)
    assert table["high"].iloc[0] - table["low"].iloc[0] == pytest.approx(
        2 * 1.959964 * se, rel=1e-5
    )


def test_finite_population_correction_shrinks_the_variance_by_n_minus_n_over_n_minus_1():
    # 8 of 10 answered: factor (10 - 8) / (10 - 1) = 2/9
    assert finite_population_factor(8, 10) == pytest.approx(2 / 9)
    plain = enps_standard_error(0.5, 0.25, 8)
    corrected = enps_standard_error(0.5, 0.25, 8, population=10)
    assert corrected == pytest.approx(plain * math.sqrt(2 / 9))


def test_a_full_census_has_no_sampling_error_and_unknown_population_none_corrected():
    assert enps_standard_error(0.5, 0.25, 12, population=12) == 0.0
    assert enps_standard_error(0.5, 0.25, 12, population=np.nan) == enps_standard_error(
        0.5, 0.25, 12
    )
    # fewer invited than answered is inconsistent: no correction rather than a wrong one
    assert finite_population_factor(12, 10) == 1.0


def test_intervals_use_invited_for_the_correction():
    answers = pd.DataFrame({"g": "x", "score": [10] * 4 + [8] * 2 + [2] * 2})
    table = enps_table(answers, ["g"]).assign(invited=9)
    out = with_intervals(table)
    plain = enps_standard_error(0.5, 0.25, 8)
    assert out["se"].iloc[0] == pytest.approx(plain * math.sqrt(1 / 8))


def test_bootstrap_by_respondent_is_seeded_and_close_to_the_analytic_interval():
    signed = np.array([1] * 120 + [0] * 50 + [-1] * 30)
    first = bootstrap_interval(signed, n_boot=4000, seed=3)
    assert first == bootstrap_interval(signed, n_boot=4000, seed=3)
    se = enps_standard_error(0.6, 0.15, 200)
    assert first[0] == pytest.approx(45 - 1.96 * se, abs=1.5)
    assert first[1] == pytest.approx(45 + 1.96 * se, abs=1.5)


def test_bootstrap_carries_the_finite_population_correction():
    signed = np.array([1] * 10 + [0] * 5 + [-1] * 5)
    low, high = bootstrap_interval(signed, n_boot=2000, seed=1)
    low_c, high_c = bootstrap_interval(signed, n_boot=2000, seed=1, population=21)
    assert (high_c - low_c) == pytest.approx((high - low) * math.sqrt(1 / 20), rel=1e-9)


def test_pairing_the_same_respondents_narrows_the_change_interval():
    people = [f"p{i}" for i in range(40)]
    before = pd.Series([1] * 15 + [0] * 10 + [-1] * 15, index=people)
    after = before.copy()
    after.iloc[15:25] = 1  # ten passives became promoters, everyone else the same
    paired = change_between(before, after)
    unpaired = change_between(before, after.set_axis([f"q{i}" for i in range(40)]))
    assert paired["delta"] == pytest.approx(25.0) and unpaired["delta"] == pytest.approx(25.0)
    assert paired["paired_n"] == 40 and unpaired["paired_n"] == 0
    assert paired["se"] < unpaired["se"] / 2
    assert paired["verdict"] == "up" and unpaired["verdict"] == "within noise"


def test_unpaired_change_variance_is_the_sum_of_both_variances():
    before = pd.Series([1] * 5 + [-1] * 5, index=[f"a{i}" for i in range(10)])
    after = pd.Series([1] * 8 + [-1] * 2, index=[f"b{i}" for i in range(10)])
    result = change_between(before, after)
    variance = (1.0 / 10) + (1 - 0.6**2) / 10
    assert result["se"] == pytest.approx(100 * math.sqrt(variance))


def test_a_change_is_called_only_when_its_interval_excludes_zero():
    assert change_verdict(1.0, 9.0) == "up"
    assert change_verdict(-9.0, -0.5) == "down"
    assert change_verdict(-3.0, 12.0) == "within noise"


def test_change_bootstrap_keeps_each_persons_answers_together_and_is_seeded():
    people = [f"p{i}" for i in range(30)]
    before = pd.Series([1] * 10 + [0] * 10 + [-1] * 10, index=people)
    after = pd.Series([1] * 14 + [0] * 8 + [-1] * 8, index=people)
    one = change_between(before, after, n_boot=500, seed=2)
    assert one["boot_low"] == change_between(before, after, n_boot=500, seed=2)["boot_low"]
    assert one["boot_low"] <= one["delta"] <= one["boot_high"]


def test_change_carries_the_finite_population_correction_of_both_surveys():
    before = pd.Series([1] * 5 + [-1] * 5, index=[f"a{i}" for i in range(10)])
    after = pd.Series([1] * 8 + [-1] * 2, index=[f"b{i}" for i in range(10)])
    assert change_between(before, after, populations=(10, 10))["se"] == 0.0
    corrected = change_between(before, after, populations=(19, 19))
    variance = (9 / 18) * ((1.0 / 10) + (1 - 0.6**2) / 10)  # (19 - 10) / (19 - 1)
    assert corrected["se"] == pytest.approx(100 * math.sqrt(variance))
