"""The notebook side of Compass: the context a notebook's step runs in, and safe display.

A notebook's first code cell is::

    ctx = nb.context("demand_planning", globals())
    review = steps.demand_planning.run(ctx)

Inside a run (``run_dir`` injected by the runner) the context is the run's: its period,
its merged parameters, its staging folder, and the step's result already computed by the
runner. Outside a run (JupyterLab, plain papermill) it merges the defaults with what the
parameters cell (or ``papermill -p``) sets, stages into a scratch folder that is never
committed, and computes any upstream table the store lacks through the steps.

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


def context(
    section: str, namespace: Mapping | None = None, *, run_dir: str | Path | None = None, **values
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
    values
        More parameters, as keywords.
    """
    _quiet()
    given = {**dict(namespace or {}), **values}
    run_dir = run_dir or given.pop("run_dir", None)
    step = steps.step(section)
    if run_dir is not None and run_info(Path(run_dir)):
        return for_run(Path(run_dir), step.name).for_step(step)
    merged = parameters.with_values(
        parameters.defaults(), given, step.name, "the notebook's parameters"
    )
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
        threads=max(1, os.cpu_count() or 1),
        upstream=steps.compute_upstream,
    )
    return ctx.for_step(step)


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


def _quiet() -> None:
    """Keep the stack's known noisy warnings (by category and module) and progress bars out
    of the reviewer's HTML; set the chart style. The analyst's own warnings still show."""
    for category, module in _NOISY:
        warnings.filterwarnings("ignore", category=category, module=module)
    try:
        from statsmodels.tools.sm_exceptions import ConvergenceWarning

        warnings.filterwarnings("ignore", category=ConvergenceWarning)
    except ImportError:  # pragma: no cover - statsmodels is a hard dependency
        pass
    os.environ.setdefault("TQDM_DISABLE", "1")
    import matplotlib
    import seaborn as sns

    matplotlib.rcParams.update({"figure.dpi": 96, "figure.figsize": (9, 3.6)})
    sns.set_theme(style="whitegrid", context="notebook")
