"""The runner: computes a cycle's steps in the order their declarations give, and builds the pack.

One run = one period. The steps are called in process (01 data collection in the runner,
the others in long-lived worker processes, independent ones side by side within the CPU
budget), writing into the run's staging folder ``<root>/.staging/<period>-run<id>/``. A
cycle that gets a pack then renders each notebook in a kernel of its own, where the
notebook finds its step's result already computed and only shows it. When the run
ends, the tables of the steps that completed are committed to the cycle store in one
transaction, and the pack and private folders are swapped into place.

``--backfill N`` runs the N cycles before the period first, store only (no kernels, no
HTML) unless ``packs: all`` asks for their packs. A killed run leaves the store and the
previous pack as they were.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import platform
import shutil
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import pandas as pd

from compass_nb import __version__, steps
from compass_nb import params as parameters
from compass_nb import store as cycle_store
from compass_nb.errors import CompassError, StoreBusy
from compass_nb.faults import pause_point
from compass_nb.kernels import Job, Outcome, RenderServer, render_notebook, render_placeholder
from compass_nb.report import pack
from compass_nb.workers import Workers, run_task, start_fork_server

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK_DIR = Path(os.environ.get("COMPASS_NOTEBOOKS", ROOT / "notebooks"))

VERSIONS = (
    "pandas",
    "numpy",
    "statsmodels",
    "statsforecast",
    "duckdb",
    "papermill",
    "nbconvert",
    "pandera",
)
#: The step the runner computes in its own process (it is handed the validated source);
#: every other step runs in the step workers.
IN_RUNNER = "data_collection"


def kernel_compute() -> bool:
    """Compute inside the notebooks' kernels instead of in process (``COMPASS_COMPUTE=kernel``):
    the behaviour before steps existed, kept to check that both give the same figures."""
    return os.environ.get("COMPASS_COMPUTE") == "kernel"


def selected(names: list[str] | None) -> list[str]:
    """Notebook names in run order (all when ``names`` is empty); unknown names are an error."""
    known = [s.notebook for s in steps.STEPS]
    if not names:
        return known
    unknown = [name for name in names if name not in known]
    if unknown:
        raise CompassError(
            f"Unknown notebook {', '.join(unknown)}; the notebooks are: {', '.join(steps.NOTEBOOKS)}."
        )
    return [name for name in known if name in names]


def previous_periods(period: str, count: int) -> list[str]:
    """The ``count`` periods before ``period``, oldest first."""
    end = pd.Period(period, freq="M")
    return [str(end - k) for k in range(count, 0, -1)]


@dataclass
class Run:
    """One run of one period."""

    params: dict
    root: Path
    store: Path
    period: str
    run_id: int
    staging: Path
    notebooks: list[str]
    only: bool = False
    with_pack: bool = True
    fingerprint: str = ""
    outcomes: dict[str, Outcome] = field(default_factory=dict)
    steps_done: dict[str, Outcome] = field(default_factory=dict)
    started: str = ""

    @property
    def final(self) -> dict[str, Outcome]:
        """Notebook → what happened to it: its rendering in a pack, else its step."""
        outcomes = self.outcomes if self.with_pack else self.steps_done
        return {steps.BY_NAME[name].notebook: o for name, o in outcomes.items()}


# -- locking and recovery --------------------------------------------------------------------
@contextlib.contextmanager
def _file_lock(path: Path, wait_seconds: float, what: str) -> Iterator[None]:
    """Hold an exclusive lock on ``path``; a second holder waits with a message, then refuses."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(path, "a+")  # noqa: SIM115 - held for the run
    deadline = time.monotonic() + wait_seconds
    told = False
    try:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise StoreBusy(
                        f"Another Compass run is using {what} and did not finish within "
                        f"{wait_seconds:.0f} s. Wait for it to end (or raise lock_wait) and run again."
                    ) from None
                if not told:
                    print(
                        f"Another Compass run is using {what}; waiting for it to finish…",
                        flush=True,
                    )
                    told = True
                time.sleep(0.5)
        yield
    finally:
        handle.close()


@contextlib.contextmanager
def run_lock(root: Path, store: Path, wait_seconds: float) -> Iterator[None]:
    """Hold the reports root's lock, then the store's, for the whole run: two runs on one
    store serialise whatever their ``--out`` (run ids are taken under the store's lock), and
    two runs into one reports folder serialise whatever their store. Always in this order,
    so that two runs can never wait for each other."""
    with _file_lock(root / ".compass-run.lock", wait_seconds, str(root)):
        with _file_lock(store.with_name(store.name + ".lock"), wait_seconds, str(store)):
            yield


