"""The context a step runs in: its cycle, its parameters, its inputs, the store, its outputs.

One :class:`Context` per step call. The runner builds it from the run's staging folder
(``run.json`` holds the period, the run id and the merged parameters); a notebook outside
a run builds it with :func:`compass_nb.nb.context` from the defaults and its parameters
cell, with a scratch folder that is never committed.

Reads give this run's staged output on top of the store's latest committed runs; writes
are staged in the run's folder and committed by the runner when the run ends. A context
bound to a step (:meth:`Context.for_step`) refuses reads and writes the step did not
declare, and checks every written frame against the store table's declaration.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import pickle
import threading
import time
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

from compass_nb import params as parameters
from compass_nb import quality
from compass_nb import store as cycle_store
from compass_nb.errors import ParameterError

ROOT = Path(__file__).resolve().parent.parent


def project_path(path: str | Path) -> Path:
    """Resolve a relative path from the project root, whoever started the process."""
    path = Path(path).expanduser()
    return path if path.is_absolute() else ROOT / path


def resolve_source(source: str) -> str:
    """A source as the data layer opens it: ``demo…`` and URLs as given, paths from the root."""
    if source.startswith("demo") or "://" in source:
        return source
    return str(project_path(source))


@dataclass
class Context:
    """What a step needs to know about its run. Build it with :func:`compass_nb.nb.context`
    (notebooks) or :func:`for_run` (the runner)."""

    section: str
    period: str
    params: dict
    store: Path
    run_dir: Path
    run_id: int = 0
    in_run: bool = False
    threads: int = 1
    makes_files: bool = True
    step: Any = None
    loaded: Any = field(default=None, repr=False)
    upstream: Any = field(default=None, repr=False)
    messages: list[str] = field(default_factory=list)
    told: set = field(default_factory=set, repr=False)
    from_source: list = field(default_factory=list, repr=False)  # the loads made by this context

    # -- parameters ------------------------------------------------------------------------
    @property
    def shared(self) -> parameters.Shared:
        """The shared parameters (currency, horizon, fiscal_year_start, …)."""
        return parameters.shared_settings(self.params)

    @property
    def settings(self):
        """The step's own parameters section as its settings dataclass."""
        if self.step is None or self.step.settings is None:
            return None
        return parameters.build(self.step.settings, self.params.get(self.section) or {})

    @property
    def source(self) -> str:
        return resolve_source(str(self.params["source"]))

    @functools.cached_property
    def held_tables(self) -> frozenset[str]:
        """The input tables the source holds (its files as the ``inputs`` mapping names them),
        looked up once per context; a table the loader derives (``products`` from the
        orders) is not among them."""
        from compass_nb.data import mapping
        from compass_nb.data.sources import open_source

        stages = (self.params.get("pipeline") or {}).get("stages")
        spec = mapping.as_inputs(self.params.get("inputs") or None, stages)
        return frozenset(open_source(self.source, spec.files()).names())

    @property
    def cutoff(self) -> pd.Timestamp:
        """The last day of the period: nothing dated later is visible to this cycle."""
        return pd.Period(self.period, freq="M").end_time.normalize()

    @property
    def root(self) -> Path:
        """The reports root (the folder holding the store)."""
        return self.store.parent

    def for_step(self, step) -> Context:
        """This context bound to ``step``: its section, its declared reads and writes."""
        return replace(self, section=step.name, step=step, messages=self.messages, told=self.told)

    def say(self, message: str) -> None:
        """Tell the analyst what the context did (outside a run only; a run stays quiet)."""
        self.messages.append(message)
        if not self.in_run:
            print(message, flush=True)  # plain output: information, not an error

    def _say_once(self, key, message: str) -> None:
        if key not in self.told:
            self.told.add(key)
            self.say(message)

    # -- progress --------------------------------------------------------------------------
    @contextlib.contextmanager
    def progress(self, description: str, total: int | None = None) -> Iterator[Any]:
        """A progress bar (tqdm) for a long computation, outside a run only.

        Yields the bar: call ``bar.update()`` as parts complete when ``total`` is known;
        without a total it shows the time elapsed, refreshed every half second, so a long
        call into code that reports nothing (the forecast engine) is visibly at work. It
        appears only after :data:`PROGRESS_DELAY` seconds, so quick steps stay quiet. In a
        run it is silent (a reviewer's HTML holds no progress bars).
        """
        if self.in_run or (total is None and _SHOWN):
            yield _Silent()  # a bar already shown keeps ticking: no second one inside it
            return
        from tqdm.auto import tqdm

        # With a total: "… upstream, forecasting: 1/2 steps [bar] 00:12" (tqdm puts ": " after
        # the description); without one, the time elapsed only, and the bar goes when done.
        bar = tqdm(
            total=total,
            desc=f"{description}: ",  # as set_description() writes it
            delay=PROGRESS_DELAY,
            leave=total is not None,
            bar_format="{desc}{n}/{total} steps {bar} {elapsed}"
            if total is not None
            else "{desc}{elapsed}",
        )
        started = time.monotonic()
        stop = threading.Event()

        def tick() -> None:
            while not stop.wait(0.5):
                if time.monotonic() - started >= PROGRESS_DELAY:
                    bar.refresh()

        ticker = threading.Thread(target=tick, name="compass-progress", daemon=True)
        ticker.start()
        _SHOWN.append(bar)
        try:
            yield bar
        finally:
            _SHOWN.remove(bar)
            stop.set()
            ticker.join()
            bar.close()

    def computing(self):
        """The progress of this step's own computation (the step calls it around its work)."""
        name = self.step.notebook if self.step is not None else self.section
        return self.progress(f"{name} · {self.period}: computing in this kernel")

    # -- the step's result -----------------------------------------------------------------
    def _result_path(self) -> Path:
        return self.run_dir / "results" / f"{self.section}.pickle"

    def kept_result(self):
        """The step's result if this run already computed it, else ``None``."""
        path = self._result_path()
        if not self.in_run or not path.exists():
            return None
        with path.open("rb") as handle:
            return pickle.load(handle)

    def keep_result(self, result) -> None:
        """Keep the step's result for the notebook that shows it (in a run that renders its
        notebooks; a store-only cycle's results are shown nowhere)."""
        if not self.in_run or not self.makes_files:
            return
        path = self._result_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".tmp")
        with temporary.open("wb") as handle:
            pickle.dump(result, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, path)

    # -- declarations ----------------------------------------------------------------------
    def _check_declared(self, table: str, kinds: tuple[str, ...], verb: str) -> None:
        if self.step is None:
            return
        allowed = set().union(*(getattr(self.step, kind) for kind in kinds))
        assert table in allowed, (
            f"step {self.step.name} {verb} {table!r} without declaring it in {' or '.join(kinds)}"
        )

    # -- inputs ----------------------------------------------------------------------------
    def load(self, *tables: str):
        """Load and validate ``tables`` (all when none given) from the source, as of the period.

        Returns the data layer's ``Loaded``. Overrides kept from the 02 widget in earlier
        cycles (store table ``overrides_saved``) are merged into ``overrides``.
        """
        from compass_nb import data

        loaded = self.loaded
        if loaded is None:
            loaded = data.load(
                self.source,
                period=self.period,
                tables=list(tables) or None,
                threads=self.threads,
                **data.load_options(self.params),
            )
            self.from_source.append(loaded)
        if "overrides" in loaded.tables:
            loaded.tables["overrides"] = self._with_saved_overrides(loaded.tables["overrides"])
        return loaded

    def _with_saved_overrides(self, overrides: pd.DataFrame) -> pd.DataFrame:
        saved = self._overrides_in_force()
        if saved.empty:
            return overrides
        if overrides.empty:
            return from_store(saved)
        return pd.concat([overrides, from_store(saved)], ignore_index=True)

    def inputs(self, *tables: str) -> dict[str, pd.DataFrame]:
        """Clean input tables as of the period's cut-off.

        Taken from this run's staged ``clean_<table>`` (written by 01 data collection),
        else from the store's latest run for the period, else loaded from the source.
        """
        for table in tables:
            self._check_declared(table, ("inputs", "optional_inputs"), "uses input")
        out: dict[str, pd.DataFrame] = {}
        missing = []
        for table in tables:
            frame = self._read_table(f"clean_{table}")
            if frame.empty:
                missing.append(table)
            else:
                out[table] = from_store(frame)
                if not self.in_run and cycle_store.staged(self.run_dir, f"clean_{table}") is None:
                    self._say_once(
                        ("inputs", "store"),
                        f"Inputs of {self.period}: the clean tables of the cycle store's latest "
                        f"committed run (run {int(frame['run_id'].max())}, {self.store}).",
                    )
        if missing:
            loaded = self.load(*missing)
            out.update({name: loaded.tables[name] for name in missing if name in loaded.tables})
            if not self.in_run:
                self._say_once(
                    ("inputs", "source"),
                    f"Inputs loaded from the source ({self.params['source']}) as of "
                    f"{self.cutoff:%Y-%m-%d}.",
                )
        return {table: out[table] for table in tables if table in out}

    def mtd_orders(self) -> pd.DataFrame:
        """Orders of the month after the period, known so far (for the nowcast only)."""
        frame = self._read_table("clean_orders_mtd")
        if not frame.empty:
            return from_store(frame)
        return self.load("orders").mtd_orders

    def keep_inputs(self, loaded) -> None:
        """Stage what 01 data collection hands to the cycle: clean tables, the month-to-date
        orders, the quarantine (one CSV per table, private; only in a cycle that gets a pack)
        and the input fingerprints."""
        for table, frame in loaded.tables.items():
            self.write(f"clean_{table}", to_store(frame))
        if loaded.mtd_orders is not None:
            self.write("clean_orders_mtd", to_store(loaded.mtd_orders))
        if self.makes_files:
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

    def quarantine_summary(self) -> pd.DataFrame:
        """This cycle's quarantine, counted per input table (no rows), from wherever this
        context's inputs came: the source loaded for the run or by this context, else 01
        data collection's ``quarantine_summary`` committed with the clean tables."""
        loads = [self.loaded] if self.loaded is not None else self.from_source
        if not loads:
            return self.read("quarantine_summary")
        quarantine = pd.concat([x.quarantine for x in loads], ignore_index=True)
        return quality.quarantine_summary(quarantine, {t for x in loads for t in x.tables})

    # -- the store -------------------------------------------------------------------------
    def read(self, table: str, periods: str | list[str] | None = None) -> pd.DataFrame:
        """A store table: this run's staged output on top of the latest committed runs.

        ``periods=None`` gives this cycle's rows; ``"all"`` every period's latest run;
        a list, those periods. Outside a run (``upstream`` set by the notebook), a table
        of this cycle that neither the scratch folder nor the store holds is computed by
        the step that writes it.
        """
        if periods is None:
            self._check_declared(table, ("reads", "optional_reads"), "reads")
        else:
            self._check_declared(table, ("reads", "optional_reads", "history"), "reads")
        frame = self._read_table(table, periods)
        if self.upstream is not None and self._wants_this_cycle(table, periods):
            if not _holds(frame, self.period):
                self.upstream(self, table)
                frame = self._read_table(table, periods)
            self._tell_origin(table, frame)
        return frame

    def _wants_this_cycle(self, table: str, periods) -> bool:
        """Whether a read needs this cycle's rows of ``table`` (outside a run they are then
        computed when missing): any read of this cycle, or a history read of a table the
        step also reads for this cycle."""
        if periods is None:
            return True
        if self.step is not None and table not in (*self.step.reads, *self.step.optional_reads):
            return False
        return periods == "all" or self.period in list(periods)

    def _tell_origin(self, table: str, frame: pd.DataFrame) -> None:
        """Say once whether this cycle's ``table`` came from the store (which run) or was
        computed here; the upstream hook says the latter when it computes."""
        if self.in_run or cycle_store.staged(self.run_dir, table) is not None:
            return
        rows = frame.loc[frame["period"] == self.period] if _holds(frame, self.period) else None
        if rows is None:
            return
        run = int(rows["run_id"].max())
        self._say_once(
            ("origin", table),
            f"{table} for {self.period}: the cycle store's latest committed run "
            f"(run {run}, {self.store}).",
        )

    def read_all_runs(self, table: str) -> pd.DataFrame:
        """Every committed row of ``table``, all runs (locks and append-only logs)."""
        self._check_declared(table, ("history",), "reads every run of")
        return cycle_store.read_all_runs(self.store, table)

    def _read_table(self, table: str, periods: str | list[str] | None = None) -> pd.DataFrame:
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
        self._check_declared(table, ("writes",), "writes")
        cycle_store.check_frame(table, frame)
        cycle_store.stage(self.run_dir, table, frame, period=self.period, run_id=self.run_id)

    # -- overrides kept from the 02 widget ---------------------------------------------------
    # The store is append-only: keeping an override appends a row to ``overrides_saved``,
    # removing one appends the same row to ``overrides_removed``. An override is in force
    # while it was kept more often than removed (cycles up to this one), so a removal never
    # rewrites history: a past cycle re-run still sees what its planners saw.
    def kept_overrides(self) -> pd.DataFrame:
        """The widget's overrides the next run of this cycle applies: kept in this cycle or
        an earlier one, not removed, adjusting a month after the cut-off; one row each, with
        the input contract's columns (``period`` is the month adjusted)."""
        kept = from_store(self._overrides_in_force())
        if kept.empty:
            return pd.DataFrame(columns=[_CONTRACT_NAME.get(c, c) for c in OVERRIDE_KEY])
        later = kept["period"].astype(str) > self.period
        return (
            kept.loc[later].sort_values(["period", "family"], kind="stable").reset_index(drop=True)
        )

    def save_override(self, overrides: pd.DataFrame) -> str:
        """Keep overrides made in a widget (``overrides`` rows of the input contract): they
        join ``overrides`` when the next run loads its inputs. An override already in force
        with the same values is refused. Returns what was written, and where."""
        rows = _override_rows(to_store(overrides))
        rows["cycle"] = rows["cycle"].fillna(self.period)
        in_force = _keys(self._overrides_in_force())
        repeated = [key for key in _keys(rows) if key in in_force]
        if repeated:
            raise ParameterError(
                "this override is already kept (same month, family, location, value, author "
                "and reason): nothing written."
            )
        cycle_store.append(self.store, "overrides_saved", rows, period=self.period)
        return (
            f"Written to the cycle store {self.store} (table overrides_saved, cycle "
            f"{self.period}): the next run of {self.period} or later applies it."
        )

    def remove_override(self, override: Mapping | pd.Series, *, by: str) -> str:
        """Remove a kept override (a row of :meth:`kept_overrides`): the removal is appended
        to ``overrides_removed``, so the next run's overrides drop it. Returns what was
        written, and where."""
        if not str(by or "").strip():
            raise ParameterError("say who removes the override (author) before removing it.")
        row = _override_rows(to_store(pd.DataFrame([dict(override)])))
        key = _keys(row)[0]
        copies = Counter(_keys(self._overrides_in_force(distinct=False)))[key]
        if not copies:
            raise ParameterError("this override is not in force: nothing to remove.")
        removal = pd.concat([row] * copies, ignore_index=True).assign(removed_by=str(by))
        cycle_store.append(self.store, "overrides_removed", removal, period=self.period)
        return (
            f"Removal written to the cycle store {self.store} (table overrides_removed, cycle "
            f"{self.period}): the next run of {self.period} or later drops it."
        )

    def _overrides_in_force(self, *, distinct: bool = True) -> pd.DataFrame:
        """Kept overrides (store rows of ``overrides_saved``) not removed, cycles up to this one."""
        saved = cycle_store.read_all_runs(self.store, "overrides_saved")
        if saved.empty:
            return pd.DataFrame(columns=list(OVERRIDE_KEY))
        saved = _override_rows(saved.loc[saved["cycle"].astype(str) <= self.period])
        removed = cycle_store.read_all_runs(self.store, "overrides_removed")
        if not removed.empty:
            removed = removed.loc[removed["period"].astype(str) <= self.period]
        left = Counter(_keys(saved)) - Counter(_keys(_override_rows(removed)))
        keep = []
        for index, key in zip(saved.index, _keys(saved), strict=True):
            if left[key] > 0:
                keep.append(index)
                left[key] -= 1
        out = saved.loc[keep]
        if distinct:
            out = out.loc[~pd.Series(_keys(out), index=out.index).duplicated()]
        return out.reset_index(drop=True)

    def metric(self, key: str, value, *, label: str | None = None, fmt: str = "{}") -> None:
        """Record a headline figure for ``metrics.json``, the pack index and the store."""
        path = self.run_dir / "metrics" / f"{self.section}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        figures = json.loads(path.read_text()) if path.exists() else {}
        value = None if value is None or pd.isna(value) else _plain(value)
        figures[key] = {"value": value, "label": label or key, "fmt": fmt}
        path.write_text(json.dumps(figures, indent=1, sort_keys=True))

    # -- files -----------------------------------------------------------------------------
    # ``makes_files`` is false in a cycle that gets no pack (a backfill, store only): a step
    # then skips the files only a pack carries (exports, payroll, statements) and the views
    # only its page shows, never what it writes to the store or records as a figure.
    def private_dir(self, name: str) -> Path:
        """A folder for row- and person-level material, never part of the shareable pack
        (outside a run, a folder of the scratch run: exploring never writes official files)."""
        path = self.run_dir / "private" / name
        path.mkdir(parents=True, exist_ok=True)
        return path

    def export_dir(self) -> Path:
        """The pack's ``exports/`` folder (CSV and XLSX for ERP and planners)."""
        path = self.run_dir / "pack" / "exports"
        path.mkdir(parents=True, exist_ok=True)
        return path


