"""Parameters: defaults, a user's file, ``--set`` overrides; validated before anything runs.

``parameters/default.yaml`` holds every knob with a comment, and is also the schema: a
key that is not in it is unknown, and a value must have the type of its default (an
integer is accepted where a float is expected; keys whose default is ``null`` take the
type named in :data:`NULLABLE`).
"""

from __future__ import annotations

import copy
import difflib
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
    """Refuse a credential written into the parameters (see :mod:`compass_nb.credentials`)."""
    credentials.check_no_credentials(params, origin)


def _unset(name: str, text: str) -> ParameterError:
    return ParameterError(f"Environment variable {name} is not set (used in {text}).")


def expand_env(text: str) -> str:
    """Replace ``${VAR}`` with the environment's value (credentials live only there)."""
    return credentials.expand_env(text, missing=_unset)


def mask(text: str) -> str:
    """``text`` with every credential masked (:func:`compass_nb.credentials.scrub`)."""
    return credentials.scrub(text)


def shared(params: dict) -> dict:
    """The top-level keys every notebook receives."""
    return {key: value for key, value in params.items() if key not in SECTIONS}


def for_notebook(params: dict, section: str) -> dict:
    """Papermill parameters of one notebook: the shared keys plus its section, flattened."""
    out = shared(params)
    out.update(params.get(section) or {})
    return out


def masked(params: dict) -> dict:
    """A copy of ``params`` with every credential masked, for manifests and headers."""
    return credentials.scrub_all(params)
