"""Reading exports as they come: column mapping, codes, date formats, change logs.

The ``inputs`` parameter holds, per input table, how the source's file reads::

    inputs:
      preset: salesforce                 # a source preset: one table preset per table
      orders:
        columns: {Order Date: order_date, Product ID: sku, Region: location}
        values: {channel: {"01": Retail, "02": Online}}
        date_format: MDY                 # MDY | DMY | YMD | a strptime format | {column: ...}
        decimal: "."                     # the decimal mark, when the file's delimiter misleads
        file: Sales Export 2026.csv      # the file holding the table (default <table>.csv)

:func:`inputs_spec` validates that mapping (a :class:`~compass_nb.errors.ParameterError`
naming the key) and gives an :class:`Inputs`; a source reads each table through its
:class:`TableMapping`, whose :meth:`~TableMapping.reading` settles, from the file's
headers, which preset variant applies and how every header is renamed. :func:`shaped`
then turns the raw table into the contract's shape inside DuckDB: a change log in long
format pivoted into states, codes mapped, dates in the declared (or detected) format made
ISO, ``is_closed``/``is_won`` derived from the stage list when the export lacks them,
``net_revenue`` from quantity × unit price. Nothing here rejects a row: the validator does.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import duckdb
import numpy as np

from compass_nb.data.contracts import CONTRACTS
from compass_nb.data.presets import (
    LONG_COLUMNS,
    SOURCE_PRESETS,
    TABLE_PRESETS,
    LongFormat,
    TablePreset,
    fold,
)
from compass_nb.errors import InputError, ParameterError

KEYS = ("preset", "columns", "values", "date_format", "decimal", "file")
#: Shorthands of ``date_format``: the order of day, month and year.
DATE_ORDERS = {
    "MDY": "month first",
    "US": "month first",
    "DMY": "day first",
    "YMD": "ISO",
    "ISO": "ISO",
}
_EXTRA_TARGETS = {"orders": ("unit_price",)}


# -- the parameter ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Reading:
    """How one file of one table reads, settled from its headers (see :meth:`TableMapping.reading`)."""

    table: str
    preset: TablePreset | None
    renames: dict[str, str]
    required: tuple[str, ...]
    values: dict[str, dict[str, object]]
    date_formats: dict[str, str]
    decimal: str | None
    long: LongFormat | None = None
    headers: tuple[str, ...] = ()

    @property
    def footer(self) -> tuple[str, ...]:
        return self.preset.footer if self.preset else ()

    def rename(self, names: list[str]) -> list[str]:
        """Each header as the contract names it (unmapped ones as written)."""
        return [self.renames.get(fold(n), n) for n in names]

    def mapped(self) -> list[tuple[str, str]]:
        """(header as the file writes it, contract column) for every header renamed."""
        return [(h, self.renames[fold(h)]) for h in self.headers if fold(h) in self.renames]


@dataclass(frozen=True)
class TableMapping:
    """The ``inputs`` entry of one table: presets to choose from, the user's own mapping."""

    table: str
    presets: tuple[str, ...] = ()
    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, object]] = field(default_factory=dict)
    date_format: str | dict | None = None
    decimal: str | None = None
    file: str | None = None

    def preset_for(self, headers: list[str]) -> TablePreset | None:
        """The preset this file is an export of: the first whose key column it holds."""
        folded = {fold(h) for h in headers}
        chosen = [TABLE_PRESETS[name] for name in self.presets]
        return next((p for p in chosen if p.identifies(folded)), chosen[0] if chosen else None)

    def reading(self, headers: list[str]) -> Reading:
        """How a file with ``headers`` reads: preset renames (first header present per
        column), then the user's ``columns``, which win."""
        preset = self.preset_for(headers)
        folded = [fold(h) for h in headers]
        renames: dict[str, str] = {}
        if preset is not None:
            for target, candidates in preset.columns.items():
                found = next((fold(c) for c in candidates if fold(c) in folded), None)
                if found is not None and target not in renames.values():
                    renames[found] = target
        for source, target in self.columns.items():
            renames = {k: v for k, v in renames.items() if v != target}
            renames[fold(source)] = target
        long = preset.long if preset is not None else None
        required = (
            tuple(c for c in LONG_COLUMNS if c != "old_value" or long.old_values)
            if long is not None
            else tuple(CONTRACTS[self.table].required)
        )
        values = {
            c: {str(k).strip().lower(): v for k, v in codes.items()}
            for c, codes in (preset.values if preset else {}).items()
        }
        for column, codes in self.values.items():
            values.setdefault(column, {}).update(codes)
        formats = self.date_format if isinstance(self.date_format, dict) else {}
        default = self.date_format if isinstance(self.date_format, str) else None
        dated = [c.name for c in CONTRACTS[self.table].columns if c.type in ("date", "timestamp")]
        date_formats = {c: formats.get(c, default) for c in dated if formats.get(c, default)}
        return Reading(
            self.table,
            preset,
            renames,
            required,
            values,
            date_formats,
            self.decimal,
            long,
            tuple(str(h) for h in headers),
        )


