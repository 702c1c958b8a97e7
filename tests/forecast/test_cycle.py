import numpy as np
import pandas as pd
import pytest

from compass_nb.forecast import cycle
from compass_nb.forecast.fva import fva_stairstep, past_cycle_cells


def _orders():
    return pd.DataFrame(
        {
            "order_date": ["2026-01-03", "2026-01-20", "2026-03-05", "2026-02-11"],
            "sku": ["A", "A", "A", "B"],
            "location": ["N", "N", "N", "S"],
            "quantity": [2.0, 3.0, 4.0, 7.0],
        }
    )


def test_monthly_demand_sums_by_month_and_fills_gaps_with_zero():
    products = pd.DataFrame({"sku": ["A", "B"], "family": ["F", "G"]})
    d = cycle.monthly_demand(_orders(), products, "2026-03-31")
    a = d[d["sku"] == "A"]
    assert a["y"].tolist() == [5.0, 0.0, 4.0]
    assert d[d["sku"] == "B"]["y"].tolist() == [7.0, 0.0]
    assert set(d["family"]) == {"F", "G"}


def test_orders_after_the_cut_off_are_ignored():
    products = pd.DataFrame({"sku": ["A", "B"], "family": ["F", "G"]})
    d = cycle.monthly_demand(_orders(), products, "2026-01-31")
    assert d["y"].sum() == 5.0


def test_a_family_override_sets_its_total_and_keeps_the_mix():
    fc = pd.DataFrame(
        {
            "level": "sku_location",
            "sku": ["A", "B", "C"],
            "location": "N",
            "family": ["F", "F", "G"],
            "ds": pd.to_datetime(["2026-05-01"] * 3),
            "yhat": [10.0, 30.0, 5.0],
        }
    )
    ov = pd.DataFrame(
        {
            "cycle": ["2026-04"],
            "period": ["2026-05"],
            "family": ["F"],
            "sku": [None],
            "location": [None],
            "quantity": [80.0],
        }
    )
    out = cycle.apply_overrides(fc, ov, "2026-04")
    assert out.tolist() == pytest.approx([20.0, 60.0, 5.0])
    assert cycle.apply_overrides(fc, ov, "2026-03").tolist() == pytest.approx([10.0, 30.0, 5.0])


def test_run_cycle_writes_the_contract_columns_and_parents_add_up(rng, rules):
    rows = []
    for sku, fam in [("A", "F"), ("B", "F"), ("C", "G")]:
        for loc in ["DC-North", "DC-South"]:
            y = 20 + rng.normal(0, 2, 30)
            rows.append(
                pd.DataFrame(
                    {
                        "sku": sku,
                        "location": loc,
                        "family": fam,
                        "ds": pd.date_range("2024-01-01", periods=30, freq="MS"),
                        "y": y,
                    }
                )
            )
    run = cycle.run_cycle(
        pd.concat(rows, ignore_index=True), 3, products=None, rules=rules, n_jobs=1
    )
    fc = run.forecast
    assert list(fc.columns[: len(cycle.FORECAST_COLUMNS)]) == cycle.FORECAST_COLUMNS
    assert set(fc["level"]) == {"sku_location", "family", "location", "total"}
    assert "A|DC-North" in set(fc["unique_id"])
    bottom = fc[fc["level"] == "sku_location"]
    total = fc[fc["level"] == "total"].set_index("ds")["yhat"]
    np.testing.assert_allclose(
        bottom.groupby("ds")["yhat"].sum().to_numpy(), total.to_numpy(), rtol=1e-9
    )
    fam = fc[fc["level"] == "family"].set_index(["family", "ds"])["yhat"]
    np.testing.assert_allclose(
        bottom.groupby(["family", "ds"])["yhat"].sum().to_numpy(), fam.sort_index().to_numpy()
    )
    assert set(run.backtest.columns) >= {"unique_id", "model", "wape", "bias", "mase", "coverage"}


def test_fva_over_past_cycles_compares_naive_statistical_and_overridden():
    snaps = pd.DataFrame(
        {
            "period": ["2026-01", "2026-02"],
            "unique_id": ["A|N", "A|N"],
            "level": "sku_location",
            "sku": "A",
            "location": "N",
            "family": "F",
            "ds": pd.to_datetime(["2026-02-01", "2026-03-01"]),
            "yhat": [8.0, 8.0],
        }
    )
    demand = pd.DataFrame(
        {
            "sku": "A",
            "location": "N",
            "family": "F",
            "ds": pd.to_datetime(["2026-01-01", "2026-02-01", "2026-03-01"]),
            "y": [4.0, 10.0, 10.0],
        }
    )
    ov = pd.DataFrame(
        {
            "cycle": ["2026-02"],
            "period": ["2026-03"],
            "family": [None],
            "sku": ["A"],
            "location": [None],
            "quantity": [10.0],
        }
    )
    cells, notes = past_cycle_cells(snaps, demand, ov, pd.DataFrame(), "2026-03", 3)
    fva = fva_stairstep(cells, notes=notes).set_index("step")
    # naive: 4 then 10 -> |e| 6, 0; statistical 8, 8 -> 2, 2; override 8, 10 -> 2, 0
    assert fva.loc["naive", "wape"] == pytest.approx(6 / 20)
    assert fva.loc["statistical", "wape"] == pytest.approx(4 / 20)
    assert fva.loc["override", "wape"] == pytest.approx(2 / 20)
    assert fva.loc["override", "fva"] == pytest.approx(2 / 20)
    assert np.isnan(fva.loc["consensus", "wape"]) and fva.loc["consensus", "cells"] == 0
    assert fva.loc["consensus", "note"].startswith("not measured")


def test_tracking_flags_only_continuous_demand():
    rows = []
    for p in pd.period_range("2026-01", "2026-06", freq="M"):
        for uid, cls in [("A|N", "smooth"), ("B|N", "intermittent")]:
            rows.append(
                (str(p), uid, "sku_location", uid[0], "N", "F", (p + 1).to_timestamp(), 10.0, cls)
            )
    snaps = pd.DataFrame(
        rows,
        columns=[
            "period",
            "unique_id",
            "level",
            "sku",
            "location",
            "family",
            "ds",
            "yhat",
            "demand_class",
        ],
    )
    ds = pd.date_range("2026-02-01", periods=6, freq="MS")
    demand = pd.concat(
        [
            pd.DataFrame({"sku": "A", "location": "N", "family": "F", "ds": ds, "y": 15.0}),
            pd.DataFrame({"sku": "B", "location": "N", "family": "F", "ds": ds, "y": 0.0}),
        ]
    )
    sig = cycle.cycle_tracking(snaps, demand).set_index("unique_id")
    assert sig.loc["A|N", "tracking_signal"] == pytest.approx(6) and sig.loc["A|N", "flagged"]
    assert sig.loc["B|N", "tracking_signal"] == pytest.approx(-6) and not sig.loc["B|N", "flagged"]
