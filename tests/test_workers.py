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


def test_workers_start_when_steps_need_them_never_more_than_the_count(tmp_path):
    import threading

    from compass_nb.workers import Workers

    with Workers(count=2, threads=1) as workers:
        assert workers._all == []  # a run of 01 alone forks nothing
        outcome = workers.run(tmp_path / "no-run", "pipeline", timeout=120)
        assert outcome.status == "failed" and len(workers._all) == 1
        workers.run(tmp_path / "no-run", "enps", timeout=120)
        assert len(workers._all) == 1  # the idle one is used again
        busy = [workers._take(), workers._take()]  # two steps at once: a second worker
        assert len(workers._all) == 2 and busy[0] is not busy[1]
        third = threading.Thread(target=lambda: busy.append(workers._take()))
        third.start()
        third.join(timeout=1)
        assert third.is_alive() and len(workers._all) == 2  # a third waits for one to end
        workers._idle.put(busy[0])
        third.join(timeout=10)
        assert busy[2] is busy[0]
        started = [w.process for w in workers._all]
    assert not any(process.is_alive() for process in started)


def test_a_run_of_01_alone_starts_no_fork_server_and_a_run_with_another_step_does(tmp_path):
    # in fresh interpreters, as runs: this process may have started a fork server already
    probe = (
        "import sys, multiprocessing.forkserver as f\n"
        "from compass_nb import params, runner\n"
        "merged = params.load(sets=['source=demo:small', 'period=2026-10', 'packs=none'])\n"
        "code = runner.run(merged, out=sys.argv[1], only=sys.argv[2:])\n"
        "print(code, f._forkserver._forkserver_pid is not None)\n"
    )

    def started(*only: str) -> str:
        run = [sys.executable, "-c", probe, str(tmp_path / only[-1]), *only]
        result = subprocess.run(run, capture_output=True, text=True, timeout=300, check=True)
        return result.stdout.splitlines()[-1]

    assert started("01_data_collection") == "0 False"
    assert started("01_data_collection", "incentives") == "0 True"
