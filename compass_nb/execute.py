"""Execute one notebook with papermill, safely beside other notebooks running at once."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import nbformat


def private_kernel_manager(folder: str):
    """A kernel manager talking to its kernel over Unix sockets in a folder of its own.

    Kernels started side by side by separate processes pick TCP ports independently and
    can collide, leaving a notebook waiting forever for a reply that went to another
    kernel; IPC sockets with unique paths cannot collide.
    """
    from jupyter_client.manager import AsyncKernelManager

    return AsyncKernelManager(kernel_name="python3", transport="ipc", ip=f"{folder}/k")


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
) -> None:
    """Run ``source`` with ``parameters`` injected and write the executed copy to ``target``.

    Raises papermill's ``PapermillExecutionError`` when a cell fails (the executed copy,
    error included, is written all the same).
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
            km=private_kernel_manager(sockets),
            progress_bar=False,
            log_output=False,
            cwd=str(cwd or Path(source).resolve().parent),
            execution_timeout=cell_timeout,
            start_timeout=120,
        )
    finally:
        shutil.rmtree(sockets, ignore_errors=True)
