"""Forecast roll-ups by category, and the forecast table of a quarter.

Roll-ups follow Salesforce's cumulative categories: *Commit* = commit + closed;
*Best case* = best case + commit + closed; *Pipeline* is the open amount still in the
Pipeline category. The forecast table adds, per product family, the outcome model's
expected bookings (:mod:`compass_nb.pipeline.outcome`): ``weighted_pipeline`` (closed won
plus each open deal due × its probability of being won in the quarter), ``expected_new``
(new business at the run rate, split by the families' past shares) and their sum
``weighted``, and the family's P10 / P50 / P90 from the same simulations.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from compass_nb.calendar import to_datetime
from compass_nb.pipeline.stages import CATEGORIES


def forecast_categories(snapshot: pd.DataFrame, stages: pd.DataFrame) -> pd.Series:
    """Each deal's forecast category: the CRM's ``forecast_category`` where it is a known
    category (a seller's judgement), else the category of its stage; closed deals are
    ``Closed`` (won) or ``Omitted`` (lost) whatever the CRM says."""
    by_stage = snapshot["stage"].map(stages.set_index("name")["category"])
    if "forecast_category" in snapshot:
        given = snapshot["forecast_category"].where(snapshot["forecast_category"].isin(CATEGORIES))
        by_stage = given.fillna(by_stage)
    closed = snapshot["is_closed"].astype(bool)
    won = snapshot["is_won"].astype(bool)
    return by_stage.mask(closed & won, "Closed").mask(closed & ~won, "Omitted")


def rollups(
    snapshot: pd.DataFrame,
    stages: pd.DataFrame,
    rates: pd.DataFrame | None,
    start,
    end,
    *,
    by: list[str] | None = None,
) -> pd.DataFrame:
    """Forecast roll-ups and weighted forecast for deals closing in ``[start, end]``.

    Parameters
    ----------
    snapshot
        Opportunities as they stand at the as-of date (``opportunities_at``).
    stages
        The stage table.
    rates
        ``stage, win_rate`` weighing open deals (``None``: ``weighted_pipeline`` counts
        closed won only).
    start, end
        The close-date window (e.g. a fiscal quarter).
    by
        Grouping columns, e.g. ``["product_family"]``.

    Returns
    -------
    pandas.DataFrame
        ``*by, closed, commit, best_case, pipeline, weighted_pipeline`` (closed won plus each
        open deal's amount times its stage's win rate).
    """
    by = list(by or [])
    close = to_datetime(snapshot["close_date"])
    deals = snapshot.loc[close.between(pd.Timestamp(start), pd.Timestamp(end))].copy()
    deals["category"] = forecast_categories(deals, stages)
    table = rates.set_index("stage")["win_rate"] if rates is not None else pd.Series(dtype=float)
    deals["rate"] = deals["stage"].map(table).fillna(0.0)
    deals.loc[deals["category"] == "Closed", "rate"] = 1.0
    deals.loc[deals["category"] == "Omitted", "rate"] = 0.0
    amount = deals["amount"].astype(float)
    parts = pd.DataFrame({c: amount.where(deals["category"] == c, 0.0) for c in CATEGORIES})
    parts["weighted"] = amount * deals["rate"]
    parts[by] = deals[by]
    grouped = parts.groupby(by, dropna=False) if by else parts.groupby(lambda _: "all")
    sums = grouped.sum(numeric_only=True)
    if not by:
        sums = sums.reindex(["all"], fill_value=0.0)
    out = pd.DataFrame(index=sums.index)
    out["closed"] = sums["Closed"]
    out["commit"] = sums["Closed"] + sums["Commit"]
    out["best_case"] = out["commit"] + sums["Best Case"]
    out["pipeline"] = sums["Pipeline"]
    out["weighted_pipeline"] = sums["weighted"]
    return out.reset_index(drop=not by)


FORECAST_COLUMNS = [
    "product_family",
    "quarter",
    "closed",
    "commit",
    "best_case",
    "pipeline",
    "weighted_pipeline",
    "expected_new",
    "weighted",
    "p10",
    "p50",
    "p90",
]


def forecast_table(snapshot: pd.DataFrame, stages: pd.DataFrame, outcome) -> pd.DataFrame:
    """The roll-ups and the outcome model's figures of one quarter per product family.

    Parameters
    ----------
    snapshot
        Opportunities as they stood at the outcome's ``as_of`` (``opportunities_at``).
    stages
        The stage table.
    outcome
        :class:`compass_nb.pipeline.outcome.QuarterOutcome` of the quarter.

    Returns
    -------
    pandas.DataFrame
        ``FORECAST_COLUMNS``; for a quarter that is over, every forecast figure is the
        family's actual bookings.
    """
    roll = rollups(snapshot, stages, None, outcome.start, outcome.end, by=["product_family"])
    roll = roll.set_index("product_family")
    deals = outcome.deals
    families = sorted(set(roll.index) | set(outcome.new_share.index) | set(outcome.family_draws))
    out = roll.reindex(families).fillna(0.0).drop(columns="weighted_pipeline")
    if outcome.is_over:
        out["weighted_pipeline"] = out["closed"]
        out["expected_new"] = 0.0
        for p in (10, 50, 90):
            out[f"p{p}"] = out["closed"]
    else:
        expected = (deals["amount"] * deals["q"]).groupby(deals["product_family"]).sum()
        out["weighted_pipeline"] = out["closed"] + expected.reindex(families).fillna(0.0)
        share = outcome.new_share.reindex(families).fillna(0.0)
        out["expected_new"] = outcome.expected_new * share
        draws = outcome.family_draws.reindex(columns=families).fillna(0.0)
        closed = out["closed"].to_numpy()
        for p in (10, 50, 90):
            out[f"p{p}"] = np.percentile(draws.to_numpy(), p, axis=0) + closed
    out["weighted"] = out["weighted_pipeline"] + out["expected_new"]
    out.insert(0, "quarter", outcome.quarter)
    out.index.name = "product_family"
    return out.reset_index().loc[:, FORECAST_COLUMNS]
