"""A step: one notebook's computation, with what it reads and writes declared.

A step module (``compass_nb/steps/<section>.py``) declares a :class:`Step` — the input
tables it needs (contract names), the store tables it reads from this cycle and from
earlier cycles, the store tables it writes, and its settings (a frozen dataclass built
from its section of ``parameters/default.yaml``) — and defines one function, decorated
with :meth:`Step.compute`, that computes everything its notebook shows:

.. code-block:: python

    STEP = Step(
        "demand_planning",
        notebook="02_demand_planning",
        inputs=("orders", "products", "overrides", "budget"),
        reads=("forecast",),
        optional_reads=("pipeline_commit",),
        history=("consensus",),
        writes=("consensus",),
        settings=DemandPlanningSettings,
    )

    @STEP.compute
    def run(ctx: Context) -> DemandReview:
        ...

The runner derives the order of the steps from these declarations (:func:`order`), and
the context refuses a read or a write the step did not declare.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from compass_nb.data import derive


@dataclass(eq=False)
class Step:
    """The declaration of one step (see the module docstring).

    Attributes
    ----------
    name
        The step's parameters section, e.g. ``demand_planning``.
    notebook
        The notebook that shows it, e.g. ``02_demand_planning``.
    inputs, optional_inputs
        Contract tables the step needs, and those it uses when the source has them.
    reads, optional_reads
        Store tables of this cycle written by other steps: needed (the step is skipped
        when their writer did not complete), or used when present.
    history
        Store tables read for earlier cycles (committed runs; no ordering within a run).
    writes
        Store tables the step stages for this run.
    settings
        The frozen dataclass of the step's parameters section, or ``None``.
    """

    name: str
    notebook: str
    inputs: tuple[str, ...] = ()
    optional_inputs: tuple[str, ...] = ()
    reads: tuple[str, ...] = ()
    optional_reads: tuple[str, ...] = ()
    history: tuple[str, ...] = ()
    writes: tuple[str, ...] = ()
    settings: type | None = None
    function: Callable[[Any], Any] | None = field(default=None, repr=False)
    call: Callable[[Any], Any] | None = field(default=None, repr=False)

    def compute(self, function: Callable[[Any], Any]) -> Callable[[Any], Any]:
        """Decorate the step's function; the returned ``run(ctx)`` binds the context to the
        step, returns this run's result when it was already computed (the runner computes
        steps before their notebooks render), and keeps a new result for the run."""
        self.function = function

        def run(ctx):
            bound = ctx.for_step(self)
            kept = bound.kept_result()
            if kept is not None:
                return kept
            with bound.computing():  # a progress bar outside a run (JupyterLab); silent in one
                result = function(bound)
            bound.keep_result(result)
            return result

        run.__doc__ = function.__doc__
        run.__name__ = function.__name__
        run.step = self
        self.call = run
        return run

    @property
    def tables_in(self) -> tuple[str, ...]:
        """Every store table this step may read for this cycle (inputs as ``clean_<t>``)."""
        clean = tuple(f"clean_{t}" for t in (*self.inputs, *self.optional_inputs))
        return (*clean, *self.reads, *self.optional_reads)


def writers(steps: Iterable[Step]) -> dict[str, str]:
    """Store table → the name of the step that writes it (one writer per table)."""
    out: dict[str, str] = {}
    for step in steps:
        for table in step.writes:
            assert table not in out, f"{table} is written by both {out[table]} and {step.name}"
            out[table] = step.name
    return out


def needs(step: Step, steps: Iterable[Step]) -> tuple[set[str], set[str]]:
    """The steps ``step`` needs (their failure skips it) and those it merely runs after."""
    by_table = writers(steps)
    required = {f"clean_{t}" for t in step.inputs} | set(step.reads)
    optional = {f"clean_{t}" for t in step.optional_inputs} | set(step.optional_reads)
    hard = {by_table[t] for t in required if t in by_table} - {step.name}
    soft = {by_table[t] for t in optional if t in by_table} - {step.name} - hard
    return hard, soft


def order(steps: Iterable[Step]) -> list[Step]:
    """The steps in an order that puts every writer before its readers.

    Among steps whose needs are met, the declared order is kept (S&OP first, then the
    other analyses), so the order is stable. A cycle in the declarations is an error.
    """
    steps = list(steps)
    done: list[Step] = []
    placed: set[str] = set()
    while len(done) < len(steps):
        ready = [
            s for s in steps if s.name not in placed and set().union(*needs(s, steps)) <= placed
        ]
        if not ready:
            stuck = [s.name for s in steps if s.name not in placed]
            raise ValueError(f"the steps {stuck} read each other's tables in a cycle")
        done.append(ready[0])
        placed.add(ready[0].name)
    return done


def held_inputs(ctx, required: tuple[str, ...], optional: tuple[str, ...]) -> dict:
    """The required input tables, and those optional ones the source holds.

    An optional table the source lacks (no inventory, no budget, …) is left out rather than
    an error; the S&OP steps then state the assumption its absence forces.
    """
    return ctx.inputs(*required, *(t for t in optional if t in ctx.held_tables))


def derived_assumptions(ctx, tables: dict) -> list[str]:
    """What a step assumes because an input it uses was derived, not read: ``products``
    made from the orders (see :mod:`compass_nb.data.derive`), with its item count."""
    if "products" not in tables or "products" in ctx.held_tables:
        return []
    spec = derive.ProductsFromOrders.from_params(ctx.shared.products_from_orders)
    return [derive.assumption(spec, len(tables["products"]))]
