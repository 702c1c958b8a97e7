"""A step the data gives nothing honest to compute is skipped with its reason, not failed."""

from __future__ import annotations

from pathlib import Path

from compass_nb import params, runner

PLANS = Path(__file__).resolve().parents[2] / "parameters" / "comp_plans"


def test_compensation_is_skipped_when_no_plan_version_is_in_effect_in_the_period(tmp_path):
    plans = tmp_path / "plans"
    plans.mkdir()
    for path in PLANS.glob("*.yaml"):  # the shipped plans, every date ten years later
        text = path.read_text().replace("2022-", "2032-").replace("2026-", "2036-")
        (plans / path.name).write_text(text)
    merged = params.load(sets=["source=demo:small", f"compensation.plans={plans}"])
    (record,) = runner.run_cycles(
        merged,
        tmp_path / "reports",
        tmp_path / "s.duckdb",
        ["2026-10"],
        notebooks=["01_data_collection", "compensation"],
    )
    outcome = record.final["compensation"]
    assert outcome.status == "skipped", outcome
    assert outcome.error.startswith(
        "skipped: compensation: no plan version in effect on 2026-10-01"
    )
    assert "Add a version effective on or before 2026-10-01" in outcome.error
    assert record.final["01_data_collection"].status == "ok"
