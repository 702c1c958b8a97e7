"""Validation with quarantine, run inside DuckDB.

A table's :class:`~compass_nb.data.contracts.Contract` becomes one ``SELECT`` that parses
every column with ``TRY_CAST`` and gives each row a fault code (the first check it fails,
in contract column order; ``NULL`` when it passes). CSV and in-memory tables are read
once into DuckDB through it; Parquet files are read in place. Identifiers are then given
one spelling each, working on their distinct values (:func:`canonical_spellings`). One
more pass records the rejected rows in ``faults_<table>`` — per-column faults,
references to keys no row of the referenced table holds (a join against its checked
rows: the key column alone decides), the contract's cross-table rules — then the rows
of groups that disagree and, for tables with a key, every later repeat of a key. The
clean view is the checked rows minus those.

How rows are counted: a row with several faults is quarantined **once**, with its first
fault (columns in contract order; per-column checks first, then references, then the
contract's rules, then groups that disagree, then the key). Fix it and a later fault, if
any, shows on the next load. So, per table, ``rows_accepted + quarantined rows ==
rows_read`` always, where ``rows_read`` counts every non-blank data line of the file,
including lines that could not be split into fields (quarantined as ``malformed line``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import duckdb
import numpy as np
import pandas as pd

from compass_nb.data.contracts import NULL_TOKENS, Column, Contract
from compass_nb.data.sources import RawTable, _literal, _quote

QUARANTINE_COLUMNS = ["table", "file", "row", "column", "value", "reason"]
FAULT = "__compass_fault"
ORDINAL = "__compass_ord"
CODE = "__compass_code"
REASON_VALUE = "__compass_shown"
VALUE = "__compass_value"
VALUE_CHARS = 500
MALFORMED = "malformed line (wrong number of fields)"
DATE_RANGE = ("1900-01-01", "2199-12-31")
_NUMERIC = (
    "TINYINT",
    "SMALLINT",
    "INTEGER",
    "BIGINT",
    "HUGEINT",
    "FLOAT",
    "DOUBLE",
    "DECIMAL",
    "UTINYINT",
    "USMALLINT",
    "UINTEGER",
    "UBIGINT",
    "UHUGEINT",
)
_TRUE = ("true", "t", "1", "yes", "y", "1.0")
_FALSE = ("false", "f", "0", "no", "n", "0.0")
_COUNTED_QUANTITIES = ("quantity", "on_hand", "capacity_units", "invited")
#: Characters trimmed from a short value before it is compared with the missing spellings.
_BLANKS = (0, 9, 10, 11, 12, 13, 32, 160, 8203, 65279)
#: A single separator followed by three digits: ``1.234`` (or ``1,234``) reads as a
#: thousand and as a decimal, and is refused rather than guessed.
AMBIGUOUS = "ambiguous number (one separator before three digits reads as thousands or decimals)"


@dataclass
class Fault:
    """What a fault code means: the column shown in the quarantine and the reason."""

    column: str
    reason: str


@dataclass
class TableCheck:
    """The outcome of validating one table: counts, and the faults its codes stand for."""

    table: str
    file: str
    checked: str
    clean: str
    columns: list[str]
    faults: list[Fault]
    raw: RawTable
    rows_read: int = 0
    rows_accepted: int = 0
    spellings: dict[str, dict[str, str]] = field(default_factory=dict)
    view_sql: str = ""
    ordered: str | None = None


# -- SQL expressions ------------------------------------------------------------------------
def _base(duck_type: str) -> str:
    return duck_type.split("(")[0].strip().upper()


def _tokens() -> str:
    return ", ".join(_literal(t) for t in NULL_TOKENS)


def _is_text(duck_type: str) -> bool:
    return _base(duck_type) == "VARCHAR"


def _blanks() -> str:
    return " || ".join(f"chr({c})" for c in _BLANKS)


def _normalised(
    name: str, duck_type: str, target: str = "str", column: Column | None = None
) -> str:
    """The source column, with missing-value spellings turned into NULL where it is cheap.

    Text headed for a typed column is left as it is: a spelling such as ``NaN`` fails to
    parse and is recognised as missing only on those rare rows (see :func:`column_checks`),
    which keeps the ten-million-row path free of string work. Text kept as text is
    compared with the spellings only when it is short enough to be one (a lone NUL or
    tab counts as blank). Identifiers are trimmed of spaces (other blanks and case are
    settled per distinct value, see :func:`canonical_spellings`); values of a column
    with allowed values are matched trimmed and ignoring case. Other text is not
    trimmed: ``" A"`` stays ``" A"``.
    """
    col = _quote(name)
    base = _base(duck_type)
    if base == "VARCHAR" and target == "str":
        longest = max(len(t) for t in NULL_TOKENS) + 2
        text = f"trim({col})" if column is not None and column.ident else col
        if column is not None and column.allowed:
            cases = " ".join(
                f"WHEN {_literal(v.lower())} THEN {_literal(v)}" for v in column.allowed
            )
            text = f"CASE lower(trim({col})) {cases} ELSE {col} END"
        return (
            f"CASE WHEN strlen({col}) <= {longest} AND trim({col}, {_blanks()}) IN ({_tokens()}) "
            f"THEN NULL ELSE {text} END"
        )
    if base in ("DOUBLE", "FLOAT"):
        return f"CASE WHEN isnan({col}) THEN NULL ELSE {col} END"
    return col


#: A currency sign or ISO code, and the blanks that group digits (``$1,234.50``,
#: ``1 234,50 €``, ``USD 1,234.50``), stripped from a number that does not parse as it is.
_MONEY_MARKS = "[$€£¥₹₩₽¤\\s\u00a0\u202f]|^[A-Za-z]{3}\\s*|\\s*[A-Za-z]{3}$"


def _bare(n: str) -> str:
    """``n`` without currency signs, ISO codes and grouping blanks (``€ 1 234,50`` → ``1234,50``)."""
    return f"regexp_replace({n}, '{_MONEY_MARKS}', '', 'g')"


def _number(n: str, decimal_comma: bool) -> str:
    """``n`` (text) as a number, read in the file's convention, currency marks aside.

    The decimal mark is ``,`` in a ``;``-delimited file and ``.`` otherwise; the other mark
    groups thousands (``1.234,5``; ``1,234.5``) when it is followed by groups of three
    digits, and is read as the decimal mark when it cannot be a thousands separator
    (``1.5`` in a decimal-comma file). One separator before exactly three digits is
    ambiguous (:data:`AMBIGUOUS`, quarantined by :func:`column_checks`). A value that does
    not parse is read again without currency signs or codes and grouping blanks
    (``$1,234.50``, ``USD 1,234.50``, ``1 234,50 €``).
    """
    plain = _plain_number(n, decimal_comma)
    return f"coalesce({plain}, CASE WHEN {n} IS NOT NULL THEN {_plain_number(_bare(n), decimal_comma)} END)"


def _plain_number(n: str, decimal_comma: bool) -> str:
    """``n`` (text) as a number in the file's convention (see :func:`_number`)."""
    mark, group = (",", ".") if decimal_comma else (".", ",")
    plain = f"TRY_CAST({n} AS DOUBLE)"
    grouped = f"[+-]?[1-9][0-9]{{0,2}}(\\{group}[0-9]{{3}})+(\\{mark}[0-9]*)?"
    ungrouped = f"TRY_CAST(replace(replace(trim({n}), '{group}', ''), '{mark}', '.') AS DOUBLE)"
    other = f"TRY_CAST(replace({n}, '{group}', '.') AS DOUBLE)"
    separated = (
        f"contains({n}, ',')"
        if not decimal_comma
        else f"(contains({n}, ',') OR contains({n}, '.'))"
    )
    if decimal_comma:
        tail = (
            f"WHEN contains({n}, ',') THEN TRY_CAST(replace({n}, ',', '.') AS DOUBLE) ELSE {plain}"
        )
    else:
        tail = f"ELSE {other}"
    return (
        f"CASE WHEN NOT {separated} THEN {plain} "
        f"WHEN regexp_full_match(trim({n}), '{grouped}') THEN {ungrouped} {tail} END"
    )


