"""Render an executed notebook into a self-contained, code-free HTML report.

The HTML opens offline: the ``compass`` template drops RequireJS, MathJax, Mermaid and
the widget manager (all fetched from CDNs by nbconvert's default template); figures are
inline PNG. Widgets are for JupyterLab: their outputs are left out of the report, as are stderr
streams (warnings, progress bars) and tracebacks (code and paths of the machine).
"""

from __future__ import annotations

import copy
import html
from pathlib import Path

import nbformat
import yaml

TEMPLATES = Path(__file__).parent / "templates"
CSS = (Path(__file__).parent / "style.css").read_text()
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


def notebook_title(notebook: nbformat.NotebookNode, default: str) -> str:
    """The text of the first ``# `` heading of the notebook, else ``default``."""
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return default


def _is_widget_output(output: dict) -> bool:
    return WIDGET_MIME in output.get("data", {})


def reviewer_copy(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of ``notebook`` fit for a reviewer: no widget outputs, no stderr, no title cell,
    and no traceback (a failed notebook's report says why in one line in its header; the
    executed copy in the private folder keeps the traceback)."""
    shown = copy.deepcopy(notebook)
    shown.metadata.pop("widgets", None)
    title_dropped = False
    cells = []
    for cell in shown.cells:
        tags = set(cell.get("metadata", {}).get("tags", []))
        if (
            cell.cell_type == "markdown"
            and not title_dropped
            and cell.source.lstrip().startswith("# ")
        ):
            # The run header carries the title; keep the paragraph under it.
            cell.source = "\n".join(cell.source.lstrip().splitlines()[1:])
            title_dropped = True
        if cell.cell_type == "code":
            if "widget" in tags:
                cell.outputs = []
            cell.outputs = [
                output
                for output in cell.get("outputs", [])
                if not _is_widget_output(output)
                and output.get("output_type") != "error"
                and not (output.get("output_type") == "stream" and output.get("name") == "stderr")
            ]
        cells.append(cell)
    shown.cells = cells
    return shown


def run_header(info: dict) -> str:
    """The run header: title, period, run, status, data fingerprint, version, parameters."""
    esc = lambda value: html.escape(str(value), quote=True)  # noqa: E731
    rows = [
        ("Period", info.get("period")),
        ("Run", info.get("run_id")),
        ("Status", info.get("status")),
        ("Data fingerprint", info.get("fingerprint")),
        ("Source", info.get("source")),
        ("Compass version", info.get("version")),
    ]
    dl = "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in rows if v is not None)
    parameters = yaml.safe_dump(info.get("parameters", {}), sort_keys=True, allow_unicode=True)
    failure = ""
    if info.get("status") not in (None, "ok"):
        failure = f'<div class="compass-failed"><strong>This notebook did not complete.</strong> {esc(info.get("error", ""))}</div>'
    back = (
        '<p class="compass-note"><a href="index.html">← back to the pack</a></p>'
        if info.get("link_back")
        else ""
    )
    return (
        f'<header class="compass-runheader">{back}<h1>{esc(info.get("title", ""))}</h1>'
        f"<dl>{dl}</dl>"
        f"<details><summary>Parameters</summary><pre>{esc(parameters)}</pre></details>"
        f"</header>{failure}"
    )


def render(notebook: nbformat.NotebookNode, info: dict) -> str:
    """HTML of ``notebook`` without code cells, opening with the run header of ``info``."""
    # nbconvert takes 0.5 to 2 s to import: a run's own process, which writes the pack
    # around the pages, never needs it; the render server imports it once for every page.
    from nbconvert import HTMLExporter

    shown = reviewer_copy(notebook)
    exporter = HTMLExporter(
        template_name="compass",
        extra_template_basedirs=[str(TEMPLATES)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    resources = {
        "compass_header": run_header(info),
        "compass_css": CSS,
        "metadata": {"name": info.get("title", "")},
    }
    body, _ = exporter.from_notebook_node(shown, resources=resources)
    return body


def render_file(source: Path, target: Path, info: dict) -> None:
    """Render the executed notebook at ``source`` to ``target`` (written atomically)."""
    notebook = nbformat.read(source, as_version=4)
    info = {"title": notebook_title(notebook, source.stem), **info}
    markup = render(notebook, info)
    temporary = target.with_suffix(".tmp")
    temporary.write_text(markup, encoding="utf-8")
    temporary.replace(target)
