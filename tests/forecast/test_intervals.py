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
