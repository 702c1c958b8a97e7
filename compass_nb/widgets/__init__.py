"""Widgets for JupyterLab: one module per domain (left out of the HTML reports).

This package also holds JupyterLab's save hook, :func:`save_without_outputs`, which
``make setup`` installs into the project's Jupyter configuration so that running and
saving a notebook leaves ``git status`` clean.
"""

from __future__ import annotations

#: Metadata a kernel or JupyterLab adds while running, dropped on save: nbstripout's own
#: defaults (its command line adds them; its function does not) and the kernel's language.
EXTRA_KEYS = (
    "metadata.signature",
    "metadata.widgets",
    "metadata.language_info",
    "cell.metadata.collapsed",
    "cell.metadata.ExecuteTime",
    "cell.metadata.execution",
    "cell.metadata.heading_collapsed",
    "cell.metadata.hidden",
    "cell.metadata.scrolled",
)


def save_without_outputs(model: dict, path: str = "", contents_manager=None, **_) -> None:
    """Jupyter pre-save hook: a notebook is written without outputs, execution counts and
    run-time metadata (nbstripout), keeping its cell ids, so the committed ``.ipynb`` stays
    as it is after running and saving in JupyterLab. Other files pass untouched.

    Installed by ``make setup`` as ``ContentsManager.pre_save_hook`` in the virtual
    environment.s ``etc/jupyter/jupyter_server_config.json``.
    """
    if model.get("type") != "notebook" or not model.get("content"):
        return
    import nbformat
    from nbstripout import strip_output

    notebook = nbformat.from_dict(model["content"])
    model["content"] = strip_output(
        notebook,
        keep_output=False,
        keep_count=False,
        keep_id=True,
        extra_keys=list(EXTRA_KEYS),
    )
