import numpy as np
import pandas as pd
import pytest

from compass_nb.forecast.hierarchy import (
    aggregate,
    coherence_error,
    coherent_forecasts,
    reconcile,
    reconcile_forecasts,
    summing_matrix,
)

S2 = np.array([[1.0, 1.0], [1.0, 0.0], [0.0, 1.0]])  # total over two bottoms
BASE = np.array([[10.0], [3.0], [4.0]])


def test_bottom_up_keeps_bottoms_and_sums_them():
    assert reconcile(BASE, S2, "bottom_up").ravel() == pytest.approx([7, 3, 4])


def test_ols_mintrace_matches_the_hand_worked_projection():
    # b = (S'S)^-1 S' yhat = 1/3 [[2,-1],[-1,2]] [13, 14] = [4, 5]
    assert reconcile(BASE, S2, "ols").ravel() == pytest.approx([9, 4, 5])


def test_structural_wls_weights_the_total_by_its_number_of_bottoms():
    # W = diag(2,1,1): b = 1/2 [[1.5,-.5],[-.5,1.5]] [8, 9] = [3.75, 4.75]
    assert reconcile(BASE, S2, "wls_struct").ravel() == pytest.approx([8.5, 3.75, 4.75])


def test_top_down_splits_the_total_by_historical_shares():
    hist = np.array([[4.0, 6.0], [1.0, 1.0], [3.0, 5.0]])  # shares 2/10 and 8/10
    assert reconcile(BASE, S2, "top_down", history=hist).ravel() == pytest.approx([10, 2, 8])


def _bottom(rng):
    rows = []
    for sku, fam in [("A", "F1"), ("B", "F1"), ("C", "F2")]:
        for loc in ["DC-North", "DC-South"]:
            for ds in pd.date_range("2024-01-01", periods=4, freq="MS"):
                rows.append((sku, loc, fam, ds, float(rng.integers(1, 20))))
    return pd.DataFrame(rows, columns=["sku", "location", "family", "ds", "y"])


@pytest.mark.parametrize("method", ["bottom_up", "ols", "wls_struct", "mint_shrink", "top_down"])
def test_reconciled_forecasts_add_up_at_every_level(method, rng):
    panel, nodes = aggregate(_bottom(rng))
    S = summing_matrix(nodes)
    base = rng.uniform(0, 100, (len(nodes), 3))
    resid = rng.normal(0, 1, (len(nodes), 12))
    hist = (
        panel.pivot(index="unique_id", columns="ds", values="y")
        .reindex(nodes["unique_id"])
        .to_numpy()
    )
    rec = reconcile(base, S, method, history=hist, resid=resid)
    nb = S.shape[1]
    assert rec == pytest.approx(S @ rec[-nb:])


def test_aggregate_builds_family_location_and_total_nodes(rng):
    bottom = _bottom(rng)
    panel, nodes = aggregate(bottom)
    assert nodes["level"].value_counts().to_dict() == {
        "sku_location": 6,
        "location": 2,
        "family": 2,
        "total": 1,
    }
    total = panel[panel["level"] == "total"].set_index("ds")["y"]
    assert total.to_numpy() == pytest.approx(bottom.groupby("ds")["y"].sum().to_numpy())
    assert "A|DC-North" in set(nodes["unique_id"])


def test_reconcile_forecasts_moves_bounds_with_the_point(rng):
    panel, nodes = aggregate(_bottom(rng))
    ds = pd.date_range("2024-05-01", periods=2, freq="MS")
    fc = pd.DataFrame(
        [(u, d, 10.0, 5.0, 15.0) for u in nodes["unique_id"] for d in ds],
        columns=["unique_id", "ds", "yhat", "yhat_lo_80", "yhat_hi_80"],
    )
    out = reconcile_forecasts(fc, nodes, "bottom_up")
    total = out[out["unique_id"] == "total"].iloc[0]
    assert total["yhat"] == pytest.approx(60) and total["yhat_base"] == pytest.approx(10)
    assert total["yhat_hi_80"] - total["yhat"] == pytest.approx(5)


def _planned():
    """Two families over two locations, one month; bottom forecasts already planned."""
    bottom = pd.DataFrame(
        {
            "unique_id": ["A|N", "B|N", "C|S"],
            "level": "sku_location",
            "family": ["F1", "F1", "F2"],
            "location": ["N", "N", "S"],
            "ds": pd.Timestamp("2027-01-01"),
            "yhat": [10.0, 0.0, 30.0],
            "yhat_lo_80": [5.0, 0.0, 20.0],
            "yhat_hi_80": [15.0, 0.0, 40.0],
        }
    )
    upper = pd.DataFrame(
        {
            "unique_id": ["total", "family|F1", "family|F2", "location|N", "location|S"],
            "level": ["total", "family", "family", "location", "location"],
            "family": [None, "F1", "F2", None, None],
            "location": [None, None, None, "N", "S"],
            "ds": pd.Timestamp("2027-01-01"),
            "yhat": [50.0, 20.0, 30.0, 20.0, 30.0],  # reconciled before B was discontinued
            "yhat_lo_80": [45.0, 16.0, 24.0, 16.0, 24.0],
            "yhat_hi_80": [55.0, 24.0, 36.0, 24.0, 36.0],
        }
    )
    return bottom, upper


def test_upper_levels_become_the_exact_sums_of_the_planned_bottom():
    bottom, upper = _planned()
    out = coherent_forecasts(bottom, upper).set_index("unique_id")
    assert out["yhat"].to_dict() == pytest.approx(
        {"total": 40, "family|F1": 10, "family|F2": 30, "location|N": 10, "location|S": 30}
    )
    everything = pd.concat([bottom, out.reset_index()], ignore_index=True)
    assert coherence_error(everything) == 0.0


def test_an_upper_level_keeps_its_own_interval_not_the_sum_of_bottom_bounds():
    bottom, upper = _planned()
    total = coherent_forecasts(bottom, upper).set_index("unique_id").loc["total"]
    # the total's own ±10 % band scaled to its new point: 40 × (45/50, 55/50)
    assert (total["yhat_lo_80"], total["yhat_hi_80"]) == pytest.approx((36.0, 44.0))
    assert total["yhat_hi_80"] != bottom["yhat_hi_80"].sum()  # 55 would be the sum


def test_the_coherence_error_sees_a_level_that_does_not_add_up():
    bottom, upper = _planned()
    wrong = pd.concat([bottom, upper], ignore_index=True)  # upper still includes B's 10
    assert coherence_error(wrong) == pytest.approx(10 / 20)
