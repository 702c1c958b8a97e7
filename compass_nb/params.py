"""Parameters: defaults, a user's file, ``--set`` overrides; validated before anything runs.

``parameters/default.yaml`` holds every knob with a comment, and is also the schema: a
key that is not in it is unknown, and a value must have the type of its default (an
integer is accepted where a float is expected; keys whose default is ``null`` take the
type named in :data:`NULLABLE`).
"""

from __future__ import annotations

import copy
import dataclasses
import difflib
import types
import typing
from collections.abc import Mapping
from pathlib import Path

import yaml

from compass_nb import credentials
from compass_nb.errors import ParameterError

ROOT = Path(__file__).resolve().parent.parent
DEFAULTS = ROOT / "parameters" / "default.yaml"

#: The notebooks' sections, in the runner's order.
SECTIONS = (
    "data_collection",
    "forecasting",
    "pipeline",
    "incentives",
    "compensation",
    "enps",
    "demand_planning",
    "supply_planning",
    "pre_sop_review",
    "executive_sop",
    "implementation_tracking",
)

#: Types of keys whose default is ``null``.
NULLABLE = {
    "period": str,
    "scheduler": str,
    "store": str,
    "backtest_windows": int,
    "inventory_target": float,
    "revenue_plan": float,
    "margin_plan": float,
    "margin_rate": float,
    "inventory_value": float,
}

#: Keys that take more than one type (a name or a list of names).
FLEXIBLE = {"candidates"}

#: Keys that take one value, or a mapping of input table (or ``default``) to values.
PER_TABLE = {"encoding"}

#: Keys whose value is a free-form mapping, merged key by key and validated by the data
#: layer (the input mapping: presets, columns, codes, date formats per table).
FREE_FORM = {"inputs"}

#: Keys that take the name of a built-in preset instead of their value.
PRESETS = {"pipeline.stages"}


def _inputs(path: str, current, value, origin: str) -> dict:
    """The ``inputs`` mapping: ``value`` merged into ``current`` (per table, per key) and
    validated (:func:`compass_nb.data.mapping.inputs_spec`), naming the key on an error."""
    from compass_nb.data.mapping import inputs_spec

    if not isinstance(value, dict):
        raise ParameterError(
            f"Parameter '{path}' in {origin} is {value!r}; expected a mapping of input tables "
            "(or preset) to their mapping, e.g. inputs: {orders: {date_format: MDY}}."
        )
    merged = copy.deepcopy(current) if isinstance(current, dict) else {}
    for table, entry in value.items():
        if isinstance(entry, dict) and isinstance(merged.get(table), dict):
            for key, item in entry.items():
                old = merged[table].get(key)
                merged[table][key] = (
                    {**old, **item} if isinstance(old, dict) and isinstance(item, dict) else item
                )
        else:
            merged[table] = entry
    inputs_spec(merged, origin=origin)
    return merged


def _preset(path: str, value, origin: str):
    """A preset name in place of a value (``pipeline.stages: salesforce``): its value."""
    from compass_nb.data.presets import STAGE_PRESETS

    if value not in STAGE_PRESETS:
        raise ParameterError(
            f"Parameter '{path}' in {origin} is {value!r}: give the list of stages, or a preset: "
            f"{', '.join(STAGE_PRESETS)}."
        )
    return copy.deepcopy(STAGE_PRESETS[value])


def _per_table(path: str, current, value, default, origin: str):
    """A per-table key: a value of the default's type, or ``{table: value, default: value}``
    merged into what earlier files or ``--set`` gave (``--set encoding.orders=cp1252``)."""
    from compass_nb.data.contracts import CONTRACTS

    if not isinstance(value, dict):
        _check_type(path, value, default, origin)
        return value
    merged = dict(current) if isinstance(current, dict) else {"default": current or default}
    for table, item in value.items():
        if table != "default" and table not in CONTRACTS:
            raise ParameterError(
                f"Parameter '{path}.{table}' in {origin}: {table!r} is not an input table."
                f"{_closest(str(table), [*CONTRACTS, 'default'])}"
            )
        _check_type(f"{path}.{table}", item, default, origin)
        merged[table] = item
    return merged