JOURNAL = "swap.json"


def recover(root: Path, store: Path) -> None:
    """Finish or undo what a killed run left behind, before anything else runs.

    A staged run whose journal says it was committed to the store has its pack and
    private folder swapped in now (the pack the store points to is always complete);
    any other staged run is discarded; a half-swapped pack is put back.
    """
    trash = root / ".trash"
    if trash.exists():
        for old in trash.iterdir():
            target = root / old.name.split("@")[0].replace("~", "/")
            if not target.exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(old, target)
        shutil.rmtree(trash, ignore_errors=True)
    committed = set()
    runs = cycle_store.runs(store)
    if len(runs):
        committed = set(zip(runs["period"].astype(str), runs["run_id"].astype(int), strict=True))
    for staging in sorted((root / ".staging").glob("*")):
        journal = staging / JOURNAL
        if journal.exists():
            entry = json.loads(journal.read_text())
            if (entry["period"], int(entry["run_id"])) in committed:
                _swap_pack(root, staging, entry["period"], with_pack=entry["pack"])
                print(f"Recovered the pack of {entry['period']} (run {entry['run_id']}).")
    shutil.rmtree(root / ".staging", ignore_errors=True)


def budget(jobs: int) -> tuple[int, int]:
    """Processes side by side and threads per process, so that together they fit the cores."""
    cores = os.cpu_count() or 1
    kernels = max(1, min(jobs or cores, cores))
    return kernels, max(1, cores // kernels)


# -- scheduling ------------------------------------------------------------------------------
def schedule(
    names: list[str],
    needs: Callable[[str], tuple[set[str], set[str]]],
    start: Callable[[str], Outcome],
    *,
    parallel: int,
    done: dict[str, Outcome],
    report: Callable[[str], None] = lambda name: None,
) -> None:
    """Run ``start(name)`` for every name once its needs are done, ``parallel`` at a time.

    ``needs(name)`` gives the names it needs (a need that did not complete skips it) and
    those it merely runs after. Outcomes land in ``done``, in completion order.
    """
    pending = list(names)
    running: dict = {}
    with ThreadPoolExecutor(max_workers=parallel) as pool:
        while pending or running:
            for name in list(pending):
                if len(running) >= parallel:
                    break
                hard, soft = needs(name)
                if any(n not in done for n in hard | soft):
                    continue
                pending.remove(name)
                failed = sorted(n for n in hard if done[n].status != "ok")
                if failed:
                    done[name] = _blocked([(n, done[n]) for n in failed])
                    report(name)
                    continue
                running[pool.submit(start, name)] = name
            if not running:
                if pending:  # every pending name waits on something that will never run
                    for name in pending:
                        done[name] = Outcome("skipped", 0.0, "not run: its inputs were not made")
                        report(name)
                    pending.clear()
                continue
            finished, _ = wait(list(running), return_when=FIRST_COMPLETED)
            for future in finished:
                name = running.pop(future)
                done[name] = future.result()
                report(name)


def _blocked(needed: list[tuple[str, Outcome]]) -> Outcome:
    """The outcome of a step whose needed steps did not complete: skipped for the same
    missing inputs when each of them was skipped for its inputs (``skipped: needs orders
    (through forecasting)``, not a failure), else not run because one failed."""
    labels = ", ".join(steps.step(n).notebook for n, _ in needed)
    if all(o.error.startswith("skipped:") for _, o in needed):
        causes = dict.fromkeys(
            o.error.removeprefix("skipped: ").split(" (through ")[0] for _, o in needed
        )
        return Outcome("skipped", 0.0, f"skipped: {'; '.join(causes)} (through {labels})")
    return Outcome("skipped", 0.0, f"not run: {labels} did not complete")


def _needs_within(names: list[str]) -> Callable[[str], tuple[set[str], set[str]]]:
    """Step needs, restricted to the steps of this run (the others come from the store)."""
    members = set(names)

    def needs(name: str) -> tuple[set[str], set[str]]:
        hard, soft = steps.needs(steps.BY_NAME[name], steps.STEPS)
        return hard & members, soft & members

    return needs


def missing_inputs(step, available: set[str]) -> list[str]:
    """The required input tables of ``step`` the source does not hold."""
    return [table for table in step.inputs if table not in available]


def compute(
    run: Run,
    workers: Workers | None,
    loaded,
    jobs: int,
    *,
    then: Callable[[str], None] = lambda name: None,
) -> None:
    """Call the run's steps in process: 01 in this process, the others in the workers;
    ``then(name)`` is called as each step ends (done, failed or skipped)."""
    names = [steps.step(n).name for n in run.notebooks]
    available = set(loaded.tables) if loaded is not None else None
    timeout = float(run.params.get("timeout") or 0) or None

    def start(name: str) -> Outcome:
        step = steps.BY_NAME[name]
        lacking = missing_inputs(step, available) if available is not None else []
        if lacking:
            return Outcome("skipped", 0.0, f"skipped: needs {', '.join(lacking)}")
        if name == IN_RUNNER:
            return run_task(run.staging, name, loaded=loaded)
        return workers.run(run.staging, name, timeout)

    def ended(name: str) -> None:
        _progress(run, steps.BY_NAME[name].notebook, run.steps_done[name])
        then(name)

    kernels, _ = budget(jobs)
    schedule(
        names, _needs_within(names), start, parallel=kernels, done=run.steps_done, report=ended
    )


def compute_and_render(
    run: Run, workers: Workers | None, loaded, jobs: int, server: RenderServer | None = None
) -> None:
    """Compute the run's steps and render each notebook as soon as its step has ended, so
    that kernels use the cores the chain of S&OP steps leaves idle."""
    kernels, threads = budget(jobs)
    timeout = float(run.params.get("timeout") or 0) or None
    with ThreadPoolExecutor(max_workers=kernels) as pool:
        rendering = {}

        def then(name: str) -> None:
            rendering[name] = pool.submit(render_one, run, name, threads, timeout, server)

        compute(run, workers, loaded, jobs, then=then)
        for name in [steps.step(n).name for n in run.notebooks]:
            run.outcomes[name] = rendering[name].result()


def render_one(
    run: Run, name: str, threads: int, timeout: float | None, server: RenderServer | None = None
) -> Outcome:
    """Render the notebook of step ``name`` in its own kernel (forked by ``server`` when one
    runs); a step that did not complete gets a placeholder page saying why."""
    job = _job(run, steps.BY_NAME[name])
    computed = run.steps_done.get(name)
    if computed is not None and computed.status != "ok":
        render_placeholder(job, computed)
        return computed
    outcome = render_notebook(job, threads=threads, timeout=timeout, server=server)
    if computed is not None:  # the time that counts is the step's, not the rendering's
        outcome.duration = computed.duration + outcome.duration
    return outcome


def render(run: Run, jobs: int, server: RenderServer | None = None) -> None:
    """Render each notebook of the run in its own kernel, the kernel computing its step
    (``COMPASS_COMPUTE=kernel``, how packs were made before steps), in dependency order."""
    kernels, threads = budget(jobs)
    timeout = float(run.params.get("timeout") or 0) or None
    names = [steps.step(n).name for n in run.notebooks]
    schedule(
        names,
        _needs_within(names),
        lambda name: render_one(run, name, threads, timeout, server),
        parallel=kernels,
        done=run.outcomes,
        report=lambda name: _progress(run, steps.BY_NAME[name].notebook, run.outcomes[name]),
    )


def _job(run: Run, step) -> Job:
    notebook = step.notebook
    work = run.staging / "work"
    return Job(
        source=str(NOTEBOOK_DIR / f"{notebook}.ipynb"),
        executed=str(run.staging / "private" / "notebooks" / f"{notebook}.ipynb"),
        html=str(run.staging / "pack" / f"{notebook}.html"),
        parameters={"run_dir": str(run.staging)},
        cwd=str(NOTEBOOK_DIR),
        header=header(run, step),
        log=str(work / f"{notebook}.log"),
    )


def header(run: Run, step) -> dict:
    """The run header of one notebook's report."""
    shown = parameters.for_notebook(run.params, step.name)
    return {
        "period": run.period,
        "run_id": run.run_id,
        "fingerprint": run.fingerprint,
        "source": parameters.mask(run.params.get("source", "")),
        "version": __version__,
        "parameters": parameters.masked({k: v for k, v in shown.items() if k != "store"}),
        "link_back": True,
    }


def _progress(run: Run, notebook: str, outcome: Outcome) -> None:
    mark = "ok" if outcome.status == "ok" else outcome.status.upper()
    note = f"  {outcome.error}" if outcome.error else ""
    print(f"  {run.period}  {notebook:<28} {mark:<8} {outcome.duration:6.1f} s{note}", flush=True)


# -- the pack ------------------------------------------------------------------------------
def versions() -> dict:
    """Versions of Python, Compass and the stack, for the manifest."""
    out = {"python": platform.python_version(), "compass_nb": __version__}
    for name in VERSIONS:
        with contextlib.suppress(metadata.PackageNotFoundError):
            out[name] = metadata.version(name)
    return out


def collect_metrics(run: Run, previous: dict) -> dict:
    """Headline figures by notebook: this run's, plus the previous pack's for notebooks not re-run."""
    figures = {name: value for name, value in previous.items() if name not in run.notebooks}
    done = {steps.step(name).name for name, o in run.final.items() if o.status == "ok"}
    for path in sorted((run.staging / "metrics").glob("*.json")):
        if path.stem in done:
            figures[steps.step(path.stem).notebook] = json.loads(path.read_text())
    return dict(sorted(figures.items()))


def stage_metrics(run: Run, figures: dict) -> None:
    """The ``metrics`` store table: one row per notebook and figure of this run."""
    rows = [
        {
            "notebook": notebook,
            "key": key,
            "label": f.get("label", key),
            "value": float(f["value"])
            if isinstance(f.get("value"), (int, float)) and not isinstance(f.get("value"), bool)
            else None,
            "text": pack.format_value(f),
        }
        for notebook, items in figures.items()
        if notebook in run.notebooks
        for key, f in items.items()
    ]
    if rows:
        cycle_store.stage(
            run.staging, "metrics", pd.DataFrame(rows), period=run.period, run_id=run.run_id
        )


def manifest(run: Run, previous: dict, timings: dict) -> dict:
    """Parameters (credentials masked), input fingerprints, versions, timings, status."""
    statuses = dict(previous.get("notebooks", {})) if run.only else {}
    for notebook, outcome in run.final.items():
        statuses[notebook] = {
            "status": outcome.status,
            "duration": round(outcome.duration, 1),
            "error": outcome.error,
            "title": _title(notebook),
        }
    ordered = {name: statuses[name] for name in steps.NOTEBOOKS if name in statuses}
    inputs_path = run.staging / "inputs.json"
    inputs = (
        json.loads(inputs_path.read_text()) if inputs_path.exists() else previous.get("inputs", {})
    )
    return {
        "period": run.period,
        "run_id": run.run_id,
        "fingerprint": run.fingerprint,
        "inputs": inputs,
        "parameters": parameters.masked(run.params),
        "versions": versions(),
        "notebooks": ordered,
        "timings": timings,
        "status": "complete" if all(s["status"] == "ok" for s in ordered.values()) else "failed",
    }


def _title(notebook: str) -> str:
    import nbformat

    from compass_nb.report.html import notebook_title

    path = NOTEBOOK_DIR / f"{notebook}.ipynb"
    return (
        notebook_title(nbformat.read(path, as_version=4), notebook) if path.exists() else notebook
    )


def swap_in(root: Path, staged: Path, name: str) -> None:
    """Replace ``root/name`` with ``staged`` (the old copy is parked in ``.trash`` until done)."""
    target = root / name
    trash = root / ".trash"
    trash.mkdir(parents=True, exist_ok=True)
    parked = trash / (name.replace("/", "~") + f"@{os.getpid()}")
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        os.replace(target, parked)
    os.replace(staged, target)
    shutil.rmtree(parked, ignore_errors=True)


def build_pack(run: Run, timings: dict) -> tuple[dict, dict]:
    """Write metrics.json, manifest.json and the period's index into the staged pack."""
    pack_dir = run.staging / "pack"
    pack_dir.mkdir(parents=True, exist_ok=True)
    old = run.root / run.period
    previous_manifest = (
        json.loads((old / "manifest.json").read_text())
        if run.only and (old / "manifest.json").exists()
        else {}
    )
    figures_path = run.root / "private" / run.period / "figures.json"
    previous_metrics = (
        json.loads(figures_path.read_text()) if run.only and figures_path.exists() else {}
    )
    figures = collect_metrics(run, previous_metrics)
    stage_metrics(run, figures)
    info = manifest(run, previous_manifest, timings)
    pack.write_json(
        pack_dir / "metrics.json",
        {n: {k: f.get("value") for k, f in items.items()} for n, items in figures.items()},
    )
    pack.write_json(pack_dir / "manifest.json", info)
    (run.staging / "private").mkdir(parents=True, exist_ok=True)
    pack.write_json(run.staging / "private" / "figures.json", figures)
    (pack_dir / "index.html").write_text(pack.period_index(info, figures), encoding="utf-8")
    return info, figures


def _carry_over(run: Run) -> None:
    """For ``--only``: start the staged pack and private folder from the current ones."""
    for name, staged in (
        (run.period, run.staging / "pack"),
        (f"private/{run.period}", run.staging / "private"),
    ):
        current = run.root / name
        if current.exists():
            shutil.copytree(
                current,
                staged,
                dirs_exist_ok=True,
                ignore=shutil.ignore_patterns(*(f"{n}.*" for n in run.notebooks)),
            )


def _completed_tables(run: Run) -> list[str]:
    """The staged tables of the steps that completed, and the metrics."""
    done = {steps.step(n).name for n, o in run.final.items() if o.status == "ok"}
    tables = {t for s in steps.STEPS if s.name in done for t in s.writes}
    return sorted(tables | {"metrics"})


def _drop_incomplete(run: Run) -> None:
    keep = set(_completed_tables(run))
    for file in (run.staging / "tables").glob("*.parquet"):
        if file.stem not in keep:
            file.unlink()


def run_period(
    params: dict,
    root: Path,
    store: Path,
    period: str,
    *,
    notebooks: list[str],
    only: bool,
    jobs: int,
    with_pack: bool,
    workers: Workers | None,
    loaded,
    server: RenderServer | None = None,
) -> Run:
    """Run one period end to end: compute, render (when it gets a pack), commit, swap in."""
    run_id = cycle_store.next_run_id(store, period)
    staging = root / ".staging" / f"{period}-run{run_id}"
    shutil.rmtree(staging, ignore_errors=True)
    (staging / "pack").mkdir(parents=True)
    run = Run(
        params=params,
        root=root,
        store=store,
        period=period,
        run_id=run_id,
        staging=staging,
        notebooks=notebooks,
        only=only,
        with_pack=with_pack,
        fingerprint=loaded.fingerprint if loaded is not None else "",
    )
    _, threads = budget(jobs)
    record = {"period": period, "run_id": run_id, "params": params, "store": str(store)}
    record.update(threads=threads, pack=with_pack)
    (staging / "run.json").write_text(json.dumps(record, default=str))
    if only and with_pack:
        _carry_over(run)
    started = time.monotonic()
    run.started = datetime.now(UTC).isoformat(timespec="seconds")
    print(
        f"Compass run {period} (run {run_id})"
        + (f" → {root / period}" if with_pack else ", store only"),
        flush=True,
    )
    if with_pack and kernel_compute():
        render(run, jobs, server)
    elif with_pack:
        compute_and_render(run, workers, loaded, jobs, server)
    else:
        compute(run, workers, loaded, jobs)
    timings = {
        "started": run.started,
        "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        "seconds": round(time.monotonic() - started, 1),
    }
    info, _ = build_pack(run, timings)
    pause_point("pack")
    _drop_incomplete(run)
    journal = {"period": period, "run_id": run_id, "pack": with_pack}
    (staging / JOURNAL).write_text(json.dumps(journal))  # the swap to finish after a crash
    cycle_store.commit(
        store,
        staging,
        period=period,
        run_id=run_id,
        status="complete" if info["status"] == "complete" else "partial",
    )
    pause_point("swap")
    _swap_pack(root, staging, period, with_pack=with_pack)
    (root / "index.html").write_text(pack.root_index(root, store), encoding="utf-8")
    shutil.rmtree(staging, ignore_errors=True)
    return run


def _swap_pack(root: Path, staging: Path, period: str, *, with_pack: bool) -> None:
    """Swap a committed run's pack and private folder into place (idempotent: a part already
    swapped is not staged any more)."""
    if not with_pack:
        return
    if (staging / "pack").exists():
        swap_in(root, staging / "pack", period)
    private = staging / "private"
    if private.exists():
        (private / "notebooks").mkdir(parents=True, exist_ok=True)
        swap_in(root, private, f"private/{period}")


def resolve(params: dict, out: str | Path | None) -> tuple[Path, Path]:
    """The reports root and the store path, from ``--out`` and the ``store`` parameter."""
    root = Path(out) if out else ROOT / "reports"
    root = root if root.is_absolute() else Path.cwd() / root
    store = params.get("store")
    store = Path(store) if store else root / "compass.duckdb"
    if not store.is_absolute():
        store = ROOT / store
    return root.resolve(), store


def load_source(params: dict, period: str | None = None):
    """The source validated once (``Loaded``), as of ``period`` (``None``: the latest complete
    month of the data); other cycles are cut from it with ``Loaded.at``."""
    from compass_nb import data

    return data.load(params["source"], period=period, **data.load_options(params))


def run_cycles(
    params: dict,
    root: Path,
    store: Path,
    periods: list[str],
    *,
    notebooks: list[str] | None = None,
    only: bool = False,
    packs: set[str] = frozenset(),
    source=None,
    server: RenderServer | None = None,
) -> list[Run]:
    """Run ``periods`` in order, each committed to the store; the periods in ``packs`` get
    their pack. ``source`` is the validated source (:func:`load_source`), validated here
    when not given. Returns each cycle's record.

    The render server (:class:`~.kernels.RenderServer`; ``server``, or one of this call's
    own) starts with the first cycle that gets a pack, if not started before, and imports
    while that cycle computes."""
    jobs = int(params.get("jobs") or 0)
    kernels, threads = budget(jobs)
    source = source if source is not None else load_source(params, periods[-1])
    notebooks = notebooks or selected(None)
    records = []
    own = RenderServer(threads) if server is None else contextlib.nullcontext(server)
    with Workers(kernels, threads) as workers, own as server:
        for cycle in periods:
            if cycle in packs:
                server.start()
            loaded = source.at(cycle)
            _report_quarantine(loaded, cycle)
            records.append(
                run_period(
                    dict(params, period=cycle),
                    root,
                    store,
                    cycle,
                    notebooks=notebooks,
                    only=only,
                    jobs=jobs,
                    with_pack=cycle in packs,
                    workers=workers,
                    loaded=loaded,
                    server=server,
                )
            )
    return records


def run(params: dict, *, out: str | Path | None = None, only: list[str] | None = None) -> int:
    """Render the pack of ``params['period']`` (after ``backfill`` earlier cycles); the exit code."""
    root, store = resolve(params, out)
    threads = budget(int(params.get("jobs") or 0))[1]
    backfill = int(params.get("backfill") or 0)
    notebooks = selected(only)
    with RenderServer(threads) as server:
        # Both servers import while the source is validated: the fork server of the step
        # workers when a step other than 01 (which runs here) is computed, the render
        # server when the first cycle gets a pack.
        if any(steps.step(name).name != IN_RUNNER for name in notebooks):
            start_fork_server(threads)
        if params.get("packs") == "all" or (not backfill and params.get("packs") != "none"):
            server.start()
        source = load_source(params, params.get("period"))
        period = source.period
        periods = previous_periods(period, backfill) + [period]
        packs = {"all": set(periods), "none": set()}.get(params.get("packs"), {period})
        with run_lock(root, store, float(params.get("lock_wait", 600))):
            recover(root, store)
            records = run_cycles(
                params,
                root,
                store,
                periods,
                notebooks=notebooks,
                only=bool(only),
                packs=packs,
                source=source,
                server=server,
            )
    failures = [
        (record.period, name, outcome)
        for record in records
        for name, outcome in record.final.items()
        if outcome.status != "ok" and not outcome.error.startswith("skipped:")
    ]
    if packs:
        print(f"\nPack: {root / period / 'index.html'}")
    if failures:
        print("\nFailures:")
        for cycle, name, outcome in failures:
            print(f"  {cycle}  {name}: {outcome.status} — {outcome.error}")
        print("The steps that failed were not committed to the cycle store; the packs mark them.")
        return 1
    return 0


def _report_quarantine(loaded, period: str) -> None:
    bad = int(loaded.quarantine.groupby(["table", "row"]).ngroups) if len(loaded.quarantine) else 0
    if bad:
        print(
            f"{bad:,} input rows quarantined (see the 01 report and private/{period}/quarantine/)."
        )
