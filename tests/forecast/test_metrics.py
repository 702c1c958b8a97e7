import numpy as np
import pandas as pd
import pytest

from compass_nb.forecast import metrics as M

Y, F = [1, 2, 3], [2, 2, 2]
INSAMPLE = [1, 2, 4, 7]


def test_mae_and_rmse_of_a_hand_worked_case():
    assert M.mae(Y, F) == pytest.approx(2 / 3)
    assert M.rmse(Y, F) == pytest.approx(np.sqrt(2 / 3))


def test_smape_follows_the_m4_formula():
    # 200*1/3, 0, 200*1/5
    assert M.smape(Y, F) == pytest.approx((200 / 3 + 0 + 40) / 3)


def test_smape_counts_zero_actual_and_zero_forecast_as_perfect():
    assert M.smape([0, 10], [0, 10]) == 0


def test_mase_scales_by_in_sample_naive_error_at_the_seasonal_lag():
    assert M.mase(Y, F, INSAMPLE, m=1) == pytest.approx((2 / 3) / 2)  # diffs 1,2,3
    assert M.mase(Y, F, INSAMPLE, m=2) == pytest.approx((2 / 3) / 4)  # |4-1|, |7-2|


def test_mase_falls_back_to_lag_one_when_history_is_shorter_than_a_season():
    assert M.mase(Y, F, INSAMPLE, m=12) == pytest.approx(1 / 3)


def test_mase_is_nan_for_a_flat_history():
    assert np.isnan(M.mase(Y, F, [5, 5, 5]))


def test_rmsse_uses_squared_in_sample_changes():
    assert M.rmsse(Y, F, INSAMPLE, m=1) == pytest.approx(np.sqrt((2 / 3) / (14 / 3)))


def test_wape_and_bias_are_relative_to_total_actuals():
    assert M.wape(Y, F) == pytest.approx(2 / 6)
    assert M.bias(Y, [2, 3, 4]) == pytest.approx(3 / 6)
    assert M.bias(Y, F) == pytest.approx(0)


def test_tracking_signal_is_cumulative_error_over_mad():
    assert M.tracking_signal([10, 12, 14], [10, 10, 10]) == pytest.approx(6 / 2)
    assert M.tracking_signal([1, 2], [1, 2]) == 0


def test_coverage_counts_bounds_as_inside():
    assert M.coverage([1, 5, 10], [0, 6, 0], [2, 7, 10]) == pytest.approx(2 / 3)


def test_msis_penalises_misses_by_two_over_alpha():
    # widths 2, 1, 10; the miss at 5 < 6 costs 40 * 1 -> mean 53/3, scale 2
    assert M.msis([1, 5, 10], [0, 6, 0], [2, 7, 10], INSAMPLE, m=1, level=95) == pytest.approx(
        53 / 6
    )


def test_owa_averages_relative_smape_and_mase():
    assert M.owa(10, 1, 20, 2) == pytest.approx(0.5)
    assert M.owa(15, 1, 15, 1) == pytest.approx(1.0)


def test_accuracy_table_scores_each_series():
    ds = pd.date_range("2024-01-01", periods=3, freq="MS")
    actuals = pd.DataFrame({"unique_id": "a", "ds": ds, "y": Y})
    fc = pd.DataFrame(
        {"unique_id": "a", "ds": ds, "yhat": F, "yhat_lo_95": [0, 6, 0], "yhat_hi_95": [2, 7, 10]}
    )
    hist = pd.DataFrame(
        {"unique_id": "a", "ds": pd.date_range("2023-09-01", periods=4, freq="MS"), "y": INSAMPLE}
    )
    row = M.accuracy_table(actuals, fc, hist, m=1).iloc[0]
    assert row["mase"] == pytest.approx(1 / 3)
    assert row["wape"] == pytest.approx(1 / 3)
    assert row["coverage"] == pytest.approx(2 / 3)  # 1 in [0,2]; 2 not in [6,7]; 3 in [0,10]
