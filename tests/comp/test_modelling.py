"""Plan modelling: what-if pricing and the seeded Monte-Carlo of cost."""

import numpy as np
import pandas as pd

from compass_nb.comp.modelling import exact_scenarios, what_if

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


def test_exact_scenarios_start_from_what_was_paid_and_change_it_by_the_engines_difference():
    from decimal import Decimal

    from compass_nb.crediting import credited_bookings

    from .comp_builders import NO_SPLITS, opportunities_frame, reps_frame

    reps = reps_frame(*[(f"r{i}", "flat", "2020-01-01", None, 240000) for i in range(5)])
    quotas = pd.DataFrame({"rep_id": reps["rep_id"], "period": "2026-10", "quota": 100000.0})
    deals = opportunities_frame(*[(f"O{i}", f"r{i}", "2026-10-05", 10000) for i in range(5)])
    credits = credited_bookings(deals, NO_SPLITS)
    table = exact_scenarios(
        {"flat": plan_from(FLAT_10)},
        reps,
        quotas,
        credits,
        months=["2026-10"],
        baseline=Decimal("5000.00"),  # 5 × 10 % of 10,000: what was paid
        credited_bookings=50000.0,
    ).set_index("scenario")
    assert table.loc["Current plan (as paid)", ["total_cost", "change"]].tolist() == [5000.0, 0.0]
    # a flat 10 % rate: +10 % of every rate is +500.00 exactly; quotas do not move a flat rate
    assert table.loc["Rates +10 %", ["total_cost", "change"]].tolist() == [5500.0, 500.0]
    assert table.loc["Rates −10 %", "change"] == -500.0
    assert table.loc["Quotas +10 %", "change"] == 0.0
    assert table.loc["Rates +10 %", "cost_of_sales"] == 5500.0 / 50000.0
