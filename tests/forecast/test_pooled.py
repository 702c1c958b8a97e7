import numpy as np
import pandas as pd
import pytest

from compass_nb.forecast import pooled
from compass_nb.forecast.pooled import (
    lookback,
    net_predict,
    pooled_backtest,
    pooled_forecasts,
    train_net,
    training_windows,
)


def _growth_panel(n_series, n_obs, growth, rng, season=None, start="2020-01-01"):
    """Series a_i * growth**t (times a seasonal shape): every window says the same thing."""
    t = np.arange(n_obs)
    shape = np.ones(n_obs) if season is None else np.tile(season, n_obs // 12 + 1)[:n_obs]
    level = rng.uniform(50, 500, n_series)
    ds = pd.date_range(start, periods=n_obs, freq="MS")
    return pd.DataFrame(
        {
            "unique_id": np.repeat([f"s{i:03d}" for i in range(n_series)], n_obs),
            "ds": np.tile(ds, n_series),
            "y": (level[:, None] * growth**t * shape).ravel(),
        }
    ), level


def test_lookback_is_two_seasons_and_at_least_eight_periods():
    assert (lookback(12), lookback(4), lookback(1)) == (24, 8, 8)


def test_windows_are_log_ratios_to_the_level_of_their_inputs():
    # m = 1: the level is the last input. Windows [1,2,4], [2,4,8], [4,8,16].
    X, Y = training_windows([np.array([1.0, 2, 4, 8, 16])], L=2, h=1, m=1)
    assert X == pytest.approx(np.tile([np.log(0.5), 0.0], (3, 1)))
    assert Y == pytest.approx(np.full((3, 1), np.log(2.0)))
    # m = 2: the level is the mean of the last two inputs, (2 + 6) / 2 = 4.
    X, Y = training_windows([np.array([2.0, 6, 8])], L=2, h=1, m=2)
    assert X == pytest.approx(np.array([[np.log(0.5), np.log(1.5)]]))
    assert Y == pytest.approx(np.array([[np.log(2.0)]]))


def test_windows_with_a_zero_or_too_short_series_are_left_out():
    # [1, 0, 2] and [0, 2, 3] hold a zero; [5, 6] is shorter than L + h = 3
    X, Y = training_windows([np.array([1.0, 0, 2, 3, 4]), np.array([5.0, 6])], L=2, h=1, m=1)
    assert X == pytest.approx(np.array([[np.log(2 / 3), 0.0]])) and Y == pytest.approx(
        np.array([[np.log(4 / 3)]])
    )
    X, _ = training_windows([np.array([1.0, 0, 2])], L=2, h=1, m=1)
    assert len(X) == 0


def test_the_network_learns_a_linear_map_far_better_than_predicting_zero(rng):
    X = rng.normal(0, 0.3, (4000, 6)).astype(np.float32)
    A = rng.normal(0, 0.5, (6, 3)).astype(np.float32)
    Y = X @ A
    params = train_net(X, Y, epochs=20, seed=0)
    err = np.mean(np.abs(net_predict(params, X) - Y))
    assert err < 0.1 * np.mean(np.abs(Y))


def test_training_is_deterministic_for_a_seed_and_changes_with_it(rng):
    X = rng.normal(0, 1, (500, 4)).astype(np.float32)
    Y = np.abs(X[:, :2])
    a, b, c = (train_net(X, Y, epochs=2, seed=s) for s in (0, 0, 1))
    assert np.array_equal(a.w1, b.w1) and np.array_equal(a.wl, b.wl)
    assert not np.array_equal(a.w1, c.w1)


@pytest.mark.parametrize("name", ["PooledNet", "PooledNetRaw"])
def test_a_panel_growing_at_one_rate_is_extrapolated_at_that_rate(name, rng):
    hist, level = _growth_panel(120, 48, 1.01, rng)
    fc = pooled_forecasts(hist, [name], 6, "MS", 12)
    got = fc[name].to_numpy().reshape(120, 6)
    want = level[:, None] * 1.01 ** np.arange(48, 54)
    assert got == pytest.approx(want, rel=0.02)


def test_the_raw_network_learns_a_shared_seasonal_shape(rng, season):
    hist, level = _growth_panel(120, 60, 1.0, rng, season=season)
    fc = pooled_forecasts(hist, ["PooledNetRaw"], 12, "MS", 12)
    got = fc["PooledNetRaw"].to_numpy().reshape(120, 12)
    assert got == pytest.approx(level[:, None] * season[None, :], rel=0.03)


def test_too_few_windows_give_no_pooled_forecast(rng):
    hist, _ = _growth_panel(5, 48, 1.01, rng)  # 5 x 19 windows < MIN_WINDOWS
    fc = pooled_forecasts(hist, ["PooledNet", "PooledNetRaw"], 6, "MS", 12)
    assert fc[["PooledNet", "PooledNetRaw"]].isna().all().all()
    assert len(fc) == 5 * 6


def test_a_series_with_a_zero_in_its_last_window_is_not_forecast(rng):
    hist, _ = _growth_panel(120, 48, 1.01, rng)
    hist.loc[(hist["unique_id"] == "s007") & (hist["ds"] == hist["ds"].max()), "y"] = 0.0
    fc = pooled_forecasts(hist, ["PooledNet"], 6, "MS", 12)
    bad = fc["unique_id"] == "s007"
    assert fc.loc[bad, "PooledNet"].isna().all() and fc.loc[~bad, "PooledNet"].notna().all()


def test_pooled_backtest_never_sees_the_periods_after_its_origin(rng, monkeypatch):
    monkeypatch.setattr(pooled, "MIN_WINDOWS", 100)
    hist, _ = _growth_panel(30, 60, 1.01, rng)
    hist["y"] *= rng.lognormal(0, 0.05, len(hist))
    changed = hist.copy()
    last12 = changed.groupby("unique_id").cumcount() >= 48
    changed.loc[last12, "y"] *= 3.0
    a = pooled_backtest(hist, ["PooledNet"], 12, 1, 12, 24, "MS", 12)
    b = pooled_backtest(changed, ["PooledNet"], 12, 1, 12, 24, "MS", 12)
    assert len(a) == 30 * 12
    pd.testing.assert_frame_equal(a, b)
