"""The runner: executes the notebooks of a cycle in dependency order and builds the pack.

One run = one period. Notebooks run as papermill jobs in their own processes, independent
ones side by side within the CPU budget (``jobs`` kernels, each told how many threads it
may use). Outputs are staged in ``<root>/.staging/<period>-<run>/``; when every notebook
has completed, the staged tables are committed to the cycle store in one transaction and
the pack and private folders are swapped into place. A failed or killed run leaves the
store and the previous pack as they were.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import pandas as pd
import psutil

from compass_nb import __version__
from compass_nb import params as parameters
from compass_nb import store as cycle_store
from compass_nb.errors import CompassError, StoreBusy
from compass_nb.report import pack

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK_DIR = Path(os.environ.get("COMPASS_NOTEBOOKS", ROOT / "notebooks"))

#: Each notebook and the notebooks it needs (a failed need skips it).
NEEDS: dict[str, list[str]] = {
    "01_data_collection": [],
    "forecasting": ["01_data_collection"],
    "pipeline": ["01_data_collection"],
    "compensation": ["01_data_collection"],
    "enps": ["01_data_collection"],
    "02_demand_planning": ["forecasting"],
    "03_supply_planning": ["02_demand_planning"],
    "04_pre_sop_review": ["03_supply_planning"],
    "05_executive_sop": ["04_pre_sop_review"],
    "06_implementation_tracking": ["05_executive_sop"],
}
#: Optional inputs: run after these when they are part of the run, but not skipped if they fail.
AFTER: dict[str, list[str]] = {"02_demand_planning": ["pipeline"]}

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


def pause_point(name: str) -> None:
    """Fault injection for the kill-safety tests: sleep here when ``COMPASS_PAUSE_AT`` names this point."""
    if os.environ.get("COMPASS_PAUSE_AT") == name:
        print(f"paused at {name}", flush=True)
        time.sleep(float(os.environ.get("COMPASS_PAUSE_SECONDS", "30")))


def section(notebook: str) -> str:
    """The parameters section of a notebook: its name without the number prefix."""
    head, _, rest = notebook.partition("_")
    return rest if head.isdigit() else notebook


def with_needs(names: list[str]) -> list[str]:
    """``names`` in run order (only those named: ``--only`` reads the rest from the store)."""
    unknown = [name for name in names if name not in NEEDS]
    if unknown:
        raise CompassError(
            f"Unknown notebook {', '.join(unknown)}; the notebooks are: {', '.join(NEEDS)}."
        )
    return [name for name in NEEDS if name in names]


def previous_periods(period: str, count: int) -> list[str]:
    """The ``count`` periods before ``period``, oldest first."""
    end = pd.Period(period, freq="M")
    return [str(end - k) for k in range(count, 0, -1)]


@dataclass
class Outcome:
    """What happened to one notebook."""

    status: str
    duration: float = 0.0
    error: str = ""
    title: str = ""


@dataclass
class Run:
    """One run of one period."""

    params: dict
    root: Path
    store: Path
    period: str
    run_id: int
    fingerprint: str
    staging: Path
    notebooks: list[str]
    only: bool = False
    outcomes: dict[str, Outcome] = field(default_factory=dict)
    started: str = ""


# -- locking -------------------------------------------------------------------------------
@contextlib.contextmanager
def run_lock(root: Path, wait_seconds: float) -> Iterator[None]:
    """Hold the reports root's run lock; a second run waits with a message, then refuses."""
    root.mkdir(parents=True, exist_ok=True)
    handle = open(root / ".compass-run.lock", "a+")  # noqa: SIM115 - held for the run
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
                        f"Another Compass run is using {root} and did not finish within "
                        f"{wait_seconds:.0f} s. Wait for it to end (or raise lock_wait) and run again."
                    ) from None
                if not told:
                    print(
                        f"Another Compass run is using {root}; waiting for it to finish…",
                        flush=True,
                    )
                    told = True
                time.sleep(0.5)
        yield
    finally:
        handle.close()


def recover(root: Path) -> None:
    """Undo what a killed run left behind: stale staging folders, a half-swapped pack."""
    trash = root / ".trash"
    if trash.exists():
        for old in trash.iterdir():
            target = root / old.name.split("@")[0].replace("~", "/")
            if not target.exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(old, target)
        shutil.rmtree(trash, ignore_errors=True)
    shutil.rmtree(root / ".staging", ignore_errors=True)