_TYPE_NAMES = {
    bool: "true or false",
    int: "an integer",
    float: "a number",
    str: "a string",
    list: "a list",
    dict: "a mapping",
}


def read_yaml(path: Path) -> dict:
    """Read a parameters file; a missing or malformed file is a :class:`ParameterError`."""
    try:
        loaded = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ParameterError(f"Parameters file {path} does not exist.") from None
    except yaml.YAMLError as error:
        raise ParameterError(f"Parameters file {path} is not valid YAML: {error}") from None
    if loaded is None:
        return {}
    if not isinstance(loaded, dict):
        raise ParameterError(f"Parameters file {path} must hold a mapping of keys to values.")
    return loaded


def defaults() -> dict:
    """The default parameters (``parameters/default.yaml``)."""
    return read_yaml(DEFAULTS)


def parse_set(assignment: str) -> tuple[list[str], object]:
    """Split ``key.sub=value`` into its dotted key path and its YAML-parsed value."""
    if "=" not in assignment:
        raise ParameterError(
            f"--set {assignment!r}: write it as key=value (e.g. --set enps.min_group_size=7)."
        )
    key, raw = assignment.split("=", 1)
    try:
        value = yaml.safe_load(raw) if raw != "" else ""
    except yaml.YAMLError:
        value = raw
    return key.strip().split("."), value


def _closest(key: str, options) -> str:
    match = difflib.get_close_matches(key, list(options), n=1, cutoff=0.5)
    return (
        f" Did you mean '{match[0]}'?" if match else f" Valid keys: {', '.join(sorted(options))}."
    )


def _check_type(path: str, value, default, origin: str) -> None:
    key = path.split(".")[-1]
    expected = NULLABLE.get(key) if default is None else type(default)
    if value is None or expected is None or key in FLEXIBLE:
        return
    ok = isinstance(value, expected) and not (expected is int and isinstance(value, bool))
    if expected is float and isinstance(value, int) and not isinstance(value, bool):
        ok = True
    if not ok:
        raise ParameterError(
            f"Parameter '{path}' in {origin} is {value!r} ({type(value).__name__}); "
            f"expected {_TYPE_NAMES.get(expected, expected.__name__)}."
        )


def _merge(base: dict, extra: dict, schema: dict, origin: str, prefix: str = "") -> dict:
    out = copy.deepcopy(base)
    for key, value in extra.items():
        path = f"{prefix}{key}"
        if key not in schema:
            raise ParameterError(f"Unknown parameter '{path}' in {origin}.{_closest(key, schema)}")
        default = schema[key]
        if isinstance(default, dict) and default and isinstance(value, dict):
            out[key] = _merge(out.get(key) or {}, value, default, origin, prefix=f"{path}.")
        elif key in PER_TABLE:
            out[key] = _per_table(path, out.get(key), value, default, origin)
        elif path in FREE_FORM:
            out[key] = _inputs(path, out.get(key), value, origin)
        elif path in PRESETS and isinstance(value, str):
            out[key] = _preset(path, value, origin)
        else:
            _check_type(path, value, default, origin)
            out[key] = value
    return out


def load(path: str | Path | None = None, sets: list[str] | None = None) -> dict:
    """Merge the defaults, the user's file and ``--set`` assignments, validating each.

    Raises
    ------
    ParameterError
        For an unknown key (naming the closest valid one) or a value of the wrong type
        (naming the key, the file and the expected type).
    """
    base = defaults()
    merged = copy.deepcopy(base)
    if path is not None:
        merged = _merge(merged, read_yaml(Path(path)), base, str(path))
    for assignment in sets or []:
        keys, value = parse_set(assignment)
        nested: object = value
        for key in reversed(keys):
            nested = {key: nested}
        merged = _merge(merged, nested, base, f"--set {assignment}")
    _check_no_credentials(merged, path)
    return merged