#: Seconds a computation runs before its progress bar appears.
PROGRESS_DELAY = 1.0
_SHOWN: list = []  # the progress bars open in this process

#: The columns that identify a kept override (its store row, without the store's keys).
OVERRIDE_KEY = tuple(cycle_store.declared("overrides_saved").columns)
_CONTRACT_NAME = {"table_period": "period"}


class _Silent:
    """The progress bar of a run: accepts the calls, shows nothing."""

    def update(self, n: int = 1) -> None:
        pass

    def set_description(self, description: str) -> None:
        pass


def _holds(frame: pd.DataFrame, period: str) -> bool:
    return not frame.empty and "period" in frame and bool((frame["period"] == period).any())


def _override_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame``'s override columns only (store names), strings stripped, no store keys."""
    out = frame.reindex(columns=list(OVERRIDE_KEY)).copy()
    out["quantity"] = pd.to_numeric(out["quantity"]).astype(float)
    for column in OVERRIDE_KEY:
        if column != "quantity":
            out[column] = out[column].map(lambda v: None if _blank(v) else str(v).strip())
    return out


def _blank(value) -> bool:
    return value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA


def _keys(frame: pd.DataFrame) -> list[tuple]:
    """One hashable key per override row: equal keys are exact duplicates."""
    rows = frame.reindex(columns=list(OVERRIDE_KEY)).itertuples(index=False, name=None)
    return [
        tuple(
            "" if _blank(v) else round(float(v), 6) if c == "quantity" else str(v).strip()
            for c, v in zip(OVERRIDE_KEY, row, strict=True)
        )
        for row in rows
    ]


