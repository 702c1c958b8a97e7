"""Forecast roll-ups by category, the weighted forecast, and its backtest.

Roll-ups follow Salesforce's cumulative categories: *Commit* = commit + closed;
*Best case* = best case + commit + closed; *Pipeline* is the open amount still in the
Pipeline category. The weighted forecast is closed won plus every open deal's amount
times the historical win rate of deals that reached its stage.
"""

from __future__ import annotations

import pandas as pd

from compass_nb.pipeline._history import opportunities_at
from compass_nb.pipeline.funnel import stage_reach
from compass_nb.pipeline.quarters import past_quarters, quarter_label
from compass_nb.pipeline.stages import CATEGORIES, open_stages

ROLLUP_COLUMNS = ["closed", "commit", "best_case", "pipeline", "weighted"]


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


def stage_win_rates(states: pd.DataFrame, stages: pd.DataFrame, as_of, *, lookback_days: int = 365) -> pd.DataFrame:
    """Historical win rate of deals that reached each open stage.

    Among deals closed in the ``lookback_days`` before ``as_of`` (using only what was known
    at ``as_of``), the share of those that reached a stage which were won. A stage no
    closed deal reached takes the overall win rate of the closed deals.

    Returns
    -------
    pandas.DataFrame
        ``stage, order, reached, won, win_rate``.
    """
    as_of = pd.Timestamp(as_of).normalize()
    known = states.loc[states["at"] <= as_of]
    reach = stage_reach(known, stages)
    closed = reach.loc[reach["is_closed"] & (reach["close_date"] > as_of - pd.Timedelta(days=lookback_days))]
    overall = closed["is_won"].mean() if len(closed) else 0.0
    rows = []
    for _, stage in open_stages(stages).iterrows():
        mine = closed.loc[closed["reached"] >= stage["order"]]
        rate = mine["is_won"].mean() if len(mine) else overall
        rows.append({"stage": stage["name"], "order": stage["order"], "reached": len(mine),
                     "won": int(mine["is_won"].sum()), "win_rate": float(rate)})
    return pd.DataFrame(rows)


def rollups(snapshot: pd.DataFrame, stages: pd.DataFrame, rates: pd.DataFrame, start, end,
            *, by: list[str] | None = None) -> pd.DataFrame:
    """Forecast roll-ups and weighted forecast for deals closing in ``[start, end]``.

    Parameters
    ----------
    snapshot
        Opportunities as they stand at the as-of date (``opportunities_at``).
    stages
        The stage table.
    rates
        :func:`stage_win_rates` as of the same date.
    start, end
        The close-date window (e.g. a fiscal quarter).
    by
        Grouping columns, e.g. ``["product_family"]``.

    Returns
    -------
    pandas.DataFrame
        ``*by, closed, commit, best_case, pipeline, weighted``.
    """
    by = list(by or [])
    close = pd.to_datetime(snapshot["close_date"])
    deals = snapshot.loc[close.between(pd.Timestamp(start), pd.Timestamp(end))].copy()
    deals["category"] = forecast_categories(deals, stages)
    deals["rate"] = deals["stage"].map(rates.set_index("stage")["win_rate"]).fillna(0.0)
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
    out["weighted"] = sums["weighted"]
    return out.reset_index(drop=not by)


def quarter_forecast(opportunities: pd.DataFrame, states: pd.DataFrame, stages: pd.DataFrame,
                     as_of, start, end, fiscal_year_start: int = 1, *, by: list[str] | None = None,
                     lookback_days: int = 365) -> pd.DataFrame:
    """Roll-ups and weighted forecast of one fiscal quarter as known at ``as_of``, with a
    ``quarter`` label column."""
    snapshot = opportunities_at(opportunities, states, as_of)
    rates = stage_win_rates(states, stages, as_of, lookback_days=lookback_days)
    out = rollups(snapshot, stages, rates, start, end, by=by)
    out.insert(len(by or []), "quarter", quarter_label(start, fiscal_year_start))
    return out


def actual_won(opportunities: pd.DataFrame, start, end, *, by: list[str] | None = None) -> pd.DataFrame:
    """Won amount with a close date in ``[start, end]`` as the final data shows it."""
    by = list(by or [])
    close = pd.to_datetime(opportunities["close_date"])
    won = opportunities.loc[opportunities["is_won"].astype(bool) & close.between(pd.Timestamp(start), pd.Timestamp(end))]
    if not by:
        return pd.DataFrame({"actual": [float(won["amount"].sum())]})
    return won.groupby(by, dropna=False)["amount"].sum().rename("actual").reset_index()


def backtest(opportunities: pd.DataFrame, states: pd.DataFrame, stages: pd.DataFrame, cutoff,
             fiscal_year_start: int = 1, *, lead_days: int = 1, min_history_days: int = 365,
             lookback_days: int = 365) -> pd.DataFrame:
    """The weighted forecast (and commit / best case) of each past quarter against what closed.

    For every complete fiscal quarter that starts at least ``min_history_days`` after the
    first deal was created and ends by ``cutoff``, the forecast is made ``lead_days`` before
    the quarter starts from what was known then (pipeline and win rates), and compared
    with the amount actually won with a close date in the quarter.

    Returns
    -------
    pandas.DataFrame
        ``quarter, as_of, weighted, commit, best_case, actual, error`` (weighted − actual)
        and ``pct_error`` (error ÷ actual).
    """
    first = pd.to_datetime(opportunities["created_date"]).min() + pd.Timedelta(days=min_history_days)
    rows = []
    for label, start, end in past_quarters(first, cutoff, fiscal_year_start):
        as_of = start - pd.Timedelta(days=lead_days)
        made = quarter_forecast(opportunities, states, stages, as_of, start, end, fiscal_year_start,
                                lookback_days=lookback_days)
        actual = float(actual_won(opportunities, start, end)["actual"].iloc[0])
        rows.append({"quarter": label, "as_of": as_of, "weighted": float(made["weighted"].iloc[0]),
                     "commit": float(made["commit"].iloc[0]), "best_case": float(made["best_case"].iloc[0]),
                     "actual": actual})
    out = pd.DataFrame(rows, columns=["quarter", "as_of", "weighted", "commit", "best_case", "actual"])
    out["error"] = out["weighted"] - out["actual"]
    out["pct_error"] = (out["error"] / out["actual"]).where(out["actual"] > 0)
    return out


def backtest_error(backtest_table: pd.DataFrame) -> dict:
    """Summary of a backtest: quarters, MAPE, bias (mean % error) and WAPE of the weighted
    forecast, and the MAPE of the commit and best-case roll-ups for comparison."""
    bt = backtest_table.dropna(subset=["pct_error"])
    if bt.empty:
        return {"quarters": 0, "mape": float("nan"), "bias": float("nan"), "wape": float("nan"),
                "commit_mape": float("nan"), "best_case_mape": float("nan")}
    return {
        "quarters": int(len(bt)),
        "mape": float(bt["pct_error"].abs().mean()),
        "bias": float(bt["pct_error"].mean()),
        "wape": float(bt["error"].abs().sum() / bt["actual"].sum()),
        "commit_mape": float(((bt["commit"] - bt["actual"]) / bt["actual"]).abs().mean()),
        "best_case_mape": float(((bt["best_case"] - bt["actual"]) / bt["actual"]).abs().mean()),
    }