def _ambiguous(n: str, decimal_comma: bool) -> str:
    group = "." if decimal_comma else ","
    pattern = f"'[+-]?[1-9][0-9]{{0,2}}\\{group}[0-9]{{3}}'"
    return (
        f"(regexp_full_match(trim({n}), {pattern}) OR (NOT regexp_full_match(trim({n}), "
        f"'[0-9.,+-]*') AND regexp_full_match({_bare(n)}, {pattern})))"
    )


#: Excel's day 0 (serial dates count days from it, 1900 leap-year bug included) and the
#: serials read as dates: five digits, 1927-05-18 to 2173-10-14.
EXCEL_EPOCH = "1899-12-30"


def _excel_serial(n: str) -> str:
    """``n`` (text) as the date an Excel serial number stands for, ``NULL`` for other text."""
    return (
        f"CASE WHEN regexp_full_match(trim({n}), '[1-9][0-9]{{4}}(\\.[0-9]+)?') THEN "
        f"DATE '{EXCEL_EPOCH}' + CAST(floor(CAST(trim({n}) AS DOUBLE)) AS INTEGER) END"
    )


def _parsed_text(column: Column, n: str, decimal_comma: bool) -> str:
    """``n`` (text) parsed as ``column``'s type; NULL when it does not parse."""
    if column.type == "date":
        return (
            f"coalesce(TRY_CAST({n} AS DATE), TRY_CAST(TRY_CAST({n} AS TIMESTAMP) AS DATE), "
            f"{_excel_serial(n)})"
        )
    if column.type == "timestamp":
        serial = (
            f"{_excel_serial(n)} + to_microseconds(CAST(round((TRY_CAST(trim({n}) AS DOUBLE) "
            f"% 1) * 86400e6) AS BIGINT))"
        )
        return f"coalesce(TRY_CAST({n} AS TIMESTAMP), {serial})"
    if column.type == "float":
        return f"nullif({_number(n, decimal_comma)}, 'NaN'::DOUBLE)"
    if column.type == "bool":
        yes = ", ".join(_literal(v) for v in _TRUE)
        no = ", ".join(_literal(v) for v in _FALSE)
        return f"CASE WHEN lower({n}) IN ({yes}) THEN true WHEN lower({n}) IN ({no}) THEN false END"
    if column.type == "period":
        return (
            f"CASE WHEN regexp_full_match({n}, '[0-9]{{4}}-(0[1-9]|1[0-2])') THEN {n} "
            f"ELSE strftime(TRY_CAST({n} AS DATE), '%Y-%m') END"
        )
    return n


