"""The notebook side of Compass: one context object per notebook run, and safe display.

A notebook calls :func:`context` once, after its parameters cell. The context knows the
period, the source, the cycle store and (inside a run) the run's staging folder; it hands
out clean input tables cut off at the period, reads store tables with this run's staged
outputs on top, stages the notebook's own outputs, and records headline figures.

Everything shown through :func:`show`, :func:`summary` and :func:`note` is HTML-escaped.
"""

from __future__ import annotations

import html
import json
import os
import re
import tempfile
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from compass_nb import store as cycle_store

ROOT = Path(__file__).resolve().parent.parent


def project_path(path: str | Path) -> Path:
    """Resolve a relative path from the project root, whoever started the kernel."""
    path = Path(path).expanduser()
    return path if path.is_absolute() else ROOT / path


def _resolve_source(source: str) -> str:
    if source.startswith("demo") or "://" in source:
        return source
    return str(project_path(source))


@dataclass
class Context:
    """What a notebook needs to know about its run. Build it with :func:`context`."""

    notebook: str
    period: str
    source: str
    store: Path
    run_dir: Path
    run_id: int
    in_run: bool
    encoding: str = "utf-8"
    strict: bool = False
    fiscal_year_start: int = 1
    currency: str = "EUR"
    audience: str = "executive"
    threads: int = 1
    options: dict = field(default_factory=dict)

    @property
    def cutoff(self) -> pd.Timestamp:
        """The last day of the period: nothing dated later is visible to this cycle."""
        return pd.Period(self.period, freq="M").end_time.normalize()

    @property
    def root(self) -> Path:
        """The reports root (the folder holding the store)."""
        return self.store.parent

    # -- inputs -------------------------------------------------------------------------
    def load(self, *tables: str):
        """Load and validate ``tables`` (all when none given) from the source, as of the period.

        Returns the data layer's ``Loaded`` (clean tables, quarantine, counts). Overrides
        kept from a widget in earlier cycles (store table ``overrides_saved``) are merged
        into ``overrides``.
        """
        from compass_nb import data

        loaded = data.load(
            self.source,
            period=self.period,
            tables=list(tables) or None,
            encoding=self.encoding,
            strict=self.strict,
            threads=self.threads,
        )
        if "overrides" in loaded.tables:
            loaded.tables["overrides"] = self._with_saved_overrides(loaded.tables["overrides"])
        return loaded

    def _with_saved_overrides(self, overrides: pd.DataFrame) -> pd.DataFrame:
        saved = cycle_store.read_all_runs(self.store, "overrides_saved")
        if saved.empty:
            return overrides
        saved = _from_store(saved.loc[saved["cycle"].astype(str) <= self.period])
        return pd.concat([overrides, saved], ignore_index=True)

    def inputs(self, *tables: str) -> dict[str, pd.DataFrame]:
        """Clean input tables as of the period's cut-off.

        Taken from this run's staged ``clean_<table>`` (written by 01 data collection),
        else from the store's latest run for the period, else loaded from the source.
        """
        out: dict[str, pd.DataFrame] = {}
        missing = []
        for table in tables:
            frame = self.read(f"clean_{table}")
            if frame.empty:
                missing.append(table)
            else:
                out[table] = _from_store(frame)
        if missing:
            out.update({name: self.load(*missing).tables[name] for name in missing})
        return {table: out[table] for table in tables}

    def mtd_orders(self) -> pd.DataFrame:
        """Orders of the month after the period, known so far (for the nowcast only)."""
        frame = self.read("clean_orders_mtd")
        if not frame.empty:
            return _from_store(frame)
        return self.load("orders").mtd_orders

    def keep_inputs(self, loaded) -> None:
        """Stage what 01 data collection hands to the cycle: clean tables, the month-to-date
        orders, the quarantine (one CSV per table, private) and the input fingerprints."""
        for table, frame in loaded.tables.items():
            self.write(f"clean_{table}", _to_store(frame))
        if loaded.mtd_orders is not None:
            self.write("clean_orders_mtd", _to_store(loaded.mtd_orders))
        from compass_nb.data import write_quarantine

        write_quarantine(loaded.quarantine, self.private_dir("quarantine"))
        record = {
            "fingerprints": dict(sorted(loaded.fingerprints.items())),
            "rows_read": {k: int(v) for k, v in sorted(loaded.rows_read.items())},
            "quarantined_rows": int(loaded.quarantine.groupby(["table", "row"]).ngroups)
            if not loaded.quarantine.empty
            else 0,
        }
        (self.run_dir / "inputs.json").write_text(json.dumps(record, indent=1, sort_keys=True))

    # -- the store ----------------------------------------------------------------------
    def read(self, table: str, periods: str | list[str] | None = None) -> pd.DataFrame:
        """A store table: this run's staged output on top of the latest committed runs.

        ``periods=None`` gives this cycle's rows; ``"all"`` every period's latest run;
        a list, those periods.
        """
        mine = cycle_store.staged(self.run_dir, table)
        if periods is None and mine is not None:
            return mine
        wanted = [self.period] if periods is None else periods
        committed = cycle_store.read(self.store, table, periods=wanted)
        if mine is None:
            return committed
        if not committed.empty:
            committed = committed.loc[committed["period"] != self.period]
        return pd.concat([committed, mine], ignore_index=True) if not committed.empty else mine

    def write(self, table: str, frame: pd.DataFrame) -> None:
        """Stage ``frame`` as this run's ``table``; the runner commits it when the run ends."""
        cycle_store.stage(self.run_dir, table, frame, period=self.period, run_id=self.run_id)

    def save_override(self, overrides: pd.DataFrame) -> None:
        """Keep overrides made in a widget: they join ``overrides`` at the next run's load."""
        cycle_store.append(self.store, "overrides_saved", _to_store(overrides), period=self.period)

    def metric(self, key: str, value, *, label: str | None = None, fmt: str = "{}") -> None:
        """Record a headline figure for ``metrics.json``, the pack index and the store."""
        path = self.run_dir / "metrics" / f"{self.notebook}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        figures = json.loads(path.read_text()) if path.exists() else {}
        value = None if value is None or pd.isna(value) else _plain(value)
        figures[key] = {"value": value, "label": label or key, "fmt": fmt}
        path.write_text(json.dumps(figures, indent=1, sort_keys=True))

    # -- files --------------------------------------------------------------------------
    def private_dir(self, name: str) -> Path:
        """A folder for row- and person-level material, never part of the shareable pack."""
        base = self.run_dir / "private" if self.in_run else self.root / "private" / self.period
        path = base / name
        path.mkdir(parents=True, exist_ok=True)
        return path

    def export_dir(self) -> Path:
        """The pack's ``exports/`` folder (CSV and XLSX for ERP and planners)."""
        path = self.run_dir / "pack" / "exports"
        path.mkdir(parents=True, exist_ok=True)
        return path


