from compass_nb.forecast import forecast


def test_interval_coverage_on_simulated_data_is_near_nominal(make_panel, rng):
    n_series, n, h = 60, 48, 6
    full = {f"s{i}": 100 + rng.normal(0, 10, n + h) for i in range(n_series)}
    hist = make_panel({k: v[:n] for k, v in full.items()})
    future = make_panel({k: v for k, v in full.items()})
    future = future.groupby("unique_id").tail(h)
    fc = forecast(hist, h, "MS", n_jobs=1, clean_outliers=False).merge(
        future, on=["unique_id", "ds"]
    )
    cover80 = ((fc["y"] >= fc["yhat_lo_80"]) & (fc["y"] <= fc["yhat_hi_80"])).mean()
    cover95 = ((fc["y"] >= fc["yhat_lo_95"]) & (fc["y"] <= fc["yhat_hi_95"])).mean()
    assert 0.70 <= cover80 <= 0.92
    assert 0.88 <= cover95 <= 1.0


def test_a_window_without_a_backtest_forecast_leaves_the_conformal_quantile_intact():
    import numpy as np
    import pandas as pd

    from compass_nb.forecast.intervals import calibrate_intervals, conformal_quantiles

    # |errors| 1, 2, 3, 4 at step 1 over a scale of 1, plus a window the series could not be
    # backtested in (no forecast): the 80 % conformal rank is ceil(5 × 0.8) / 4 → the 4th
    bt = pd.DataFrame(
        {
            "unique_id": ["a"] * 5,
            "group": "continuous",
            "step": 1,
            "y": [11.0, 12.0, 13.0, 14.0, 15.0],
            "yhat": [10.0, 10.0, 10.0, 10.0, np.nan],
            "yhat_lo_80": np.nan,
            "yhat_hi_80": np.nan,
        }
    )
    scales = pd.Series({"a": 1.0})
    q = conformal_quantiles(bt, scales, 80)
    assert q["q"].tolist() == [4.0]
    fc = pd.DataFrame(
        {
            "unique_id": ["a"],
            "group": "continuous",
            "step": 1,
            "yhat": [20.0],
            "yhat_lo_80": np.nan,
            "yhat_hi_80": np.nan,
        }
    )
    out, report = calibrate_intervals(fc, bt, scales, [80])
    assert (out["yhat_lo_80"].iloc[0], out["yhat_hi_80"].iloc[0]) == (16.0, 24.0)
    assert report["method"].tolist() == ["conformal"]