def _parsed(column: Column, n: str, duck_type: str, decimal_comma: bool) -> str:
    """``n`` (a normalised source column of ``duck_type``) as ``column``'s type."""
    base = _base(duck_type)
    temporal = base == "DATE" or base.startswith("TIMESTAMP")
    if column.type == "str":
        return n if base == "VARCHAR" else f"CAST({n} AS VARCHAR)"
    if base == "VARCHAR":
        return _parsed_text(column, n, decimal_comma)
    if column.type == "date" and temporal:
        return f"CAST({n} AS DATE)"
    if column.type == "timestamp" and temporal:
        return f"CAST({n} AS TIMESTAMP)"
    if column.type == "period" and temporal:
        return f"strftime({n}, '%Y-%m')"
    if column.type == "float" and base in _NUMERIC:
        return f"CAST({n} AS DOUBLE)"
    if column.type == "bool" and base == "BOOLEAN":
        return n
    if column.type == "bool" and base in _NUMERIC:
        return f"CASE WHEN {n} = 1 THEN true WHEN {n} = 0 THEN false END"
    return _parsed_text(column, f"CAST({n} AS VARCHAR)", decimal_comma)


_OUTPUT_TYPE = {
    "str": "VARCHAR",
    "period": "VARCHAR",
    "date": "DATE",
    "timestamp": "TIMESTAMP",
    "float": "DOUBLE",
    "bool": "BOOLEAN",
}
_TYPE_REASON = {
    "date": "unparseable date (expected YYYY-MM-DD)",
    "timestamp": "unparseable timestamp (expected YYYY-MM-DD[ HH:MM:SS])",
    "period": "unparseable period (expected YYYY-MM)",
    "float": "wrong type (expected a number)",
    "bool": "wrong type (expected true or false)",
}


def _bound(value: float) -> str:
    """A bound as people write it: ``1,000,000,000,000``, ``0.5``."""
    return f"{value:,.0f}" if float(value).is_integer() and abs(value) < 1e16 else f"{value:g}"


def _below(column: Column) -> str:
    if column.min == 0 and column.name in _COUNTED_QUANTITIES:
        return "negative quantity"
    return f"out of range (below {_bound(column.min)})"


def future_reason(today: str) -> str:
    """The quarantine reason of an event dated after ``today`` (``YYYY-MM-DD``)."""
    return f"dated in the future (after today, {today})"


def _future(column: Column, t: str, today: str) -> str:
    """SQL: ``t`` (the parsed cut-off column) lies after ``today`` (one day's grace for time zones)."""
    if column.type == "period":
        return f"{t} > {_literal(today[:7])}"
    grace = (pd.Timestamp(today) + pd.Timedelta(days=2)).date().isoformat()
    return f"{t} >= TIMESTAMP '{grace}'"


