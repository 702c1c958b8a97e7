"""Kernels: the one place that starts a notebook's kernel, times it out and renders its HTML.

:func:`render_notebook` runs one notebook in a process of its own (``python -m
compass_nb.kernels SPEC.json``), which executes it with papermill and renders the
executed copy into a code-free HTML report; the process is killed, with its kernel,
after ``timeout`` seconds. :func:`execute_notebook` is the papermill call itself, also
used by the tests.

A run that renders a pack starts a render server (:class:`RenderServer`): one process
that imports papermill, nbconvert, the kernel and the notebooks' stack once and forks a
render process per notebook, which forks its kernel. Each notebook still runs in a fresh
process and a fresh kernel, so no state passes from one notebook to another; without a
server (it died, or other threads are asked for) a notebook gets a process of its own.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from dataclasses import asdict, dataclass
from pathlib import Path

import nbformat
import psutil

from compass_nb.credentials import scrub


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


def private_kernel_manager(folder: str, *, forked: bool = False):
    """A kernel manager talking to its kernel over Unix sockets in a folder of its own;
    ``forked``: the kernel is forked from this process (:func:`fork_kernel`), which has
    imported what the kernel needs.

    Kernels started side by side by separate processes pick TCP ports independently and
    can collide, leaving a notebook waiting forever for a reply that went to another
    kernel; IPC sockets with unique paths cannot collide. The connection file (which holds
    the kernel's signing key) is written in the folder too, removed with it: left to
    jupyter_client it lands in the temporary directory, where a batch kernel's stays.
    """
    from jupyter_client.manager import AsyncKernelManager

    manager = _forking_manager() if forked else AsyncKernelManager
    return manager(
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


#: The papermill engine :func:`execute_notebook` uses (registered by :func:`_engine`).
ENGINE = "compass"


@functools.cache
def _engine() -> str:
    """Register papermill's nbclient engine with fewer saves of the executed notebook, and
    return its name.

    Papermill writes the whole notebook (validated, copied, encoded with its images) when
    every cell starts and again when it ends, markdown cells included: sixty writes for a
    page of thirty cells, a quarter of its rendering's CPU. This engine writes it when a
    code cell starts, so that everything that ran before a cell is on disk if a timeout
    stops that cell (the partial page shows it), and at the end, as papermill does.
    """
    from papermill.engines import NBClientEngine, NotebookExecutionManager, papermill_engines

    class Manager(NotebookExecutionManager):
        saving = True

        def save(self, **kwargs):
            if self.saving:
                super().save(**kwargs)

        def cell_start(self, cell, cell_index=None, **kwargs):
            self.saving = cell.get("cell_type") == "code"
            try:
                super().cell_start(cell, cell_index, **kwargs)
            finally:
                self.saving = True

        def cell_complete(self, cell, cell_index=None, **kwargs):
            self.saving = False  # the next code cell's start, or the end, writes it
            try:
                super().cell_complete(cell, cell_index, **kwargs)
            finally:
                self.saving = True

    class Engine(NBClientEngine):
        @classmethod
        def execute_notebook(
            cls,
            nb,
            kernel_name,
            output_path=None,
            progress_bar=True,
            log_output=False,
            autosave_cell_every=30,
            **kwargs,
        ):  # papermill's Engine.execute_notebook, with the manager above
            manager = Manager(
                nb,
                output_path=output_path,
                progress_bar=progress_bar,
                log_output=log_output,
                autosave_cell_every=autosave_cell_every,
            )
            manager.notebook_start()
            try:
                cls.execute_managed_notebook(manager, kernel_name, log_output=log_output, **kwargs)
            finally:
                manager.cleanup_pbar()
                manager.notebook_complete()
            return manager.nb

    papermill_engines.register(ENGINE, Engine)
    return ENGINE


def execute_notebook(
    source: str | Path,
    target: str | Path,
    parameters: dict,
    *,
    cwd: str | Path | None = None,
    cell_timeout: float | None = None,
    forked: bool = False,
) -> None:
    """Run ``source`` with ``parameters`` injected and write the executed copy to ``target``.

    The kernel is started here, or ``forked`` from this process (a render server's render
    process, which has the stack imported). Raises papermill's ``PapermillExecutionError`` when a cell
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
            engine_name=_engine(),
            km=private_kernel_manager(sockets, forked=forked),
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
    job: Job, *, threads: int, timeout: float | None, server: RenderServer | None = None
) -> Outcome:
    """Execute and render ``job`` in its own process (forked by ``server`` when it runs
    with the job's threads); stop it after ``timeout`` seconds."""
    if not Path(job.source).exists():
        return Outcome("failed", error=f"notebook file {job.source} is missing")
    spec = Path(job.log).with_suffix(".json")
    spec.parent.mkdir(parents=True, exist_ok=True)
    Path(job.executed).parent.mkdir(parents=True, exist_ok=True)
    spec.write_text(json.dumps(asdict(job), default=str))
    started = time.monotonic()
    with open(job.log, "w") as log:
        process = server.launch(spec, job.log, threads) if server is not None else None
        if process is None:
            process = subprocess.Popen(
                [sys.executable, "-m", "compass_nb.kernels", str(spec)],
                env=thread_env(threads),
                stdout=subprocess.DEVNULL,
                stderr=log,
            )
        try:
            process.wait(timeout=timeout)
        except (subprocess.TimeoutExpired, psutil.TimeoutExpired):
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

        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: orphans end when their notebook does
        pass


