import numpy as np
import pytest

from compass_nb.forecast.outliers import flag_outliers, outlier_mask


def test_a_one_off_spike_is_flagged_and_cleaned_without_touching_the_input(make_panel, rng):
    y = 100 + rng.normal(0, 3, 36)
    y[20] = 1000
    hist = make_panel({"a": y})
    before = hist.copy()
    out = flag_outliers(hist)
    assert out["outlier"].tolist() == [i == 20 for i in range(36)]
    assert out["y_clean"].iloc[20] == pytest.approx(100, abs=10)
    assert hist.equals(before)


def test_a_stock_out_zero_in_a_selling_series_is_an_outlier():
    y = np.full(24, 50.0) + np.arange(24) % 3
    y[10] = 0
    assert np.flatnonzero(outlier_mask(y)).tolist() == [10]


def test_intermittent_series_are_left_alone(make_panel):
    hist = make_panel({"a": [0, 0, 9, 0, 0, 0, 8, 0, 0, 0, 0, 50, 0, 0]})
    assert not flag_outliers(hist, skip={"a"})["outlier"].any()


def test_an_end_of_life_drop_to_zero_is_never_cleaned(make_panel):
    # 34 months of steady sales, then the item stops selling: the last two zeros are the
    # end of its life, not stock-outs, and the run-down before them is not a spike
    y = np.r_[np.full(32, 120.0) + np.arange(32) % 4, 60.0, 15.0, 0.0, 0.0]
    assert not outlier_mask(y).any()
    out = flag_outliers(make_panel({"a": y}))
    assert out["y_clean"].tolist() == pytest.approx(y.tolist())


def test_a_zero_inside_the_series_is_still_a_stock_out_when_the_series_ends_with_one():
    y = np.full(30, 50.0) + np.arange(30) % 3
    y[[10, 29]] = 0
    assert np.flatnonzero(outlier_mask(y)).tolist() == [10]