def column_checks(
    column: Column,
    n: str,
    t: str,
    text: bool = False,
    *,
    decimal_comma: bool = False,
    today: str | None = None,
    type_reason: str | None = None,
    missing_reason: str | None = None,
    declared: bool = False,
) -> list[tuple[str, Fault]]:
    """(SQL condition, fault) pairs for one contract column, in the order they are tried.

    ``n`` is the source value, ``t`` the parsed one; ``text`` says the source is text
    parsed into a typed column, where a missing-value spelling (``NaN``, ``NULL``...) is
    told apart from a wrong type only on rows that failed to parse, and where a number
    may be ambiguous (``1.234``). ``today`` (``YYYY-MM-DD``) is given for the column that
    cuts the table off: a value after it is in the future. ``type_reason`` and
    ``missing_reason`` replace the usual reasons (a declared date format, a derived
    column); ``declared`` says the file's decimal mark was declared, so that no number
    is ambiguous.
    """
    name = column.name
    checks: list[tuple[str, Fault]] = []
    spelled_missing = f"trim({n}) IN ({_tokens()})"
    typed_text = text and column.type != "str"
    if column.required:
        missing = (
            f"{n} IS NULL OR ({t} IS NULL AND {spelled_missing})" if typed_text else f"{n} IS NULL"
        )
        checks.append((missing, Fault(name, missing_reason or "missing value")))
    if typed_text and column.type == "float" and not declared:
        checks.append(
            (f"{n} IS NOT NULL AND {_ambiguous(n, decimal_comma)}", Fault(name, AMBIGUOUS))
        )
    if column.type != "str":
        wrong = f"{n} IS NOT NULL AND {t} IS NULL"
        checks.append(
            (
                f"{wrong} AND NOT ({spelled_missing})" if typed_text else wrong,
                Fault(name, type_reason or _TYPE_REASON[column.type]),
            )
        )
    if column.type == "float":
        checks.append((f"isinf({t})", Fault(name, "out of range (not a finite number)")))
    if column.integer:
        checks.append((f"{t} <> round({t})", Fault(name, "wrong type (expected a whole number)")))
    if column.type in ("date", "timestamp"):
        low, high = DATE_RANGE
        checks.append(
            (
                f"({t} < DATE '{low}' OR {t} > DATE '{high}')",
                Fault(name, f"out of range (dates {low} to {high})"),
            )
        )
    if today is not None:
        checks.append((_future(column, t, today), Fault(name, future_reason(today))))
    if column.min is not None:
        checks.append((f"{t} < {column.min!r}", Fault(name, _below(column))))
    if column.max is not None:
        checks.append(
            (f"{t} > {column.max!r}", Fault(name, f"out of range (above {_bound(column.max)})"))
        )
    if column.allowed:
        allowed = ", ".join(_literal(v) for v in column.allowed)
        checks.append(
            (
                f"{t} NOT IN ({allowed})",
                Fault(name, f"value not allowed (expected one of {', '.join(column.allowed)})"),
            )
        )
    return checks


def _as_text(alias: str, duck_type: str) -> str:
    """A source value as text for the quarantine (whole doubles without a trailing ``.0``)."""
    if _base(duck_type) in ("DOUBLE", "FLOAT"):
        return f"regexp_replace(CAST({alias} AS VARCHAR), '\\.0$', '')"
    return f"CAST({alias} AS VARCHAR)"