# -- the render server ----------------------------------------------------------------------
#: What the notebooks import, imported once by the render server so that every render
#: process and kernel forked from it starts with the stack loaded.
STACK_IMPORTS = (
    "pandas",
    "numpy",
    "matplotlib.pyplot",
    "seaborn",
    "compass_nb.nb",
    "compass_nb.steps",
    "compass_nb.comp.analysis",
    "compass_nb.pipeline.analysis",
    "compass_nb.viz.comp",
    "compass_nb.viz.enps",
    "compass_nb.viz.forecast",
    "compass_nb.viz.incentives",
    "compass_nb.viz.pipeline",
    "compass_nb.viz.quality",
    "compass_nb.viz.sop",
)
#: What a render process and its kernel import besides the stack.
RENDER_IMPORTS = (
    "papermill",
    "nbconvert",
    "jupyter_client.manager",
    "ipykernel.kernelapp",
    "compass_nb.report.html",
)


_SERVER_FOLDER = ""


class RenderServer:
    """One process that imports papermill, nbconvert, the kernel and the notebooks' stack
    once, then forks a render process per notebook; each render process forks its kernel.

    Starting a notebook then costs a fork instead of two interpreters importing the stack
    (about 5 s of CPU a notebook). Every notebook still runs in a fresh kernel of its own,
    in a fresh process, so no state passes from one notebook to another. Start the server
    from the thread that lives as long as the run: it dies with that thread's process, and
    its render processes and kernels die with it.
    """

    def __init__(self, threads: int) -> None:
        self.threads = threads
        self._process: subprocess.Popen | None = None
        self._lock = threading.Lock()
        self._log = tempfile.TemporaryFile()  # the server's own errors (it dies: no server)

    def start(self) -> None:
        """Start the server (once); it imports while the run computes."""
        with self._lock:
            if self._process is None:
                self._process = subprocess.Popen(
                    [sys.executable, "-m", "compass_nb.kernels", "--serve"],
                    env=thread_env(self.threads),
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=self._log,
                    text=True,
                )

    def launch(self, spec: Path, log: str, threads: int) -> psutil.Process | None:
        """A render process forked for the job ``spec`` (its stderr to ``log``), or ``None``
        when the server was not started, runs with other threads, or has died."""
        if threads != self.threads:
            return None
        with self._lock:
            if self._process is None or self._process.poll() is not None:
                return None
            try:
                self._process.stdin.write(f"{spec}\t{log}\n")
                self._process.stdin.flush()
                pid = int(self._process.stdout.readline())
            except (OSError, ValueError):  # it died: the job goes to a process of its own
                return None
        try:
            return psutil.Process(pid)
        except psutil.NoSuchProcess:  # already ended: its outcome file says how
            return _Ended(pid)

    def close(self) -> None:
        """Stop the server and whatever it still runs."""
        with self._lock:
            if self._process is not None:
                kill_tree(self._process.pid)
                self._process.wait()
                for pipe in (self._process.stdin, self._process.stdout):
                    with contextlib.suppress(OSError):
                        pipe.close()
                self._process = None
            self._log.close()

    def __enter__(self) -> RenderServer:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class _Ended:
    """A forked render process that had ended before it could be watched."""

    def __init__(self, pid: int) -> None:
        self.pid = pid

    def wait(self, timeout=None) -> None:
        return None


def _warm_charts() -> None:
    """Draw and encode one small chart in the server, so that every kernel forked from it
    finds matplotlib's font lookups done and its renderer and PNG writer imported: a
    process's first chart costs about 0.3 s of CPU more than the next ones, once per
    notebook otherwise (0.25 s of it saved; the font files themselves are reopened after a
    fork, as matplotlib requires)."""
    import io

    from matplotlib.figure import Figure

    figure = Figure(figsize=(2, 1))
    axes = figure.subplots()
    axes.plot([0, 1], [0, 1])
    axes.set_title("Warm-up", fontweight="bold")
    axes.set_xlabel("€ 1,000")
    figure.savefig(io.BytesIO(), format="png", bbox_inches="tight")


