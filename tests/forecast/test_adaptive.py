import pandas as pd
import pytest

from compass_nb.forecast.adaptive import one_step_errors, series_to_reselect, tracking_signals


def _snapshots():
    rows = []
    for cycle in ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05"]:
        p = pd.Period(cycle, freq="M")
        for lead in (1, 2):
            rows.append((cycle, "up", (p + lead).to_timestamp(), 10.0))
            rows.append((cycle, "ok", (p + lead).to_timestamp(), 10.0))
    return pd.DataFrame(rows, columns=["period", "unique_id", "ds", "yhat"])


def _actuals():
    ds = pd.date_range("2026-02-01", periods=5, freq="MS")
    return pd.concat(
        [
            pd.DataFrame({"unique_id": "up", "ds": ds, "y": [12.0] * 5}),  # every month 2 above
            pd.DataFrame({"unique_id": "ok", "ds": ds, "y": [12.0, 8.0, 12.0, 8.0, 10.0]}),
        ]
    )


def test_one_step_errors_take_each_cycles_next_month():
    err = one_step_errors(_snapshots(), _actuals())
    up = err[err["unique_id"] == "up"]
    assert up["ds"].dt.strftime("%Y-%m").tolist() == [
        "2026-02",
        "2026-03",
        "2026-04",
        "2026-05",
        "2026-06",
    ]
    assert up["error"].tolist() == [2.0] * 5


def test_a_persistently_biased_series_leaves_plus_minus_four_and_is_flagged():
    ts = tracking_signals(one_step_errors(_snapshots(), _actuals())).set_index("unique_id")
    assert ts.loc["up", "tracking_signal"] == pytest.approx(10 / 2)  # sum 10, MAD 2
    assert ts.loc["ok", "tracking_signal"] == pytest.approx(0)  # 2-2+2-2+0 = 0
    assert series_to_reselect(ts.reset_index()) == {"up"}