def checked_sql(
    contract: Contract, raw: RawTable, today: str | None = None
) -> tuple[str, list[Fault], dict[int, str]]:
    """The ``SELECT`` that parses ``raw`` and gives every row its first fault code.

    ``today`` (``YYYY-MM-DD``) makes the table's cut-off column refuse later dates.
    Returns the SQL, the faults (code ``i + 1`` is ``faults[i]``) and, per code, the
    SQL of the source value shown in the quarantine.
    """
    present = [c for c in contract.columns if c.name in raw.types]
    extras = [n for n in raw.types if n not in contract.names]
    norm = [
        f"{_normalised(c.name, raw.types[c.name], c.type, c)} AS __cn{i}"
        for i, c in enumerate(present)
    ]
    keep = [_quote(n) for n in extras] + ([ORDINAL] if raw.ordinal else [])
    level1 = f"SELECT {', '.join(norm + keep)} FROM {raw.from_sql}"
    typed = [
        f"{_parsed(c, f'__cn{i}', raw.types[c.name], raw.decimal_comma)} AS __ct{i}"
        for i, c in enumerate(present)
    ]
    level2 = f"SELECT *, {', '.join(typed)} FROM ({level1})" if typed else level1
    faults: list[Fault] = []
    whens: list[str] = []
    shown: dict[int, str] = {}
    for i, c in enumerate(present):
        for condition, fault in column_checks(
            c,
            f"__cn{i}",
            f"__ct{i}",
            _is_text(raw.types[c.name]),
            decimal_comma=raw.decimal_comma,
            today=today if c.name == contract.cutoff else None,
            type_reason=raw.type_reasons.get(c.name),
            missing_reason=raw.missing_reasons.get(c.name),
            declared=raw.decimal_declared,
        ):
            faults.append(fault)
            whens.append(f"WHEN {condition} THEN {len(faults)}")
            shown[len(faults)] = _as_text(f"__cn{i}", raw.types[c.name])
    for group in contract.one_of:
        idx = [i for i, c in enumerate(present) if c.name in group]
        condition = " AND ".join(f"__cn{i} IS NULL" for i in idx) or "true"
        faults.append(
            Fault(" or ".join(group), f"missing value (one of {', '.join(group)} is required)")
        )
        whens.append(f"WHEN {condition} THEN {len(faults)}")
    fault = f"CASE {' '.join(whens)} END" if whens else "CAST(NULL AS INTEGER)"
    level3 = f"SELECT *, {fault} AS {FAULT} FROM ({level2})"
    value_cases = " ".join(f"WHEN {code} THEN {text}" for code, text in shown.items())
    value = f"CASE {FAULT} {value_cases} END" if value_cases else "CAST(NULL AS VARCHAR)"
    outputs = []
    for c in contract.columns:
        if c.name in raw.types:
            outputs.append(f"__ct{present.index(c)} AS {_quote(c.name)}")
        else:
            outputs.append(f"CAST(NULL AS {_OUTPUT_TYPE[c.type]}) AS {_quote(c.name)}")
    outputs += keep + [FAULT, f"{value} AS {VALUE}"]
    return f"SELECT {', '.join(outputs)} FROM ({level3})", faults, shown


# -- running the checks ---------------------------------------------------------------------
def check_table(
    con: duckdb.DuckDBPyConnection, contract: Contract, raw: RawTable, today: str | None = None
) -> TableCheck:
    """Parse ``raw`` into ``checked_<table>``: typed columns, a fault code and an ordinal per row.

    Text and in-memory sources are read once into a table (re-reading a CSV costs a full
    parse); a Parquet file stays where it is, ``checked_<table>`` being a view over it with
    the file's row number as ordinal. ``today`` (``YYYY-MM-DD``) refuses events dated later.
    """
    sql, faults, _ = checked_sql(contract, raw, today)
    table = contract.table
    checked, clean = f"checked_{table}", f"clean_{table}"
    if raw.ordinal is None:
        con.execute(f"CREATE OR REPLACE TABLE checked_rows_{table} AS {sql}")
        con.execute(
            f"CREATE OR REPLACE VIEW {checked} AS SELECT rowid AS {ORDINAL}, * FROM checked_rows_{table}"
        )
    else:
        con.execute(f"CREATE OR REPLACE VIEW {checked} AS {sql}")
    if raw.after_read is not None:
        raw.after_read(con, con.execute(f"SELECT count(*) FROM {checked}").fetchall()[0][0])
    columns = contract.names + [n for n in raw.types if n not in contract.names]
    return TableCheck(table, raw.file, checked, clean, columns, faults, raw, view_sql=sql)


# -- identifiers: one spelling each ---------------------------------------------------------
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]")


def clean_ident(value: str) -> str:
    """An identifier without control or invisible characters and surrounding blanks."""
    return _CONTROL.sub("", value).strip()


def ident_fold(value: str) -> str:
    """What two spellings of one identifier share: cleaned and case-folded."""
    return clean_ident(value).casefold()


