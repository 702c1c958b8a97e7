"""``compass-nb check SOURCE``: what a source holds and what Compass would make of it.

:func:`check_source` loads the source once, as a run would (mapping, validation,
quarantine, the default period), without running a step, and tells: the tables found and
the file each came from, how their headers map to the contracts (preset, renamed
headers, derived columns, what the reading did), how many rows would be quarantined and
why (the top reasons per table), the period a run would pick and why, and which notebooks
can run (a notebook needs its step's declared inputs; those it can do without are named).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field

import pandas as pd

from compass_nb.data.contracts import CONTRACTS, TABLE_ORDER
from compass_nb.data.derive import assumption
from compass_nb.data.loader import Loaded, load

TOP_REASONS = 3


@dataclass
class TableReport:
    """One table of the source: where it came from, how it maps, what is set aside."""

    table: str
    file: str
    rows_read: int
    rows_accepted: int
    rows_in_period: int
    preset: str | None
    mapped: list[tuple[str, str]]
    derived: list[str]
    extra: list[str]
    absent_optional: list[str]
    notes: list[str]
    reasons: list[tuple[str, str, int]]

    @property
    def quarantined(self) -> int:
        return self.rows_read - self.rows_accepted


@dataclass
class NotebookReport:
    """Whether a notebook can run on the source, and what it does without."""

    notebook: str
    runs: bool
    lacking: list[str]
    without: list[str]
    empty: list[str] = field(default_factory=list)


@dataclass
class CheckReport:
    """Everything ``compass-nb check`` says (see :func:`check_source`)."""

    source: str
    period: str
    period_reason: str
    tables: list[TableReport]
    notebooks: list[NotebookReport]
    missing_tables: list[str]
    synthesized: dict[str, str] = field(default_factory=dict)

    def table(self, name: str) -> TableReport:
        return next(t for t in self.tables if t.table == name)

    def notebook(self, name: str) -> NotebookReport:
        return next(n for n in self.notebooks if n.notebook == name)

    def text(self) -> str:
        """The report as printed by ``compass-nb check``."""
        lines = [f"Source: {self.source}", "", "Tables"]
        for t in self.tables:
            q = f", {t.quarantined:,} quarantined" if t.quarantined else ""
            dated = (
                f"; {t.rows_in_period:,} dated on or before the period's end"
                if CONTRACTS[t.table].cutoff
                else ""
            )
            lines.append(
                f"  {t.table:<20} {t.file}: {t.rows_read:,} rows read, {t.rows_accepted:,} "
                f"accepted{q}{dated}"
            )
            if t.preset:
                lines.append(f"    read as: {t.preset}")
            if t.mapped:
                lines.append("    columns: " + ", ".join(f"{a} → {b}" for a, b in t.mapped))
            if t.derived:
                lines.append("    derived: " + ", ".join(_DERIVED.get(d, d) for d in t.derived))
            if t.absent_optional:
                lines.append("    not in the file (optional): " + ", ".join(t.absent_optional))
            if t.extra:
                shown = ", ".join(t.extra[:8]) + (" …" if len(t.extra) > 8 else "")
                lines.append(f"    kept, not used: {shown}")
            for note in t.notes:
                lines.append(f"    note: {note}")
            for column, reason, n in t.reasons:
                lines.append(f"    quarantine: {n:,} × {column or '(line)'}: {reason}")
        for table, text in self.synthesized.items():
            lines.append(f"  {table:<20} derived: {text}")
        if self.missing_tables:
            lines.append("  absent: " + ", ".join(self.missing_tables))
        lines += ["", f"Period: {self.period} — {self.period_reason}", "", "Notebooks"]
        for n in self.notebooks:
            if n.runs:
                extra = f" (without {', '.join(n.without)})" if n.without else ""
                empty = f"; no rows in the period: {', '.join(n.empty)}" if n.empty else ""
                lines.append(f"  {n.notebook:<28} can run{extra}{empty}")
            else:
                lines.append(f"  {n.notebook:<28} skipped: needs {', '.join(n.lacking)}")
        return "\n".join(lines)


_DERIVED = {
    "is_closed": "is_closed from the stage list (pipeline.stages)",
    "is_won": "is_won from the stage list (pipeline.stages)",
    "net_revenue": "net_revenue = quantity × unit_price",
}


def _table_report(loaded: Loaded, table: str, in_period: dict[str, int]) -> TableReport:
    reading = loaded.readings.get(table)
    contract = CONTRACTS[table]
    columns = list(loaded.con.execute(f"DESCRIBE SELECT * FROM clean_{table}").df()["column_name"])
    extra = [c for c in columns if c not in contract.names]
    blank = loaded.con.execute(
        f"SELECT {', '.join(f'count({_q(c.name)}) AS {_q(c.name)}' for c in contract.columns)} "
        f"FROM checked_{table}"
    ).df()
    absent = [
        c.name for c in contract.columns if not c.required and int(blank[c.name].iloc[0]) == 0
    ]
    rejected = loaded.quarantine.loc[loaded.quarantine["table"] == table]
    counts = (
        rejected.groupby(["column", "reason"]).size().sort_values(ascending=False).head(TOP_REASONS)
        if len(rejected)
        else pd.Series(dtype="int64")
    )
    derived = list(loaded.derived.get(table, []))
    return TableReport(
        table=table,
        file=loaded.files[table],
        rows_read=int(loaded.rows_read[table]),
        rows_accepted=int(loaded.rows_accepted[table]),
        rows_in_period=int(in_period.get(table, 0)),
        preset=reading.preset.description if reading is not None and reading.preset else None,
        mapped=[(a, b) for a, b in reading.mapped() if a != b] if reading is not None else [],
        derived=derived,
        extra=extra,
        absent_optional=absent,
        notes=list(loaded.notes.get(table, [])),
        reasons=[(c, r, int(n)) for (c, r), n in counts.items()],
    )


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def check_source(
    source: str | os.PathLike | dict,
    notebooks: Iterable[tuple[str, tuple[str, ...], tuple[str, ...]]],
    *,
    period: str | None = None,
    today: str | pd.Timestamp | None = None,
    **options,
) -> CheckReport:
    """Load ``source`` as a run would and report on it (see the module docstring).

    ``notebooks`` lists (notebook, required input tables, optional input tables), e.g.
    from the steps' declarations; ``options`` are :func:`~compass_nb.data.load`'s
    (``encoding``, ``inputs``, ``stages``; ``strict`` is ignored: the check counts).
    """
    options.pop("strict", None)
    loaded = load(source, period=period, today=today, **options)
    try:
        in_period = loaded.rows_at_cutoff()
        tables = [_table_report(loaded, t, in_period) for t in TABLE_ORDER if t in loaded.rows_read]
        present = set(loaded.rows_read) | set(loaded.synthesized)
        books = []
        for name, needed, optional in notebooks:
            lacking = [t for t in needed if t not in present]
            books.append(
                NotebookReport(
                    name,
                    runs=not lacking,
                    lacking=lacking,
                    without=[t for t in optional if t not in present] if name[:2] != "01" else [],
                    empty=[t for t in needed if t in present and not in_period.get(t)],
                )
            )
        return CheckReport(
            source=loaded.source,
            period=loaded.period,
            period_reason=loaded.period_reason,
            tables=tables,
            notebooks=books,
            missing_tables=[t for t in TABLE_ORDER if t not in present],
            synthesized={
                t: assumption(spec, in_period.get(t)) for t, spec in loaded.synthesized.items()
            },
        )
    finally:
        loaded.close()