@dataclass(frozen=True)
class Inputs:
    """Every table's mapping, and the stage list that tells closed and won deals apart."""

    tables: dict[str, TableMapping] = field(default_factory=dict)
    stages: tuple[dict, ...] = ()

    def mapping(self, table: str) -> TableMapping | None:
        """``table``'s mapping; deals read without one still take their closed and won flags
        from the stage list when their file lacks them."""
        if table == "opportunities" and table not in self.tables and self.stages:
            return TableMapping(table)
        return self.tables.get(table)

    def files(self) -> dict[str, str]:
        """File name (or stem) → table, for files not named after their table."""
        out: dict[str, str] = {}
        for table, m in self.tables.items():
            if m.file:
                out[m.file] = table
            for name in m.presets:
                for stem in TABLE_PRESETS[name].files:
                    out.setdefault(stem, table)
        return out


def _closest(word: str, options) -> str:
    import difflib

    match = difflib.get_close_matches(str(word), list(options), n=1, cutoff=0.5)
    return f" Did you mean {match[0]!r}?" if match else f" Use one of: {', '.join(options)}."


def _fail(path: str, origin: str, what: str) -> ParameterError:
    return ParameterError(f"Parameter '{path}' in {origin}: {what}")


def _targets(table: str, presets: tuple[str, ...]) -> list[str]:
    names = list(CONTRACTS[table].names) + list(_EXTRA_TARGETS.get(table, ()))
    if any(TABLE_PRESETS[p].long for p in presets) or table == "opportunity_history":
        names += [c for c in LONG_COLUMNS if c not in names]
    return names


def _date_format(path: str, origin: str, value) -> None:
    if isinstance(value, str) and (value.upper() in DATE_ORDERS or "%" in value):
        return
    raise _fail(
        path,
        origin,
        f"{value!r} is not a date format: write MDY (US, 1/31/2026), DMY (31/01/2026), YMD, "
        "or a strptime format such as '%m/%d/%Y %H:%M'.",
    )


