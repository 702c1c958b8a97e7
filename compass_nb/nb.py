"""The notebook side of Compass: the context a notebook's step runs in, and safe display.

A notebook's first code cell is::

    ctx = nb.context("demand_planning", globals())
    review = steps.demand_planning.run(ctx)

Inside a run (``run_dir`` injected by the runner) the context is the run's: its period,
its merged parameters, its staging folder, and the step's result already computed by the
runner. Outside a run (JupyterLab, plain papermill) it merges the defaults — and the
parameters file named by ``$COMPASS_PARAMETERS``, when set — with what the parameters cell
(or ``papermill -p``) sets, and stages into a scratch folder that is never committed. The
tables of this cycle its step reads come from the store's latest committed run when it
holds them; the others are computed in this kernel, before the step, by the steps that
write them (with a progress bar), and the context says which it did. Private files
(payroll, statements, quarantine) and exports go to the scratch folder: exploring never
writes official output. Only an explicit action writes to the store: keeping or removing
an override in 02's editor.

The display helpers (:func:`show`, :func:`summary`, :func:`note`, all HTML-escaped) come
from :mod:`compass_nb.display`.
"""

from __future__ import annotations

import os
import tempfile
import warnings
from collections.abc import Mapping
from pathlib import Path

from compass_nb import params as parameters
from compass_nb import steps
from compass_nb import store as cycle_store
from compass_nb.context import Context, for_run, project_path, resolve_source, run_info, store_path
from compass_nb.display import SafeHTML, escape, header, note, show, summary

__all__ = [
    "Context",
    "SafeHTML",
    "context",
    "escape",
    "header",
    "note",
    "project_path",
    "show",
    "summary",
]

#: The environment variable naming a parameters file that notebooks outside a run read
#: (over the defaults, under the notebook's own values), e.g. ``demo:small`` for the tests.
PARAMETERS_ENV = "COMPASS_PARAMETERS"


def context(
    section: str,
    namespace: Mapping | None = None,
    *,
    run_dir: str | Path | None = None,
    upstream: bool = True,
    **values,
) -> Context:
    """The context of the notebook of ``section`` (e.g. ``"demand_planning"``).

    Parameters
    ----------
    section
        The notebook's parameters section (its step's name).
    namespace
        The notebook's variables (``globals()``): the parameters cell and what papermill
        injects. Shared keys and the section's keys are read from it; ``None`` keeps the
        default; other names are ignored.
    run_dir
        The run's staging folder (the runner injects it); taken from ``namespace`` too.
    upstream
        Outside a run, compute the missing upstream tables now (:func:`prepare_upstream`);
        ``False`` leaves them to the first read that needs them.
    values
        More parameters, as keywords.
    """
    given = {**dict(namespace or {}), **values}
    run_dir = run_dir or given.pop("run_dir", None)
    step = steps.step(section)
    if run_dir is not None and run_info(Path(run_dir)):
        _quiet(in_run=True)
        return for_run(Path(run_dir), step.name).for_step(step)
    _quiet(in_run=False)
    base, origin = _base_parameters()
    merged = parameters.with_values(base, given, step.name, "the notebook's parameters")
    if merged.get("period") is None:
        from compass_nb import data

        options = data.load_options(merged)
        merged["period"] = data.latest_complete_period(
            resolve_source(str(merged["source"])),
            encoding=options["encoding"],
            inputs=options["inputs"],
            stages=options["stages"],
        )
    scratch = Path(run_dir) if run_dir else Path(tempfile.mkdtemp(prefix=f"compass-{section}-"))
    ctx = Context(
        section=step.name,
        period=str(merged["period"]),
        params=merged,
        store=store_path(merged),
        run_dir=scratch,
        in_run=False,
        threads=_threads(int(merged.get("jobs") or 0)),
        upstream=steps.compute_upstream,
    ).for_step(step)
    ctx.say(
        f"Outside a run: {step.notebook} for {ctx.period} on {merged['source']} ({origin}); "
        f"the store is {ctx.store}; files go to the scratch folder {scratch}."
    )
    if upstream:
        prepare_upstream(ctx)
    return ctx