def spelling_map(
    values: pd.DataFrame, vocabulary: dict[str, str], *, known_only: bool = False
) -> dict[str, str]:
    """Raw spelling → canonical spelling, for the spellings that change.

    ``values`` holds each distinct raw spelling (``value``) with the position of its first
    row (``first``); ``vocabulary`` maps folds already spelt by earlier tables (and earlier
    columns) to their spelling, and gains this column's new ones, spelt as first seen.
    With ``known_only`` (a column referencing a master table) only folds the vocabulary
    knows are respelt: an unknown value stays as written, to be quarantined as it is. A
    spelling that cleans to nothing is left alone.
    """
    changed: dict[str, str] = {}
    new: dict[str, str] = {}
    ordered = sorted(zip(values["value"], values["first"], strict=True), key=lambda v: v[1])
    for value, _ in ordered:
        cleaned = clean_ident(value)
        if not cleaned:
            continue
        fold = cleaned.casefold()
        canon = vocabulary.get(fold)
        if canon is None:
            if known_only:
                continue
            canon = new.setdefault(fold, cleaned)
        if canon != value:
            changed[value] = canon
    for fold, spelling in new.items():
        vocabulary.setdefault(fold, spelling)
    return changed


def referencing_columns(contract: Contract, loaded: set[str] | dict) -> set[str]:
    """Columns of ``contract`` checked against a master table that is loaded."""
    return {c for r in contract.references if r.table in loaded for c in r.columns}


def canonical_spellings(
    con: duckdb.DuckDBPyConnection,
    contract: Contract,
    check: TableCheck,
    vocabularies: dict[str, dict[str, str]],
    masters: set[str] | dict = frozenset(),
) -> None:
    """Rewrite each identifier of ``check`` to its one spelling (see :class:`Column` ``ident``).

    Works on the distinct values (cheap); rows are touched only when some spelling
    changes. ``vocabularies`` (vocabulary → fold → spelling) carries the spellings of the
    tables validated before; ``masters`` names the loaded tables, so that a column
    referencing one takes its master's spelling.
    """
    referencing = referencing_columns(contract, masters)
    idents = [c for c in contract.columns if c.ident and c.name in check.raw.types]
    if not idents:
        return
    sets = ", ".join(f"({_quote(c.name)})" for c in idents)
    names = ", ".join(_quote(c.name) for c in idents)
    found = con.sql(
        f"SELECT {names}, min({ORDINAL}) AS first FROM {check.checked} "
        f"GROUP BY GROUPING SETS ({sets})"
    ).df()
    for column in idents:
        values = found.loc[found[column.name].notna(), [column.name, "first"]]
        changed = spelling_map(
            values.rename(columns={column.name: "value"}),
            vocabularies.setdefault(column.ident, {}),
            known_only=column.name in referencing,
        )
        check.spellings[column.name] = changed
        if changed:
            _respell(con, check, column.name, changed)


def _respell(
    con: duckdb.DuckDBPyConnection, check: TableCheck, column: str, changed: dict[str, str]
) -> None:
    mapping = pd.DataFrame({"raw": list(changed), "canon": list(changed.values())})
    con.register("__compass_spellings", mapping)
    col = _quote(column)
    try:
        if check.raw.ordinal is None:
            con.execute(
                f"UPDATE checked_rows_{check.table} AS c SET {col} = m.canon "
                f"FROM __compass_spellings AS m WHERE c.{col} = m.raw"
            )
        else:  # a file read in place: the view maps the spellings as it reads
            table = f"spellings_{check.table}_{column}"
            con.execute(
                f"CREATE OR REPLACE TABLE {_quote(table)} AS SELECT * FROM __compass_spellings"
            )
            check.view_sql = (
                f"SELECT c.* REPLACE (coalesce(m.canon, c.{col}) AS {col}) FROM ({check.view_sql}) "
                f"AS c LEFT JOIN {_quote(table)} AS m ON c.{col} = m.raw ORDER BY c.{ORDINAL}"
            )
            con.execute(f"CREATE OR REPLACE VIEW {check.checked} AS {check.view_sql}")
    finally:
        con.unregister("__compass_spellings")


# -- faults across rows and tables ----------------------------------------------------------
def _shown(columns: tuple[str, ...] | list[str], alias: str = "c") -> str:
    return " || ' / ' || ".join(
        f"coalesce(CAST({alias}.{_quote(c)} AS VARCHAR), '')" for c in columns
    )


