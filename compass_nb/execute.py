"""Execute one notebook with papermill, safely beside other notebooks running at once."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path


def private_kernel_manager(folder: str):
    """A kernel manager talking to its kernel over Unix sockets in a folder of its own.

    Kernels started side by side by separate processes pick TCP ports independently and
    can collide, leaving a notebook waiting forever for a reply that went to another
    kernel; IPC sockets with unique paths cannot collide.
    """
    from jupyter_client.manager import AsyncKernelManager

    return AsyncKernelManager(kernel_name="python3", transport="ipc", ip=f"{folder}/k")


def execute_notebook(
    source: str | Path,
    target: str | Path,
    parameters: dict,
    *,
    cwd: str | Path | None = None,
    cell_timeout: float | None = None,
) -> None:
    """Run ``source`` with ``parameters`` injected and write the executed copy to ``target``.

    Raises papermill's ``PapermillExecutionError`` when a cell fails (the executed copy,
    error included, is written all the same).
    """
    import papermill

    sockets = tempfile.mkdtemp(prefix="ck-")
    try:
        papermill.execute_notebook(
            str(source),
            str(target),
            parameters=parameters,
            kernel_name="python3",
            km=private_kernel_manager(sockets),
            progress_bar=False,
            log_output=False,
            cwd=str(cwd) if cwd else None,
            execution_timeout=cell_timeout,
            start_timeout=120,
        )
    finally:
        shutil.rmtree(sockets, ignore_errors=True)
