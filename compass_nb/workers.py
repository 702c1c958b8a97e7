"""Step workers: long-lived processes in which the runner calls the steps of a cycle.

A worker runs one step after another (``run_dir`` and section in, an
:class:`~compass_nb.kernels.Outcome` out); workers are forked from multiprocessing's fork
server, which imports the stack once, so a backfill of twelve cycles pays for the imports
once, not a hundred times. A step that outlives its timeout has its
worker killed (with whatever it started) and replaced.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.forkserver
import os
import queue
import threading
import time
import traceback
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path

from compass_nb.credentials import scrub
from compass_nb.errors import CompassError, NotApplicable
from compass_nb.kernels import Outcome, die_with_parent, kill_tree, thread_env


def run_task(run_dir: str | Path, section: str, *, loaded=None) -> Outcome:
    """Run the step ``section`` of the run staged in ``run_dir``, in this process.

    A failure a user can cause (:class:`~compass_nb.errors.CompassError`) is reported by
    its message; any other is reported in one line, its traceback kept in the run's
    private ``logs/`` folder.
    """
    from compass_nb import steps
    from compass_nb.context import for_run

    started = time.monotonic()
    try:
        ctx = for_run(Path(run_dir), section, loaded=loaded)
        steps.run_step(steps.step(section), ctx)
        return Outcome("ok", time.monotonic() - started)
    except NotApplicable as error:
        return Outcome(
            "skipped", time.monotonic() - started, f"skipped: {str(error).splitlines()[0]}"
        )
    except CompassError as error:
        return Outcome("failed", time.monotonic() - started, str(error).splitlines()[0])
    except Exception as error:  # noqa: BLE001 - a failed step is reported, never raised
        logs = Path(run_dir) / "private" / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        (logs / f"{section}.txt").write_text(traceback.format_exc())
        first = scrub((str(error).splitlines() or [""])[0])
        return Outcome(
            "failed",
            time.monotonic() - started,
            f"{type(error).__name__}: {first} (traceback in the private logs)",
        )


def _serve(connection) -> None:
    die_with_parent()
    import compass_nb.steps  # noqa: F401 - the stack, imported once per worker

    while True:
        task = connection.recv()
        if task is None:
            return
        connection.send(asdict(run_task(*task)))


@contextmanager
def _environment(values: dict):
    saved = dict(os.environ)
    os.environ.update(values)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def start_fork_server(threads: int) -> None:
    """Start the fork server the workers are forked from, without waiting for it to import
    the steps: called first thing in a run, the imports use the second core while the
    source is validated. The server keeps the thread limits of its start (every worker
    shares them); it runs until the process that started it ends."""
    multiprocessing.get_context("forkserver").set_forkserver_preload(["compass_nb.steps"])
    with _environment(thread_env(threads)):
        multiprocessing.forkserver.ensure_running()


class StepWorker:
    """One long-lived process running steps; see the module docstring."""

    def __init__(self, threads: int) -> None:
        self.threads = threads
        self._start()

    def _start(self) -> None:
        # Forked from multiprocessing's fork server, which imports the stack once for every
        # worker of the run (and any that replaces one).
        start_fork_server(self.threads)
        context = multiprocessing.get_context("forkserver")
        self.connection, child = context.Pipe()
        with _environment(thread_env(self.threads)):
            self.process = context.Process(target=_serve, args=(child,), daemon=False)
            self.process.start()
        child.close()

    def run(self, run_dir: Path, section: str, timeout: float | None) -> Outcome:
        """Run one step; kill and replace the worker if it takes longer than ``timeout``."""
        started = time.monotonic()
        self.connection.send((str(run_dir), section))
        if self.connection.poll(timeout):
            try:
                return Outcome(**self.connection.recv())
            except EOFError:
                self._restart()
                return Outcome(
                    "failed", time.monotonic() - started, "the step's process ended unexpectedly"
                )
        self._restart()
        return Outcome(
            "timeout", time.monotonic() - started, f"stopped after the {timeout:.0f} s timeout"
        )

    def _restart(self) -> None:
        kill_tree(self.process.pid)
        self.process.join(timeout=10)
        self._start()

    def close(self) -> None:
        """Stop the worker."""
        try:
            self.connection.send(None)
            self.process.join(timeout=10)
        except (BrokenPipeError, OSError):
            pass
        if self.process.is_alive():
            kill_tree(self.process.pid)


class Workers:
    """A set of step workers, handed out one at a time (a context manager).

    A worker is started when a step needs one and none is idle, up to ``count``: a run
    whose steps all run in the runner's own process (01 alone) starts none."""

    def __init__(self, count: int, threads: int) -> None:
        self.count = count
        self.threads = threads
        self._idle: queue.Queue[StepWorker] = queue.Queue()
        self._all: list[StepWorker] = []
        self._lock = threading.Lock()

    def _take(self) -> StepWorker:
        with self._lock:
            try:
                return self._idle.get_nowait()
            except queue.Empty:
                if len(self._all) < self.count:
                    self._all.append(StepWorker(self.threads))
                    return self._all[-1]
        return self._idle.get()

    def run(self, run_dir: Path, section: str, timeout: float | None) -> Outcome:
        worker = self._take()
        try:
            return worker.run(run_dir, section, timeout)
        finally:
            self._idle.put(worker)

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exc) -> None:
        for worker in self._all:
            worker.close()
