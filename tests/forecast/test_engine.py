import numpy as np
import pandas as pd
import pytest
from statsforecast import models as sfm

from compass_nb.errors import InputError, ParameterError
from compass_nb.forecast import engine, fit_forecast, forecast
from compass_nb.forecast.models import CANDIDATES, Candidate


def test_a_constant_series_is_forecast_as_that_constant(make_panel):
    fc = forecast(make_panel({"a": [50.0] * 36}), 6, "MS", n_jobs=1)
    assert fc["yhat"].to_numpy() == pytest.approx(np.full(6, 50.0), rel=1e-3)


def test_a_pure_seasonal_series_is_forecast_as_its_pattern(make_panel, season):
    fc = forecast(make_panel({"a": np.tile(season, 4) * 100}), 12, "MS", n_jobs=1)
    assert fc["yhat"].to_numpy() == pytest.approx(season * 100, rel=1e-2)


def test_an_all_zero_series_is_forecast_as_zero_with_zero_intervals(make_panel):
    fc = forecast(make_panel({"z": [0.0] * 24}), 4, "MS", n_jobs=1)
    cols = ["yhat", "yhat_lo_80", "yhat_hi_80", "yhat_lo_95", "yhat_hi_95"]
    assert (fc[cols].to_numpy() == 0).all()
    assert (fc["demand_class"] == "none").all()


def test_a_series_of_length_three_gets_a_finite_non_negative_forecast(make_panel):
    fc = forecast(make_panel({"s": [5.0, 6.0, 7.0]}), 3, "MS", n_jobs=1)
    assert np.isfinite(fc["yhat"]).all() and (fc["yhat"] >= 0).all()
    assert fc["yhat"].between(4, 9).all()
    assert (fc["flag"].str.contains("short-history")).all()


def test_future_dates_continue_each_series_own_calendar(make_panel):
    a = make_panel({"a": np.arange(1, 31.0)}, start="2021-01-01")
    b = make_panel({"b": np.arange(1, 41.0)}, start="2020-06-01")
    fc = forecast(pd.concat([a, b]), 2, "MS", n_jobs=1)
    assert fc.loc[fc["unique_id"] == "a", "ds"].tolist() == list(
        pd.to_datetime(["2023-07-01", "2023-08-01"])
    )
    assert fc.loc[fc["unique_id"] == "b", "ds"].tolist() == list(
        pd.to_datetime(["2023-10-01", "2023-11-01"])
    )


def test_weekly_data_continue_on_the_weekly_grid(make_panel, rng):
    hist = make_panel({"w": 20 + rng.normal(0, 1, 30)}, start="2024-01-01", freq="W-MON")
    fc = forecast(hist, 3, "W-MON", n_jobs=1)
    assert fc["ds"].tolist() == list(pd.date_range(hist["ds"].max(), periods=4, freq="W-MON")[1:])


def test_output_has_the_contract_columns_and_never_negative_bounds_for_demand(make_panel, rng):
    hist = make_panel(
        {"a": rng.poisson(3, 36), "b": rng.poisson(0.4, 36) * 5, "c": 10 + rng.normal(0, 4, 36)}
    )
    fc = forecast(hist, 6, "MS", n_jobs=1)
    for col in [
        "unique_id",
        "ds",
        "yhat",
        "yhat_lo_80",
        "yhat_hi_80",
        "yhat_lo_95",
        "yhat_hi_95",
        "model",
        "demand_class",
        "flag",
    ]:
        assert col in fc
    bounds = fc[["yhat_lo_80", "yhat_lo_95"]]
    assert (bounds.to_numpy() >= 0).all()
    assert (fc["yhat_lo_95"] <= fc["yhat_lo_80"]).all() and (
        fc["yhat_hi_80"] <= fc["yhat_hi_95"]
    ).all()


