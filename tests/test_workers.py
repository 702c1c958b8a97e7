"""Step workers: forked with the stack imported, replaced when a step outlives its timeout."""

import subprocess
import sys

import psutil

from compass_nb.workers import StepWorker


def test_a_step_past_its_timeout_has_its_worker_killed_and_replaced(tmp_path):
    worker = StepWorker(threads=1)
    try:
        first = worker.process.pid
        # a timeout of zero: the answer cannot have come yet, so the worker is replaced
        outcome = worker.run(tmp_path / "no-run", "pipeline", timeout=0)
        assert outcome.status == "timeout"
        assert worker.process.pid != first
        assert not psutil.pid_exists(first) or psutil.Process(first).status() == "zombie"
        # the new worker answers: a run folder that does not exist is a failed step
        again = worker.run(tmp_path / "no-run", "pipeline", timeout=120)
        assert again.status == "failed"
    finally:
        worker.close()
    assert not worker.process.is_alive()


def test_workers_are_forked_from_one_fork_server_that_imported_the_steps():
    # in a fresh interpreter, as a run's: this process's fork server may be another's
    probe = (
        "import psutil\n"
        "from compass_nb.workers import StepWorker\n"
        "workers = [StepWorker(threads=1), StepWorker(threads=1)]\n"
        "parents = {psutil.Process(w.process.pid).parent() for w in workers}\n"
        "print(len(parents), ' '.join(parents.pop().cmdline()))\n"
        "for w in workers: w.close()\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True
    ).stdout
    count, command = out.split(" ", 1)
    assert count == "1"  # one server forks them all
    assert "forkserver" in command and "compass_nb.steps" in command  # imported there, once