def _table_mapping(table: str, entry, origin: str, source_presets: tuple[str, ...]) -> TableMapping:
    path = f"inputs.{table}"
    if not isinstance(entry, Mapping):
        raise _fail(path, origin, f"expected a mapping of {', '.join(KEYS)}; got {entry!r}.")
    for key in entry:
        if key not in KEYS:
            raise _fail(f"{path}.{key}", origin, f"unknown key.{_closest(key, KEYS)}")
    presets = source_presets
    if entry.get("preset") is not None:
        name = entry["preset"]
        fits = [p for p, t in TABLE_PRESETS.items() if t.table == table]
        if name in SOURCE_PRESETS and table in SOURCE_PRESETS[name]:
            presets = SOURCE_PRESETS[name][table]
        elif name in TABLE_PRESETS and TABLE_PRESETS[name].table == table:
            presets = (name,)
        else:
            raise _fail(
                f"{path}.preset",
                origin,
                f"{name!r} is no preset of the {table} table."
                + (_closest(name, fits) if fits else " This table has no preset: map its columns."),
            )
    targets = _targets(table, presets)
    columns = entry.get("columns") or {}
    if not isinstance(columns, Mapping):
        raise _fail(f"{path}.columns", origin, "expected {source header: contract column}.")
    for source, target in columns.items():
        if target not in targets:
            raise _fail(
                f"{path}.columns.{source}",
                origin,
                f"{target!r} is not a column of {table}.{_closest(str(target), targets)}",
            )
    values = entry.get("values") or {}
    if not isinstance(values, Mapping):
        raise _fail(f"{path}.values", origin, "expected {column: {code: value}}.")
    for column, codes in values.items():
        if column not in CONTRACTS[table].names:
            raise _fail(
                f"{path}.values.{column}",
                origin,
                f"{column!r} is not a column of {table}.{_closest(str(column), CONTRACTS[table].names)}",
            )
        if not isinstance(codes, Mapping):
            raise _fail(f"{path}.values.{column}", origin, "expected {code as in the file: value}.")
        if CONTRACTS[table].column(column).type == "bool":
            bad = [c for c, v in codes.items() if not isinstance(v, bool)]
            if bad:
                raise _fail(
                    f"{path}.values.{column}.{bad[0]}", origin, "a flag maps to true or false."
                )
    date_format = entry.get("date_format")
    if isinstance(date_format, Mapping):
        for column, fmt in date_format.items():
            _date_format(f"{path}.date_format.{column}", origin, fmt)
    elif date_format is not None:
        _date_format(f"{path}.date_format", origin, date_format)
    decimal = entry.get("decimal")
    if decimal not in (None, ",", "."):
        raise _fail(f"{path}.decimal", origin, f"{decimal!r}: the decimal mark is ',' or '.'.")
    file = entry.get("file")
    if file is not None and not isinstance(file, str):
        raise _fail(f"{path}.file", origin, "expected a file name.")
    return TableMapping(
        table,
        tuple(presets),
        {str(k): str(v) for k, v in columns.items()},
        {
            str(c): {str(k).strip().lower(): v for k, v in codes.items()}
            for c, codes in values.items()
        },
        date_format,
        decimal,
        file,
    )


def inputs_spec(inputs: Mapping | None, stages=None, origin: str = "the parameters") -> Inputs:
    """The ``inputs`` parameter validated into an :class:`Inputs`.

    ``stages`` is ``pipeline.stages`` (a list of ``{name, is_closed, is_won, ...}``), used to
    derive the flags of deals whose export lacks them.

    Raises
    ------
    ParameterError
        Naming the key (``inputs.orders.columns.Qty``), the file and what was expected.
    """
    inputs = inputs or {}
    if not isinstance(inputs, Mapping):
        raise _fail("inputs", origin, "expected a mapping of input tables (or preset).")
    source = inputs.get("preset")
    if source is not None and source not in SOURCE_PRESETS:
        raise _fail(
            "inputs.preset",
            origin,
            f"{source!r} is no source preset.{_closest(source, SOURCE_PRESETS)}",
        )
    tables: dict[str, TableMapping] = {}
    for table in inputs:
        if table == "preset":
            continue
        if table not in CONTRACTS:
            raise _fail(
                f"inputs.{table}",
                origin,
                f"not an input table.{_closest(table, sorted(CONTRACTS))}",
            )
    covered = SOURCE_PRESETS.get(source, {}) if source else {}
    for table in dict.fromkeys([*covered, *(t for t in inputs if t != "preset")]):
        tables[table] = _table_mapping(
            table, inputs.get(table) or {}, origin, covered.get(table, ())
        )
    kept = tuple(
        {"name": str(s["name"]), "is_closed": bool(s["is_closed"]), "is_won": bool(s["is_won"])}
        for s in (stages or [])
        if isinstance(s, Mapping) and {"name", "is_closed", "is_won"} <= set(s)
    )
    return Inputs(tables, kept)


def as_inputs(inputs, stages=None) -> Inputs:
    """``inputs`` as :class:`Inputs` (an ``Inputs`` as it is, a mapping validated)."""
    if isinstance(inputs, Inputs):
        return inputs if not stages else replace(inputs, stages=inputs_spec({}, stages).stages)
    return inputs_spec(inputs, stages)


# -- shaping a raw table ---------------------------------------------------------------------
def _q(name: str) -> str:
    return '"' + str(name).replace('"', '""') + '"'