def to_store(frame: pd.DataFrame) -> pd.DataFrame:
    """A clean input table as stored: its own ``period`` column becomes ``table_period``
    (the store keys every row by the cycle's ``period``)."""
    return frame.rename(columns={"period": "table_period"})


def from_store(frame: pd.DataFrame) -> pd.DataFrame:
    """A stored clean input table as the loader gave it."""
    frame = frame.drop(columns=["period", "run_id"], errors="ignore")
    return frame.rename(columns={"table_period": "period"})


def _plain(value):
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float):
        return round(value, 6) + 0.0  # + 0.0 turns -0.0 into 0.0
    return value


def run_info(run_dir: Path) -> dict:
    """The run's ``run.json`` (period, run id, merged parameters, threads), or ``{}``."""
    path = Path(run_dir) / "run.json"
    return json.loads(path.read_text()) if path.exists() else {}


def store_path(params: dict, root: Path | None = None) -> Path:
    """The cycle store: the ``store`` parameter, else ``<reports root>/compass.duckdb``."""
    chosen = params.get("store")
    if chosen:
        return project_path(chosen)
    return (root or ROOT / "reports") / "compass.duckdb"


def for_run(run_dir: Path, section: str, *, loaded=None) -> Context:
    """The context of ``section`` inside a run, from the run's ``run.json``."""
    info = run_info(run_dir)
    merged = info["params"]
    return Context(
        section=section,
        period=info["period"],
        params=merged,
        store=Path(info["store"]),
        run_dir=Path(run_dir),
        run_id=int(info["run_id"]),
        in_run=True,
        threads=int(info.get("threads") or 1),
        makes_files=bool(info.get("pack", True)),
        loaded=loaded,
    )
