"""Seasonal period and calendar phase of a pandas frequency."""

from __future__ import annotations

import numpy as np
import pandas as pd

from compass_nb.errors import ParameterError

__all__ = ["season_length", "phase", "check_freq"]


def check_freq(freq: str) -> pd.DateOffset:
    """The offset of a pandas frequency alias; a clear error for an unknown one."""
    try:
        return pd.tseries.frequencies.to_offset(freq)
    except ValueError as exc:
        raise ParameterError(
            f"freq {freq!r} is not a pandas frequency alias: use e.g. 'MS' (month start) "
            "or 'W-MON' (weeks starting Monday)."
        ) from exc


def _kind(freq: str) -> str:
    name = check_freq(freq).name.upper()
    for prefix, kind in (
        ("Q", "Q"),
        ("M", "M"),
        ("W", "W"),
        ("D", "D"),
        ("B", "D"),
        ("Y", "Y"),
        ("A", "Y"),
    ):
        if name.startswith(prefix):
            return kind
    return "?"


def season_length(freq: str) -> int:
    """Seasonal period of a frequency: 12 monthly, 4 quarterly, 52 weekly, 7 daily, else 1."""
    return {"M": 12, "Q": 4, "W": 52, "D": 7}.get(_kind(freq), 1)


def phase(ds: pd.Series | pd.DatetimeIndex, freq: str, m: int) -> np.ndarray:
    """Position of each date in the seasonal cycle (0 .. m-1), the same for every series."""
    ds = pd.DatetimeIndex(ds)
    if m <= 1:
        return np.zeros(len(ds), dtype=int)
    kind = _kind(freq)
    if kind == "M":
        ordinal = ds.year * 12 + ds.month - 1
    elif kind == "Q":
        ordinal = ds.year * 4 + (ds.month - 1) // 3
    elif kind in ("W", "D"):
        days = (ds - pd.Timestamp("1970-01-05")).days
        ordinal = days // 7 if kind == "W" else days
    else:
        ordinal = np.arange(len(ds))
    return np.asarray(ordinal, dtype=np.int64) % m
