"""Kernels: the one place that starts a notebook's kernel, times it out and renders its HTML.

:func:`render_notebook` runs one notebook in a process of its own (``python -m
compass_nb.kernels SPEC.json``), which executes it with papermill and renders the
executed copy into a code-free HTML report; the process is killed, with its kernel,
after ``timeout`` seconds. :func:`execute_notebook` is the papermill call itself, also
used by the tests.

A run that will render packs after a backfill starts their processes ahead
(:class:`WarmKernels`): each imports papermill and nbconvert, starts its kernel and has
the kernel import the stack, in the idle scheduling class, so that this costs only the
CPU time the backfill leaves unused; a notebook then takes a warm process instead of
starting one. Each warm process runs exactly one notebook in a fresh kernel, as a cold
one does, so that no state passes from one notebook to another.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections import deque
from dataclasses import asdict, dataclass
from pathlib import Path

if __name__ == "__main__":
    # The render process reads notebooks with nbformat, whose jsonschema imports the IRI
    # format checker when rfc3987-syntax is installed (JupyterLab's jupyter-events asks
    # for it). That module compiles a grammar when imported, 0.8 s of every notebook's
    # render, for a format no notebook schema uses: here its import fails quietly.
    sys.modules.setdefault("rfc3987_syntax", None)

import nbformat  # noqa: E402
import psutil  # noqa: E402

from compass_nb.credentials import scrub  # noqa: E402


@dataclass
class Outcome:
    """What happened to one step or notebook: ``ok``, ``failed``, ``timeout`` or ``skipped``."""

    status: str
    duration: float = 0.0
    error: str = ""


@dataclass
class Job:
    """One notebook to execute and render."""

    source: str  # the notebook
    executed: str  # the executed copy (private)
    html: str  # the report (the pack)
    parameters: dict  # papermill parameters
    cwd: str
    header: dict  # the run header (see compass_nb.report.html.run_header)
    log: str  # the kernel process's stderr


def private_kernel_manager(folder: str):
    """A kernel manager talking to its kernel over Unix sockets in a folder of its own.

    Kernels started side by side by separate processes pick TCP ports independently and
    can collide, leaving a notebook waiting forever for a reply that went to another
    kernel; IPC sockets with unique paths cannot collide. The connection file (which holds
    the kernel's signing key) is written in the folder too, removed with it: left to
    jupyter_client it lands in the temporary directory, where a batch kernel's stays.
    """
    from jupyter_client.manager import AsyncKernelManager

    return AsyncKernelManager(
        kernel_name="python3",
        transport="ipc",
        ip=f"{folder}/k",
        connection_file=f"{folder}/kernel.json",
    )


def without_widgets(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Mark the cells tagged ``widget`` to be skipped: widgets are for JupyterLab, and a
    widget cell in a batch kernel has nothing to show (and can leave the client waiting
    for comm messages that never come)."""
    for cell in notebook.cells:
        tags = cell.get("metadata", {}).get("tags", [])
        if "widget" in tags and "skip-execution" not in tags:
            cell.metadata["tags"] = [*tags, "skip-execution"]
    return notebook


def execute_notebook(
    source: str | Path,
    target: str | Path,
    parameters: dict,
    *,
    cwd: str | Path | None = None,
    cell_timeout: float | None = None,
    km=None,
) -> None:
    """Run ``source`` with ``parameters`` injected and write the executed copy to ``target``.

    ``km`` is a kernel manager whose kernel is already started (a warm process's), else
    a kernel is started here. Raises papermill's ``PapermillExecutionError`` when a cell
    fails (the executed copy, error included, is written all the same).
    """
    import papermill

    sockets = tempfile.mkdtemp(prefix="ck-")
    try:
        batch = Path(sockets) / Path(source).name
        nbformat.write(without_widgets(nbformat.read(source, as_version=4)), batch)
        papermill.execute_notebook(
            str(batch),
            str(target),
            parameters=parameters,
            kernel_name="python3",
            km=km if km is not None else private_kernel_manager(sockets),
            progress_bar=False,
            log_output=False,
            cwd=str(cwd or Path(source).resolve().parent),
            execution_timeout=cell_timeout,
            start_timeout=120,
        )
    finally:
        shutil.rmtree(sockets, ignore_errors=True)


def thread_env(threads: int) -> dict:
    """The environment of a process allowed ``threads`` threads (BLAS, OpenMP, numba)."""
    env = dict(os.environ)
    for name in (
        "OMP_NUM_THREADS",
        "OPENBLAS_NUM_THREADS",
        "MKL_NUM_THREADS",
        "NUMEXPR_NUM_THREADS",
        "NUMBA_NUM_THREADS",
    ):
        env[name] = str(threads)
    env["TQDM_DISABLE"] = "1"
    env["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
    return env


def kill_tree(pid: int) -> None:
    """Kill a process and every process it started."""
    try:
        parent = psutil.Process(pid)
        family = parent.children(recursive=True) + [parent]
    except psutil.NoSuchProcess:
        return
    for member in family:
        with contextlib.suppress(psutil.NoSuchProcess):
            member.kill()
    psutil.wait_procs(family, timeout=10)


def render_notebook(
    job: Job, *, threads: int, timeout: float | None, warm: WarmKernels | None = None
) -> Outcome:
    """Execute and render ``job`` in its own process (a warm one from ``warm`` when it has
    one for the job's folder and threads); stop it after ``timeout`` seconds."""
    if not Path(job.source).exists():
        return Outcome("failed", error=f"notebook file {job.source} is missing")
    spec = Path(job.log).with_suffix(".json")
    spec.parent.mkdir(parents=True, exist_ok=True)
    Path(job.executed).parent.mkdir(parents=True, exist_ok=True)
    spec.write_text(json.dumps(asdict(job), default=str))
    started = time.monotonic()
    with open(job.log, "w") as log:
        process = _handed(warm.take(job.cwd, threads), spec) if warm is not None else None
        if process is None:
            process = subprocess.Popen(
                [sys.executable, "-m", "compass_nb.kernels", str(spec)],
                env=thread_env(threads),
                stdout=subprocess.DEVNULL,
                stderr=log,
            )
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            kill_tree(process.pid)
            outcome = Outcome(
                "timeout", time.monotonic() - started, f"stopped after the {timeout:.0f} s timeout"
            )
            _render_partial(job, outcome)
            return outcome
    result = Path(str(spec) + ".result.json")
    if not result.exists():
        return Outcome(
            "failed",
            time.monotonic() - started,
            "the notebook process ended unexpectedly (details in the private log)",
        )
    try:
        return Outcome(**json.loads(result.read_text()))
    except (OSError, ValueError):  # e.g. a full disk left it empty
        return Outcome(
            "failed",
            time.monotonic() - started,
            "the notebook process could not record its outcome (details in the private log)",
        )


def _handed(process: subprocess.Popen | None, spec: Path) -> subprocess.Popen | None:
    """Hand the job ``spec`` to a warm process; ``None`` when there is none or it died."""
    if process is None:
        return None
    promote(process.pid)
    try:
        process.stdin.write(f"{spec}\n")
        process.stdin.close()
    except OSError:  # it ended while warming up: the job goes to a cold process
        kill_tree(process.pid)
        return None
    return process


def render_placeholder(job: Job, outcome: Outcome) -> None:
    """The report of a notebook that did not run (skipped, or its step failed): its title
    and run header with a one-line reason, nothing else."""
    from compass_nb.report.html import notebook_title, render

    source = nbformat.read(job.source, as_version=4) if Path(job.source).exists() else None
    title = notebook_title(source, Path(job.source).stem) if source else Path(job.source).stem
    info = dict(job.header, title=title, status=outcome.status, error=outcome.error)
    Path(job.html).parent.mkdir(parents=True, exist_ok=True)
    Path(job.html).write_text(render(nbformat.v4.new_notebook(), info), encoding="utf-8")


def _render_partial(job: Job, outcome: Outcome) -> None:
    from compass_nb.report.html import render_file

    executed = Path(job.executed)
    source = executed if executed.exists() else Path(job.source)
    render_file(
        source, Path(job.html), dict(job.header, status=outcome.status, error=outcome.error)
    )


def _one_line(error: BaseException) -> str:
    name = getattr(error, "ename", type(error).__name__)
    value = getattr(error, "evalue", str(error))
    text = scrub(f"{name}: {value}".strip())
    return text.splitlines()[0] if text else name


def die_with_parent() -> None:
    """Ask Linux to kill this process when its parent dies (a killed run leaves no orphans;
    the kernel, in turn, exits when its parent goes)."""
    try:
        import ctypes
        import signal

        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: orphans end when their notebook does
        pass


# -- warm processes ------------------------------------------------------------------------
#: What the notebooks import, imported by a warm kernel before it gets its notebook.
WARM_IMPORTS = (
    "import pandas, numpy, matplotlib.pyplot, seaborn\n"
    "import compass_nb.nb, compass_nb.steps, compass_nb.comp.analysis, "
    "compass_nb.pipeline.analysis\n"
    "import compass_nb.viz.comp, compass_nb.viz.enps, compass_nb.viz.forecast, "
    "compass_nb.viz.incentives, compass_nb.viz.pipeline, compass_nb.viz.quality, "
    "compass_nb.viz.sop"
)


def idle_class() -> None:
    """Put this process (and what it starts) in Linux's idle scheduling class: it runs only
    on CPU time nothing else wants."""
    with contextlib.suppress(AttributeError, OSError):
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))


