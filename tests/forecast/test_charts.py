import pandas as pd
from matplotlib.axes import Axes

from compass_nb.viz import forecast as charts


def test_each_chart_returns_axes_and_copes_with_empty_data():
    empty = pd.DataFrame(
        columns=[
            "adi",
            "cv2",
            "demand_class",
            "option",
            "relative_mae",
            "family",
            "wape",
            "bias",
            "step",
            "tracking_signal",
            "flagged",
            "unique_id",
            "ds",
            "y",
        ]
    )
    assert isinstance(charts.demand_classes(empty), Axes)
    assert isinstance(charts.leaderboard(empty), Axes)
    assert isinstance(charts.accuracy_by_family(empty), Axes)
    assert isinstance(charts.fva_stairstep(empty), Axes)
    assert isinstance(charts.tracking_signals(empty), Axes)
    assert isinstance(charts.series_forecast(empty, empty, "x"), Axes)


def test_series_chart_draws_history_and_forecast():
    hist = pd.DataFrame(
        {"unique_id": "a", "ds": pd.date_range("2025-01-01", periods=3, freq="MS"), "y": [1, 2, 3]}
    )
    fc = pd.DataFrame(
        {
            "unique_id": "a",
            "ds": pd.date_range("2025-04-01", periods=2, freq="MS"),
            "yhat": [3, 3],
            "yhat_lo_80": [2, 2],
            "yhat_hi_80": [4, 4],
            "yhat_lo_95": [1, 1],
            "yhat_hi_95": [5, 5],
            "model": "Damped",
        }
    )
    ax = charts.series_forecast(hist, fc, "a")
    assert len(ax.lines) == 2 and "Damped" in ax.get_title(loc="left")


def test_series_explorer_lists_the_sku_location_series(rng, rules):
    from compass_nb.forecast import cycle
    from compass_nb.widgets.forecast import series_explorer

    rows = [
        pd.DataFrame(
            {
                "sku": sku,
                "location": "DC-North",
                "family": "F",
                "ds": pd.date_range("2024-01-01", periods=24, freq="MS"),
                "y": 10 + rng.normal(0, 1, 24),
            }
        )
        for sku in ("A", "B")
    ]
    run = cycle.run_cycle(
        pd.concat(rows, ignore_index=True), 2, products=None, rules=rules, n_jobs=1
    )
    box = series_explorer(run)
    assert list(box.controls["series"].options) == ["A|DC-North", "B|DC-North"]


def _levels():
    hist = pd.DataFrame(
        {
            "unique_id": ["total"] * 3 + ["family|F"] * 3,
            "ds": list(pd.date_range("2026-08-01", periods=3, freq="MS")) * 2,
            "y": [10.0, 11.0, 12.0, 4.0, 5.0, 6.0],
        }
    )
    fc = pd.DataFrame(
        {
            "unique_id": ["total", "family|F"],
            "level": ["total", "family"],
            "family": [None, "F"],
            "ds": pd.Timestamp("2026-11-01"),
            "yhat": [12.0, 6.0],
            "yhat_lo_80": [10.0, 5.0],
            "yhat_hi_80": [14.0, 7.0],
        }
    )
    return hist, fc


def test_the_total_chart_draws_history_forecast_and_its_band_in_units():
    hist, fc = _levels()
    ax = charts.level_forecast(hist, fc, "total", title="Total demand")
    assert [line.get_label() for line in ax.lines] == ["history", "forecast"]
    assert len(ax.collections) == 1  # the 80 % band
    assert ax.get_ylabel() == "units per month" and ax.get_title(loc="left") == "Total demand"


def test_one_chart_per_family_and_the_spare_panel_is_blank():
    hist, fc = _levels()
    axes = charts.family_forecasts(hist, fc)
    assert axes[0].get_title(loc="left") == "F" and not axes[1].axison


def test_a_step_not_measured_is_written_on_the_fva_chart():
    fva = pd.DataFrame(
        {"step": ["naive", "statistical", "override", "consensus"], "wape": [0.3, 0.2, None, None]}
    )
    ax = charts.fva_stairstep(fva)
    texts = [t.get_text() for t in ax.texts]
    assert texts.count("not\nmeasured") == 2 and "20.0%" in texts
