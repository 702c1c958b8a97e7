import numpy as np

from compass_nb.forecast.backtest import Chunk, fit_chunk, split_origins


def test_splits_train_strictly_before_test_and_test_is_the_next_hb_periods(make_panel):
    hist = make_panel({"a": np.arange(40.0), "b": np.arange(30.0)})
    for w in (0, 1):
        train, test = split_origins(hist, hb=6, window=w, step=6, min_train=12)
        for uid in ("a", "b"):
            tr, te = train[train["unique_id"] == uid], test[test["unique_id"] == uid]
            assert tr["ds"].max() < te["ds"].min()
            assert len(te) == 6
            assert te["y"].iloc[0] == tr["y"].iloc[-1] + 1  # the very next period
            assert len(tr) == len(hist[hist["unique_id"] == uid]) - 6 - 6 * w


def test_series_too_short_for_a_window_are_left_out(make_panel):
    hist = make_panel({"short": np.arange(15.0)})
    train, test = split_origins(hist, hb=6, window=0, step=6, min_train=12)
    assert train.empty and test.empty


def test_backtest_forecasts_do_not_change_when_the_hidden_future_changes(make_panel, rng, season):
    y = np.tile(season, 4) * 100 * rng.lognormal(0, 0.05, 48)
    changed = y.copy()
    changed[-12:] *= 3  # only the periods hidden by window 0
    spec = dict(
        route={"a": ("Damped", "DOTheta", "CES")},
        h=6,
        freq="MS",
        m=12,
        level=(80,),
        hb=12,
        windows=1,
        step=12,
        min_train=24,
    )
    _, bt1, _ = fit_chunk(Chunk(history=make_panel({"a": y}), **spec))
    _, bt2, _ = fit_chunk(Chunk(history=make_panel({"a": changed}), **spec))
    cols = ["Damped", "DOTheta", "CES"]
    np.testing.assert_allclose(bt1[cols].to_numpy(), bt2[cols].to_numpy())
    assert not np.allclose(bt1["y"], bt2["y"])