def _check_no_credentials(params: dict, origin) -> None:
    """Refuse a credential written into the parameters (see :mod:`compass_nb.credentials`),
    naming the key, where it came from and how to write it with ``${VARIABLE}``."""
    found = credentials.written_out(params)
    if found:
        key, what, text = found
        raise ParameterError(
            f"The parameter '{key}' in {origin or '--set'} holds {what} in a URL ({text}). "
            "Put the secret in an environment variable and write ${VARIABLE} in its place, "
            "e.g. postgresql://user:${DB_PASSWORD}@host/db or "
            "sqlite:///crm.db?password=${DB_PASSWORD}."
        )


def mask(text: str) -> str:
    """``text`` with every credential masked (:func:`compass_nb.credentials.scrub`)."""
    return credentials.scrub(text)


def shared(params: dict) -> dict:
    """The top-level keys every notebook receives."""
    return {key: value for key, value in params.items() if key not in SECTIONS}


def for_notebook(params: dict, section: str) -> dict:
    """The shared keys plus one section's keys, flattened (a notebook's run header)."""
    out = shared(params)
    out.update(params.get(section) or {})
    return out


def with_values(params: dict, values: Mapping[str, object], section: str, origin: str) -> dict:
    """``params`` with flat ``values`` (shared keys, or keys of ``section``) merged and checked.

    This is how a notebook's parameters cell, and what papermill injects after it, reach
    the merged parameters: ``None`` keeps the default; a name that is neither a shared
    key nor a key of ``section`` is ignored (a notebook's own variable).
    """
    schema = defaults()
    nested: dict = {}
    for key, value in values.items():
        if value is None or key.startswith("_"):
            continue
        if key in schema and key not in SECTIONS:
            nested[key] = value
        elif key in (schema.get(section) or {}):
            nested.setdefault(section, {})[key] = value
    merged = _merge(params, nested, schema, origin)
    _check_no_credentials(merged, origin)
    return merged


@dataclasses.dataclass(frozen=True)
class Shared:
    """The top-level keys of ``parameters/default.yaml``, shared by every step (the schema
    holds each default and its comment)."""

    period: str | None
    source: str
    store: str | None
    encoding: str | dict
    currency: str
    fiscal_year_start: int
    strict: bool
    jobs: int
    timeout: int
    lock_wait: int
    inputs: dict
    products_from_orders: dict
    executor: str
    scheduler: str | None
    horizon: int
    launch_ramp: tuple[float, ...]
    audience: str
    backfill: int
    packs: str


def _coerce(kind, value):
    """A YAML value as the field type asks: int → float, list → tuple."""
    origin = typing.get_origin(kind)
    if origin in (types.UnionType, typing.Union):
        options = [k for k in typing.get_args(kind) if k is not type(None)]
        return value if value is None or len(options) != 1 else _coerce(options[0], value)
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if (kind is tuple or origin is tuple) and isinstance(value, list):
        return tuple(value)
    return value


def build(cls: type, values: Mapping[str, object]):
    """A settings dataclass from one section of merged parameters.

    Every field must be a key of the section and every key a field: a knob lives in the
    schema and in the code that reads it, nowhere else.
    """
    fields = {f.name: f for f in dataclasses.fields(cls)}
    missing, unread = set(fields) - set(values), set(values) - set(fields)
    assert not missing and not unread, (
        f"{cls.__name__} and parameters/default.yaml disagree: missing {sorted(missing)}, "
        f"unread {sorted(unread)}"
    )
    hints = typing.get_type_hints(cls)
    return cls(**{name: _coerce(hints[name], values[name]) for name in fields})


def section_settings(cls: type, section: str, **changes):
    """A section's settings dataclass from the defaults, with ``changes`` (tests, notebooks)."""
    return build(cls, {**(defaults().get(section) or {}), **changes})


def shared_settings(params: dict) -> Shared:
    """The shared keys of ``params`` as a :class:`Shared`."""
    return build(Shared, shared(params))


def masked(params: dict) -> dict:
    """A copy of ``params`` with every credential masked, for manifests and headers."""
    return credentials.scrub_all(params)
