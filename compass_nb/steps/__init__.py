"""The steps: each notebook's computation, declared (what it reads and writes) and callable
in process. A notebook calls ``steps.<section>.run(ctx)`` and shows the result; the runner
calls the same functions for every cycle, in the order their declarations give.

Adding a step: write ``compass_nb/steps/<section>.py`` with a :class:`~.step.Step` and one
``@STEP.compute`` function, import it below, add its section to ``parameters/default.yaml``
and its notebook to ``notebooks/``.
"""

from __future__ import annotations

from compass_nb.steps import (
    compensation,
    data_collection,
    demand_planning,
    enps,
    executive_sop,
    forecasting,
    implementation_tracking,
    incentives,
    pipeline,
    pre_sop_review,
    supply_planning,
)
from compass_nb.steps.step import Step, needs, order, writers

#: Every step, in the order the runner runs them (writers before readers).
STEPS: list[Step] = order(
    module.STEP
    for module in (
        data_collection,
        forecasting,
        demand_planning,
        supply_planning,
        pre_sop_review,
        executive_sop,
        implementation_tracking,
        pipeline,
        incentives,
        compensation,
        enps,
    )
)
BY_NAME: dict[str, Step] = {step.name: step for step in STEPS}
BY_NOTEBOOK: dict[str, Step] = {step.notebook: step for step in STEPS}

#: The notebooks in the order the pack lists them: the S&OP steps, then the other analyses.
NOTEBOOKS: list[str] = sorted(
    BY_NOTEBOOK, key=lambda name: (not name[:2].isdigit(), list(BY_NOTEBOOK).index(name))
)


def step(name: str) -> Step:
    """The step of a section or notebook name (``demand_planning`` or ``02_demand_planning``)."""
    found = BY_NAME.get(name) or BY_NOTEBOOK.get(name)
    if found is None:
        raise KeyError(name)
    return found


def writer_of(table: str) -> Step | None:
    """The step that writes store table ``table`` (``None`` for a table no step writes)."""
    name = writers(STEPS).get(table)
    return BY_NAME[name] if name else None


def run_step(step: Step, ctx):
    """Run ``step`` in this process with ``ctx`` (bound to the step), returning its result."""
    return step.call(ctx)


def compute_upstream(ctx, table: str) -> None:
    """Outside a run: compute ``table`` for ``ctx``'s cycle with the step that writes it (and,
    through its own reads, whatever that step needs), staging into ``ctx``'s scratch folder."""
    writer = writer_of(table)
    if writer is None or (ctx.step is not None and writer.name == ctx.step.name):
        return
    ctx.say(
        f"The store holds no {table} for {ctx.period}: computing it with the {writer.notebook} "
        "step in this kernel, into a scratch folder that is never committed."
    )
    run_step(writer, ctx)


__all__ = [
    "BY_NAME",
    "BY_NOTEBOOK",
    "NOTEBOOKS",
    "STEPS",
    "Step",
    "compute_upstream",
    "needs",
    "order",
    "run_step",
    "step",
    "writer_of",
]