def row_faults_sql(
    contract: Contract,
    faults: list[Fault],
    checked: str,
    keys: dict[str, str],
    clean: dict[str, str] | None = None,
) -> str:
    """``SELECT`` of every checked row with its final fault code and shown value.

    The code is the row's first per-column fault, else its first reference to a value
    that no row of the referenced table holds as its key (``keys`` maps the tables
    validated so far to their checked rows: the key column alone decides, not the rest
    of the referenced row), else its first failed :class:`~compass_nb.data.contracts.Rule`
    (reading ``clean``, table → clean view). The faults of the references and rules are
    appended to ``faults``.
    """
    clean = clean or {}
    joins, whens, values = [], [], []
    for i, ref in enumerate(r for r in contract.references if r.table in keys):
        faults.append(Fault(", ".join(ref.columns), ref.reason))
        cols = ", ".join(f"{_quote(to)} AS k{j}" for j, to in enumerate(ref.to_columns))
        known = " AND ".join(f"{_quote(to)} IS NOT NULL" for to in ref.to_columns)
        match = " AND ".join(f"c.{_quote(col)} = r{i}.k{j}" for j, col in enumerate(ref.columns))
        joins.append(
            f"LEFT JOIN (SELECT DISTINCT {cols}, true AS hit FROM {keys[ref.table]} WHERE {known}) "
            f"AS r{i} ON {match}"
        )
        present = " AND ".join(f"c.{_quote(col)} IS NOT NULL" for col in ref.columns)
        whens.append(f"WHEN {present} AND r{i}.hit IS NULL THEN {len(faults)}")
        values.append(f"WHEN {present} AND r{i}.hit IS NULL THEN {_shown(ref.columns)}")
    for rule in contract.rules:
        if not all(t in clean for t in rule.needs):
            continue
        faults.append(Fault(rule.column, rule.reason))
        condition = rule.condition.format(**{t: clean[t] for t in rule.needs})
        whens.append(f"WHEN coalesce({condition}, false) THEN {len(faults)}")
        values.append(f"WHEN coalesce({condition}, false) THEN {_shown([rule.column])}")
    code = f"CASE WHEN c.{FAULT} IS NOT NULL THEN c.{FAULT} {' '.join(whens)} END"
    value = f"CASE WHEN c.{FAULT} IS NOT NULL THEN c.{VALUE} {' '.join(values)} END"
    return f"SELECT c.*, {code} AS {CODE}, {value} AS {REASON_VALUE} FROM {checked} AS c {' '.join(joins)}"


def _not_faulted(faults: str) -> str:
    return (
        f"c.{FAULT} IS NULL AND NOT EXISTS (SELECT 1 FROM {faults} AS f WHERE f.ord = c.{ORDINAL})"
    )


def record_faults(
    con: duckdb.DuckDBPyConnection,
    contract: Contract,
    check: TableCheck,
    keys: dict[str, str],
    clean: dict[str, str] | None = None,
) -> None:
    """Collect the rejected rows of one table into ``faults_<table>`` (ordinal, code, value).

    One pass finds each row's first per-column fault or, failing that, its first reference
    to a key missing from the referenced table (``keys``: table → checked rows of the
    tables validated so far; a table the source lacks is not checked) or its first failed
    rule (``clean``: table → clean view). Then, among the rows still standing, every row
    of a group that disagrees (:class:`~compass_nb.data.contracts.Agree`) and, for tables
    with a key, every later row repeating a key. The clean view is the checked rows
    minus those ordinals.
    """
    faults = f"faults_{check.table}"
    rows = row_faults_sql(contract, check.faults, check.checked, keys, clean)
    con.execute(
        f"CREATE OR REPLACE TABLE {faults} AS SELECT {ORDINAL} AS ord, {CODE} AS code, "
        f"{REASON_VALUE} AS value FROM ({rows}) WHERE {CODE} IS NOT NULL"
    )
    for agree in contract.agree:
        if not all(c in check.raw.types for c in (*agree.group, agree.column)):
            continue
        check.faults.append(Fault(agree.column, agree.reason))
        group = ", ".join(f"c.{_quote(g)}" for g in agree.group)
        col = f"c.{_quote(agree.column)}"
        con.execute(
            f"INSERT INTO {faults} SELECT ord, {len(check.faults)}, value FROM (SELECT c.{ORDINAL} AS ord, "
            f"{_shown([agree.column])} AS value, count(DISTINCT {col}) OVER (PARTITION BY {group}) AS n "
            f"FROM {check.checked} AS c WHERE {_not_faulted(faults)}) WHERE n > 1"
        )
    if contract.key:
        check.faults.append(Fault(", ".join(contract.key), "duplicate key"))
        keys_sql = ", ".join(f"c.{_quote(k)}" for k in contract.key)
        con.execute(
            f"INSERT INTO {faults} SELECT ord, {len(check.faults)}, value FROM (SELECT c.{ORDINAL} AS ord, "
            f"{_shown(contract.key)} AS value, row_number() OVER (PARTITION BY {keys_sql} ORDER BY c.{ORDINAL}) "
            f"AS seen FROM {check.checked} AS c WHERE {_not_faulted(faults)}) WHERE seen > 1"
        )
    _clean_view(con, check, faults)