# -- execution -----------------------------------------------------------------------------
def budget(jobs: int) -> tuple[int, int]:
    """Kernels side by side and threads per kernel, so that together they fit the cores."""
    cores = os.cpu_count() or 1
    kernels = max(1, min(jobs or cores, cores))
    return kernels, max(1, cores // kernels)


def _thread_env(threads: int) -> dict:
    env = dict(os.environ)
    for name in (
        "OMP_NUM_THREADS",
        "OPENBLAS_NUM_THREADS",
        "MKL_NUM_THREADS",
        "NUMEXPR_NUM_THREADS",
    ):
        env[name] = str(threads)
    env["NUMBA_NUM_THREADS"] = str(threads)
    env["TQDM_DISABLE"] = "1"
    env["PYTHONWARNINGS"] = "ignore"
    env["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
    return env


def _kill_tree(process: subprocess.Popen) -> None:
    try:
        parent = psutil.Process(process.pid)
        family = parent.children(recursive=True) + [parent]
    except psutil.NoSuchProcess:
        return
    for member in family:
        with contextlib.suppress(psutil.NoSuchProcess):
            member.kill()
    psutil.wait_procs(family, timeout=10)


def header(run: Run, notebook: str, notebook_params: dict) -> dict:
    """The run header of one notebook's report."""
    return {
        "period": run.period,
        "run_id": run.run_id,
        "fingerprint": run.fingerprint,
        "source": parameters.mask(run.params.get("source", "")),
        "version": __version__,
        "parameters": parameters.masked(
            {k: v for k, v in notebook_params.items() if k not in ("run_dir", "store")}
        ),
        "link_back": True,
    }


def execute(run: Run, notebook: str, threads: int) -> Outcome:
    """Execute one notebook in its own process, stopping it after ``timeout`` seconds."""
    source = NOTEBOOK_DIR / f"{notebook}.ipynb"
    if not source.exists():
        return Outcome("failed", error=f"notebook file {source} is missing")
    notebook_params = parameters.for_notebook(run.params, section(notebook))
    notebook_params.update(
        period=run.period, store=str(run.store), run_dir=str(run.staging), threads=threads
    )
    work = run.staging / "work"
    work.mkdir(parents=True, exist_ok=True)
    executed = run.staging / "private" / "notebooks" / f"{notebook}.ipynb"
    executed.parent.mkdir(parents=True, exist_ok=True)
    spec = {
        "input": str(source),
        "output": str(executed),
        "html": str(run.staging / "pack" / f"{notebook}.html"),
        "parameters": notebook_params,
        "cwd": str(NOTEBOOK_DIR),
        "header": header(run, notebook, notebook_params),
    }
    spec_path = work / f"{notebook}.json"
    spec_path.write_text(json.dumps(spec, default=str))
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-m", "compass_nb._worker", str(spec_path)],
        env=_thread_env(threads),
        stdout=subprocess.DEVNULL,
        stderr=open(work / f"{notebook}.log", "w"),  # noqa: SIM115
    )
    timeout = float(run.params.get("timeout") or 0) or None
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_tree(process)
        outcome = Outcome(
            "timeout", time.monotonic() - started, f"stopped after the {timeout:.0f} s timeout"
        )
        _render_stopped(spec, outcome)
        return outcome
    result_path = Path(str(spec_path) + ".result.json")
    if not result_path.exists():
        log = (work / f"{notebook}.log").read_text()[-500:]
        return Outcome(
            "failed", time.monotonic() - started, f"the notebook process ended unexpectedly: {log}"
        )
    result = json.loads(result_path.read_text())
    return Outcome(result["status"], result["duration"], result["error"])


def _render_stopped(spec: dict, outcome: Outcome) -> None:
    from compass_nb.report.html import render_file

    output = Path(spec["output"]) if Path(spec["output"]).exists() else Path(spec["input"])
    render_file(
        output, Path(spec["html"]), dict(spec["header"], status=outcome.status, error=outcome.error)
    )


def _skip(run: Run, notebook: str, reason: str) -> Outcome:
    from compass_nb.report.html import render

    outcome = Outcome("skipped", 0.0, reason)
    info = dict(
        header(run, notebook, parameters.for_notebook(run.params, section(notebook))),
        title=notebook,
        status="skipped",
        error=reason,
    )
    import nbformat

    empty = nbformat.v4.new_notebook()
    (run.staging / "pack" / f"{notebook}.html").write_text(render(empty, info), encoding="utf-8")
    return outcome


def execute_all(run: Run, jobs: int) -> None:
    """Run the notebooks in dependency order, independent ones side by side."""
    kernels, threads = budget(jobs)
    pending = list(run.notebooks)
    running: dict = {}
    total = len(pending)
    with ThreadPoolExecutor(max_workers=kernels) as pool:
        while pending or running:
            for notebook in list(pending):
                if len(running) >= kernels:
                    break
                needs = [n for n in NEEDS[notebook] if n in run.notebooks]
                after = [n for n in AFTER.get(notebook, []) if n in run.notebooks]
                if any(n not in run.outcomes for n in needs + after):
                    continue
                failed = [n for n in needs if run.outcomes[n].status != "ok"]
                pending.remove(notebook)
                if failed:
                    run.outcomes[notebook] = _skip(
                        run, notebook, f"not run: {', '.join(failed)} did not complete"
                    )
                    _progress(run, notebook, total)
                    continue
                print(f"  {run.period}  {notebook:<28} started", flush=True)
                running[pool.submit(execute, run, notebook, threads)] = notebook
            if not running:
                continue
            done, _ = wait(list(running), return_when=FIRST_COMPLETED)
            for future in done:
                notebook = running.pop(future)
                run.outcomes[notebook] = future.result()
                _progress(run, notebook, total)


def _progress(run: Run, notebook: str, total: int) -> None:
    outcome = run.outcomes[notebook]
    mark = "ok" if outcome.status == "ok" else outcome.status.upper()
    note = f"  {outcome.error}" if outcome.error else ""
    print(
        f"  {run.period}  {notebook:<28} {mark:<8} {outcome.duration:6.1f} s  "
        f"[{len(run.outcomes)}/{total}]{note}",
        flush=True,
    )


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
    by_section = {section(name): name for name in NEEDS}
    for path in sorted((run.staging / "metrics").glob("*.json")):
        figures[by_section.get(path.stem, path.stem)] = json.loads(path.read_text())
    return dict(sorted(figures.items()))


def stage_metrics(run: Run, figures: dict) -> None:
    """The ``metrics`` store table: one row per notebook and figure."""
    rows = [
        {
            "notebook": notebook,
            "key": key,
            "label": f.get("label", key),
            "value": None
            if f.get("value") is None
            else float(f["value"])
            if isinstance(f.get("value"), (int, float))
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
    for notebook, outcome in run.outcomes.items():
        statuses[notebook] = {
            "status": outcome.status,
            "duration": round(outcome.duration, 1),
            "error": outcome.error,
            "title": _title(run, notebook),
        }
    ordered = {name: statuses[name] for name in NEEDS if name in statuses}
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


def _title(run: Run, notebook: str) -> str:
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


def run_period(
    params: dict,
    root: Path,
    store: Path,
    period: str,
    *,
    notebooks: list[str],
    only: bool,
    jobs: int,
) -> Run:
    """Run one period end to end and swap its pack into place; returns the run's record."""
    from compass_nb import data

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
        fingerprint=data.source_fingerprint(params["source"]),
        staging=staging,
        notebooks=notebooks,
        only=only,
    )
    (staging / "run.json").write_text(json.dumps({"period": period, "run_id": run_id}))
    if only:
        _carry_over(run)
    started = time.monotonic()
    run.started = datetime.now(UTC).isoformat(timespec="seconds")
    print(f"Compass run {period} (run {run_id}) → {root / period}", flush=True)
    execute_all(run, jobs)
    timings = {
        "started": run.started,
        "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        "seconds": round(time.monotonic() - started, 1),
    }
    info, _ = build_pack(run, timings)
    pause_point("pack")
    if info["status"] == "complete":
        cycle_store.commit(store, staging, period=period, run_id=run_id)
    private = staging / "private"
    (private / "notebooks").mkdir(parents=True, exist_ok=True)
    swap_in(root, staging / "pack", period)
    swap_in(root, private, f"private/{period}")
    (root / "index.html").write_text(pack.root_index(root), encoding="utf-8")
    shutil.rmtree(staging, ignore_errors=True)
    return run


def preflight(params: dict, period: str) -> None:
    """Read and validate every input once before any notebook starts.

    A file that cannot be read (or, with ``strict``, any quarantined row) stops the run
    here with the data layer's one clear message, instead of failing inside a notebook.
    """
    from compass_nb import data

    loaded = data.load(
        params["source"],
        period=period,
        encoding=params.get("encoding", "utf-8"),
        strict=bool(params.get("strict")),
    )
    bad = int(loaded.quarantine.groupby(["table", "row"]).ngroups) if len(loaded.quarantine) else 0
    if bad:
        print(
            f"{bad:,} input rows quarantined (see the 01 report and private/{period}/quarantine/)."
        )


def resolve(params: dict, out: str | Path | None) -> tuple[Path, Path]:
    """The reports root and the store path, from ``--out`` and the ``store`` parameter."""
    root = Path(out) if out else ROOT / "reports"
    root = root if root.is_absolute() else Path.cwd() / root
    store = params.get("store")
    store = Path(store) if store else root / "compass.duckdb"
    if not store.is_absolute():
        store = ROOT / store
    return root.resolve(), store


def run(params: dict, *, out: str | Path | None = None, only: list[str] | None = None) -> int:
    """Render the pack of ``params['period']`` (after ``backfill`` earlier cycles); the exit code."""
    from compass_nb import data

    root, store = resolve(params, out)
    period = params.get("period") or data.latest_complete_period(params["source"])
    preflight(params, period)
    notebooks = with_needs(only) if only else list(NEEDS)
    periods = previous_periods(period, int(params.get("backfill") or 0)) + [period]
    failures = []
    with run_lock(root, float(params.get("lock_wait", 600))):
        recover(root)
        for cycle in periods:
            record = run_period(
                dict(params, period=cycle),
                root,
                store,
                cycle,
                notebooks=notebooks,
                only=bool(only),
                jobs=int(params.get("jobs") or 0),
            )
            failed = {n: o for n, o in record.outcomes.items() if o.status != "ok"}
            if failed:
                failures.append((cycle, failed))
    print(f"\nPack: {root / period / 'index.html'}")
    if failures:
        print("\nFailures:")
        for cycle, failed in failures:
            for name, outcome in failed.items():
                print(f"  {cycle}  {name}: {outcome.status} — {outcome.error}")
        print("Failed runs were not committed to the cycle store; their packs mark what failed.")
        return 1
    return 0
