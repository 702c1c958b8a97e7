"""Product life cycle in the forecast: nothing before a launch or after a discontinuation,
and a documented start for items launched without history.

An item is on sale from its ``launch_date`` (inclusive) to its ``discontinue_date``
(exclusive: the first day it no longer sells). A month's forecast is multiplied by the
share of the month's days the item is on sale, so a month wholly after the discontinue
date (or before the launch) gets 0 units and the month of the date keeps the days before
it. A launch with no order history starts from its family: the family's forecast per
item on sale that month, split over locations like the family's last twelve months of
demand, times a ramp (``launch_ramp``: the share of an average item reached in the first
months after launch, then 1). Its interval keeps the family's items' relative width.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from compass_nb.calendar import to_datetime

__all__ = [
    "on_sale_share",
    "apply_lifecycle",
    "launch_forecasts",
    "lifecycle_table",
]

BOUND_PREFIXES = ("yhat_lo_", "yhat_hi_")


def _bounds(frame: pd.DataFrame) -> list[str]:
    return [c for c in frame.columns if c.startswith(BOUND_PREFIXES)]


def _dates(products: pd.DataFrame, column: str) -> pd.Series:
    if column not in products:
        return pd.Series(pd.NaT, index=products["sku"].drop_duplicates(), dtype="datetime64[ns]")
    p = products.drop_duplicates("sku").set_index("sku")
    return to_datetime(p[column], errors="coerce")


def on_sale_share(sku: pd.Series, ds: pd.Series, products: pd.DataFrame) -> pd.DataFrame:
    """The share of each month an item is on sale, and why it is less than 1.

    Parameters
    ----------
    sku, ds : Series
        Item and month start of each row.
    products : DataFrame
        ``sku`` and the optional ``launch_date`` and ``discontinue_date``.

    Returns
    -------
    DataFrame
        Aligned with ``sku``: ``share`` (0 to 1), ``before_launch`` and ``after_discontinue``
        (the share of the month lost to each).
    """
    start = to_datetime(ds).dt.to_period("M").dt.to_timestamp()
    end = start + pd.offsets.MonthBegin(1)
    days = (end - start).dt.days.to_numpy(float)
    launch = sku.map(_dates(products, "launch_date"))
    stop = sku.map(_dates(products, "discontinue_date"))
    lost_launch = (launch.clip(lower=start, upper=end) - start).dt.days.fillna(0).to_numpy(float)
    lost_stop = (end - stop.clip(lower=start, upper=end)).dt.days.fillna(0).to_numpy(float)
    share = np.clip(1 - (lost_launch + lost_stop) / days, 0, 1)
    return pd.DataFrame(
        {
            "share": share,
            "before_launch": lost_launch / days,
            "after_discontinue": lost_stop / days,
        },
        index=sku.index,
    )


def _add_flag(flags: pd.Series, where: np.ndarray, tag: str) -> pd.Series:
    flags = flags.fillna("").astype(str)
    tagged = flags.where(flags == "", flags + ";") + tag
    return flags.where(~where | flags.str.contains(tag, regex=False), tagged)


def apply_lifecycle(fc: pd.DataFrame, products: pd.DataFrame) -> pd.DataFrame:
    """Bottom-level forecasts scaled by the share of each month the item is on sale.

    ``fc`` holds ``unique_id``, ``sku``, ``ds``, ``yhat``, bound columns and ``flag``;
    the returned copy has ``yhat`` and bounds scaled, and the series touched flagged
    ``discontinued`` or ``pre-launch`` (on all their rows).
    """
    out = fc.copy()
    share = on_sale_share(out["sku"], out["ds"], products)
    cols = ["yhat", *_bounds(out)]
    out[cols] = out[cols].to_numpy(float) * share["share"].to_numpy()[:, None]
    stopped = set(out.loc[share["after_discontinue"] > 0, "unique_id"])
    waiting = set(out.loc[share["before_launch"] > 0, "unique_id"])
    out["flag"] = _add_flag(out["flag"], out["unique_id"].isin(stopped).to_numpy(), "discontinued")
    out["flag"] = _add_flag(out["flag"], out["unique_id"].isin(waiting).to_numpy(), "pre-launch")
    return out


def _location_mix(history: pd.DataFrame, months: int = 12) -> pd.DataFrame:
    """Each family's share of demand by location over its last ``months`` months."""
    recent = history[history["ds"] > history["ds"].max() - pd.DateOffset(months=months)]
    by = recent.groupby(["family", "location"], as_index=False)["y"].sum()
    tot = by.groupby("family")["y"].transform("sum")
    by["mix"] = np.where(tot > 0, by["y"] / tot.where(tot > 0, 1), np.nan)
    return by.dropna(subset=["mix"])[["family", "location", "mix"]]


def _launch_items(products: pd.DataFrame, known: set, first: pd.Timestamp, last: pd.Timestamp):
    if "launch_date" not in products:
        return products.iloc[0:0]
    p = products.drop_duplicates("sku").copy()
    p["launch_date"] = to_datetime(p["launch_date"], errors="coerce")
    stop = _dates(products, "discontinue_date")
    p["discontinue_date"] = p["sku"].map(stop)
    live = p["discontinue_date"].isna() | (p["discontinue_date"] > first)
    return p[
        p["launch_date"].notna()
        & (p["launch_date"] < last + pd.offsets.MonthBegin(1))
        & ~p["sku"].isin(known)
        & live
    ]