def promote(pid: int) -> None:
    """Put every thread of a process and of its children back in the normal scheduling
    class (a warm process taking its notebook)."""
    try:
        family = [psutil.Process(pid), *psutil.Process(pid).children(recursive=True)]
    except psutil.NoSuchProcess:
        return
    for member in family:
        with contextlib.suppress(psutil.Error, AttributeError, OSError):
            for thread in member.threads():
                os.sched_setscheduler(thread.id, os.SCHED_OTHER, os.sched_param(0))


class WarmKernels:
    """Render processes started ahead, each with its kernel warm (see the module docstring).

    Start them from a thread that lives as long as the run (they die with it); ``take``
    may be called from any thread.
    """

    def __init__(self, cwd: str | Path, threads: int) -> None:
        self.cwd, self.threads = str(cwd), threads
        self._ready: deque[subprocess.Popen] = deque()
        self._lock = threading.Lock()
        self._logs = Path(tempfile.mkdtemp(prefix="compass-warm-"))

    def fill(self, count: int) -> None:
        """Start processes until ``count`` are waiting."""
        with self._lock:
            while len(self._ready) < count:
                log = tempfile.NamedTemporaryFile(dir=self._logs, suffix=".log", delete=False)
                command = [sys.executable, "-m", "compass_nb.kernels", "--warm", self.cwd]
                with log:
                    self._ready.append(
                        subprocess.Popen(
                            [*command, log.name],
                            env=thread_env(self.threads),
                            stdin=subprocess.PIPE,
                            stdout=subprocess.DEVNULL,
                            stderr=log,
                            text=True,
                        )
                    )

    def take(self, cwd: str | Path, threads: int) -> subprocess.Popen | None:
        """A waiting process for a notebook run in ``cwd`` with ``threads``, or ``None``."""
        if str(cwd) != self.cwd or threads != self.threads:
            return None
        with self._lock:
            while self._ready:
                process = self._ready.popleft()
                if process.poll() is None:
                    return process
        return None

    def close(self) -> None:
        """Stop the processes nobody took."""
        with self._lock:
            while self._ready:
                process = self._ready.popleft()
                kill_tree(process.pid)
                process.wait()
        shutil.rmtree(self._logs, ignore_errors=True)

    def __enter__(self) -> WarmKernels:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _warm_up(km) -> None:
    """Wait for the kernel and have it import the stack, silently (no execution count)."""
    from jupyter_core.utils import run_sync

    client = km.client()
    client.start_channels()
    try:
        run_sync(client.wait_for_ready)(timeout=600)
        run_sync(client.execute_interactive)(
            WARM_IMPORTS, silent=True, store_history=False, timeout=600
        )
    finally:
        client.stop_channels()