def _threads(jobs: int) -> int:
    """Threads this kernel may use, as the runner counts them (``runner.budget``): the cores
    shared among ``jobs`` kernels (0: as many kernels as cores, one thread each — on the
    demo, faster than a pool of processes; ``jobs: 1`` gives one kernel every core)."""
    cores = os.cpu_count() or 1
    return max(1, cores // max(1, min(jobs or cores, cores)))


def _base_parameters() -> tuple[dict, str]:
    """The defaults, under the file ``$COMPASS_PARAMETERS`` names when it is set."""
    chosen = os.environ.get(PARAMETERS_ENV)
    if not chosen:
        return parameters.defaults(), "parameters/default.yaml"
    path = project_path(chosen)
    return parameters.load(path), f"parameters/default.yaml + ${PARAMETERS_ENV}={path}"


def upstream_plan(ctx: Context) -> tuple[list, dict[str, int]]:
    """What ``ctx``'s step needs from this cycle's upstream: the steps to compute here
    (writers before readers) and, for each table the store already holds, its run id.

    Walks the step's reads and optional reads, then those of each writer that must be
    computed; a table staged in the scratch folder or committed in the store is not
    computed again.
    """
    todo: list = []
    stored: dict[str, int] = {}
    seen: set[str] = set()

    def visit(step) -> None:
        for table in (*step.reads, *step.optional_reads):
            writer = steps.writer_of(table)
            if table in seen or writer is None or writer is step:
                continue
            seen.add(table)
            if cycle_store.staged(ctx.run_dir, table) is not None:
                continue
            committed = cycle_store.read(ctx.store, table, periods=[ctx.period])
            if not committed.empty:
                stored[table] = int(committed["run_id"].max())
                continue
            if writer not in todo:
                visit(writer)
                todo.append(writer)

    visit(ctx.step)
    return sorted(todo, key=steps.STEPS.index), stored


def prepare_upstream(ctx: Context) -> None:
    """Outside a run: make this cycle's upstream tables available to ``ctx``'s step.

    Says which tables come from the store (and which run) and which are computed here,
    then computes the latter step by step into the scratch folder, under a progress bar.
    A step the notebook only uses when present (an optional read, e.g. the pipeline for
    02) that cannot run on this source is left out, saying why.
    """
    todo, stored = upstream_plan(ctx)
    ctx.told.update(("origin", table) for table in stored)
    if stored:
        used = ", ".join(f"{table} (run {run})" for table, run in sorted(stored.items()))
        ctx.say(f"From the cycle store's latest committed runs for {ctx.period}: {used}.")
    if not todo:
        return
    needed = _required_writers(ctx.step, todo)
    ctx.say(
        f"Not in the store for {ctx.period}, so computed here first, into the scratch folder "
        f"(never committed): {', '.join(step.notebook for step in todo)}."
    )
    with ctx.progress(f"{ctx.step.notebook} · upstream", total=len(todo)) as bar:
        for step in todo:
            bar.set_description(f"{ctx.step.notebook} · upstream, {step.notebook}")
            if step in needed:
                steps.run_step(step, ctx)
            else:
                try:
                    steps.run_step(step, ctx)
                except Exception as error:  # an optional input: the notebook runs without it
                    ctx.say(f"{step.notebook} could not run here ({error}); shown without it.")
            bar.update()
    for table in {t for s in todo for t in s.writes}:
        ctx.told.add(("origin", table))


def _required_writers(step, todo: list) -> set:
    """The steps of ``todo`` that ``step`` needs through required reads only."""
    required: set = set()
    pending = [step]
    while pending:
        current = pending.pop()
        for table in current.reads:
            writer = steps.writer_of(table)
            if writer in todo and writer not in required:
                required.add(writer)
                pending.append(writer)
    return required


#: Warnings the stack raises in normal use that say nothing to a reader of the pack.
_NOISY = (
    (FutureWarning, r"(pandas|statsforecast|statsmodels|seaborn)(\..*)?"),
    (
        DeprecationWarning,
        r"(pandas|numpy|statsforecast|statsmodels|seaborn|matplotlib|jupyter_client|zmq)(\..*)?",
    ),
    (RuntimeWarning, r"(numpy|statsmodels|statsforecast|scipy)(\..*)?"),
    (UserWarning, r"(statsforecast|statsmodels|coreforecast)(\..*)?"),
)


def _quiet(*, in_run: bool) -> None:
    """Keep the stack's known noisy warnings out of the notebook, each by category and by
    the module that raises it (the analyst's own warnings, and any other module's, still
    show); in a run, keep progress bars out of the reviewer's HTML too. Set the chart style."""
    for category, module in _NOISY:
        warnings.filterwarnings("ignore", category=category, module=module)
    try:
        from statsmodels.tools.sm_exceptions import ConvergenceWarning

        warnings.filterwarnings("ignore", category=ConvergenceWarning, module=r"statsmodels(\..*)?")
    except ImportError:  # pragma: no cover - statsmodels is a hard dependency
        pass
    if in_run:
        os.environ.setdefault("TQDM_DISABLE", "1")
    import matplotlib
    import seaborn as sns

    matplotlib.rcParams.update({"figure.dpi": 96, "figure.figsize": (9, 3.6)})
    sns.set_theme(style="whitegrid", context="notebook")
    _draw_charts_once()


def _draw_charts_once() -> None:
    """In a kernel with the inline backend (ipykernel's default), draw each chart only to
    make the image it shows. Pyplot's after-cell hook would otherwise render every new
    figure in full for nothing, just before the inline backend renders it into that image
    and closes it: about a third of a chart's cost. An interactive backend (ipympl) keeps
    the hook, which is what redraws its figures."""
    from IPython import get_ipython

    if get_ipython() is None:
        return
    import matplotlib
    from matplotlib import pyplot

    backend = matplotlib.get_backend()
    if "inline" not in backend:
        return
    pyplot.switch_backend(backend)  # now, not at the first figure: it installs the hook
    pyplot.uninstall_repl_displayhook()