def _to_store(frame: pd.DataFrame) -> pd.DataFrame:
    """A clean input table as stored: its own ``period`` column becomes ``table_period``
    (the store keys every row by the cycle's ``period``)."""
    return frame.rename(columns={"period": "table_period"})


def _from_store(frame: pd.DataFrame) -> pd.DataFrame:
    """A stored clean input table as the loader gave it."""
    frame = frame.drop(columns=["period", "run_id"], errors="ignore")
    return frame.rename(columns={"table_period": "period"})


def _plain(value):
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float):
        return round(value, 6) + 0.0  # + 0.0 turns -0.0 into 0.0
    return value


def _run_info(run_dir: Path) -> dict:
    path = run_dir / "run.json"
    return json.loads(path.read_text()) if path.exists() else {}


def context(
    notebook: str,
    *,
    period: str | None = None,
    source: str = "demo",
    store: str | Path = "reports/compass.duckdb",
    run_dir: str | Path | None = None,
    encoding: str = "utf-8",
    strict: bool = False,
    fiscal_year_start: int = 1,
    currency: str = "EUR",
    audience: str = "executive",
    threads: int | None = None,
    **options,
) -> Context:
    """Build the notebook's :class:`Context` from its parameters.

    Without ``run_dir`` (an analyst in JupyterLab) outputs go to a scratch folder that is
    never committed. ``period=None`` means the latest complete month of the data.
    """
    _quiet()
    source = _resolve_source(str(source))
    if period is None:
        from compass_nb import data

        period = data.latest_complete_period(source)
    in_run = run_dir is not None
    run_path = Path(run_dir) if in_run else Path(tempfile.mkdtemp(prefix=f"compass-{notebook}-"))
    run_id = int(_run_info(run_path).get("run_id", 0))
    threads = threads or max(1, (os.cpu_count() or 1))
    return Context(
        notebook=notebook,
        period=str(period),
        source=source,
        store=project_path(store),
        run_dir=run_path,
        run_id=run_id,
        in_run=in_run,
        encoding=encoding,
        strict=bool(strict),
        fiscal_year_start=int(fiscal_year_start),
        currency=currency,
        audience=audience,
        threads=int(threads),
        options=options,
    )


def _quiet() -> None:
    """Keep library warnings and progress bars out of the reviewer's HTML; set the chart style."""
    warnings.filterwarnings("ignore")
    os.environ.setdefault("TQDM_DISABLE", "1")
    try:
        import matplotlib

        matplotlib.rcParams.update({"figure.dpi": 96, "figure.figsize": (9, 3.6)})
        import seaborn as sns

        sns.set_theme(style="whitegrid", context="notebook")
    except ImportError:  # pragma: no cover - plotting is a hard dependency
        pass


# -- safe display --------------------------------------------------------------------------
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
    """A column name as a reader wants it: ``rows_read`` → ``Rows read`` (other names as they are)."""
    if isinstance(column, str) and re.fullmatch(r"[a-z][a-z0-9_]*", column):
        text = column.replace("_", " ")
        return text[0].upper() + text[1:]
    return column


def _formatter(fmt: str):
    return lambda value: "" if pd.isna(value) else fmt.format(value)


def show(
    frame: pd.DataFrame,
    *,
    empty: str = "Nothing to show.",
    caption: str | None = None,
    max_rows: int = 30,
    formats: Mapping[str, str] | None = None,
    index: bool = False,
) -> SafeHTML:
    """An escaped, readable HTML table (numbers formatted, long tables cut with a note)."""
    if frame.empty:
        head = f"<strong>{escape(caption)}:</strong> " if caption else ""
        return SafeHTML(f'<p class="compass-note">{head}{escape(empty)}</p>')
    formats = dict(formats or {})
    shown = frame.head(max_rows)
    for column in shown.columns:
        if column not in formats and pd.api.types.is_float_dtype(shown[column]):
            formats[column] = "{:,.2f}"
        elif column not in formats and pd.api.types.is_integer_dtype(shown[column]):
            formats[column] = "{:,}"
    formatters = {header(column): _formatter(fmt) for column, fmt in formats.items() if column in shown}
    shown = shown.rename(columns=header)
    table = shown.to_html(
        index=index,
        escape=True,
        formatters=formatters,
        border=0,
        classes="compass-table",
        na_rep="",
    )
    head = f"<caption>{escape(caption)}</caption>" if caption else ""
    if head:
        table = table.replace(">", ">" + head, 1)
    more = len(frame) - len(shown)
    tail = f'<p class="compass-note">… and {more:,} more rows.</p>' if more > 0 else ""
    return SafeHTML(table + tail)
