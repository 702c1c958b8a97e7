import pandas as pd
import pytest

from compass_nb.forecast.fva import fva_stairstep, override_outcomes


def test_fva_stairstep_of_a_hand_worked_case():
    df = pd.DataFrame(
        {
            "family": ["F", "F", "G", "G"],
            "y": [10.0, 10.0, 20.0, 20.0],
            "naive": [6.0, 14.0, 20.0, 20.0],  # |e| 4, 4, 0, 0
            "statistical": [9.0, 11.0, 18.0, 22.0],  # 1, 1, 2, 2
            "override": [10.0, 10.0, 15.0, 25.0],  # 0, 0, 5, 5
        }
    )
    overall = fva_stairstep(df).set_index("step")
    assert overall.loc["naive", "wape"] == pytest.approx(8 / 60)
    assert overall.loc["statistical", "wape"] == pytest.approx(6 / 60)
    assert overall.loc["override", "wape"] == pytest.approx(10 / 60)
    assert overall.loc["statistical", "fva"] == pytest.approx(2 / 60)
    assert overall.loc["override", "fva"] == pytest.approx(-4 / 60)
    by = fva_stairstep(df, by="family").set_index(["family", "step"])
    assert by.loc[("F", "override"), "fva"] == pytest.approx(2 / 20)
    assert by.loc[("G", "override"), "bias"] == pytest.approx(0)


def test_a_step_without_data_is_not_measured_and_the_next_is_compared_with_the_last_measured():
    df = pd.DataFrame(
        {
            "y": [10.0, 10.0],
            "naive": [6.0, 14.0],
            "statistical": [9.0, 11.0],
            "override": [float("nan")] * 2,
            "consensus": [10.0, float("nan")],  # stored for one cell only
        }
    )
    t = fva_stairstep(df, notes={"override": "not measured: no override"}).set_index("step")
    assert (
        t.loc["override", "cells"] == 0 and t.loc["override", "note"] == "not measured: no override"
    )
    assert pd.isna(t.loc["override", "wape"]) and pd.isna(t.loc["override", "fva"])
    # consensus against statistical on the one cell both have: |10-9| -> 0
    assert t.loc["consensus", "fva"] == pytest.approx(0.1) and t.loc["consensus", "cells"] == 1


def _snaps():
    return pd.DataFrame(
        {
            "period": "2026-05",
            "level": "sku_location",
            "unique_id": ["A|N", "B|N"],
            "sku": ["A", "B"],
            "location": "N",
            "family": "F",
            "ds": pd.Timestamp("2026-07-01"),
            "yhat": [30.0, 10.0],
        }
    )


def test_an_override_is_judged_against_the_forecast_of_the_cycle_it_was_made_in():
    overrides = pd.DataFrame(
        {
            "cycle": ["2026-05", "2025-01", "2026-05"],
            "period": ["2026-07", "2025-03", "2026-12"],
            "family": ["F", "F", "F"],
            "sku": [None, None, None],
            "location": [None, None, None],
            "quantity": [50.0, 10.0, 10.0],
            "author": "p",
        }
    )
    demand = pd.DataFrame(
        {
            "sku": ["A", "B"],
            "location": "N",
            "family": "F",
            "ds": pd.Timestamp("2026-07-01"),
            "y": [35.0, 12.0],
        }
    )
    out = override_outcomes(overrides, _snaps(), demand, "2026-09")
    first = out.iloc[0]
    # the family's stored forecast 40, set to 50, actual 47: the override was closer
    assert (first["statistical"], first["actual"]) == (40.0, 47.0)
    assert (first["statistical_error"], first["override_error"]) == (7.0, 3.0)
    assert first["improved"] == "yes"
    # measured first, then the newest cycle
    assert out["cycle"].tolist() == ["2026-05", "2026-05", "2025-01"]
    assert out.iloc[1]["note"] == "not measured: the month is not closed yet"
    assert out.iloc[2]["note"] == "not measured: the store holds no forecast of cycle 2025-01"
    assert out.iloc[2]["improved"] == "" and pd.isna(out.iloc[2]["statistical"])
