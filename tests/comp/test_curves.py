"""Pay curves of plans: tiers, accelerators, gates and caps against attainment."""

import pytest

from compass_nb.comp.curves import pay_curves
from compass_nb.comp.plans import load_plans

from .comp_builders import FLAT_10, plan_from


def _at(curve, x):
    return float(curve.loc[(curve["attainment"] - x).abs() < 1e-9, "payout_share"].iloc[0])


def test_a_capped_accelerated_curve_worked_by_hand():
    plan = plan_from(
        FLAT_10,
        measures=[
            {
                "id": "all",
                "weight": 1,
                "rates": {
                    "method": "marginal",
                    "bands": [{"to": 1.0, "multiplier": 1.0}, {"multiplier": 2.0}],
                },
                "gate": {"attainment": 0.5, "pay": 0},
                "cap": {"ti_multiple": 2.5},
            }
        ],
    )
    curve = pay_curves({"flat": plan}, "2026-10", top=2.5, points=101)
    assert _at(curve, 0.4) == 0  # below the gate
    assert _at(curve, 0.5) == pytest.approx(0.5) and _at(curve, 1.0) == pytest.approx(1.0)
    assert _at(curve, 1.5) == pytest.approx(2.0)  # 1.0 + 0.5 × 2
    assert _at(curve, 2.0) == pytest.approx(2.5) and _at(curve, 2.5) == pytest.approx(2.5)  # capped


def test_every_demo_plan_and_the_sdr_component_have_a_curve():
    curves = pay_curves(load_plans("parameters/comp_plans"), "2026-10")
    assert set(curves["plan_id"]) == {"ae", "am", "mgr", "se_overlay", "sdr"}
    sdr = curves.loc[curves["plan_id"] == "sdr"]
    assert _at(sdr, 1.0) == pytest.approx(1.0)  # the target pays what the target pays
    assert set(curves.columns) == {
        "plan_id", "plan", "version", "component", "basis", "attainment", "payout_share"
    }  # fmt: skip
