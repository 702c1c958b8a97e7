"""Where chunks of series are fitted: in this process, on local processes, or on Dask.

Every executor runs the same pure function on the same chunks and returns results in
chunk order, so the forecasts do not depend on where they were computed.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from compass_nb.errors import ParameterError

__all__ = ["run_chunks", "default_jobs"]


def default_jobs() -> int:
    """The number of local worker processes to use by default (the machine's cores)."""
    return max(1, os.cpu_count() or 1)


def run_chunks(
    func: Callable[[Any], Any],
    chunks: Sequence[Any],
    executor: str = "local",
    n_jobs: int | None = None,
    scheduler: Any = None,
) -> list[Any]:
    """Apply ``func`` to every chunk and return the results in chunk order.

    Parameters
    ----------
    func : callable
        A picklable, module-level function of one chunk.
    chunks : sequence
        The work items.
    executor : {"local", "dask"}
        ``local`` uses ``n_jobs`` processes (1 runs in this process); ``dask`` submits
        to a ``distributed`` cluster.
    n_jobs : int, optional
        Local processes; default: the machine's cores.
    scheduler : str or distributed.Client, optional
        The Dask scheduler address (``tcp://host:8786``) or a connected ``Client``.
    """
    if executor == "local":
        return _run_local(func, chunks, n_jobs or default_jobs())
    if executor == "dask":
        return _run_dask(func, chunks, scheduler)
    raise ParameterError(f"executor must be 'local' or 'dask', not {executor!r}.")


def _run_local(func, chunks, n_jobs: int) -> list[Any]:
    if n_jobs <= 1 or len(chunks) <= 1:
        return [func(c) for c in chunks]
    # forkserver, not fork: a forked Jupyter kernel hands its ZeroMQ sockets and threads to
    # the workers, which can leave the notebook client waiting forever for a reply.
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(max_workers=min(n_jobs, len(chunks)), mp_context=context) as pool:
        return list(pool.map(func, chunks))


def _run_dask(func, chunks, scheduler) -> list[Any]:
    from distributed import Client

    if scheduler is None:
        raise ParameterError(
            "executor 'dask' needs a scheduler: set `scheduler` to the cluster's address "
            "(e.g. tcp://10.0.0.5:8786) or pass a distributed.Client."
        )
    if isinstance(scheduler, Client):
        return _gather(scheduler, func, chunks)
    with Client(scheduler) as client:
        return _gather(client, func, chunks)


def _gather(client, func, chunks) -> list[Any]:
    data = client.scatter(list(chunks))  # send the chunks once, not inside the task graph
    futures = client.map(func, data, pure=False)
    return client.gather(futures)