def _lit(text) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def _coded(expr: str, codes: dict[str, object], flag: bool) -> str:
    def shown(v):
        return ("true" if v else "false") if flag else v

    cases = " ".join(f"WHEN {_lit(k)} THEN {_lit(shown(v))}" for k, v in codes.items())
    text = f"CAST({expr} AS VARCHAR)"
    return f"CASE lower(trim({text})) {cases} ELSE {text} END"


_SLASHED = r"^\s*(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})(\D.*)?$"
_TIMES = ("", " %H:%M", " %H:%M:%S", " %I:%M %p", ", %I:%M %p", " %I:%M:%S %p", "T%H:%M:%S")


def strptime_formats(
    order: str, separators: str = "/.-", year_digits: tuple[int, ...] = (4, 2)
) -> list[str]:
    """strptime formats for dates written day, month and year in ``order`` (``MDY``/``DMY``)."""
    first, second = ("%m", "%d") if order == "MDY" else ("%d", "%m")
    out = []
    for sep in separators:
        for digits in year_digits:
            year = "%Y" if digits == 4 else "%y"
            out += [f"{first}{sep}{second}{sep}{year}{t}" for t in _TIMES]
    return out


def _formats(fmt: str) -> list[str] | None:
    """The formats a ``date_format`` setting stands for (``None``: ISO, the validator's own)."""
    order = fmt.upper()
    if order in ("US",):
        order = "MDY"
    if order in ("YMD", "ISO"):
        return None
    if order in ("MDY", "DMY"):
        return strptime_formats(order)
    return [fmt]


def detect_order(con, from_sql: str, column: str, file: str, table: str) -> str | None:
    """``MDY`` or ``DMY`` for a text date column written ``1/31/2026`` or ``31/01/2026``.

    Reads the column's values: a first number above 12 means day first, a second one above
    12 month first. A file where both readings fit every value is refused, naming the
    column, an example and both readings; ``None`` when the dates are not written so.
    """
    col = _q(column)
    sample = con.execute(
        f"SELECT count(*) FROM (SELECT {col} AS v FROM {from_sql} LIMIT 2000) "
        f"WHERE regexp_matches(v, {_lit(_SLASHED)})"
    ).fetchall()[0][0]
    if not sample:
        return None
    first, second, example, n = con.execute(
        f"SELECT max(TRY_CAST(regexp_extract(v, {_lit(_SLASHED)}, 1) AS INTEGER)), "
        f"max(TRY_CAST(regexp_extract(v, {_lit(_SLASHED)}, 2) AS INTEGER)), "
        f"min(v), count(*) FROM (SELECT {col} AS v FROM {from_sql}) "
        f"WHERE regexp_matches(v, {_lit(_SLASHED)})"
    ).fetchall()[0]
    if first is None or second is None:
        return None
    if first > 12 >= second:
        return "DMY"
    if second > 12 >= first:
        return "MDY"
    if first > 12 and second > 12:
        return None  # neither reading fits: the validator quarantines what does not parse
    m = re.match(_SLASHED, str(example))
    a, b, y = int(m.group(1)), int(m.group(2)), m.group(3)
    year = int(y) + (2000 if len(y) == 2 else 0)
    import calendar

    def day(d, mo):
        return f"{d} {calendar.month_name[mo]} {year}"

    raise InputError(
        f"{file}: the dates in column '{column}' of {table} ({n:,} values, e.g. "
        f"{str(example).strip()}) read both ways: as {day(b, a)} (US, month first, M/D/YYYY) "
        f"or as {day(a, b)} (day first, D/M/YYYY), since no day above 12 tells them apart. "
        f"Say which: inputs: {{{table}: {{date_format: MDY}}}} (or DMY), e.g. "
        f"--set inputs.{table}.date_format=MDY."
    )


def _iso(expr: str, formats: list[str], timestamp: bool) -> str:
    listed = "[" + ", ".join(_lit(f) for f in formats) + "]"
    out = "%Y-%m-%d %H:%M:%S" if timestamp else "%Y-%m-%d"
    return f"coalesce(strftime(try_strptime(trim({expr}), {listed}), {_lit(out)}), {expr})"


def _flag(stage: str, stages: tuple[dict, ...], key: str) -> str:
    cases = " ".join(
        f"WHEN {_lit(fold(s['name']))} THEN {_lit('true' if s[key] else 'false')}" for s in stages
    )
    return f"CASE lower(trim({stage})) {cases} ELSE {stage} END"


