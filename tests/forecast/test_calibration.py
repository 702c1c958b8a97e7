import numpy as np
import pandas as pd
import pytest

from compass_nb.forecast.calibration import cross_fitted, normalised_errors, widen, widening_factors


def _bt(errors, origin="2025-10-01", level="family"):
    n = len(errors)
    return pd.DataFrame(
        {
            "unique_id": "family|F",
            "level": level,
            "origin": pd.Timestamp(origin),
            "yhat": 100.0,
            "y": 100.0 + np.asarray(errors, float),
            "yhat_lo_80": 90.0,
            "yhat_hi_80": 110.0,
            "yhat_lo_95": 80.0,
            "yhat_hi_95": 120.0,
        },
        index=range(n),
    )


def test_errors_are_measured_in_half_widths_on_their_side():
    bt = _bt([5, -20, 0])
    assert normalised_errors(bt, 80).tolist() == pytest.approx([0.5, 2.0, 0.0])


def test_the_factor_is_the_conformal_quantile_of_the_normalised_errors():
    # 9 errors of 1..9 half-widths: rank ceil(10 × 0.8) / 9 = 8/9 -> the 8th smallest, 8
    bt = _bt([10 * k for k in range(1, 10)])
    assert widening_factors(bt, (80,))["family"][80] == pytest.approx(8.0)


def test_widening_keeps_the_shape_and_nests_the_levels():
    fc = _bt([0]).assign(yhat_lo_80=95.0, yhat_hi_80=120.0)
    out = widen(fc, {"family": {80: 2.0, 95: 0.5}}, (80, 95)).iloc[0]
    assert (out["yhat_lo_80"], out["yhat_hi_80"]) == pytest.approx((90.0, 140.0))
    # 95 % narrowed to ±10 would sit inside the 80 % one: it is widened to hold it
    assert (out["yhat_lo_95"], out["yhat_hi_95"]) == pytest.approx((90.0, 140.0))


def test_each_origin_is_scored_with_the_factor_of_the_other():
    bt = pd.concat([_bt([30] * 5, "2024-10-01"), _bt([5] * 5, "2025-10-01")], ignore_index=True)
    out = cross_fitted(bt, (80,))
    first = out[out["origin"] == pd.Timestamp("2024-10-01")].iloc[0]
    second = out[out["origin"] == pd.Timestamp("2025-10-01")].iloc[0]
    # the first origin gets the second's factor 0.5, the second the first's factor 3
    assert first["yhat_hi_80"] == pytest.approx(105.0)
    assert second["yhat_hi_80"] == pytest.approx(130.0)


def test_sku_location_rows_are_left_to_the_engine():
    bt = _bt([30] * 5, level="sku_location")
    assert widening_factors(bt, (80,)) == {}