def serve_warm(cwd: str, own_log: str) -> int:
    """A warm process: start a kernel in ``cwd`` and warm it up, then run the one job whose
    spec path arrives on stdin (nothing arriving: exit). Its stderr (the file ``own_log``),
    and its kernel's, go to the end of the job's log once the job has run."""
    die_with_parent()
    idle_class()
    import papermill  # noqa: F401 - imported ahead, as the kernel's stack is
    from jupyter_core.utils import run_sync

    from compass_nb.report import html  # noqa: F401

    sockets = tempfile.mkdtemp(prefix="ck-")
    km = private_kernel_manager(sockets)
    try:
        # the options nbclient starts a kernel with: history in memory, not in ~/.ipython
        run_sync(km.start_kernel)(cwd=cwd, extra_arguments=["--HistoryManager.hist_file=:memory:"])
        _warm_up(km)
    except Exception:  # noqa: BLE001 - the job, when it comes, starts a kernel of its own
        traceback.print_exc()
        with contextlib.suppress(Exception):
            run_sync(km.shutdown_kernel)(now=True)
        km = None
    spec = sys.stdin.readline().strip()
    try:
        return main(spec, km=km) if spec else 0
    finally:
        if km is not None:
            with contextlib.suppress(Exception):
                run_sync(km.shutdown_kernel)(now=True)
        shutil.rmtree(sockets, ignore_errors=True)
        if spec:
            with contextlib.suppress(OSError):  # a full disk: the outcome matters, not the log
                with open(Path(spec).with_suffix(".log"), "a") as out:
                    out.write(Path(own_log).read_text(errors="replace"))


def main(spec_path: str, km=None) -> int:
    """The kernel process: execute the job's notebook, render it, write the outcome."""
    die_with_parent()
    job = Job(**json.loads(Path(spec_path).read_text()))
    started = time.monotonic()
    outcome = Outcome("ok")
    try:
        execute_notebook(job.source, job.executed, job.parameters, cwd=job.cwd, km=km)
    except Exception as failure:  # noqa: BLE001 - any failure is reported, not raised
        outcome = Outcome("failed", error=_one_line(failure))
    outcome.duration = round(time.monotonic() - started, 2)
    try:
        _render_partial(job, outcome)
    except Exception as failure:  # noqa: BLE001
        print(f"rendering failed: {failure!r}", file=sys.stderr)
        outcome = Outcome(
            "failed",
            outcome.duration,
            f"{outcome.error} (the report could not be rendered)".strip(),
        )
    Path(spec_path + ".result.json").write_text(json.dumps(asdict(outcome)))
    return 0


if __name__ == "__main__":
    if sys.argv[1] == "--warm":
        sys.exit(serve_warm(sys.argv[2], sys.argv[3]))
    sys.exit(main(sys.argv[1]))
