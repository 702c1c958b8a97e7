"""Sources that lack tables: every step either runs or is skipped saying what it needs —
never a KeyError (issue 16). Each optional and domain table is missing in at least one case;
one cycle of demo:small each, in process, store only."""

from __future__ import annotations

import shutil

import pytest

from compass_nb import params, runner, steps
from compass_nb.context import Context
from compass_nb.data.demo import write_demo
from compass_nb.data.derive import DERIVABLE
from compass_nb.pipeline.analysis import summary_lines as pipeline_summary

PERIOD = "2026-10"

#: Each case: the tables the source lacks. Together they leave out every optional and
#: domain table at least once.
CASES = {
    "no optional S&OP inputs": ("overrides", "budget", "inventory", "capacity", "receipts"),
    "no optional CRM or survey inputs": (
        "quotas",
        "credit_splits",
        "activities",
        "org_units",
        "survey_invites",
    ),
    "CRM only": (
        "orders",
        "products",
        "overrides",
        "budget",
        "inventory",
        "capacity",
        "receipts",
        "survey_questions",
        "survey_responses",
        "survey_invites",
    ),
    "orders without products": ("products", "opportunities", "opportunity_history", "reps"),
    "survey only": (
        "orders",
        "products",
        "overrides",
        "budget",
        "inventory",
        "capacity",
        "receipts",
        "opportunities",
        "opportunity_history",
        "reps",
        "quotas",
        "credit_splits",
        "activities",
    ),
}


#: Steps that must run on a case (the optional tables they lack are stated, not required).
MUST_RUN = {
    "no optional CRM or survey inputs": {"pipeline", "enps", "incentives"},
}

#: Steps that must be skipped on a case, with the message that says why.
MUST_SKIP = {
    # paying on attainment needs quotas: skipped, not failed, not paid as if "on target"
    "no optional CRM or survey inputs": {"compensation": "skipped: needs quotas"},
}


def _result(merged: dict, store, run_dir, name: str):
    """The step's result computed again on the committed cycle (the run keeps no results)."""
    ctx = Context(name, PERIOD, merged, store=store, run_dir=run_dir)
    return getattr(steps, name).run(ctx.for_step(steps.step(name)))


def _states_its_assumptions(merged: dict, store, run_dir) -> None:
    """Without quotas, splits, invites and org_units: each assumption is in the summary, and
    no sentence claims a quota met, an attainment or a participation."""
    lines = pipeline_summary(_result(merged, store, run_dir / "pipeline", "pipeline"))
    assert "Assumed: no quotas: attainment and quota coverage are not measured." in lines
    assert "Assumed: no credit splits: each won deal is credited 100 % to its owner." in lines
    said = " ".join(lines)
    for claim in ("already met", "at or above quota", "chance of reaching", "No team at risk"):
        assert claim not in said, claim
    engagement = _result(merged, store, run_dir / "enps", "enps")
    assert engagement.result.root == "Company"  # one flat tree under the company
    assert engagement.summary[-2:] == [
        "Assumed: no invitation counts (survey_invites): participation is not measured and "
        "intervals are not finite-population corrected.",
        "Assumed: no org_units: each team that answered is taken as a team directly under the "
        "company (Company), with no departments rolled up.",
    ]
    assert not [line for line in engagement.summary if line.startswith("Participation")]


CHECKS = {"no optional CRM or survey inputs": _states_its_assumptions}


@pytest.fixture(scope="module")
def demo_files(tmp_path_factory) -> dict:
    return write_demo(tmp_path_factory.mktemp("demo-small"), profile="small")


def test_the_cases_leave_out_every_table_at_least_once(demo_files):
    written = demo_files
    left_out = {table for tables in CASES.values() for table in tables}
    assert set(written) <= left_out | {"org_units"}, set(written) - left_out


@pytest.mark.parametrize("case", list(CASES))
def test_a_source_lacking_tables_runs_or_skips_each_step_with_what_it_needs(
    demo_files, tmp_path, case
):
    written = demo_files
    folder = tmp_path / "source"
    folder.mkdir()
    for table, path in written.items():
        if table not in CASES[case]:
            shutil.copy(path, folder / path.name)
    merged = params.load(sets=[f"source={folder}"])
    (record,) = runner.run_cycles(merged, tmp_path / "reports", tmp_path / "s.duckdb", [PERIOD])
    ran = set()
    for name, outcome in record.final.items():
        step = steps.step(name)
        lacking = [t for t in step.inputs if t in CASES[case] and not _derived(t, CASES[case])]
        message = outcome.error or ""
        assert outcome.status in ("ok", "skipped"), (case, name, message)
        # a step it reads from could not run: skipped for that step's missing inputs
        blocked = message.startswith("not run:") or " (through " in message
        if lacking:  # its own inputs missing: skipped, naming them (or blocked upstream)
            assert outcome.status == "skipped", (name, message)
            assert blocked or all(t in message for t in lacking), (name, message)
        elif outcome.status == "skipped":
            assert blocked, (name, message)
        else:
            ran.add(step.name)
    assert ran, case  # something ran on every source
    if case == "orders without products":  # items derived from the orders: the chain runs
        assert {"forecasting", "demand_planning", "executive_sop"} <= ran, ran
    assert MUST_RUN.get(case, set()) <= ran, (case, MUST_RUN[case] - ran)
    for name, message in MUST_SKIP.get(case, {}).items():
        outcome = record.final[steps.step(name).notebook]
        assert (outcome.status, outcome.error) == ("skipped", message), (name, outcome)
    if case in CHECKS:
        CHECKS[case](merged, tmp_path / "s.duckdb", tmp_path / "look")


def _derived(table: str, absent: tuple[str, ...]) -> bool:
    """A table the loader derives when the source lacks it and holds its base table."""
    return table in DERIVABLE and DERIVABLE[table] not in absent