def _clean_view(con: duckdb.DuckDBPyConnection, check: TableCheck, faults: str) -> None:
    """``clean_<table>``: the checked rows without the faulted ones.

    A copied table carries each row's final fault code (rows faulted across rows or
    tables are marked in place, a handful), so the view is a plain filter and keeps the
    rows in the order of the file. A file read in place is filtered by an anti-join, which
    does not keep the order; ``ordered_<table>`` adds the row number to sort by
    (:attr:`TableCheck.ordered`), for the frames that need it.
    """
    select = ", ".join(f"c.{_quote(col)}" for col in check.columns)
    if check.raw.ordinal is None:
        con.execute(
            f"UPDATE checked_rows_{check.table} AS c SET {FAULT} = f.code FROM {faults} AS f "
            f"WHERE c.rowid = f.ord AND c.{FAULT} IS NULL"
        )
        where = f"c.{FAULT} IS NULL"
    else:
        where = f"NOT EXISTS (SELECT 1 FROM {faults} AS f WHERE f.ord = c.{ORDINAL})"
        check.ordered = f"ordered_{check.table}"
        con.execute(
            f"CREATE OR REPLACE VIEW {check.ordered} AS SELECT {select}, c.{ORDINAL} "
            f"FROM {check.checked} AS c WHERE {where}"
        )
    con.execute(
        f"CREATE OR REPLACE VIEW {check.clean} AS SELECT {select} FROM {check.checked} AS c "
        f"WHERE {where}"
    )


def count_rows(con: duckdb.DuckDBPyConnection, check: TableCheck) -> None:
    """Fill ``rows_read`` and ``rows_accepted`` from the checked rows, faults and malformed lines."""
    parsed = con.execute(f"SELECT count(*) FROM {check.checked}").fetchall()[0][0]
    rejected = con.execute(f"SELECT count(*) FROM faults_{check.table}").fetchall()[0][0]
    check.rows_read = int(parsed) + len(check.raw.malformed)
    check.rows_accepted = int(parsed) - int(rejected)


def quarantine_rows(con: duckdb.DuckDBPyConnection, check: TableCheck) -> pd.DataFrame:
    """The quarantined rows of one table: ``table, file, row, column, value, reason``."""
    bad = con.sql(f"SELECT ord, code, value FROM faults_{check.table} ORDER BY ord").df()
    return quarantine_frame(
        check, bad["ord"].to_numpy(), bad["code"].to_numpy(), bad["value"].astype(object).to_numpy()
    )


def quarantine_frame(check: TableCheck, ordinals, codes, values) -> pd.DataFrame:
    """Quarantine rows from ordinals, fault codes and shown values, plus the malformed lines."""
    faults = [check.faults[int(code) - 1] for code in codes]
    ordinals = np.asarray(ordinals, dtype="int64")
    rows = check.raw.row_numbers(ordinals) if len(ordinals) else np.array([], dtype="int64")
    frame = pd.DataFrame(
        {
            "table": check.table,
            "file": check.file,
            "row": np.asarray(rows, dtype="int64"),
            "column": [f.column for f in faults],
            "value": np.asarray(values, dtype=object),
            "reason": [f.reason for f in faults],
        }
    )
    malformed = check.raw.malformed
    if len(malformed):
        frame = pd.concat(
            [
                frame,
                pd.DataFrame(
                    {
                        "table": check.table,
                        "file": check.file,
                        "row": check.raw.unit_lines(malformed["row"].astype("int64").to_numpy()),
                        "column": "",
                        "value": malformed["value"].astype(object).to_numpy(),
                        "reason": MALFORMED,
                    }
                ),
            ],
            ignore_index=True,
        ).sort_values("row", kind="stable", ignore_index=True)
    frame["value"] = frame["value"].map(_shortened, na_action="ignore")
    return frame[QUARANTINE_COLUMNS]


def _shortened(value: object) -> str:
    text = str(value)
    return text if len(text) <= VALUE_CHARS else text[: VALUE_CHARS - 1] + "…"


def empty_quarantine() -> pd.DataFrame:
    """A quarantine with no rows and the documented columns."""
    return pd.DataFrame(
        {c: pd.Series(dtype="int64" if c == "row" else "object") for c in QUARANTINE_COLUMNS}
    )