def test_intermittent_series_are_routed_to_the_croston_family(make_panel, rng):
    y = np.zeros(36)
    y[rng.choice(36, 8, replace=False)] = rng.integers(1, 6, 8)
    fc = forecast(make_panel({"i": y}), 3, "MS", n_jobs=1)
    assert fc["demand_class"].iloc[0] in ("intermittent", "lumpy")
    assert any(name in fc["model"].iloc[0] for name in ("Croston", "SBA", "TSB", "ADIDA"))


def test_outliers_are_flagged_and_the_input_is_not_altered(make_panel, rng):
    hist = make_panel({"a": 100 + rng.normal(0, 2, 36)})
    hist.loc[20, "y"] = 900
    before = hist.copy()
    fc = forecast(hist, 3, "MS", n_jobs=1)
    assert "outlier" in fc["flag"].iloc[0]
    assert fc["yhat"].between(90, 110).all()
    pd.testing.assert_frame_equal(hist, before)


def test_new_items_borrow_their_family_seasonal_profile(make_panel, season, rng):
    old = make_panel(
        {
            f"old{i}": np.tile(season, 4) * (100 + 10 * i) * rng.lognormal(0, 0.01, 48)
            for i in range(3)
        }
    )
    new = make_panel({"new": season[:8] * 40}, start="2025-01-01")
    fam = {"old0": "F", "old1": "F", "old2": "F", "new": "F"}
    fc = forecast(pd.concat([old, new]), 4, "MS", n_jobs=1, family=fam)
    got = fc[fc["unique_id"] == "new"]
    assert (got["flag"].str.contains("new-item")).all()
    # Sep..Dec follow the family's profile shape (ratios), not a flat line
    ratios = got["yhat"].to_numpy() / got["yhat"].iloc[0]
    assert ratios == pytest.approx(season[8:12] / season[8], rel=0.05)


def test_large_panels_switch_to_the_fast_candidate_set_and_say_so(make_panel, rng, monkeypatch):
    monkeypatch.setattr(engine, "LARGE_PANEL", 2)
    hist = make_panel({k: 10 + rng.normal(0, 1, 30) for k in "abc"})
    fc = forecast(hist, 2, "MS", n_jobs=1)
    assert (fc["candidate_set"] == "fast").all() and fc.attrs["candidate_set"] == "fast"


def test_re_selected_series_are_flagged(make_panel, rng):
    hist = make_panel({"a": 10 + rng.normal(0, 1, 40), "b": 10 + rng.normal(0, 1, 40)})
    res = fit_forecast(hist, 2, "MS", n_jobs=1, reselect={"a"})
    flags = res.forecast.groupby("unique_id")["flag"].first()
    assert "re-selected" in flags["a"] and "re-selected" not in flags["b"]


def test_bad_input_raises_errors_that_say_what_to_do(make_panel):
    with pytest.raises(InputError, match="unique_id, ds, y"):
        forecast(pd.DataFrame({"id": [1], "ds": ["2024-01-01"], "y": [1]}), 2, "MS")
    with pytest.raises(ParameterError, match="horizon"):
        forecast(make_panel({"a": [1, 2, 3]}), 0, "MS")
    with pytest.raises(ParameterError, match="candidate"):
        forecast(make_panel({"a": [1, 2, 3]}), 2, "MS", candidates="best")


def _demand_panel(rng, n_series=150, n_obs=48):
    """Seasonal, trending, noisy monthly demand: enough windows for the pooled networks."""
    t = np.arange(n_obs)
    rows = {}
    for i in range(n_series):
        shape = 1 + rng.uniform(0.1, 0.4) * np.sin(2 * np.pi * (t + rng.integers(12)) / 12)
        trend = 1 + rng.uniform(-0.01, 0.01) * t  # stays positive
        rows[f"s{i:03d}"] = rng.uniform(50, 500) * shape * trend * rng.lognormal(0, 0.1, n_obs)
    return rows


