"""The funnel: how many deals reach each stage, and how many are won.

Reach is read from the stage history: a deal that reached a later stage passed every
earlier one, even if the CRM never recorded it there (a skipped stage is counted as
passed), so stage-to-stage conversion can never exceed 1. A re-opened deal is counted
once, at the furthest stage it ever reached, and by its final outcome.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from compass_nb.calendar import to_datetime
from compass_nb.pipeline.stages import open_stages


def stage_reach(states: pd.DataFrame, stages: pd.DataFrame) -> pd.DataFrame:
    """Per opportunity: the furthest open stage it reached and its final outcome.

    Parameters
    ----------
    states
        The opportunities' states over time (``compass_nb.pipeline.timeline``).
    stages
        The stage table (``stage_table``).

    Returns
    -------
    pandas.DataFrame
        ``opportunity_id, created_date, cohort`` (creation month ``YYYY-MM``),
        ``reached`` (order of the furthest open stage; won deals reach every open stage),
        ``is_closed, is_won, close_date, amount`` (final state) and ``peak_amount`` (the
        largest amount it carried, what the funnel in money counts at each stage).
    """
    top = int(open_stages(stages)["order"].max())
    steps = states["stage"].isin(open_stages(stages)["name"])
    visited = states.loc[steps].groupby("opportunity_id")["order"].max()
    final = states.drop_duplicates("opportunity_id", keep="last").set_index("opportunity_id")
    first_open = int(open_stages(stages)["order"].min())
    out = pd.DataFrame(
        {
            "created_date": final["created_date"],
            "cohort": final["created_date"].dt.strftime("%Y-%m"),
            "reached": visited.reindex(final.index).fillna(first_open).astype(int),
            "is_closed": final["is_closed_stage"],
            "is_won": final["is_won_stage"],
            "close_date": final["close_date"],
            "amount": final["amount"],
            "peak_amount": states.groupby("opportunity_id")["amount"].max().reindex(final.index),
        }
    )
    out.loc[out["is_won"], "reached"] = top
    return out.reset_index()


def stage_conversion(
    reach: pd.DataFrame, stages: pd.DataFrame, by: list[str] | None = None
) -> pd.DataFrame:
    """Stage-to-stage conversion: of the deals that reached a stage, the share that reached
    the next one (the last open stage converts to *won*).

    Parameters
    ----------
    reach
        :func:`stage_reach` (with any ``by`` columns added).
    stages
        The stage table.
    by
        Grouping columns, e.g. ``["cohort"]`` for creation-month cohorts.

    Returns
    -------
    pandas.DataFrame
        ``*by, stage, next_stage, step, reached, advanced, conversion`` (``advanced ≤ reached``,
        so ``conversion ≤ 1``), ``cumulative`` (share of the group's deals reaching the next
        stage), and the same in money: ``reached_amount, advanced_amount, conversion_amount``
        (each deal at the largest amount it carried; won deals at their won amount).
    """
    by = list(by or [])
    steps = open_stages(stages)
    won_name = stages.loc[stages["is_won"], "name"].iloc[0]
    names = steps["name"].tolist() + [won_name]
    parts = []
    groups = reach.groupby(by, sort=True) if by else [((), reach)]
    for key, group in groups:
        key = key if isinstance(key, tuple) else (key,)
        total = len(group)
        money = group["peak_amount"] if "peak_amount" in group else group["amount"]
        money = money.where(~group["is_won"].astype(bool), group["amount"]).astype(float)
        for i, row in steps.iterrows():
            here = group["reached"] >= row["order"]
            reached = int(here.sum())
            if i + 1 < len(steps):
                on = group["reached"] >= steps["order"].iloc[i + 1]
            else:
                on = group["is_won"].astype(bool)
            advanced = int(on.sum())
            reached_amount, advanced_amount = float(money[here].sum()), float(money[on].sum())
            parts.append(
                dict(zip(by, key, strict=True))
                | {
                    "stage": row["name"],
                    "next_stage": names[i + 1],
                    "step": i + 1,
                    "reached": reached,
                    "advanced": advanced,
                    "conversion": advanced / reached if reached else float("nan"),
                    "cumulative": advanced / total if total else float("nan"),
                    "reached_amount": reached_amount,
                    "advanced_amount": advanced_amount,
                    "conversion_amount": advanced_amount / reached_amount
                    if reached_amount
                    else float("nan"),
                }
            )
    return pd.DataFrame(
        parts,
        columns=by
        + ["stage", "next_stage", "step", "reached", "advanced", "conversion", "cumulative"]
        + ["reached_amount", "advanced_amount", "conversion_amount"],
    )


def win_rates(closed: pd.DataFrame, by: list[str] | None = None) -> pd.DataFrame:
    """Win rate by count and by amount among closed deals.

    Parameters
    ----------
    closed
        Opportunities (only ``is_closed`` rows count), e.g. those closed in a window.
    by
        Grouping columns (``team``, ``segment``, ``product_family``); none for the total.

    Returns
    -------
    pandas.DataFrame
        ``*by, closed, won, win_rate`` (by count), ``closed_amount, won_amount,
        win_rate_amount`` (by amount).
    """
    by = list(by or [])
    deals = closed.loc[closed["is_closed"].astype(bool)].assign(
        won=lambda d: d["is_won"].astype(bool).astype(int),
        won_amount=lambda d: d["amount"].where(d["is_won"].astype(bool), 0.0),
    )
    grouped = deals.groupby(by, dropna=False) if by else deals.groupby(lambda _: "all")
    out = grouped.agg(
        closed=("won", "size"),
        won=("won", "sum"),
        closed_amount=("amount", "sum"),
        won_amount=("won_amount", "sum"),
    )
    out["win_rate"] = out["won"] / out["closed"]
    out["win_rate_amount"] = (out["won_amount"] / out["closed_amount"]).where(
        out["closed_amount"] > 0
    )
    cols = ["closed", "won", "win_rate", "closed_amount", "won_amount", "win_rate_amount"]
    return out.reset_index(drop=not by).loc[:, by + cols]


def closed_between(opportunities: pd.DataFrame, start, end) -> pd.DataFrame:
    """Opportunities closed (won or lost) with a close date in ``[start, end]``."""
    close = to_datetime(opportunities["close_date"])
    inside = (close >= pd.Timestamp(start)) & (close <= pd.Timestamp(end))
    return opportunities.loc[opportunities["is_closed"].astype(bool) & inside]


def loss_reasons(closed: pd.DataFrame) -> pd.DataFrame:
    """Why deals were lost: per ``loss_reason`` of the lost deals in ``closed``, the deals,
    their amount and their shares of all lost deals (by count and by amount); deals lost
    without a reason are counted as ``not given``. Empty when the export has no
    ``loss_reason`` column or no lost deal carries one.

    Returns
    -------
    pandas.DataFrame
        ``loss_reason, deals, amount, share_of_lost, share_of_lost_amount``, largest first.
    """
    columns = ["loss_reason", "deals", "amount", "share_of_lost", "share_of_lost_amount"]
    if "loss_reason" not in closed:
        return pd.DataFrame(columns=columns)
    lost = closed.loc[closed["is_closed"].astype(bool) & ~closed["is_won"].astype(bool)]
    if lost["loss_reason"].isna().all():
        return pd.DataFrame(columns=columns)
    reason = lost["loss_reason"].fillna("not given").astype(str)
    out = lost.assign(loss_reason=reason).groupby("loss_reason")["amount"].agg(["size", "sum"])
    out = out.rename(columns={"size": "deals", "sum": "amount"})
    out["share_of_lost"] = out["deals"] / out["deals"].sum()
    lost_amount = float(out["amount"].sum())
    out["share_of_lost_amount"] = out["amount"] / lost_amount if lost_amount > 0 else np.nan
    out = out.sort_values(["deals", "amount"], ascending=False).reset_index()
    return out.loc[:, columns]
