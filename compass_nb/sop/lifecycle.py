"""Product life cycles in the plan: no demand, production or receipts outside an item's life.

An item is *active* on the days from its ``launch_date`` (inclusive) to its
``discontinue_date`` (exclusive); a missing date leaves that side open. A plan month's
**life-cycle share** is the fraction of its days the item is active: 1 in a full month,
0 before launch and after discontinuation, a fraction in the launch and the last month.
The consensus is multiplied by that share; supply may be made only in months with a
positive share; safety stock is held only while the next month is active too (so stock
runs down before a phase-out and nothing is built before a launch).

New items (launched within the horizon, or recently, with no statistical forecast yet)
start from their family's profile: at each location the family sells from, the average
forecast of the family's active SKUs in that location and month, times the ramp (the
shared ``launch_ramp``: the share reached in the launch month and the months after it, 1
from then on; the forecast's own launches use the same ramp), times the month's
life-cycle share.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from compass_nb.calendar import to_datetime

LIFE_COLUMNS = ["sku", "month", "life_share", "producible", "hold_stock"]


def _dates(products: pd.DataFrame, column: str) -> pd.Series:
    if column not in products:
        return pd.Series(pd.NaT, index=products.index, dtype="datetime64[ns]")
    return to_datetime(products[column], errors="coerce")


def life_shares(products: pd.DataFrame, months: pd.DatetimeIndex) -> pd.DataFrame:
    """The life-cycle share of every SKU in every plan month.

    Returns ``sku``, ``month``, ``life_share`` (0–1), ``producible`` (share > 0: supply may
    be made) and ``hold_stock`` (this month and the next are active: safety stock applies).

    Examples
    --------
    >>> p = pd.DataFrame({"sku": ["A"], "discontinue_date": [pd.Timestamp("2027-01-16")]})
    >>> life_shares(p, pd.date_range("2026-12-01", periods=3, freq="MS"))["life_share"].round(3).tolist()
    [1.0, 0.484, 0.0]
    """
    months = pd.DatetimeIndex(months)
    items = products.drop_duplicates("sku").reset_index(drop=True)
    start = _dates(items, "launch_date").to_numpy()[:, None]
    stop = _dates(items, "discontinue_date").to_numpy()[:, None]
    first = months.to_numpy()[None, :]
    following = (months + pd.offsets.MonthBegin(1)).to_numpy()[None, :]
    lo = np.where(pd.isna(start), first, np.maximum(first, start))
    hi = np.where(pd.isna(stop), following, np.minimum(following, stop))
    days = (following - first) / np.timedelta64(1, "D")
    share = np.clip((hi - lo) / np.timedelta64(1, "D") / days, 0.0, 1.0)
    after = np.concatenate([share[:, 1:], _share_after(items, months)[:, None]], axis=1)
    out = pd.DataFrame(
        {
            "sku": np.repeat(items["sku"].to_numpy(), len(months)),
            "month": np.tile(months, len(items)),
            "life_share": share.ravel(),
        }
    )
    out["producible"] = out["life_share"] > 0
    out["hold_stock"] = out["producible"].to_numpy() & (after.ravel() > 0)
    return out


def _share_after(items: pd.DataFrame, months: pd.DatetimeIndex) -> np.ndarray:
    """Whether each item is still active in the month after the last plan month."""
    if len(months) == 0:
        return np.zeros(len(items))
    beyond = months[-1] + pd.offsets.MonthBegin(1)
    stop = _dates(items, "discontinue_date")
    return (stop.isna() | (stop > beyond)).to_numpy(dtype=float)


def life_events(products: pd.DataFrame, months: pd.DatetimeIndex) -> pd.DataFrame:
    """Launches and phase-outs that fall in the plan months.

    Returns ``event`` (``launch`` or ``phase-out``), ``sku``, ``family``, ``date`` and
    ``month`` (the plan month it falls in), in date order.
    """
    months = pd.DatetimeIndex(months)
    if len(months) == 0:
        return pd.DataFrame(columns=["event", "sku", "family", "date", "month"])
    lo, hi = months[0], months[-1] + pd.offsets.MonthBegin(1)
    rows = []
    for event, column in (("launch", "launch_date"), ("phase-out", "discontinue_date")):
        dates = _dates(products, column)
        inside = dates.notna() & (dates >= lo) & (dates < hi)
        for i in np.flatnonzero(inside.to_numpy()):
            rows.append(
                {
                    "event": event,
                    "sku": products["sku"].iloc[i],
                    "family": products["family"].iloc[i],
                    "date": dates.iloc[i],
                    "month": dates.iloc[i].to_period("M").to_timestamp(),
                }
            )
    out = pd.DataFrame(rows, columns=["event", "sku", "family", "date", "month"])
    return out.sort_values(["date", "sku"]).reset_index(drop=True)


def new_item_start(
    stat: pd.DataFrame, products: pd.DataFrame, months: pd.DatetimeIndex, *, ramp: Sequence[float]
) -> pd.DataFrame:
    """The start of items active in the horizon that the statistical forecast does not cover.

    ``stat`` is the statistical forecast per ``family``, ``sku``, ``location``, ``month``,
    ``stat_forecast`` (already multiplied by the life-cycle share). Returns rows of the
    same shape plus ``launch_profile`` (units), one per new SKU × family location × month
    (see the module docstring); empty when every active item has a forecast.
    """
    columns = ["family", "sku", "location", "month", "launch_profile"]
    months = pd.DatetimeIndex(months)
    shares = life_shares(products, months)
    active = shares.loc[shares["life_share"] > 0, "sku"].unique()
    missing = products[
        products["sku"].isin(active) & ~products["sku"].isin(set(stat["sku"]))
    ].drop_duplicates("sku")
    if missing.empty or stat.empty:
        return pd.DataFrame(columns=columns)
    live = stat[stat["stat_forecast"] > 0]
    profile = live.groupby(["family", "location", "month"], as_index=False)["stat_forecast"].mean()
    steps = np.array([float(v) for v in ramp] + [1.0])
    launch = _dates(missing, "launch_date")
    rows = []
    for item, start in zip(missing.itertuples(), launch, strict=True):
        fam = profile[profile["family"] == item.family]
        if fam.empty:
            continue
        first = pd.Timestamp(start).to_period("M").to_timestamp() if pd.notna(start) else months[0]
        age = (fam["month"].dt.year - first.year) * 12 + (fam["month"].dt.month - first.month)
        share = np.where(age < 0, 0.0, steps[np.clip(age, 0, len(steps) - 1)])
        rows.append(
            pd.DataFrame(
                {
                    "family": item.family,
                    "sku": item.sku,
                    "location": fam["location"].to_numpy(),
                    "month": fam["month"].to_numpy(),
                    "launch_profile": (fam["stat_forecast"] * share).to_numpy(),
                }
            )
        )
    if not rows:
        return pd.DataFrame(columns=columns)
    out = pd.concat(rows, ignore_index=True).merge(
        shares[["sku", "month", "life_share"]], on=["sku", "month"], how="left"
    )
    out["launch_profile"] = out["launch_profile"] * out["life_share"].fillna(0.0)
    return out[columns]
