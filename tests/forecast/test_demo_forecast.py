"""The forecasting step's domain on the small demo, with a phase-out and a launch inside
the horizon: life-cycle zeros, coherence of every level, the declared store tables."""

import numpy as np
import pandas as pd
import pytest

from compass_nb.data import demo
from compass_nb.forecast import cycle, report
from compass_nb.store.tables import check_frame

CUTOFF = pd.Timestamp("2026-10-31")


@pytest.fixture(scope="module")
def run():
    from compass_nb.params import defaults, section_settings
    from compass_nb.steps.forecasting import ForecastingSettings, plan_rules

    s = section_settings(ForecastingSettings, "forecasting")
    t = demo.generate("small")
    products = t["products"].copy()
    big = t["orders"].groupby("sku")["quantity"].sum().idxmax()
    products.loc[products["sku"] == big, "discontinue_date"] = pd.Timestamp("2027-03-15")
    launch = products.iloc[[0]].assign(
        sku="NEW-0001", launch_date=pd.Timestamp("2027-02-01"), discontinue_date=pd.NaT
    )
    products = pd.concat([products, launch], ignore_index=True)
    day = pd.to_datetime(t["orders"]["order_date"])
    review = report.review(
        t["orders"][day <= CUTOFF],
        products,
        t["overrides"][t["overrides"]["cycle"] <= "2026-10"],
        pd.DataFrame(),
        pd.DataFrame(),
        t["orders"][day > CUTOFF],
        period="2026-10",
        cutoff=CUTOFF,
        horizon=18,
        level=s.level,
        rules=plan_rules(s, defaults()["launch_ramp"]),
        lags=s.lags,
        fva_max_lag=s.fva_max_lag,
        coverage_tolerance=s.coverage_tolerance,
        currency="EUR",
        candidates=s.candidates,
        backtest_windows=s.backtest_windows,
        n_jobs=1,
    )
    return review, products, big, launch.iloc[0]


def test_no_discontinued_sku_has_a_forecast_after_its_date(run):
    review, products, big, _ = run
    fc = review.cycle.forecast
    stop = products.set_index("sku")["discontinue_date"].dropna()
    bottom = fc[(fc["level"] == "sku_location") & fc["sku"].isin(stop.index)]
    after = bottom[bottom["ds"] > bottom["sku"].map(stop)]
    assert len(stop) >= 2 and after["yhat"].sum() == 0 and after["yhat_hi_95"].sum() == 0
    march = bottom[(bottom["sku"] == big) & (bottom["ds"] == pd.Timestamp("2027-03-01"))]
    feb = bottom[(bottom["sku"] == big) & (bottom["ds"] == pd.Timestamp("2027-02-01"))]
    assert 0 < march["yhat"].sum() < feb["yhat"].sum()  # 14 of 31 days of March on sale


def test_a_launch_without_history_is_forecast_from_its_launch_month(run):
    review, _, _, launch = run
    new = review.cycle.forecast.query("sku == 'NEW-0001'")
    assert new["ds"].min() == pd.Timestamp("2026-11-01")
    assert new.loc[new["ds"] < pd.Timestamp("2027-02-01"), "yhat"].sum() == 0
    assert new.loc[new["ds"] >= pd.Timestamp("2027-02-01"), "yhat"].gt(0).all()
    assert set(new["flag"]) == {"launch"} and (new["family"] == launch["family"]).all()


@pytest.mark.parametrize("by", ["family", "location", None])
def test_sku_location_forecasts_add_up_to_every_upper_level(run, by):
    fc = run[0].cycle.forecast
    bottom = fc[fc["level"] == "sku_location"]
    level = by or "total"
    upper = fc[fc["level"] == level]
    keys = [by, "ds"] if by else ["ds"]
    sums = bottom.groupby(keys)["yhat"].sum()
    mine = upper.set_index(keys)["yhat"].reindex(sums.index)
    np.testing.assert_allclose(mine.to_numpy(), sums.to_numpy(), rtol=1e-6)


def test_upper_levels_carry_their_own_interval_around_the_point(run):
    fc = run[0].cycle.forecast
    total = fc[fc["level"] == "total"].set_index("ds")
    bottom = fc[fc["level"] == "sku_location"].groupby("ds")[["yhat_lo_80", "yhat_hi_80"]].sum()
    assert (total["yhat_lo_80"] <= total["yhat"]).all() and (
        total["yhat"] <= total["yhat_hi_80"]
    ).all()
    assert (total["yhat_hi_80"] - total["yhat"] < bottom["yhat_hi_80"] - total["yhat"]).all()
    assert (total["yhat_lo_95"] <= total["yhat_lo_80"]).all()


def test_the_store_tables_follow_their_declarations(run):
    review = run[0]
    check_frame("forecast", review.cycle.forecast[cycle.FORECAST_COLUMNS])
    check_frame("forecast_backtest", review.cycle.backtest)
    check_frame("forecast_residuals", review.residuals)
    check_frame("nowcast", review.nowcast)
    res = review.residuals
    assert set(res["level"]) == {"sku_location", "family", "location", "total"}
    assert res["horizon"].min() == 1


def test_every_class_present_has_both_coverages_and_the_summary_states_the_horizon(run):
    review = run[0]
    cov = review.coverage
    present = cov[cov["series"] > 0]
    assert present[["coverage_80", "coverage_95"]].notna().all().all()
    assert "18 months ahead (Nov 2026 to Apr 2028)" in review.summary[0]
    assert review.coherence <= report.COHERENCE_TOLERANCE
