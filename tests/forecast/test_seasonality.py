import numpy as np
import pytest

from compass_nb.forecast.seasonality import is_seasonal, seasonal_indices, seasonal_profile


def test_a_pure_seasonal_series_passes_the_m4_test(season):
    assert is_seasonal(np.tile(season, 4) * 100, 12)


def test_white_noise_and_short_or_flat_series_are_not_seasonal(rng):
    assert not is_seasonal(rng.normal(100, 1, 48), 12)
    assert not is_seasonal(np.tile([1.0, 2.0], 12), 12)  # 24 points < three seasons
    assert not is_seasonal(np.full(48, 3.0), 12)


def test_classical_decomposition_recovers_the_profile(season):
    y = np.tile(season, 5) * 200
    assert seasonal_profile(y, 12) == pytest.approx(season, rel=1e-9)


def test_future_indices_continue_the_cycle(season):
    y = np.tile(season, 4)[3:] * 50  # starts at position 3 of the profile
    si_in, si_out = seasonal_indices(y, 12, 5)
    assert si_in == pytest.approx(y / 50)
    assert si_out == pytest.approx(season[[0, 1, 2, 3, 4]])  # 45 points from position 3 end at 11


def test_series_with_zeros_are_not_adjusted(season):
    y = np.tile(season, 4) * 10
    y[5] = 0
    si_in, si_out = seasonal_indices(y, 12, 3)
    assert (si_in == 1).all() and (si_out == 1).all()