#: The reason given for deals whose stage the stage list does not know (flags derived).
UNKNOWN_STAGE = (
    "stage not in pipeline.stages, so whether the deal is closed or won is unknown: add the "
    "stage to pipeline.stages (or map its code with inputs.opportunities.values.stage)"
)
PRICE_MISSING = (
    "missing value (net_revenue is quantity × unit_price: one of them is missing or not a number)"
)


def _footer_lines(raw, reading: Reading) -> None:
    """Drop the one-field footer lines an export writes below its rows (a note says so)."""
    if not reading.footer or raw.malformed is None or not len(raw.malformed):
        return
    text = raw.malformed["value"].fillna("").astype(str).str.strip().str.strip('",; ')
    footer = text.eq("") | text.str.startswith(reading.footer)
    if footer.any():
        raw.notes.append(
            f"{int(footer.sum())} footer line{'s' if footer.sum() > 1 else ''} of the "
            f"{reading.preset.description} skipped"
        )
        raw.malformed = raw.malformed.loc[~footer.to_numpy()].reset_index(drop=True)


def shaped(
    raw, reading: Reading | None, con: duckdb.DuckDBPyConnection, inputs: Inputs, known: set[str]
):
    """``raw`` in the contract's shape (see the module docstring); ``known`` names the tables
    already read into ``con`` (a change log takes unchanged fields from ``opportunities``)."""
    if reading is None:
        return raw
    if reading.footer:
        after = raw.after_read

        def read_and_trim(con, parsed, after=after):
            if after is not None:
                after(con, parsed)
            _footer_lines(raw, reading)

        raw.after_read = read_and_trim
    if reading.long is not None:
        raw = _pivoted(raw, reading, con, "opportunities" in known)
    contract = CONTRACTS[raw.table]
    exprs: dict[str, str] = {n: _q(n) for n in raw.types}
    types = dict(raw.types)
    for column, codes in reading.values.items():
        if column in exprs and codes:
            flag = contract.column(column).type == "bool"
            exprs[column], types[column] = _coded(exprs[column], codes, flag), "VARCHAR"
    for column in contract.columns:
        if column.type not in ("date", "timestamp") or column.name not in exprs:
            continue
        if types[column.name].split("(")[0].upper() != "VARCHAR":
            continue
        fmt = reading.date_formats.get(column.name)
        if fmt is None:
            fmt = detect_order(con, raw.from_sql, column.name, raw.file, raw.table)
            if fmt is not None:
                raw.notes.append(
                    f"dates in {column.name} read {DATE_ORDERS[fmt]} ({fmt}), as the values show"
                )
        formats = _formats(fmt) if fmt else None
        if formats:
            exprs[column.name] = _iso(exprs[column.name], formats, column.type == "timestamp")
            raw.type_reasons[column.name] = (
                f"unparseable date (expected {fmt}{'' if '%' in fmt else ' as declared'}, or YYYY-MM-DD)"
            )
    if raw.table == "opportunities" and inputs.stages and "stage" in exprs:
        for flag, key in (("is_closed", "is_closed"), ("is_won", "is_won")):
            if flag not in exprs:
                exprs[flag], types[flag] = _flag(exprs["stage"], inputs.stages, key), "VARCHAR"
                raw.type_reasons[flag] = UNKNOWN_STAGE
                raw.derived.append(flag)
    if (
        raw.table == "orders"
        and "net_revenue" not in exprs
        and {"unit_price", "quantity"} <= set(exprs)
    ):
        from compass_nb.data.validate import _number

        comma = raw.decimal_comma if reading.decimal is None else reading.decimal == ","
        q = _number(f"CAST({exprs['quantity']} AS VARCHAR)", comma)
        p = _number(f"CAST({exprs['unit_price']} AS VARCHAR)", comma)
        exprs["net_revenue"], types["net_revenue"] = f"CAST(({q}) * ({p}) AS VARCHAR)", "VARCHAR"
        raw.type_reasons["net_revenue"] = PRICE_MISSING
        raw.missing_reasons["net_revenue"] = PRICE_MISSING
        raw.derived.append("net_revenue")
    if reading.decimal is not None:
        raw.decimal_comma, raw.decimal_declared = reading.decimal == ",", True
    changed = {n for n in exprs if exprs[n] != _q(n)}
    if changed:
        ordinal = [raw.ordinal] if raw.ordinal else []
        select = ", ".join([f"{e} AS {_q(n)}" for n, e in exprs.items()] + ordinal)
        raw.from_sql = f"(SELECT {select} FROM {raw.from_sql})"
        raw.types = types
    raw.reading = reading
    return raw


