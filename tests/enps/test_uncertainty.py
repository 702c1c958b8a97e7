import numpy as np
import pandas as pd
import pytest

from compass_nb.enps.uncertainty import (
    bootstrap_change,
    bootstrap_enps,
    bootstrap_p_value,
    change_verdict,
    fdr_calls,
    finite_population_factor,
    percentile_interval,
    rng_for,
    slope_draws,
)


def test_the_respondent_bootstrap_matches_the_multinomial_standard_error_for_a_large_group():
    signed = np.array([1] * 120 + [0] * 50 + [-1] * 30)
    draws = bootstrap_enps(signed, 8000, rng_for(3, "s", "g"))
    # var of a difference of multinomial shares: (p + d − (p − d)²) / n, p = .6, d = .15
    se = 100 * np.sqrt((0.6 + 0.15 - 0.45**2) / 200)
    low, high = percentile_interval(draws, 0.95)
    assert low == pytest.approx(45 - 1.96 * se, abs=1.0)
    assert high == pytest.approx(45 + 1.96 * se, abs=1.0)


def test_the_bootstrap_is_seeded_by_cell():
    signed = np.array([1, 0, -1, 1, 1, 0, -1, -1])
    one = bootstrap_enps(signed, 500, rng_for(7, "pulse-2026-10", "Sales"))
    assert (one == bootstrap_enps(signed, 500, rng_for(7, "pulse-2026-10", "Sales"))).all()
    assert (one != bootstrap_enps(signed, 500, rng_for(7, "pulse-2026-10", "Ops"))).any()


def test_the_finite_population_correction_scales_the_spread_by_its_square_root():
    assert finite_population_factor(8, 10) == pytest.approx(2 / 9)
    assert finite_population_factor(12, 10) == 1.0  # inconsistent counts: no correction
    signed = np.array([1] * 10 + [0] * 5 + [-1] * 5)
    plain = bootstrap_enps(signed, 2000, rng_for(1, "x"))
    corrected = bootstrap_enps(signed, 2000, rng_for(1, "x"), population=21)
    assert corrected.std() == pytest.approx(plain.std() * np.sqrt(1 / 20), rel=1e-9)


def test_pairing_the_same_respondents_narrows_the_change():
    people = [f"p{i}" for i in range(40)]
    before = pd.Series([1] * 15 + [0] * 10 + [-1] * 15, index=people)
    after = before.copy()
    after.iloc[15:25] = 1  # ten passives became promoters, everyone else the same
    paired = bootstrap_change(before, after, 4000, rng_for(1, "c"))
    unpaired = bootstrap_change(
        before, after.set_axis([f"q{i}" for i in range(40)]), 4000, rng_for(1, "c")
    )
    assert paired.mean() == pytest.approx(25.0, abs=1.5)
    assert paired.std() < unpaired.std() / 2
    assert percentile_interval(paired, 0.95)[0] > 0
    assert percentile_interval(unpaired, 0.95)[0] < 0


def test_the_unpaired_change_spread_is_that_of_two_independent_shares():
    before = pd.Series([1] * 50 + [-1] * 50, index=[f"a{i}" for i in range(100)])
    after = pd.Series([1] * 80 + [-1] * 20, index=[f"b{i}" for i in range(100)])
    draws = bootstrap_change(before, after, 8000, rng_for(2, "c"))
    # var(s) = 1 and 1 − 0.6² for the two surveys, each over 100 people (the union of 200
    # is resampled, so each survey's count varies around 100: a little extra spread)
    expected = 100 * np.sqrt(1.0 / 100 + (1 - 0.36) / 100)
    assert draws.std() == pytest.approx(expected, rel=0.08)


def test_a_bootstrap_p_value_is_twice_the_smaller_tail():
    draws = np.array([-1.0] * 10 + [1.0] * 90)
    assert bootstrap_p_value(draws) == pytest.approx(2 * 11 / 101)
    assert bootstrap_p_value(np.ones(999)) == pytest.approx(2 / 1000)


def test_benjamini_hochberg_calls_and_the_level_of_the_adjusted_intervals():
    p = pd.Series({"a": 0.01, "b": 0.02, "c": 0.03, "d": 0.5})
    adjusted, called, level = fdr_calls(p, 0.05)
    # BH: p(3) = 0.03 ≤ 3 · 0.05 / 4 = 0.0375, p(4) > 0.05: three calls
    assert called.to_dict() == {"a": True, "b": True, "c": True, "d": False}
    assert adjusted["c"] == pytest.approx(0.04)  # min over j ≥ 3 of p(j) · 4 / j
    assert level == pytest.approx(1 - 3 * 0.05 / 4)
    _, none, level = fdr_calls(pd.Series({"a": 0.2, "b": 0.6}), 0.05)
    assert not none.any() and level == pytest.approx(1 - 0.05 / 2)


def test_the_slope_of_resampled_scores_is_the_least_squares_slope_of_each_column():
    columns = np.array([[-10.0, 0.0], [-20.0, 0.0], [-30.0, 0.0], [-40.0, 0.0]])
    assert slope_draws(columns).tolist() == pytest.approx([-10.0, 0.0])


def test_a_change_is_called_only_when_its_interval_excludes_zero():
    assert change_verdict(1.0, 9.0) == "clear rise"
    assert change_verdict(-9.0, -0.5) == "clear fall"
    assert change_verdict(-3.0, 12.0) == "within noise"
