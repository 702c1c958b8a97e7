"""Plan modelling: what-if pricing and the seeded Monte-Carlo of cost."""

import numpy as np
import pandas as pd

from compass_nb.comp.modelling import cost_percentiles, simulate_cost, what_if

from .comp_builders import FLAT_10, plan_from

TIERED = plan_from(
    FLAT_10,
    measures=[
        {
            "id": "all",
            "weight": 1,
            "rates": {"method": "marginal", "bands": [{"to": 1, "rate": 0.1}, {"rate": 0.2}]},
        }
    ],
)


def frame(credits, plan="flat", quota=100000.0, ti=10000.0, period="2026-10"):
    return pd.DataFrame(
        {
            "rep_id": [f"r{i}" for i in range(len(credits))],
            "team": "A",
            "role": "AE",
            "period": period,
            "plan_id": plan,
            "version": "2024-01-01",
            "measure": "all",
            "credit": credits,
            "quota": quota,
            "target_incentive": ti,
            "attainment": np.array(credits) / quota,
        }
    )


def test_scaling_rates_scales_a_flat_plan_exactly():
    out = what_if(frame([50000.0, 150000.0]), {"flat": plan_from(FLAT_10)}, rate_scale=1.1)
    assert out["current"].tolist() == [5000.0, 15000.0]
    np.testing.assert_allclose(out["changed"], [5500.0, 16500.0])


def test_top_tier_change_touches_only_credit_above_its_edge():
    out = what_if(frame([50000.0, 150000.0]), {"flat": TIERED}, top_rate_scale=1.5)
    np.testing.assert_allclose(out["changed"], [5000.0, 10000.0 + 50000 * 0.3])


def test_raising_quotas_lowers_attainment_and_cost_under_tiers():
    out = what_if(frame([150000.0]), {"flat": TIERED}, quota_scale=1.5)
    assert out["attainment"].iloc[0] == 1.0
    assert out["changed"].iloc[0] == 15000.0  # all 150k inside the first band now


def test_monte_carlo_draws_attainment_from_history_of_the_same_plan():
    history = frame([100000.0, 200000.0])  # attainments 100 % and 200 %
    totals = simulate_cost(frame([0.0] * 3), history, {"flat": TIERED}, n=500, seed=7)
    # each seller pays 10,000 (100 %) or 30,000 (200 %): totals are 30k, 50k, 70k or 90k
    assert set(np.unique(totals)) <= {30000.0, 50000.0, 70000.0, 90000.0}
    again = simulate_cost(frame([0.0] * 3), history, {"flat": TIERED}, n=500, seed=7)
    np.testing.assert_array_equal(totals, again)
    p = cost_percentiles(totals)["total_cost"].tolist()
    assert p == sorted(p) and 30000 <= p[0] and p[-1] <= 90000


def test_a_quarterly_plan_is_priced_on_its_quarter_not_month_by_month():
    from compass_nb.comp.modelling import basis_frame, priced

    plan = plan_from(
        FLAT_10,
        quota={"basis": "quarter"},
        measures=[
            {
                "id": "all",
                "weight": 1,
                "rates": {"method": "marginal", "bands": [{"to": 1, "rate": 0.1}, {"rate": 0.2}]},
            }
        ],
    )
    months = pd.concat([frame([150000.0], period="2026-07"), frame([50000.0], period="2026-08")])
    months["rep_id"] = "r0"
    quarters = basis_frame(months, {"flat": plan})
    assert quarters[["period", "credit", "quota"]].values.tolist() == [
        ["2026-07", 200000.0, 200000.0]
    ]
    assert priced(quarters, {"flat": plan}).tolist() == [
        20000.0
    ]  # 200k at 100 %: all in the first band
    assert priced(months, {"flat": plan}).sum() == 25000.0  # month by month July would accelerate
