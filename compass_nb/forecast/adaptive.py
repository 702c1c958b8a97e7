"""Adaptive forecasting: tracking signals on past forecast snapshots, re-selection flags.

Every cycle stores a forecast snapshot (by period). When new actuals arrive, each
series' one-step-ahead forecasts from past cycles are set beside what happened; the
tracking signal (cumulative error over mean absolute error) leaving ±4 says the
chosen model has gone biased, and the series is re-selected at the next fit.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from compass_nb.calendar import month_numbers, to_datetime
from compass_nb.forecast.metrics import tracking_signal

__all__ = ["TS_LIMIT", "one_step_errors", "tracking_signals", "series_to_reselect"]

TS_LIMIT = 4.0


def one_step_errors(snapshots: pd.DataFrame, actuals: pd.DataFrame, lead: int = 1) -> pd.DataFrame:
    """Each cycle's forecast of the month ``lead`` periods after it, beside the actual.

    Parameters
    ----------
    snapshots : DataFrame
        Past forecast tables: ``period`` (the cycle, ``YYYY-MM``), ``unique_id``, ``ds``,
        ``yhat``.
    actuals : DataFrame
        ``unique_id``, ``ds``, ``y``.
    lead : int
        How many months after the cycle the forecast was for.

    Returns
    -------
    DataFrame
        ``unique_id``, ``period``, ``ds``, ``y``, ``yhat``, ``error`` (= y - yhat).
    """
    snap = snapshots.copy()
    snap["ds"] = to_datetime(snap["ds"])
    snap = snap[month_numbers(snap["ds"]) == month_numbers(snap["period"]) + lead]
    out = snap[["unique_id", "period", "ds", "yhat"]].merge(
        actuals.assign(ds=to_datetime(actuals["ds"]))[["unique_id", "ds", "y"]],
        on=["unique_id", "ds"],
    )
    out["error"] = out["y"] - out["yhat"]
    return out.sort_values(["unique_id", "ds"]).reset_index(drop=True)


def tracking_signals(
    errors: pd.DataFrame, window: int = 12, limit: float = TS_LIMIT
) -> pd.DataFrame:
    """Tracking signal of each series over its last ``window`` one-step errors.

    Returns
    -------
    DataFrame
        ``unique_id``, ``n``, ``cum_error``, ``mad``, ``tracking_signal``, ``flagged``
        (|TS| > ``limit``).
    """
    rows = []
    for uid, g in errors.sort_values("ds").groupby("unique_id", sort=True):
        g = g.tail(window)
        y, f = g["y"].to_numpy(float), g["yhat"].to_numpy(float)
        ts = tracking_signal(y, f)
        rows.append(
            (uid, len(g), float(np.sum(y - f)), float(np.mean(np.abs(y - f))), ts, abs(ts) > limit)
        )
    return pd.DataFrame(
        rows, columns=["unique_id", "n", "cum_error", "mad", "tracking_signal", "flagged"]
    )


def series_to_reselect(signals: pd.DataFrame) -> set:
    """The series whose tracking signal is out of bounds."""
    return set(signals.loc[signals["flagged"], "unique_id"])
