"""Safe display in notebooks and reports: escaped tables, summaries and notes.

Everything shown through :func:`show`, :func:`summary` and :func:`note` is HTML-escaped;
tables are labelled and formatted by :mod:`compass_nb.formatting`.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping

import pandas as pd

from compass_nb import formatting


class SafeHTML:
    """An HTML fragment built only from escaped pieces; displays as HTML in Jupyter."""

    def __init__(self, markup: str) -> None:
        self.markup = markup

    def _repr_html_(self) -> str:
        return self.markup

    def __str__(self) -> str:
        return self.markup


def escape(value) -> str:
    """HTML-escape any value's text (quotes included)."""
    return html.escape("" if value is None else str(value), quote=True)


def summary(lines: Iterable[str], *, title: str | None = None) -> SafeHTML:
    """The summary box a reviewer reads first: one escaped sentence per line."""
    items = "".join(f"<li>{escape(line)}</li>" for line in lines)
    head = f"<strong>{escape(title)}</strong>" if title else ""
    return SafeHTML(f'<div class="compass-summary">{head}<ul>{items}</ul></div>')


def note(text: str, *, kind: str = "note") -> SafeHTML:
    """An escaped paragraph (``kind`` ``note`` or ``warning`` styles it)."""
    return SafeHTML(f'<p class="compass-{escape(kind)}">{escape(text)}</p>')


def header(column):
    """A column name as a reader wants it (see :func:`compass_nb.formatting.label`)."""
    return formatting.label(column)


def show(
    frame: pd.DataFrame,
    *,
    empty: str = "Nothing to show.",
    caption: str | None = None,
    max_rows: int = 30,
    formats: Mapping[str, str] | None = None,
    values: str | None = None,
    index: bool = False,
) -> SafeHTML:
    """An escaped, readable HTML table: columns labelled and numbers formatted by their names
    (:mod:`compass_nb.formatting`; ``formats`` for columns whose name says nothing, ``values``
    for every other number column), long tables cut with a note."""
    if frame.empty:
        head = f"<strong>{escape(caption)}:</strong> " if caption else ""
        return SafeHTML(f'<p class="compass-note">{head}{escape(empty)}</p>')
    shown = formatting.display_frame(frame.head(max_rows), formats, values=values)
    table = shown.to_html(index=index, escape=True, border=0, classes="compass-table", na_rep="")
    head = f"<caption>{escape(caption)}</caption>" if caption else ""
    if head:
        table = table.replace(">", ">" + head, 1)
    more = len(frame) - len(shown)
    tail = f'<p class="compass-note">… and {more:,} more rows.</p>' if more > 0 else ""
    return SafeHTML(table + tail)
