"""Where input tables come from: a folder of files, a DuckDB file, a SQL database, the demo.

A :class:`Source` lists the tables it holds and exposes each one to DuckDB as a
:class:`RawTable`: a SQL ``FROM`` expression yielding the rows in source order, the
source's column names mapped to the contract's lower-case names, and a way to turn a
row's ordinal into the row number a person finds in the file. Nothing here checks
values: :mod:`compass_nb.data.validate` does, in DuckDB.

CSV files are read by DuckDB as text (``all_varchar``), with the header parsed here so
that a BOM, a ``;`` delimiter, duplicate or upper-case headers and leading blank lines
are handled before DuckDB sees the file. Lines DuckDB cannot split into the header's
fields are kept as quarantine rows (``malformed line``), never dropped.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import mmap
import os
import re
import tempfile
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow
import pyarrow.parquet

from compass_nb import credentials
from compass_nb.data.contracts import CONTRACTS
from compass_nb.errors import InputError

FILE_SUFFIXES = (".csv", ".parquet", ".xlsx")
DUCKDB_SUFFIXES = (".duckdb", ".ddb", ".db")
_HEAD_BYTES = 1 << 16
_DELIMITERS = (",", ";", "\t", "|")


# -- credentials ----------------------------------------------------------------------------
def mask_credentials(text: str) -> str:
    """``text`` with every credential masked (:func:`compass_nb.credentials.scrub`).

    Examples
    --------
    >>> mask_credentials("postgresql://ana:s3cret@db/sales")
    'postgresql://ana:***@db/sales'
    """
    return credentials.scrub(text)


def _unset_variable(name: str, text: str) -> InputError:
    return InputError(
        f"{text} uses ${{{name}}}, but the environment variable {name} is not set: "
        f"export {name}=... before running."
    )


# -- raw tables -----------------------------------------------------------------------------
@dataclass
class RawTable:
    """One table as the source holds it, ready for DuckDB.

    ``from_sql`` yields the rows in source order with lower-case column names;
    ``types`` maps each of those names to its DuckDB type; ``row_numbers`` maps 0-based
    ordinals of the rows ``from_sql`` yields to the row numbers shown to people;
    ``malformed`` lists lines that could not be split into fields (``row``, ``value``), their
    ``row`` in the reader's numbering, which ``unit_lines`` turns into file lines.
    ``after_read`` runs once the rows have been read (collects CSV rejects). ``ordinal``
    names a column of ``from_sql`` numbering the rows from 0 when the source is read in
    place (Parquet); otherwise the rows are copied into DuckDB and numbered there.
    ``encoding`` is the one a CSV file was read as; ``temporary`` lists files made to read
    it (removed with :func:`remove_temporary`); ``fallback`` gives the same table read by
    Python's csv module, for a file DuckDB's parser refuses.

    Read through a mapping (:mod:`compass_nb.data.mapping`), ``reading`` is how the file
    reads; ``type_reasons`` / ``missing_reasons`` give a column's own reason for a value
    that does not parse or is missing (a declared date format, a derived flag);
    ``decimal_declared`` says the decimal mark was declared (no number is then
    ambiguous); ``notes`` say what the reading did (footer lines skipped, a date order
    detected); ``derived`` names columns computed from others; ``source_rows`` counts the
    rows of a change log before it was pivoted.
    """

    table: str
    file: str
    from_sql: str
    types: dict[str, str]
    row_numbers: Callable[[np.ndarray], np.ndarray]
    decimal_comma: bool = False
    ordinal: str | None = None
    recovered: pd.DataFrame | None = None
    recovered_lines: np.ndarray | None = None
    unit_lines: Callable[[np.ndarray], np.ndarray] = lambda units: np.asarray(units, dtype="int64")
    after_read: Callable[[duckdb.DuckDBPyConnection, int], None] | None = None
    encoding: str | None = None
    temporary: list[Path] = field(default_factory=list)
    fallback: Callable[[duckdb.DuckDBPyConnection], RawTable] | None = None
    reading: object = None
    type_reasons: dict[str, str] = field(default_factory=dict)
    missing_reasons: dict[str, str] = field(default_factory=dict)
    decimal_declared: bool = False
    notes: list[str] = field(default_factory=list)
    derived: list[str] = field(default_factory=list)
    source_rows: int | None = None
    malformed: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(
            {"row": pd.Series(dtype="int64"), "value": pd.Series(dtype="object")}
        )
    )


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def _lowercase_names(table: str, file: str, names: list[str], reading=None) -> list[str]:
    """Header names lower-cased and trimmed; blanks named ``column_<i>``; extra duplicates suffixed.

    With a ``reading`` (:class:`compass_nb.data.mapping.Reading`), mapped headers take their
    contract names first. A duplicated contract column is ambiguous (which one holds the
    data?) and raises.
    """
    out: list[str] = []
    wanted = set(CONTRACTS[table].names) | set(reading.required if reading else ())
    if reading is not None:
        names = reading.rename([str(n) for n in names])
    for i, raw in enumerate(names, start=1):
        name = str(raw).strip().lower() or f"column_{i}"
        if name in out:
            if name in wanted:
                raise InputError(
                    f"{file}: the column '{name}' appears more than once in the header; "
                    "keep one of them (rename or delete the other) and run again."
                )
            n = 2
            while f"{name}_{n}" in out:
                n += 1
            name = f"{name}_{n}"
        out.append(name)
    return out


def require_columns(table: str, file: str, names: list[str], reading=None) -> None:
    """Raise :class:`InputError` when a required contract column is absent from ``names``.

    With a ``reading``, its required columns (a change log's own) count, less those the
    mapping derives (``is_closed``/``is_won`` from the stage list, ``net_revenue`` from the
    unit price), and the message says how the headers were mapped.
    """
    required = list(reading.required) if reading is not None else CONTRACTS[table].required
    derivable = (
        {"is_closed", "is_won"} if table == "opportunities" and reading is not None else set()
    )
    if table == "orders" and "unit_price" in names:
        derivable.add("net_revenue")
    missing = [c for c in required if c not in names and c not in derivable]
    if missing:
        mapped = ""
        if reading is not None:
            preset = f" as a {reading.preset.description}" if reading.preset else ""
            mapped = (
                f" The headers were read{preset}; map the others with inputs.{table}.columns "
                f"(e.g. columns: {{Your Header: {missing[0]}}})."
            )
        raise InputError(
            f"{file}: required column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(repr(m) for m in missing)} missing. The {table} table needs "
            f"{', '.join(required)} (found: {', '.join(names) or 'no columns'}).{mapped}"
        )


def _ordinal_plus(offset: int) -> Callable[[np.ndarray], np.ndarray]:
    return lambda ordinals: np.asarray(ordinals, dtype="int64") + offset


def _nth_not_skipped(ordinals: np.ndarray, first_line: int, skipped: np.ndarray) -> np.ndarray:
    """Line number of the k-th data line, counting from ``first_line`` and jumping ``skipped``."""
    lines = np.asarray(ordinals, dtype="int64") + first_line
    if len(skipped) == 0:
        return lines
    skipped = np.unique(skipped)
    while True:  # each pass adds the skipped lines now known to lie before the row
        moved = (
            np.asarray(ordinals, dtype="int64")
            + first_line
            + np.searchsorted(skipped, lines, side="right")
        )
        if np.array_equal(moved, lines):
            return lines
        lines = moved


# -- CSV: encodings ------------------------------------------------------------------------
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_SIGNATURES = (
    (
        b"\x1f\x8b",
        "a gzip-compressed file: decompress it (e.g. gunzip) and point the source at the .csv",
    ),
    (
        b"PK\x03\x04",
        "a ZIP archive (an Excel workbook or a zipped export): save a workbook as .xlsx, or unzip the export",
    ),
    (b"PAR1", "a Parquet file: rename it to end in .parquet"),
    (b"%PDF", "a PDF document, not a table: export the data as CSV"),
    (b"\xd0\xcf\x11\xe0", "an old-style Excel (.xls) workbook: save it as .xlsx or CSV"),
    (b"SQLite format 3", "an SQLite database: point the source at it as sqlite:///path"),
)
_SINGLE_BYTE_HINTS = ("cp1252", "latin-1")


def check_encoding(encoding: str, what: str = "encoding") -> str:
    """``encoding`` if Python knows the codec; :class:`InputError` naming ``what`` otherwise."""
    try:
        codecs.lookup(str(encoding))
    except LookupError:
        raise InputError(
            f"Unknown encoding {encoding!r} ({what}): use a Python codec name such as utf-8, "
            "latin-1 or cp1252."
        ) from None
    return str(encoding)


def encoding_for(encoding: str | dict, table: str) -> str:
    """The encoding setting of ``table``: ``encoding`` itself, or its entry in a table mapping.

    ``encoding`` is one codec name for every file, or a mapping table → codec name, where
    the key ``default`` (else UTF-8) covers the tables not named.
    """
    if isinstance(encoding, dict):
        unknown = [k for k in encoding if k != "default" and k not in CONTRACTS]
        if unknown:
            raise InputError(
                f"The encoding setting names {unknown[0]!r}, which is not an input table: use "
                f"table names ({', '.join(sorted(CONTRACTS)[:4])}, ...) or 'default'."
            )
        chosen = encoding.get(table, encoding.get("default", "utf-8"))
        return check_encoding(chosen, f"encoding of {table}")
    return check_encoding(encoding or "utf-8")


def _is_utf8(encoding: str) -> bool:
    return codecs.lookup(check_encoding(encoding)).name in ("utf-8", "utf-8-sig")


def _bom(head: bytes) -> str | None:
    return next((codec for bom, codec in _BOMS if head.startswith(bom)), None)


def _utf16_without_bom(head: bytes) -> str | None:
    """``utf-16-le`` / ``utf-16-be`` when the bytes look like UTF-16 text with no BOM."""
    sample = head[: len(head) // 2 * 2]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    zero_even, zero_odd = even.count(0) / len(even), odd.count(0) / len(odd)
    if zero_odd > 0.3 and zero_even < 0.05:
        return "utf-16-le"
    if zero_even > 0.3 and zero_odd < 0.05:
        return "utf-16-be"
    return None


def _not_text(head: bytes) -> str | None:
    """What the file is, when its first bytes say it is not a text table."""
    for signature, what in _SIGNATURES:
        if head.startswith(signature):
            return what
    # control bytes other than blanks and NUL (a NUL-padded field is still text)
    control = sum(head.count(bytes([b])) for b in range(1, 32) if b not in (9, 10, 12, 13))
    if head and (control > len(head) // 20 or head.count(0) > len(head) * 0.3):
        return "binary data, not text: export the table as CSV (UTF-8) and try again"
    return None


def _single_byte_hint(raw: bytes) -> str:
    """The single-byte encoding most likely to have written ``raw``."""
    return "cp1252" if re.search(rb"[\x80-\x9f]", raw) else "latin-1"


def _encoding_advice(table: str, codec: str) -> str:
    return (
        f"Set the encoding of this file, e.g. --set encoding.{table}={codec} (or, in the "
        f"parameters file, encoding: {{{table}: {codec}}}); the other files keep theirs."
    )


def _decode_error(
    file: str, table: str, encoding: str, line: int | None, sample: bytes
) -> InputError:
    where = f" (line {line})" if line else ""
    if _is_utf8(encoding):
        advice = _encoding_advice(table, _single_byte_hint(sample))
    else:
        advice = (
            f"It is not {encoding} either; check the encoding the file was saved in, or save "
            "it again as UTF-8 (the default)."
        )
    shown = "utf-8" if _is_utf8(encoding) else encoding
    return InputError(
        f"{file}: the bytes{where} are not valid {shown} text. {advice} (Text that is "
        "valid UTF-8 is always read as UTF-8.)"
    )


def _valid_utf8(path: Path) -> bool:
    """Whether the whole file decodes as UTF-8 (streamed)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with open(path, "rb") as fh:
        try:
            for chunk in iter(lambda: fh.read(1 << 22), b""):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return True


def _line_endings(path: Path) -> tuple[bool, bool]:
    """(mixed, has_cr): whether the file mixes ``\r\n`` with bare ``\n`` or ``\r`` line ends."""
    if path.stat().st_size == 0:
        return False, False
    with open(path, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        if mm.find(b"\r") < 0:
            return False, False
        crlf, lf, cr = (_count(mm, needle) for needle in (b"\r\n", b"\n", b"\r"))
    return not (crlf == lf == cr), True


def _count(mm: mmap.mmap, needle: bytes) -> int:
    total, step = 0, 1 << 26
    for start in range(0, len(mm), step):
        chunk = mm[start : start + step + len(needle) - 1]
        total += chunk.count(needle) - (chunk[step:].count(needle) if len(chunk) > step else 0)
    return total


def _temporary_csv() -> tempfile._TemporaryFileWrapper:
    return tempfile.NamedTemporaryFile(prefix="compass-", suffix=".csv", delete=False)


def _utf8_copy(path: Path, file: str, table: str, encoding: str) -> Path:
    """A UTF-8 copy of a file saved in another encoding, with ``\n`` line ends (streamed).

    A BOM is dropped (also a UTF-8 BOM ahead of text in another encoding).
    """
    out = _temporary_csv()
    decoder = codecs.getincrementaldecoder(encoding)()
    line, carry = 1, ""
    try:
        with open(path, "rb") as src, out:
            first = src.read(len(codecs.BOM_UTF8))
            if first != codecs.BOM_UTF8 or codecs.lookup(encoding).name.startswith("utf-8"):
                src.seek(0)
            for chunk in iter(lambda: src.read(1 << 20), b""):
                text = carry + decoder.decode(chunk)
                carry = "\r" if text.endswith("\r") else ""
                text = text[:-1] if carry else text
                text = text.replace("\r\n", "\n").replace("\r", "\n")
                out.write(text.lstrip("\ufeff").encode() if line == 1 else text.encode())
                line += text.count("\n")
            out.write((carry.replace("\r", "\n") + decoder.decode(b"", final=True)).encode())
    except UnicodeError:
        os.unlink(out.name)
        with open(path, "rb") as fh:
            raise _decode_error(file, table, encoding, line, fh.read(_HEAD_BYTES)) from None
    return Path(out.name)


def _unified_line_ends(path: Path) -> Path:
    """A copy of a UTF-8 file with every ``\r\n`` and bare ``\r`` written as ``\n``."""
    out = _temporary_csv()
    with open(path, "rb") as src, out:
        carry = b""
        for chunk in iter(lambda: src.read(1 << 22), b""):
            chunk = carry + chunk
            carry = b"\r" if chunk.endswith(b"\r") else b""
            chunk = chunk[:-1] if carry else chunk
            out.write(chunk.replace(b"\r\n", b"\n").replace(b"\r", b"\n"))
        out.write(b"\n" if carry else b"")
    return Path(out.name)


@dataclass
class Readable:
    """A CSV file as DuckDB will read it: UTF-8 with one kind of line end."""

    path: Path
    encoding: str
    temporary: bool = False


def readable_csv(path: Path, table: str, encoding: str) -> Readable:
    """Decide how to read one CSV file, and make a UTF-8 copy when DuckDB cannot read it as is.

    In order: a BOM decides (UTF-8, UTF-16, UTF-32); UTF-16 without a BOM is recognised by
    its zero bytes; compressed, archived or binary files are refused with what they are;
    a file that is valid UTF-8 is read as UTF-8 whatever the setting (a single-byte
    setting would garble its accents); otherwise the table's encoding setting. A file
    mixing line ends (rows appended by another tool) is read with them unified.
    """
    file = path.name
    with open(path, "rb") as fh:
        head = fh.read(_HEAD_BYTES)
    if not head.strip():
        raise InputError(f"{file} is empty: expected a header line and data rows.")
    codec = _bom(head) or _utf16_without_bom(head)
    if codec is None:
        what = _not_text(head)
        if what:
            raise InputError(f"{file} is {what}.")
    if codec in (None, "utf-8-sig") and not _is_utf8(encoding):
        codec = (codec or "utf-8") if _valid_utf8(path) else encoding
    codec = codec or "utf-8"
    if codecs.lookup(codec).name not in ("utf-8", "utf-8-sig"):
        return Readable(_utf8_copy(path, file, table, codec), codec, temporary=True)
    mixed, _ = _line_endings(path)
    if mixed:
        return Readable(_unified_line_ends(path), codec, temporary=True)
    return Readable(path, codec)


def _header(path: Path, file: str, table: str, encoding: str) -> tuple[str, int, str]:
    """The header line (BOM removed), how many blank lines precede it, and its delimiter.

    ``path`` is UTF-8 (see :func:`readable_csv`); ``encoding`` is what the file was
    read as, for the message when it is not valid.
    """
    with open(path, "rb") as fh:
        head = fh.read(_HEAD_BYTES)
    if not head.strip():
        raise InputError(f"{file} is empty: expected a header line and data rows.")
    try:
        text = head.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        if len(head) < _HEAD_BYTES or err.start < len(head) - 4:
            line = head[: err.start].count(b"\n") + 1
            raise _decode_error(file, table, encoding, line, head) from None
        text = head[: err.start].decode("utf-8-sig")  # the read stopped inside a character
    lines = text.splitlines()
    blank = 0
    while blank < len(lines) and not lines[blank].strip():
        blank += 1
    header = lines[blank].lstrip("\ufeff")
    if "\ufffd" in header:
        raise _decode_error(file, table, encoding, blank + 1, head)
    if any(ch < " " and ch != "\t" for ch in header):
        raise InputError(
            f"{file}: the header line (line {blank + 1}) holds control characters (such as a NUL "
            "byte): save the file again with plain column names in its first line."
        )
    sample = (
        header if any(d in header for d in _DELIMITERS) else "\n".join(lines[blank : blank + 5])
    )
    counts = {d: sample.count(d) for d in _DELIMITERS}
    delimiter = max(counts, key=lambda d: (counts[d], d == ","))
    return header, blank, delimiter


def _has_byte(path: Path, needles: tuple[bytes, ...]) -> bool:
    if path.stat().st_size == 0:
        return False
    with open(path, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        return any(mm.find(n) >= 0 for n in needles)


def _line_layout(path: Path) -> tuple[int, np.ndarray]:
    """How many lines the file has, and the numbers of its empty lines (numpy, chunked)."""
    size = path.stat().st_size
    blank: list[np.ndarray] = []
    lines, previous_end, chunk_size = 0, -1, 1 << 26
    with open(path, "rb") as fh:
        offset = 0
        while chunk := fh.read(chunk_size):
            ends = np.flatnonzero(np.frombuffer(chunk, dtype=np.uint8) == 10) + offset
            starts = (
                np.r_[previous_end + 1, ends[:-1] + 1] if len(ends) else np.array([], dtype="int64")
            )
            length = ends - starts
            empty = length == 0
            if (length == 1).any():
                one = np.flatnonzero(length == 1)
                empty[one] = (
                    np.frombuffer(chunk, dtype=np.uint8)[starts[one] - offset] == 13
                    if ((starts[one] >= offset).all())
                    else empty[one]
                )
            blank.append(np.flatnonzero(empty) + lines + 1)
            lines += len(ends)
            if len(ends):
                previous_end = int(ends[-1])
            offset += len(chunk)
    if size and previous_end != size - 1:
        lines += 1
    return lines, np.concatenate(blank) if blank else np.array([], dtype="int64")


def _units(path: Path, delimiter: str) -> tuple[np.ndarray, np.ndarray]:
    """Physical first line and blankness of every record or blank line (Python's csv module).

    DuckDB numbers lines in these units (a quoted line break does not start a new one).
    """
    starts: list[int] = []
    blank: list[bool] = []
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh, delimiter=delimiter)
        previous_end = 0
        for record in reader:
            starts.append(previous_end + 1)
            blank.append(not record)
            previous_end = reader.line_num
    return np.asarray(starts, dtype="int64"), np.asarray(blank, dtype=bool)


class _ExactLines:
    """Row numbers of a file with quoted line breaks or blank lines, from a csv-module scan."""

    def __init__(self, path: Path, delimiter: str, header_unit: int, rejected_units: np.ndarray):
        self.starts, blank = _units(path, delimiter)
        index = np.arange(len(self.starts))
        data = (index > header_unit) & ~blank & ~np.isin(index + 1, rejected_units)
        self.data_starts = self.starts[data]

    def line_of_unit(self, units: np.ndarray) -> np.ndarray:
        """Physical line of DuckDB's 1-based line (unit) numbers."""
        units = np.asarray(units, dtype="int64")
        inside = (units >= 1) & (units <= len(self.starts))
        return np.where(
            inside, self.starts[np.clip(units - 1, 0, max(len(self.starts) - 1, 0))], units
        )

    def rows(self, ordinals: np.ndarray) -> np.ndarray:
        """Physical line of each accepted-by-the-parser row's ordinal."""
        return self.data_starts[np.asarray(ordinals, dtype="int64")]


def _fields(line: str, delimiter: str) -> list[str]:
    """The fields of one CSV record (blank lines before it skipped); [] when it does not parse."""
    try:
        records = csv.reader(io.StringIO(line, newline=""), delimiter=delimiter)
        return next((r for r in records if r), [])
    except csv.Error:
        return []


_READ_AS = {"date": "TIMESTAMP", "timestamp": "TIMESTAMP", "float": "DOUBLE"}


def csv_table(
    table: str,
    path: Path,
    encoding: str,
    con: duckdb.DuckDBPyConnection,
    typed: bool = False,
    mapping=None,
) -> RawTable:
    """A CSV file as a :class:`RawTable`, read by DuckDB's parallel CSV reader.

    By default every column is read as text (the validator parses it). ``typed`` reads
    dates and numbers as such, as fast as DuckDB can, numbering rows as they stream; a
    line whose value does not convert is set aside in ``recovered`` (its fields as text)
    for the validator to judge the slow way.
    """
    file = path.name
    if path.stat().st_size == 0:
        raise InputError(f"{file} is empty: expected a header line and data rows.")
    read_as = readable_csv(path, table, encoding)
    temporary = [read_as.path] if read_as.temporary else []
    try:
        header, blank, delimiter = _header(read_as.path, file, table, read_as.encoding)
        headers = next(csv.reader([header], delimiter=delimiter))
        reading = mapping.reading(headers) if mapping is not None else None
        names = _lowercase_names(table, file, headers, reading)
        require_columns(table, file, names, reading)
    except BaseException:
        _remove(temporary)
        raise
    readable = read_as.path
    rejects = f"rejects_{table}"
    contract = CONTRACTS[table]
    types = {
        n: _READ_AS.get(contract.column(n).type, "VARCHAR")
        if typed and n in contract.names and reading is None
        else "VARCHAR"
        for n in names
    }
    columns = "{" + ", ".join(f"{_literal(n)}: {_literal(t)}" for n, t in types.items()) + "}"
    options = ", ignore_errors=true" if typed else ""
    if typed and delimiter == ";":
        options += ", decimal_separator=','"
    from_sql = (
        f"read_csv({_literal(str(readable))}, columns={columns}, header=true, skip={blank}, "
        f"delim={_literal(delimiter)}, quote='\"', escape='\"', auto_detect=false, "
        f"store_rejects=true, rejects_table={_literal(rejects)}, "
        f"rejects_scan={_literal(rejects + '_scan')}, strict_mode=true, max_line_size=16777216{options})"
    )
    if typed:
        from_sql = f"(SELECT row_number() OVER () - 1 AS __compass_ord, * FROM {from_sql})"
    raw = RawTable(table, file, from_sql, types, _ordinal_plus(0), decimal_comma=delimiter == ";")
    raw.ordinal = "__compass_ord" if typed else None
    raw.encoding, raw.temporary = read_as.encoding, temporary
    raw.reading = reading
    raw.fallback = lambda con: python_csv_table(
        table, file, readable, delimiter, names, con, read_as.encoding, temporary, reading
    )

    def collect_rejects(con: duckdb.DuckDBPyConnection, parsed: int) -> None:
        found = con.sql(
            f"SELECT line, any_value(error_type) AS error, any_value(csv_line) AS value, "
            f"bool_and(error_type = 'CAST') AS cast_only FROM {rejects} GROUP BY line ORDER BY line"
        ).df()
        if (found["error"] == "INVALID ENCODING").any():
            line = int(found.loc[found["error"] == "INVALID ENCODING", "line"].iloc[0])
            with open(path, "rb") as fh:
                raise _decode_error(file, table, read_as.encoding, line, fh.read(_HEAD_BYTES))
        blank_rejects = found["value"].fillna("").str.strip() == ""
        fields = [_fields(str(v), delimiter) for v in found["value"]]
        recover = found["cast_only"].fillna(False).to_numpy() & np.array(
            [len(f) == len(names) for f in fields], dtype=bool
        )
        kept = ~blank_rejects.to_numpy() & ~recover
        raw.malformed = pd.DataFrame(
            {
                "row": found.loc[kept, "line"].astype("int64").to_numpy(),
                "value": found.loc[kept, "value"].to_numpy(),
            }
        )
        raw.recovered = pd.DataFrame(
            [f for f, r in zip(fields, recover, strict=True) if r], columns=names, dtype=object
        )
        raw.recovered_lines = found.loc[recover, "line"].astype("int64").to_numpy()
        skipped = found["line"].astype("int64").to_numpy()
        first_line = blank + 2
        needs_scan = _has_byte(readable, (b"\n\n", b"\n\r\n", b'"', b"\r\r"))
        exact: dict[str, _ExactLines | np.ndarray | None] = {}

        def layout() -> None:  # runs only when a row number is shown
            lines, blank_lines = _line_layout(readable)
            units = (
                blank + 1 + parsed + len(np.unique(skipped)) + int((blank_lines > blank + 1).sum())
            )
            if lines == units:  # no quoted line breaks: DuckDB's lines are the file's lines
                exact["skipped"] = np.union1d(skipped, blank_lines[blank_lines >= first_line])
            else:
                scan = _ExactLines(readable, delimiter, blank, skipped)
                exact["lines"] = scan if len(scan.data_starts) == parsed else None

        def rows(ordinals: np.ndarray) -> np.ndarray:
            if needs_scan and not exact:
                layout()
            if exact.get("lines") is not None:
                return exact["lines"].rows(ordinals)
            return _nth_not_skipped(ordinals, first_line, exact.get("skipped", skipped))

        def unit_lines(units: np.ndarray) -> np.ndarray:
            if needs_scan and not exact:
                layout()
            if exact.get("lines") is not None:
                return exact["lines"].line_of_unit(units)
            return np.asarray(units, dtype="int64")

        raw.row_numbers, raw.unit_lines = rows, unit_lines
        _drop_rejects(con)

    def _drop_rejects(con: duckdb.DuckDBPyConnection) -> None:
        con.execute(f"DROP TABLE IF EXISTS {rejects}; DROP TABLE IF EXISTS {rejects}_scan")

    raw.after_read = collect_rejects
    return raw


def python_csv_table(
    table: str,
    file: str,
    path: Path,
    delimiter: str,
    names: list[str],
    con: duckdb.DuckDBPyConnection,
    encoding: str | None = None,
    temporary: list[Path] | None = None,
    reading=None,
) -> RawTable:
    """A CSV file read by Python's csv module: the fallback when DuckDB's parser refuses it.

    Slower, and lenient where DuckDB is strict; records with the wrong number of fields
    are kept as malformed lines, blank lines skipped, rows numbered by their first line.
    """
    rows, lines, bad_lines, bad_values = [], [], [], []
    with open(path, encoding="utf-8-sig", newline="", errors="replace") as fh:
        reader = csv.reader(fh, delimiter=delimiter)
        previous, header_seen = 0, False
        for record in reader:
            start, previous = previous + 1, reader.line_num
            if not record or all(not f.strip() for f in record) and len(record) <= 1:
                continue
            if not header_seen:
                header_seen = True
                continue
            if len(record) == len(names):
                rows.append(record)
                lines.append(start)
            else:
                bad_lines.append(start)
                bad_values.append(delimiter.join(record))
    frame = pd.DataFrame(rows, columns=names, dtype=object)
    raw = frame_table(table, file, frame, con, rows=np.asarray(lines, dtype="int64"))
    raw.reading = reading
    raw.decimal_comma = delimiter == ";"
    raw.encoding, raw.temporary = encoding, list(temporary or [])
    raw.malformed = pd.DataFrame(
        {"row": np.asarray(bad_lines, dtype="int64"), "value": pd.Series(bad_values, dtype=object)}
    )
    return raw


def _remove(paths: list[Path]) -> None:
    for path in paths:
        Path(path).unlink(missing_ok=True)


def remove_temporary(raw: RawTable) -> None:
    """Delete the files made to read ``raw`` (UTF-8 copies)."""
    _remove(raw.temporary)
    raw.temporary = []


# -- Parquet, Excel, frames -----------------------------------------------------------------
def _describe(con: duckdb.DuckDBPyConnection, from_sql: str) -> list[tuple[str, str]]:
    return [(r[0], r[1]) for r in con.execute(f"DESCRIBE SELECT * FROM {from_sql}").fetchall()]


def _renamed(
    table: str, file: str, from_sql: str, described: list[tuple[str, str]], reading=None
) -> tuple[str, dict]:
    """A ``SELECT`` renaming the source's columns to their lower-case (or mapped) names."""
    names = _lowercase_names(table, file, [n for n, _ in described], reading)
    require_columns(table, file, names, reading)
    select = ", ".join(
        f"{_quote(src)} AS {_quote(dst)}" for (src, _), dst in zip(described, names, strict=True)
    )
    return f"(SELECT {select} FROM {from_sql})", {
        dst: t for (_, t), dst in zip(described, names, strict=True)
    }


def _parquet_names(path: Path, described: list[tuple[str, str]]) -> list[str]:
    """The column names as the file spells them (DuckDB's own suffix a case-folded duplicate)."""
    try:
        return pyarrow.parquet.read_schema(path).names
    except (pyarrow.ArrowException, OSError):
        return [n for n, _ in described]


def parquet_table(table: str, path: Path, con: duckdb.DuckDBPyConnection, mapping=None) -> RawTable:
    """A Parquet file as a :class:`RawTable`, left in place; rows numbered from 1 in file order."""
    from_sql = f"read_parquet({_literal(str(path))})"
    try:
        described = _describe(con, from_sql)
    except duckdb.Error:
        raise InputError(
            f"{path.name} cannot be read as Parquet (a damaged or truncated file, or one without "
            "columns): re-export it as Parquet or CSV."
        ) from None
    numbered = f"read_parquet({_literal(str(path))}, file_row_number=true)"
    reading = mapping.reading([n for n, _ in described]) if mapping is not None else None
    # DuckDB renames a second 'SKU' beside 'sku' to 'SKU_1': check the file's own names
    _lowercase_names(table, path.name, _parquet_names(path, described), reading)
    select, types = _renamed(table, path.name, numbered, described, reading)
    select = select.replace(" FROM ", ", file_row_number AS __compass_ord FROM ", 1)
    raw = RawTable(table, path.name, select, types, _ordinal_plus(1))
    raw.ordinal, raw.reading = "__compass_ord", reading
    return raw


def frame_table(
    table: str,
    file: str,
    frame: pd.DataFrame,
    con: duckdb.DuckDBPyConnection,
    first_row: int = 1,
    rows=None,
    mapping=None,
) -> RawTable:
    """An in-memory DataFrame as a :class:`RawTable` (registered in DuckDB, read in order)."""
    view = f"frame_{table}"
    headers = [str(c) for c in frame.columns]
    reading = mapping.reading(headers) if mapping is not None else None
    frame = frame.set_axis(_lowercase_names(table, file, headers, reading), axis=1)
    con.register(view, frame)
    if reading is not None:
        require_columns(table, file, list(frame.columns), reading)
    select, types = _renamed(
        table, file, view, _describe(con, view), reading if reading is None else _AS_READ
    )
    numbers = (
        _ordinal_plus(first_row)
        if rows is None
        else (lambda o: np.asarray(rows)[np.asarray(o, dtype="int64")])
    )
    raw = RawTable(table, file, select, types, numbers)
    raw.reading = reading
    return raw


class _AsRead:
    """A reading that keeps names as they are and requires nothing (already checked)."""

    required: tuple[str, ...] = ()
    preset = None

    def rename(self, names: list[str]) -> list[str]:
        return names


_AS_READ = _AsRead()


def excel_table(table: str, path: Path, con: duckdb.DuckDBPyConnection, mapping=None) -> RawTable:
    """The first sheet of an ``.xlsx`` file, read as text; rows numbered as Excel shows them."""
    try:
        sheet = pd.read_excel(
            path, dtype=str, header=None, keep_default_na=False, engine="openpyxl"
        )
    except Exception as err:  # openpyxl raises many types for a damaged file
        raise InputError(
            f"{path.name} cannot be read as an Excel workbook ({type(err).__name__}: {err}); "
            "save it again as .xlsx or export the sheet as CSV."
        ) from None
    filled = (
        (sheet.fillna("").map(str).apply(lambda col: col.str.strip()) != "").any(axis=1).to_numpy()
    )
    if not filled.any():
        raise InputError(
            f"{path.name} is empty: expected a header row and data rows on the first sheet."
        )
    header_at = int(filled.argmax())
    rows = [i for i in range(header_at + 1, len(sheet)) if filled[i]]
    frame = sheet.iloc[rows].reset_index(drop=True)
    frame.columns = [str(c) for c in sheet.iloc[header_at].fillna("")]
    return frame_table(
        table, path.name, frame, con, rows=np.asarray(rows, dtype="int64") + 1, mapping=mapping
    )


# -- sources --------------------------------------------------------------------------------
class Source(ABC):
    """A place holding input tables. Subclasses implement :meth:`names`, :meth:`raw`, fingerprints."""

    label: str

    @abstractmethod
    def names(self) -> list[str]:
        """The input tables this source holds."""

    @abstractmethod
    def raw(
        self, table: str, con: duckdb.DuckDBPyConnection, encoding: str, mapping=None
    ) -> RawTable:
        """``table`` exposed to ``con``, its headers read through ``mapping`` (a
        :class:`~compass_nb.data.mapping.TableMapping`) when given."""

    @abstractmethod
    def fingerprint(self, table: str) -> str:
        """sha256 of ``table``'s content as the source holds it."""

    def close(self, con: duckdb.DuckDBPyConnection) -> None:  # noqa: B027 - optional hook, no-op by default
        """Release what :meth:`raw` attached to ``con``."""

    def today(self) -> pd.Timestamp:
        """The source's today: an event dated later is in the future (the clock's date)."""
        return pd.Timestamp.today().normalize()


def _sha256_file(path: Path) -> str:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


class FolderSource(Source):
    """A folder of ``<table>.csv`` / ``.parquet`` / ``.xlsx`` files.

    ``aliases`` maps other file names (or stems, e.g. ``OpportunityFieldHistory``) to the
    table they hold: the ``file`` of an ``inputs`` entry, or the name a preset's system
    gives its export. A file named after its table wins over an alias.
    """

    def __init__(self, folder: Path, aliases: dict[str, str] | None = None):
        self.folder = folder
        self.label = str(folder)
        self.files: dict[str, Path] = {}
        named = {k.strip().casefold(): v for k, v in (aliases or {}).items()}
        stems = {p.stem.strip().lower() for p in folder.iterdir()}
        for path in sorted(folder.iterdir()):
            if path.name.startswith((".", "~$")) or path.suffix.lower() not in FILE_SUFFIXES:
                continue
            name = path.stem.strip().lower()
            alias = named.get(path.name.strip().casefold()) or named.get(
                path.stem.strip().casefold()
            )
            if name not in CONTRACTS and alias is not None and alias not in stems:
                name = alias
            if name not in CONTRACTS:
                raise InputError(
                    f"{path.name} in {folder} does not name an input table. Rename it to one of "
                    f"{', '.join(sorted(CONTRACTS))} (plus .csv, .parquet or .xlsx), or move it out of the folder."
                )
            if name in self.files:
                raise InputError(
                    f"{folder} holds both {self.files[name].name} and {path.name} for the {name} "
                    "table; keep one of them."
                )
            self.files[name] = path

    def names(self) -> list[str]:
        return list(self.files)

    def raw(
        self, table: str, con: duckdb.DuckDBPyConnection, encoding: str, mapping=None
    ) -> RawTable:
        path = self.files[table]
        suffix = path.suffix.lower()
        if suffix == ".csv":
            return csv_table(table, path, encoding, con, mapping=mapping)
        if suffix == ".parquet":
            return parquet_table(table, path, con, mapping)
        return excel_table(table, path, con, mapping)

    def fingerprint(self, table: str) -> str:
        return _sha256_file(self.files[table])


class DuckDBSource(Source):
    """A DuckDB database file whose tables carry the input tables' names."""

    def __init__(self, path: Path):
        self.path = path
        self.label = str(path)
        try:
            with duckdb.connect(str(path), read_only=True) as con:
                found = [
                    r[0]
                    for r in con.execute(
                        "SELECT table_name FROM information_schema.tables"
                    ).fetchall()
                ]
        except duckdb.Error:
            raise InputError(
                f"{path} cannot be opened as a DuckDB database (damaged, written by a newer "
                "DuckDB, or locked by another program): close the program using it, or export "
                "the tables as CSV or Parquet."
            ) from None
        self.tables = {n.lower(): n for n in found if n.lower() in CONTRACTS}

    def names(self) -> list[str]:
        return list(self.tables)

    def _attach(self, con: duckdb.DuckDBPyConnection) -> None:
        if not con.execute(
            "SELECT 1 FROM duckdb_databases() WHERE database_name = 'compass_src'"
        ).fetchall():
            con.execute(f"ATTACH {_literal(str(self.path))} AS compass_src (READ_ONLY)")

    def raw(
        self, table: str, con: duckdb.DuckDBPyConnection, encoding: str, mapping=None
    ) -> RawTable:
        self._attach(con)
        from_sql = f"compass_src.{_quote(self.tables[table])}"
        described = _describe(con, from_sql)
        reading = mapping.reading([n for n, _ in described]) if mapping is not None else None
        select, types = _renamed(table, f"{self.path.name}:{table}", from_sql, described, reading)
        raw = RawTable(table, f"{self.path.name}:{table}", select, types, _ordinal_plus(1))
        raw.reading = reading
        return raw

    def fingerprint(self, table: str) -> str:
        with duckdb.connect(str(self.path), read_only=True) as con:
            row = con.execute(
                f"SELECT count(*), coalesce(sum(hash(t)), 0) FROM {_quote(self.tables[table])} AS t"
            ).fetchall()[0]
        return hashlib.sha256(f"{table}:{row[0]}:{row[1]}".encode()).hexdigest()

    def close(self, con: duckdb.DuckDBPyConnection) -> None:  # noqa: B027 - optional hook, no-op by default
        if con.execute(
            "SELECT 1 FROM duckdb_databases() WHERE database_name = 'compass_src'"
        ).fetchall():
            con.execute("DETACH compass_src")


def _frame_hash(frame: pd.DataFrame) -> str:
    digest = hashlib.sha256(",".join(map(str, frame.columns)).encode())
    digest.update(pd.util.hash_pandas_object(frame.astype(str), index=False).to_numpy().tobytes())
    return digest.hexdigest()


def _first_line(error: Exception) -> str:
    """The driver's own first line of ``error``, masked (its details and links dropped)."""
    text = str(error).strip().splitlines()
    return mask_credentials(text[0] if text else type(error).__name__)


class SQLSource(Source):
    """A database reached by a SQLAlchemy URL; ``${VAR}`` in the URL come from the environment."""

    def __init__(self, url: str):
        import sqlalchemy as sa

        self.label = mask_credentials(url)
        try:
            self.engine = sa.create_engine(
                _with_driver(credentials.expand_env(url, _unset_variable))
            )
            found = sa.inspect(self.engine).get_table_names()
        except InputError:
            raise
        except Exception as err:
            raise InputError(f"Cannot connect to {self.label}: {_first_line(err)}") from None
        self.tables = {n.lower(): n for n in found if n.lower() in CONTRACTS}
        self._frames: dict[str, pd.DataFrame] = {}
        #: PostgreSQL runs the validation and monthly aggregation of orders itself
        #: (:mod:`compass_nb.data.pushdown`).
        self.pushdown = self.engine.dialect.name == "postgresql"

    def names(self) -> list[str]:
        return list(self.tables)

    def frame(self, table: str) -> pd.DataFrame:
        """The table read whole through SQLAlchemy (cached): for :func:`load`, whose clean
        tables the steps use row by row."""
        if table not in self._frames:
            try:
                self._frames[table] = pd.read_sql_table(self.tables[table], self.engine)
            except Exception as err:
                raise InputError(
                    f"{self.label}: cannot read table {table}: {_first_line(err)}"
                ) from None
        return self._frames[table]

    def raw(
        self, table: str, con: duckdb.DuckDBPyConnection, encoding: str, mapping=None
    ) -> RawTable:
        return frame_table(table, f"{self.label}#{table}", self.frame(table), con, mapping=mapping)

    def fingerprint(self, table: str) -> str:
        if self.pushdown:  # hashed where the rows are: no table is read for its fingerprint
            from compass_nb.data.pushdown import fingerprint_in_database

            return fingerprint_in_database(self, table)
        return _frame_hash(self.frame(table))


def _with_driver(url: str) -> str:
    """``url`` with a PostgreSQL driver that is installed: ``postgresql://`` means psycopg2 to
    SQLAlchemy; without it, psycopg (3), which Compass installs, is named."""
    if not url.startswith(("postgresql://", "postgres://")):
        return url
    try:
        import psycopg2  # noqa: F401
    except ImportError:
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


class DemoSource(Source):
    """The built-in demo company, generated in memory (``demo`` or ``demo:small``)."""

    def __init__(self, profile: str):
        self.profile = profile
        self.label = "demo" if profile == "full" else f"demo:{profile}"

    def frames(self) -> dict[str, pd.DataFrame]:
        """Every demo table (the generator caches them)."""
        from compass_nb.data import demo

        return demo.generate(self.profile)

    def names(self) -> list[str]:
        from compass_nb.data import demo

        return [t for t in getattr(demo, "TABLES", None) or self.frames() if t in CONTRACTS]

    def raw(
        self, table: str, con: duckdb.DuckDBPyConnection, encoding: str, mapping=None
    ) -> RawTable:
        return frame_table(
            table, f"{self.label}/{table}", self.frames()[table], con, mapping=mapping
        )

    def fingerprint(self, table: str) -> str:
        return hashlib.sha256(f"{self.label}:{demo_version()}:{table}".encode()).hexdigest()

    def today(self) -> pd.Timestamp:
        """The demo company's today: its last day of history (2026-11-15), whatever the clock."""
        from compass_nb.data import demo

        return pd.Timestamp(demo.END).normalize()


class FrameSource(Source):
    """Tables held in memory (table name → DataFrame), e.g. a test's or a notebook's own."""

    def __init__(self, frames: dict[str, pd.DataFrame], label: str = "frames"):
        unknown = [t for t in frames if t not in CONTRACTS]
        if unknown:
            raise InputError(
                f"{unknown[0]!r} is not an input table: use {', '.join(sorted(CONTRACTS))}."
            )
        self.frames = dict(frames)
        self.label = label

    def names(self) -> list[str]:
        return list(self.frames)

    def raw(
        self, table: str, con: duckdb.DuckDBPyConnection, encoding: str, mapping=None
    ) -> RawTable:
        return frame_table(table, f"{self.label}/{table}", self.frames[table], con, mapping=mapping)

    def fingerprint(self, table: str) -> str:
        return _frame_hash(self.frames[table])


def demo_version() -> str:
    """The demo generator's version (the package version unless the generator names one)."""
    from compass_nb import __version__
    from compass_nb.data import demo

    return str(getattr(demo, "GENERATOR_VERSION", getattr(demo, "__version__", __version__)))


def open_source(
    source: str | os.PathLike | dict | Source, aliases: dict[str, str] | None = None
) -> Source:
    """The :class:`Source` named by ``source``: ``demo[:profile]``, a folder, a DuckDB file, a
    URL, or a mapping of table names to DataFrames. ``aliases`` names the files of a folder
    not named after their table (see :class:`FolderSource`)."""
    if isinstance(source, Source):
        return source
    if isinstance(source, dict):
        return FrameSource(source)
    text = str(source)
    if text == "demo" or text.startswith("demo:"):
        return DemoSource(text.partition(":")[2] or "full")
    if "://" in text:
        return SQLSource(text)
    path = Path(text).expanduser()
    if path.is_dir():
        return FolderSource(path, aliases)
    if path.is_file() and (path.suffix.lower() in DUCKDB_SUFFIXES or _is_duckdb_file(path)):
        return DuckDBSource(path)
    if path.is_file():
        raise InputError(
            f"{path} is a single file; point the source at the folder holding the table files "
            f"({', '.join(sorted(CONTRACTS)[:3])}, ... as .csv, .parquet or .xlsx), or at a DuckDB file."
        )
    raise InputError(
        f"The source {mask_credentials(text)!s} does not exist: give demo, demo:small, a folder of "
        "table files, a DuckDB file or a SQLAlchemy URL."
    )


def _is_duckdb_file(path: Path) -> bool:
    with open(path, "rb") as fh:
        return fh.read(16)[8:12] == b"DUCK"


__all__ = [
    "RawTable",
    "Source",
    "FolderSource",
    "DuckDBSource",
    "SQLSource",
    "DemoSource",
    "FrameSource",
    "open_source",
    "mask_credentials",
    "require_columns",
]
