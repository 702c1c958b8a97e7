"""Sources that lack tables: every step either runs or is skipped saying what it needs —
never a KeyError (issue 16). Each optional and domain table is missing in at least one case.

One cycle of demo:small per case, in process, store only: the steps whose inputs include a
table the case lacks, with the steps they need (a step that reads none of them runs as on
the whole demo, in ``test_chain``); every step for the case without products. The CRM-only
and survey-only cases are checked on the packs ``tests/e2e/test_partial_packs.py`` renders
with every notebook, by :func:`check_outcomes`, not computed a second time here."""

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


#: The cases whose pack ``tests/e2e/test_partial_packs.py`` renders with every notebook:
#: their outcomes are checked there, on the run's manifest (:func:`check_outcomes`).
RENDERED_WHOLE = ("CRM only", "survey only")
#: Cases whose every step runs here (the others run the steps whose inputs include a table
#: they lack, with what those need; the rest run as on the whole demo, in test_chain).
WHOLE = {"orders without products"}


def affected(missing: tuple[str, ...]) -> list[str]:
    """01 and the notebooks whose steps take one of the ``missing`` tables as an input."""
    return [
        s.notebook
        for s in steps.STEPS
        if s.name == "data_collection" or set(missing) & {*s.inputs, *s.optional_inputs}
    ]


def with_upstream(notebooks: list[str]) -> list[str]:
    """``notebooks`` and every notebook whose step they need or run after, in run order."""
    wanted = {steps.step(n).name for n in notebooks}
    while True:
        more = set().union(
            *(set().union(*steps.needs(steps.BY_NAME[n], steps.STEPS)) for n in wanted)
        )
        if more <= wanted:
            return [s.notebook for s in steps.STEPS if s.name in wanted]
        wanted |= more


def check_outcomes(case: str, outcomes: dict[str, tuple[str, str]]) -> set[str]:
    """Every step of ``outcomes`` (notebook → status, error) ran, or was skipped naming what
    the source lacks or the step it needs; returns the names of the steps that ran."""
    ran = set()
    for name, (status, error) in outcomes.items():
        step = steps.step(name)
        lacking = [t for t in step.inputs if t in CASES[case] and not _derived(t, CASES[case])]
        message = error or ""
        assert status in ("ok", "skipped"), (case, name, message)
        # a step it reads from could not run: skipped for that step's missing inputs
        blocked = message.startswith("not run:") or " (through " in message
        if lacking:  # its own inputs missing: skipped, naming them (or blocked upstream)
            assert status == "skipped", (name, message)
            assert blocked or all(t in message for t in lacking), (name, message)
        elif status == "skipped":
            assert blocked, (name, message)
        else:
            ran.add(step.name)
    assert ran, case  # something ran on every source
    assert MUST_RUN.get(case, set()) <= ran, (case, MUST_RUN[case] - ran)
    for name, message in MUST_SKIP.get(case, {}).items():
        outcome = outcomes[steps.step(name).notebook]
        assert outcome == ("skipped", message), (name, outcome)
    return ran


@pytest.mark.parametrize("case", [c for c in CASES if c not in RENDERED_WHOLE])
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
    notebooks = None if case in WHOLE else with_upstream(affected(CASES[case]))
    (record,) = runner.run_cycles(
        merged, tmp_path / "reports", tmp_path / "s.duckdb", [PERIOD], notebooks=notebooks
    )
    outcomes = {name: (o.status, o.error) for name, o in record.final.items()}
    ran = check_outcomes(case, outcomes)
    if case == "orders without products":  # items derived from the orders: the chain runs
        assert {"forecasting", "demand_planning", "executive_sop"} <= ran, ran
    if case in CHECKS:
        CHECKS[case](merged, tmp_path / "s.duckdb", tmp_path / "look")


def test_a_limited_case_still_runs_every_step_that_reads_a_table_it_lacks():
    for case in CASES:
        run = with_upstream(affected(CASES[case]))
        for s in steps.STEPS:
            if set(CASES[case]) & {*s.inputs, *s.optional_inputs}:
                assert s.notebook in run, (case, s.name)
        for name in run:  # and what each of them needs, so nothing is missing from the store
            assert set().union(*steps.needs(steps.step(name), steps.STEPS)) <= {
                steps.step(n).name for n in run
            }


def _derived(table: str, absent: tuple[str, ...]) -> bool:
    """A table the loader derives when the source lacks it and holds its base table."""
    return table in DERIVABLE and DERIVABLE[table] not in absent
