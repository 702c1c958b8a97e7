import pandas as pd
import pytest

from compass_nb.forecast.fva import fva_stairstep


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