def _months_between(first: pd.Series, later: pd.Series) -> np.ndarray:
    a, b = to_datetime(first), to_datetime(later)
    return ((b.dt.year - a.dt.year) * 12 + (b.dt.month - a.dt.month)).to_numpy(int)


def launch_forecasts(
    bottom: pd.DataFrame,
    history: pd.DataFrame,
    products: pd.DataFrame,
    ramp,
) -> pd.DataFrame:
    """Forecast rows for items launched (or launching in the horizon) without order history.

    Parameters
    ----------
    bottom : DataFrame
        The bottom-level forecasts (after :func:`apply_lifecycle`): ``sku``, ``location``,
        ``family``, ``ds``, ``yhat`` and bound columns.
    history : DataFrame
        Bottom-level demand history: ``sku``, ``location``, ``family``, ``ds``, ``y``.
    products : DataFrame
        ``sku``, ``family``, ``launch_date`` (and ``discontinue_date``).
    ramp : sequence of float
        Share of an average item of the family in the launch month and the months after
        it; 1 from then on.

    Returns
    -------
    DataFrame
        Rows shaped like ``bottom`` (``model`` ``launch profile (family)``, ``demand_class``
        ``new``, ``flag`` ``launch``), empty when nothing launches.
    """
    bounds = _bounds(bottom)
    cols = ["unique_id", "sku", "location", "family", "ds", "yhat", *bounds, "model"]
    cols += ["demand_class", "flag"]
    if bottom.empty:
        return pd.DataFrame(columns=cols)
    months = pd.DatetimeIndex(sorted(bottom["ds"].unique()))
    items = _launch_items(products, set(history["sku"]), months[0], months[-1])
    items = items[items["family"].isin(set(bottom["family"]))]
    if items.empty:
        return pd.DataFrame(columns=cols)
    live = bottom[bottom["yhat"] > 0]
    per_item = live.groupby(["family", "ds"]).agg(total=("yhat", "sum"), items=("sku", "nunique"))
    per_item["avg"] = per_item["total"] / per_item["items"]
    width = live.assign(**{b: live[b] / live["yhat"] for b in bounds})
    width = width.groupby(["family", "ds"])[bounds].median()
    mix = _location_mix(history)
    rows = items[["sku", "family", "launch_date"]].merge(mix, on="family")
    rows = rows.merge(pd.DataFrame({"ds": months}), how="cross")
    key = pd.MultiIndex.from_frame(rows[["family", "ds"]])
    since = _months_between(rows["launch_date"], rows["ds"])
    steps = [float(v) for v in ramp]
    factor = np.array([0.0 if k < 0 else (steps[k] if k < len(steps) else 1.0) for k in since])
    avg = per_item["avg"].reindex(key).fillna(0).to_numpy(float)
    rows["yhat"] = avg * rows["mix"].to_numpy(float) * factor
    rel = width.reindex(key).to_numpy(float)
    for i, b in enumerate(bounds):
        rows[b] = np.nan_to_num(rel[:, i], nan=1.0) * rows["yhat"].to_numpy()
    rows["unique_id"] = rows["sku"].astype(str) + "|" + rows["location"].astype(str)
    rows["model"] = "launch profile (family)"
    rows["demand_class"] = "new"
    rows["flag"] = "launch"
    out = apply_lifecycle(rows[cols], products).reset_index(drop=True)
    stops = out["flag"].str.contains("discontinued", regex=False)
    out["flag"] = np.where(stops, "launch;discontinued", "launch")
    return out


def lifecycle_table(fc: pd.DataFrame, before: pd.DataFrame, products) -> pd.DataFrame:
    """Items whose forecast the life cycle changed: phase-outs, pre-launch months, launches.

    ``before`` and ``fc`` are the bottom-level forecasts before and after the life cycle
    (launch rows only in ``fc``). One row per item: ``sku``, ``family``, ``change``
    (``phase-out``, ``pre-launch`` or ``launch``), ``date``, ``removed_units`` and
    ``forecast_units`` over the horizon.
    """
    cols = ["sku", "family", "change", "date", "removed_units", "forecast_units"]
    if products is None or fc.empty:
        return pd.DataFrame(columns=cols)
    flagged = fc[fc["flag"].str.contains("discontinued|pre-launch|launch", regex=True)]
    if flagged.empty:
        return pd.DataFrame(columns=cols)
    kept = flagged.groupby("sku")["yhat"].sum()
    was = before[before["sku"].isin(kept.index)].groupby("sku")["yhat"].sum()
    first = flagged.drop_duplicates("sku").set_index("sku")
    rows = []
    for sku, row in first.iterrows():
        flag = row["flag"]
        if "discontinued" in flag:
            change, column = "phase-out", "discontinue_date"
        elif "pre-launch" in flag:
            change, column = "pre-launch", "launch_date"
        else:
            change, column = "launch", "launch_date"
        date = _dates(products, column).get(sku, pd.NaT)
        removed = float(was.get(sku, 0.0) - kept.get(sku, 0.0)) if change != "launch" else 0.0
        rows.append((sku, row["family"], change, date, removed, float(kept.get(sku, 0.0))))
    return pd.DataFrame(rows, columns=cols).sort_values(["change", "sku"]).reset_index(drop=True)
