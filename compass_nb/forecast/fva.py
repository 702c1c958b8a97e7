"""Forecast value added: naive → statistical → after overrides → consensus.

Each step's forecast of the same cells (a SKU × location and month, forecast by a past
cycle) is set beside what happened; a step adds value when its error is lower than the
step before it. A step whose forecast does not exist for those cells (no override made,
no consensus stored) is "not measured", never shown as adding nothing.

Overrides are evaluated at the cycle they were made in (``overrides.cycle``): the stored
forecast of that cycle, the value the planner set, and the actual of the month.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from compass_nb.calendar import month_numbers, to_datetime

__all__ = [
    "STEPS",
    "fva_stairstep",
    "apply_overrides",
    "override_rows",
    "past_cycle_cells",
    "backtest_cells",
    "override_outcomes",
]

STEPS = ("naive", "statistical", "override", "consensus")

_COLUMNS = ["step", "wape", "bias", "mae", "fva", "cells", "note"]


def _errors(y: np.ndarray, f: np.ndarray) -> tuple[float, float, float]:
    den = np.abs(y).sum()
    if len(y) == 0:
        return np.nan, np.nan, np.nan
    wape = float(np.abs(y - f).sum() / den) if den > 0 else float("nan")
    bias = float((f - y).sum() / den) if den > 0 else float("nan")
    return wape, bias, float(np.mean(np.abs(y - f)))


def fva_stairstep(
    df: pd.DataFrame, by: str | None = None, notes: dict | None = None
) -> pd.DataFrame:
    """Error of each forecasting step and the value each adds over the step before.

    Parameters
    ----------
    df : DataFrame
        One row per cell: ``y`` (actual) and a column per step of :data:`STEPS` that was
        measured (``override`` equal to ``statistical`` where nobody overrode; NaN where
        a step has no forecast for the cell), plus the ``by`` column.
    by : str, optional
        Group column (e.g. ``family``); ``None`` for the overall stairstep.
    notes : dict, optional
        Step → why it is not measured (shown when it has no cell).

    Returns
    -------
    DataFrame
        ``<by>`` (or ``group`` = ``All``), ``step``, ``wape``, ``bias``, ``mae``, ``fva``
        (the previous step's WAPE minus this step's, on the cells both have, in points of
        WAPE; positive = the step helped), ``cells``, ``note``.
    """
    notes = notes or {}
    groups = df.groupby(by, sort=True) if by else [("All", df)]
    rows = []
    for key, g in groups:
        prev = None
        for step in STEPS:
            have = g[step].notna() if step in g else pd.Series(False, index=g.index)
            wape = bias = mae = np.nan
            if have.any():
                y, f = g.loc[have, "y"].to_numpy(float), g.loc[have, step].to_numpy(float)
                wape, bias, mae = _errors(y, f)
            fva = np.nan
            if prev is not None and have.any():
                common = have & g[prev].notna()
                yc = g.loc[common, "y"].to_numpy(float)
                before = _errors(yc, g.loc[common, prev].to_numpy(float))[0]
                after = _errors(yc, g.loc[common, step].to_numpy(float))[0]
                fva = before - after
            note = "" if have.any() else notes.get(step, "not measured")
            rows.append((key, step, wape, bias, mae, fva, int(have.sum()), note))
            if have.any():
                prev = step
    return pd.DataFrame(rows, columns=[by or "group", *_COLUMNS])


def override_rows(fc: pd.DataFrame, o, months: pd.Series | None = None) -> pd.Series:
    """The bottom rows of ``fc`` an override names (its month, SKU or family, location).

    ``months`` is :func:`compass_nb.calendar.month_numbers` of ``fc["ds"]``, when the
    caller matches several overrides against the same rows.
    """
    months = month_numbers(fc["ds"]) if months is None else months
    sel = (months == _months(o.period)) & (fc["level"] == "sku_location")
    sku = getattr(o, "sku", None)
    sel &= (
        (fc["sku"] == sku)
        if isinstance(sku, str) and sku
        else (fc["family"] == getattr(o, "family", None))
    )
    loc = getattr(o, "location", None)
    if isinstance(loc, str) and loc:
        sel &= fc["location"] == loc
    return sel


def apply_overrides(fc: pd.DataFrame, overrides: pd.DataFrame, cycle: str) -> pd.Series:
    """Bottom-level forecasts after the overrides made in ``cycle``.

    An override sets the total of the rows it names (a family or a SKU, optionally one
    location, in one month) to its ``quantity``; the rows keep their statistical mix.

    Returns
    -------
    Series
        The overridden forecast, aligned with ``fc`` (rows of ``sku_location`` level).
    """
    out = fc["yhat"].astype(float).copy()
    if overrides is None or overrides.empty:
        return out
    mine = overrides[overrides["cycle"].astype(str) == str(cycle)]
    months = month_numbers(fc["ds"]) if len(mine) else None
    for o in mine.itertuples(index=False):
        sel = override_rows(fc, o, months)
        if not sel.any():
            continue
        base = out[sel]
        out[sel] = base * (o.quantity / base.sum()) if base.sum() > 0 else o.quantity / sel.sum()
    return out


def _months(period) -> int:
    p = pd.Period(str(period), freq="M")
    return p.year * 12 + p.month


def _bottom_actuals(demand: pd.DataFrame) -> pd.DataFrame:
    a = demand.assign(unique_id=demand["sku"].astype(str) + "|" + demand["location"].astype(str))
    return a[["unique_id", "ds", "y"]].assign(ds=lambda d: to_datetime(d["ds"]))


def past_cycle_cells(
    snapshots: pd.DataFrame,
    demand: pd.DataFrame,
    overrides: pd.DataFrame,
    consensus: pd.DataFrame,
    period: str,
    max_lag: int,
) -> tuple[pd.DataFrame, dict]:
    """The cells past cycles forecast 1 to ``max_lag`` months ahead, with every step.

    Returns
    -------
    (DataFrame, dict)
        Cells (``period`` = the cycle, ``unique_id``, ``family``, ``ds``, ``lag``, ``y``,
        ``naive`` = the cycle month's actual, ``statistical``, ``override``,
        ``consensus``) and the reason of each step left unmeasured.
    """
    notes = {}
    bottom = snapshots[snapshots["level"] == "sku_location"].copy()
    bottom["ds"] = to_datetime(bottom["ds"])
    bottom["lag"] = month_numbers(bottom["ds"]) - month_numbers(bottom["period"])
    bottom["override"] = np.nan
    touched = pd.Series(False, index=bottom.index)
    for cycle, idx in bottom.groupby("period").groups.items():
        part = bottom.loc[idx]
        bottom.loc[idx, "override"] = apply_overrides(part, overrides, cycle).to_numpy()
        touched.loc[idx] = _touched(part, overrides, cycle).to_numpy()
    last = _months(period)
    cells = bottom[(bottom["lag"] >= 1) & (bottom["lag"] <= int(max_lag))]
    cells = cells[cells["ds"].dt.year * 12 + cells["ds"].dt.month <= last]
    touched = touched.loc[cells.index]
    actual = _bottom_actuals(demand)
    cells = cells.merge(actual, on=["unique_id", "ds"], how="left").fillna({"y": 0.0})
    start = actual.assign(period=actual["ds"].dt.strftime("%Y-%m")).rename(columns={"y": "naive"})
    cells = cells.merge(
        start[["unique_id", "period", "naive"]], on=["unique_id", "period"], how="left"
    )
    cells["naive"] = cells["naive"].fillna(0.0)
    cells["statistical"] = cells["yhat"].astype(float)
    if not touched.any():
        cells["override"] = np.nan
        notes["override"] = (
            "not measured: no override was made in the cycles with a stored forecast"
        )
    cells["consensus"] = _consensus_of(cells, consensus)
    if cells["consensus"].isna().all():
        notes["consensus"] = (
            "not measured: no consensus stored for the cycles with a stored forecast"
        )
    keep = ["period", "unique_id", "family", "ds", "lag", "y", *STEPS]
    return cells[keep], notes


def _touched(fc: pd.DataFrame, overrides: pd.DataFrame, cycle) -> pd.Series:
    """The rows of ``fc`` some override of ``cycle`` names."""
    hit = pd.Series(False, index=fc.index)
    if overrides is None or overrides.empty:
        return hit
    mine = overrides[overrides["cycle"].astype(str) == str(cycle)]
    months = month_numbers(fc["ds"]) if len(mine) else None
    for o in mine.itertuples(index=False):
        hit |= override_rows(fc, o, months)
    return hit


def _consensus_of(cells: pd.DataFrame, consensus: pd.DataFrame) -> pd.Series:
    if consensus is None or consensus.empty or "consensus" not in consensus:
        return pd.Series(np.nan, index=cells.index)
    c = consensus.assign(
        unique_id=consensus["sku"].astype(str) + "|" + consensus["location"].astype(str),
        ds=to_datetime(consensus["month"]),
        period=consensus["period"].astype(str),
    )
    c = c.groupby(["period", "unique_id", "ds"], as_index=False)["consensus"].sum()
    merged = cells[["period", "unique_id", "ds"]].merge(
        c, on=["period", "unique_id", "ds"], how="left"
    )
    return pd.Series(merged["consensus"].to_numpy(float), index=cells.index)


def backtest_cells(ev: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """Naive → statistical on the SKU × location backtest, for a store without past cycles.

    No override or consensus exists at a backtest origin: those steps are not measured.
    """
    b = ev[ev["level"] == "sku_location"]
    cells = pd.DataFrame(
        {
            "family": b["family"],
            "y": b["y"],
            "naive": b["Naive"],
            "statistical": b["yhat"],
        }
    )
    why = (
        "not measured: the store holds no forecast of a past cycle yet "
        "(measured from the next cycle on, or run with --backfill)"
    )
    return cells, {"override": why, "consensus": why}


def override_outcomes(
    overrides: pd.DataFrame, snapshots: pd.DataFrame, demand: pd.DataFrame, period: str
) -> pd.DataFrame:
    """Each past override beside its cycle's stored forecast and the actual of its month.

    Returns
    -------
    DataFrame
        ``cycle``, ``month``, ``family``, ``sku``, ``location``, ``author``, ``override``
        (the quantity set), ``statistical`` (the cycle's stored forecast of the same rows),
        ``actual``, ``statistical_error`` and ``override_error`` (absolute, units),
        ``improved`` ("yes", "no" or "" when not measured), ``note``; the measured ones
        first, newest cycle first.
    """
    cols = [
        "cycle",
        "month",
        "family",
        "sku",
        "location",
        "author",
        "override",
        "statistical",
        "actual",
        "statistical_error",
        "override_error",
        "improved",
        "note",
    ]
    if overrides is None or overrides.empty:
        return pd.DataFrame(columns=cols)
    bottom = snapshots[snapshots["level"] == "sku_location"] if len(snapshots) else snapshots
    cycles = set(bottom["period"].astype(str)) if len(bottom) else set()
    d = demand.assign(level="sku_location", ds=to_datetime(demand["ds"]), yhat=demand["y"])
    d_months = month_numbers(d["ds"])
    snaps = {
        str(cycle): (rows, month_numbers(rows["ds"]))
        for cycle, rows in (bottom.groupby(bottom["period"].astype(str)) if len(bottom) else [])
    }
    last = _months(period)
    rows = []
    for o in overrides.itertuples(index=False):
        base = dict(
            cycle=str(o.cycle),
            month=str(o.period),
            family=getattr(o, "family", None),
            sku=getattr(o, "sku", None),
            location=getattr(o, "location", None),
            author=getattr(o, "author", None),
            override=float(o.quantity),
        )
        nan = dict(statistical=np.nan, actual=np.nan, statistical_error=np.nan)
        nan.update(override_error=np.nan, improved="")
        if _months(o.period) > last:
            rows.append({**base, **nan, "note": "not measured: the month is not closed yet"})
            continue
        if str(o.cycle) not in cycles:
            note = f"not measured: the store holds no forecast of cycle {o.cycle}"
            rows.append({**base, **nan, "note": note})
            continue
        snap, snap_months = snaps[str(o.cycle)]
        stat = float(snap.loc[override_rows(snap, o, snap_months), "yhat"].sum())
        actual = float(d.loc[override_rows(d, o, d_months), "y"].sum())
        e_stat, e_over = abs(actual - stat), abs(actual - float(o.quantity))
        rows.append(
            {
                **base,
                "statistical": stat,
                "actual": actual,
                "statistical_error": e_stat,
                "override_error": e_over,
                "improved": "yes" if e_over < e_stat else "no",
                "note": "",
            }
        )
    out = pd.DataFrame(rows, columns=cols)
    order = (out["improved"] == "").astype(int)
    return (
        out.assign(_o=order)
        .sort_values(["_o", "cycle", "month"], ascending=[True, False, False], kind="stable")
        .drop(columns="_o")
        .reset_index(drop=True)
    )