def serve() -> int:
    """The render server: import everything, then fork a render process for each line
    ``SPEC<tab>LOG`` read from stdin and answer with its pid; stdin closed: exit."""
    import importlib

    global _SERVER_FOLDER
    _SERVER_FOLDER = os.getcwd()  # ``-m`` put it first on sys.path
    die_with_parent()
    for name in (*RENDER_IMPORTS, *STACK_IMPORTS):
        importlib.import_module(name)
    _warm_charts()
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # render processes are reaped as they end
    for line in sys.stdin:
        spec, log = line.rstrip("\n").split("\t")
        pid = os.fork()
        if pid == 0:
            _render_child(spec, log)
        os.write(1, f"{pid}\n".encode())
    return 0


def _render_child(spec: str, log: str) -> None:
    """The forked render process: its stderr to ``log``, nothing from the server's pipes."""
    code = 1
    try:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # it waits for its kernel
        die_with_parent()
        null = os.open(os.devnull, os.O_RDWR)
        os.dup2(null, 0)
        os.dup2(null, 1)
        os.dup2(os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600), 2)
        code = main(spec, forked=True)
    except BaseException:  # noqa: BLE001 - a forked process must never return to the loop
        traceback.print_exc()
    finally:
        with contextlib.suppress(Exception):
            sys.stderr.flush()
        os._exit(code)


class _ForkedKernel:
    """A kernel forked from this process, with the part of ``Popen``'s interface that
    jupyter_client's local provisioner uses."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                pid, status = os.waitpid(self.pid, os.WNOHANG)
            except ChildProcessError:
                self.returncode = 0
            else:
                if pid:
                    self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        if self.returncode is None:
            try:
                self.returncode = os.waitstatus_to_exitcode(os.waitpid(self.pid, 0)[1])
            except ChildProcessError:
                self.returncode = 0
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, signum)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


def fork_kernel(cmd: list[str], cwd: str | None, env: dict) -> _ForkedKernel:
    """Fork this process into the kernel ``cmd`` would start (``python -m
    ipykernel_launcher -f CONNECTION ...``), as jupyter_client's launcher does: a session of
    its own, stdin from /dev/null, ``env``, ``cwd``, and dying with this process."""
    import asyncio

    pid = os.fork()
    if pid:
        return _ForkedKernel(pid)
    code = 1
    try:
        os.setsid()
        die_with_parent()
        os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
        signal.set_wakeup_fd(-1)  # the render process's event loop stays its own
        asyncio.events._set_running_loop(None)
        asyncio.set_event_loop(asyncio.new_event_loop())
        if cwd:
            os.chdir(cwd)
        os.environ.clear()
        os.environ.update(env, JPY_PARENT_PID=str(os.getppid()))
        if sys.path and sys.path[0] in ("", os.getcwd(), _SERVER_FOLDER):
            del sys.path[0]  # the server's folder, as ipykernel_launcher removes its own
        import importlib.util

        from ipykernel.kernelapp import IPKernelApp

        sys.argv = [importlib.util.find_spec("ipykernel_launcher").origin, *cmd[3:]]
        IPKernelApp.launch_instance(argv=cmd[3:])
        code = 0
    except BaseException:  # noqa: BLE001 - a forked kernel must never return to its parent's code
        traceback.print_exc()
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)


@functools.cache
def _forking_manager():
    """jupyter_client's async kernel manager, launching its kernel with :func:`fork_kernel`."""
    from jupyter_client.manager import AsyncKernelManager

    class ForkingKernelManager(AsyncKernelManager):
        async def _async_launch_kernel(self, kernel_cmd: list[str], **kw) -> None:
            provisioner = self.provisioner
            provisioner.process = fork_kernel(kernel_cmd, kw.get("cwd"), kw.get("env") or {})
            provisioner.pid = provisioner.pgid = provisioner.process.pid
            provisioner.cwd = kw.get("cwd") or os.getcwd()
            self._reconcile_connection_info(provisioner.connection_info)

    return ForkingKernelManager


def main(spec_path: str, forked: bool = False) -> int:
    """The render process: execute the job's notebook, render it, write the outcome;
    ``forked``: forked by the render server, its kernel forked from it."""
    die_with_parent()
    job = Job(**json.loads(Path(spec_path).read_text()))
    started = time.monotonic()
    outcome = Outcome("ok")
    try:
        execute_notebook(job.source, job.executed, job.parameters, cwd=job.cwd, forked=forked)
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
    if sys.argv[1] == "--serve":
        sys.exit(serve())
    sys.exit(main(sys.argv[1]))
