"""Crediting: who gets credit for which won deal.

One function, used by the pipeline notebook (attainment) and by compensation
(payouts), so that the two never disagree.
"""

from __future__ import annotations

import pandas as pd

from compass_nb.calendar import to_datetime

CREDIT_COLUMNS = [
    "opportunity_id",
    "rep_id",
    "close_date",
    "period",
    "amount",
    "split_pct",
    "credit",
    "type",
    "segment",
    "product_family",
    "cancelled_date",
]


#: The assumption a source without ``credit_splits`` forces (stated on every page it affects).
NO_SPLITS = "no credit splits: each won deal is credited 100 % to its owner"


def no_splits() -> pd.DataFrame:
    """An empty ``credit_splits`` table: with it every won deal credits its owner in full."""
    return pd.DataFrame(
        {
            "opportunity_id": pd.Series(dtype=object),
            "rep_id": pd.Series(dtype=object),
            "split_pct": pd.Series(dtype=float),
        }
    )


def credited_bookings(
    opportunities: pd.DataFrame,
    credit_splits: pd.DataFrame,
    *,
    start: str | pd.Timestamp | None = None,
    end: str | pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Credit of every won deal, one row per deal and credited seller.

    A deal listed in ``credit_splits`` credits each listed seller ``amount × split_pct / 100``
    (splits may sum to more than 100 % when an overlay is credited too); a won deal with no
    split row credits its owner in full.

    Parameters
    ----------
    opportunities
        The ``opportunities`` table (``is_won`` true rows are credited).
    credit_splits
        The ``credit_splits`` table: ``opportunity_id``, ``rep_id``, ``split_pct`` (0–100).
    start, end
        Optional inclusive bounds on ``close_date``.

    Returns
    -------
    pandas.DataFrame
        Columns ``CREDIT_COLUMNS``; ``period`` is the close month ``YYYY-MM``.

    Examples
    --------
    A 100k deal split 60/40 credits 60k and 40k.
    """
    won = opportunities.loc[opportunities["is_won"].astype(bool)].copy()
    won["close_date"] = to_datetime(won["close_date"])
    if start is not None:
        won = won.loc[won["close_date"] >= pd.Timestamp(start)]
    if end is not None:
        won = won.loc[won["close_date"] <= pd.Timestamp(end)]
    splits = credit_splits.loc[:, ["opportunity_id", "rep_id", "split_pct"]]
    split = won.merge(splits, on="opportunity_id", how="inner")
    owner = won.loc[~won["opportunity_id"].isin(splits["opportunity_id"])].assign(
        rep_id=lambda d: d["owner_id"], split_pct=100.0
    )
    parts = [frame for frame in (split, owner) if not frame.empty]
    out = pd.concat(parts, ignore_index=True) if parts else split
    out["split_pct"] = out["split_pct"].astype(float)
    out["amount"] = out["amount"].astype(float)
    out["credit"] = out["amount"] * out["split_pct"] / 100.0
    out["period"] = out["close_date"].dt.strftime("%Y-%m")
    for column in ("type", "segment", "product_family", "cancelled_date"):
        if column not in out:
            out[column] = pd.NA
    out["cancelled_date"] = to_datetime(out["cancelled_date"])
    return (
        out.loc[:, CREDIT_COLUMNS]
        .sort_values(["close_date", "opportunity_id", "rep_id"])
        .reset_index(drop=True)
    )