def _pivoted(raw, reading: Reading, con, with_opportunities: bool):
    """A long change log (one row per changed field) as ``opportunity_history`` states.

    One state per opportunity and timestamp at which stage, amount or close date changed,
    each field carried forward from its last change; before its first change a field has
    the value the log says it had (Salesforce's ``OldValue``), else the one ``opportunities``
    holds now when the log never changes it, else its first recorded value. With the
    values before changes, a state at the deal's creation (its ``created_date``) opens the
    history. Rows of other fields are set aside, counted in a note.
    """
    from compass_nb.data.sources import RawTable

    table = raw.table
    long_t = f"long_{table}"
    con.execute(
        f"CREATE OR REPLACE TABLE {long_t} AS SELECT row_number() OVER () - 1 AS __o, "
        f"{', '.join(_q(c) for c in LONG_COLUMNS if c in raw.types)} FROM {raw.from_sql}"
    )
    parsed = con.execute(f"SELECT count(*) FROM {long_t}").fetchall()[0][0]
    if raw.after_read is not None:
        raw.after_read(con, parsed)
    fields = " ".join(
        f"WHEN {_lit(fold(k))} THEN {_lit(v)}" for k, v in reading.long.fields.items()
    )
    old = "old_value" if "old_value" in raw.types else "CAST(NULL AS VARCHAR)"
    stamp = "CAST(changed_at AS VARCHAR)"
    fmt = reading.date_formats.get("changed_at") or detect_order(
        con, f"(SELECT {stamp} AS changed_at FROM {long_t})", "changed_at", raw.file, table
    )
    formats = _formats(fmt) if fmt else None
    parsed_ts = (
        f"coalesce(TRY_CAST({stamp} AS TIMESTAMP), TRY_CAST(TRY_CAST({stamp} AS DATE) AS TIMESTAMP)"
        + (
            f", try_strptime(trim({stamp}), [{', '.join(_lit(f) for f in formats)}]))"
            if formats
            else ")"
        )
    )
    con.execute(
        f"CREATE OR REPLACE TEMP VIEW ch_{table} AS SELECT __o, trim(CAST(opportunity_id AS VARCHAR)) AS id, "
        f"CASE lower(trim(CAST(field AS VARCHAR))) {fields} END AS f, CAST({old} AS VARCHAR) AS old_v, "
        f"CAST(new_value AS VARCHAR) AS new_v, {parsed_ts} AS ts, "
        f"CASE WHEN {parsed_ts} IS NULL THEN {stamp} ELSE strftime({parsed_ts}, '%Y-%m-%d %H:%M:%S.%f') END "
        f"AS at_text FROM {long_t}"
    )
    other = con.execute(
        f"SELECT count(*), any_value(CAST(field AS VARCHAR)) FROM {long_t} l "
        f"JOIN ch_{table} c USING (__o) WHERE c.f IS NULL"
    ).fetchall()[0]
    if other[0]:
        raw.notes.append(
            f"{other[0]:,} change rows of other fields (e.g. {other[1]}) set aside: only stage, "
            "amount and close date changes make the history"
        )
    current = (
        "SELECT id, arg_min(stage, ord) AS stage, arg_min(amount, ord) AS amount, "
        "arg_min(close_date, ord) AS close_date, arg_min(created, ord) AS created FROM ("
        "SELECT trim(CAST(opportunity_id AS VARCHAR)) AS id, CAST(stage AS VARCHAR) AS stage, "
        "CAST(amount AS VARCHAR) AS amount, CAST(close_date AS VARCHAR) AS close_date, "
        "CAST(created_date AS TIMESTAMP) AS created, __compass_ord AS ord "
        "FROM checked_opportunities) GROUP BY id"
        if with_opportunities
        else "SELECT NULL::VARCHAR AS id, NULL::VARCHAR AS stage, NULL::VARCHAR AS amount, "
        "NULL::VARCHAR AS close_date, NULL::TIMESTAMP AS created WHERE false"
    )
    firsts = ", ".join(
        f"arg_min(old_v, (ts, __o)) FILTER (WHERE f = '{f}') AS old_{f}, "
        f"arg_min(new_v, (ts, __o)) FILTER (WHERE f = '{f}') AS first_{f}, "
        f"count(*) FILTER (WHERE f = '{f}') AS n_{f}"
        for f in ("stage", "amount", "close_date")
    )
    initial = ", ".join(
        f"CASE WHEN s.n_{f} = 0 THEN o.{f} ELSE coalesce(s.old_{f}, s.first_{f}) END AS init_{f}"
        for f in ("stage", "amount", "close_date")
    )
    carried = ", ".join(
        f"coalesce(last_value(CASE WHEN f = '{f}' THEN new_v END IGNORE NULLS) OVER w, i.init_{f}) AS {f}"
        for f in ("stage", "amount", "close_date")
    )
    opening = (
        "SELECT i.id, i.created AS ts, strftime(i.created, '%Y-%m-%d %H:%M:%S') AS at_text, "
        "i.init_stage AS stage, i.init_amount AS amount, i.init_close_date AS close_date, "
        "i.first_o AS __src, 0 AS part FROM init i WHERE i.created IS NOT NULL "
        "AND i.created <= i.first_at"
        if reading.long.old_values
        else "SELECT NULL::VARCHAR, NULL::TIMESTAMP, NULL::VARCHAR, NULL::VARCHAR, NULL::VARCHAR, "
        "NULL::VARCHAR, NULL::BIGINT, 0 WHERE false"
    )
    con.execute(
        f"CREATE OR REPLACE TABLE pivot_{table} AS "
        f"WITH seen AS (SELECT id, min(ts) AS first_at, min(__o) AS first_o, {firsts} "
        f"FROM ch_{table} WHERE f IS NOT NULL GROUP BY id), "
        f"init AS (SELECT s.id, s.first_at, s.first_o, o.created, {initial} FROM seen s "
        f"LEFT JOIN ({current}) o ON o.id IS NOT DISTINCT FROM s.id), "
        f"states AS (SELECT c.id, c.ts, c.at_text, {carried}, c.__o AS __src, 1 AS part, "
        f"row_number() OVER (PARTITION BY c.id, c.ts ORDER BY c.__o DESC) AS last_at_time "
        f"FROM ch_{table} c JOIN init i ON i.id IS NOT DISTINCT FROM c.id WHERE c.f IS NOT NULL "
        f"WINDOW w AS (PARTITION BY c.id ORDER BY c.ts, c.__o ROWS UNBOUNDED PRECEDING)) "
        f"SELECT id AS opportunity_id, at_text AS changed_at, stage, amount, close_date, __src, "
        f"row_number() OVER (ORDER BY __src, part) - 1 AS __row FROM ("
        f"SELECT id, ts, at_text, stage, amount, close_date, __src, part FROM states "
        f"WHERE last_at_time = 1 OR ts IS NULL UNION ALL {opening})"
    )
    sources = (
        con.execute(f"SELECT __src FROM pivot_{table} ORDER BY __row").df()["__src"].to_numpy()
    )
    raw.notes.insert(
        0,
        f"{parsed:,} change rows pivoted into {len(sources):,} states of stage, amount and "
        "close date",
    )
    out = RawTable(
        table,
        raw.file,
        f"(SELECT opportunity_id, changed_at, stage, amount, close_date FROM pivot_{table} ORDER BY __row)",
        dict.fromkeys(("opportunity_id", "changed_at", "stage", "amount", "close_date"), "VARCHAR"),
        lambda o, base=raw: base.row_numbers(sources[np.asarray(o, dtype="int64")]),
    )
    out.malformed, out.unit_lines, out.encoding, out.temporary = (
        raw.malformed,
        raw.unit_lines,
        raw.encoding,
        raw.temporary,
    )
    out.decimal_comma, out.notes = raw.decimal_comma, raw.notes
    out.source_rows = int(parsed)
    return out