def test_a_large_enough_panel_combines_the_pooled_networks_with_the_local_models(make_panel, rng):
    res = fit_forecast(make_panel(_demand_panel(rng)), 6, "MS", n_jobs=1, selection_ratio=0)
    assert res.settings["pooled"] == ["PooledNet", "PooledNetRaw"]
    label = "Combination(Damped+DOTheta+CES+PooledNet+PooledNetRaw)"
    assert (res.forecast["model"] == label).all()
    c = res.candidates.set_index(["unique_id", "ds"])
    members = c[["Damped", "DOTheta", "CES", "PooledNet", "PooledNetRaw"]].mean(axis=1)
    got = res.forecast.set_index(["unique_id", "ds"])["yhat"]
    assert got.to_numpy() == pytest.approx(members.loc[got.index].clip(lower=0).to_numpy())


def test_the_classic_set_is_the_local_combination_without_networks(make_panel, rng):
    fc = forecast(make_panel(_demand_panel(rng, 30)), 6, "MS", n_jobs=1, candidates="classic")
    assert not fc["model"].str.contains("Pooled").any()
    assert fc.attrs["pooled"] == []


def test_forecasts_do_not_depend_on_the_number_of_workers(make_panel, rng):
    hist = make_panel(_demand_panel(rng))
    one = forecast(hist, 6, "MS", n_jobs=1)
    two = forecast(hist, 6, "MS", n_jobs=2)
    assert one.attrs["pooled"] == ["PooledNet", "PooledNetRaw"]
    pd.testing.assert_frame_equal(one, two)


def test_selection_ratio_is_auto_or_a_number_from_zero_to_one(make_panel):
    hist = make_panel({"a": np.arange(1, 31.0)})
    for bad in (1.5, -0.1, "best"):
        with pytest.raises(ParameterError, match="selection_ratio"):
            forecast(hist, 2, "MS", n_jobs=1, selection_ratio=bad)
    one_window = forecast(hist, 2, "MS", n_jobs=1, backtest_windows=1)
    assert one_window.attrs["selection_ratios"] == {"continuous": engine.DEFAULT_RATIO}


class _Broken(sfm.Naive):
    """A model whose fit always raises, as AutoETS does on tiny series."""

    def forecast(self, *args, **kwargs):
        raise ValueError("tiny datasets")


def test_a_model_that_fails_is_left_out_and_the_series_flagged_not_replaced_by_naive(
    make_panel, monkeypatch
):
    monkeypatch.setitem(
        CANDIDATES, "Broken", Candidate("Broken", lambda m: _Broken(alias="Broken"))
    )
    y = 20 + np.arange(30.0) % 3  # 20, 21, 22, ...: SES is near 21, naive 22
    res = fit_forecast(make_panel({"a": y}), 3, "MS", n_jobs=1, candidates=["Broken", "SES"])
    fc = res.forecast
    assert (fc["model"] == "SES").all() and fc["flag"].str.contains("fallback").all()
    assert res.candidates["Broken"].isna().all()
    assert fc["yhat"].to_numpy() == pytest.approx(res.candidates["SES"].to_numpy())


def test_a_series_whose_every_model_fails_gets_its_last_value(make_panel, monkeypatch):
    monkeypatch.setitem(
        CANDIDATES, "Broken", Candidate("Broken", lambda m: _Broken(alias="Broken"))
    )
    y = np.r_[np.full(29, 10.0), 14.0]
    fc = forecast(make_panel({"a": y}), 3, "MS", n_jobs=1, candidates=["Broken"])
    assert (fc["model"] == "Naive").all() and fc["flag"].str.contains("fallback").all()
    assert fc["yhat"].tolist() == [14.0, 14.0, 14.0]


def test_candidates_of_pooled_networks_only_are_refused(make_panel):
    with pytest.raises(ParameterError, match="local model"):
        forecast(make_panel({"a": np.arange(1, 31.0)}), 2, "MS", candidates=["PooledNet"])
