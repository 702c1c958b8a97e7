"""The runner's order of work: what a step that cannot run is marked as, and why."""

from __future__ import annotations

from compass_nb.kernels import Outcome
from compass_nb.runner import _blocked


def test_a_step_behind_a_step_skipped_for_its_inputs_is_skipped_for_the_same_inputs():
    forecasting = Outcome("skipped", 0.0, "skipped: needs orders, products")
    out = _blocked([("forecasting", forecasting)])
    assert out.status == "skipped"
    assert out.error == "skipped: needs orders, products (through forecasting)"
    # and the next one down the chain keeps the first cause, naming its own way to it
    later = _blocked([("demand_planning", out), ("forecasting", forecasting)])
    assert later.error == (
        "skipped: needs orders, products (through 02_demand_planning, forecasting)"
    )


def test_a_step_behind_a_failed_step_is_not_run_because_it_failed():
    failed = Outcome("failed", 1.0, "ValueError: boom")
    skipped = Outcome("skipped", 0.0, "skipped: needs orders, products")
    out = _blocked([("demand_planning", failed), ("forecasting", skipped)])
    assert out.error == "not run: 02_demand_planning, forecasting did not complete"
