import numpy as np
import pytest

from compass_nb.forecast.classify import classify_series, demand_class


@pytest.mark.parametrize(
    "values, expected",
    [
        ([5, 6, 5, 6, 5, 6], "smooth"),
        ([1, 10, 1, 10, 1, 10], "erratic"),  # CV² = (4.5/5.5)² = 0.67
        ([0, 0, 5, 0, 5, 0], "intermittent"),  # ADI 3, CV² 0
        ([0, 0, 1, 0, 10, 0], "lumpy"),
        ([0, 0, 0, 0], "none"),
    ],
)
def test_adi_cv2_quadrants(make_panel, values, expected):
    row = classify_series(make_panel({"a": values})).iloc[0]
    assert row["demand_class"] == expected


def test_adi_and_cv2_values_of_a_hand_worked_series(make_panel):
    row = classify_series(make_panel({"a": [0, 0, 1, 0, 10, 0]})).iloc[0]
    assert row["adi"] == pytest.approx(3.0)
    assert row["cv2"] == pytest.approx((4.5 / 5.5) ** 2)


def test_cut_offs_are_the_syntetos_boylan_values():
    assert demand_class(1.31, 0.48) == "smooth"
    assert demand_class(1.32, 0.49) == "lumpy"
    assert demand_class(np.nan, np.nan) == "none"
