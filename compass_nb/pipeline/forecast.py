"""Forecast roll-ups by category, the weighted forecast, and its backtest.

Roll-ups follow Salesforce's cumulative categories: *Commit* = commit + closed;
*Best case* = best case + commit + closed; *Pipeline* is the open amount still in the
Pipeline category. The weighted forecast is closed won plus every open deal's amount
times the historical win rate of deals that reached its stage.
"""

from __future__ import annotations

import pandas as pd

from compass_nb.calendar import past_quarters, quarter_label
from compass_nb.pipeline._history import opportunities_at
from compass_nb.pipeline.funnel import stage_reach
from compass_nb.pipeline.stages import CATEGORIES, open_stages

BACKTEST_FIGURES = ["weighted", "weighted_pipeline", "expected_new", "commit", "best_case"]


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


def stage_win_rates(
    states: pd.DataFrame, stages: pd.DataFrame, as_of, *, lookback_days: int = 365
) -> pd.DataFrame:
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
    closed = reach.loc[
        reach["is_closed"] & (reach["close_date"] > as_of - pd.Timedelta(days=lookback_days))
    ]
    overall = closed["is_won"].mean() if len(closed) else 0.0
    rows = []
    for _, stage in open_stages(stages).iterrows():
        mine = closed.loc[closed["reached"] >= stage["order"]]
        rate = mine["is_won"].mean() if len(mine) else overall
        rows.append(
            {
                "stage": stage["name"],
                "order": stage["order"],
                "reached": len(mine),
                "won": int(mine["is_won"].sum()),
                "win_rate": float(rate),
            }
        )
    return pd.DataFrame(rows)


def rollups(
    snapshot: pd.DataFrame,
    stages: pd.DataFrame,
    rates: pd.DataFrame,
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
        :func:`stage_win_rates` as of the same date.
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
    out["weighted_pipeline"] = sums["weighted"]
    return out.reset_index(drop=not by)


def _months(a: pd.Timestamp, b: pd.Timestamp) -> int:
    return (b.year - a.year) * 12 + b.month - a.month


def _like_quarters(start, as_of, first, quarters: int):
    """The ``quarters`` latest quarters complete at ``as_of`` (none starting before ``first``),
    each as ``(start, end, then)`` where ``then`` sits as far before or into it as ``as_of``
    does for the quarter starting ``start``."""
    start, as_of = pd.Timestamp(start).normalize(), pd.Timestamp(as_of).normalize()
    offset = _months(start, as_of + pd.Timedelta(days=1))
    out, k = [], 1
    while len(out) < quarters and k <= quarters + 8:
        q_start = start - pd.DateOffset(months=3 * k)
        q_end = q_start + pd.DateOffset(months=3) - pd.Timedelta(days=1)
        k += 1
        if q_end > as_of:
            continue
        if q_start < first:
            break
        out.append((q_start, q_end, q_start + pd.DateOffset(months=offset) - pd.Timedelta(days=1)))
    return out


def expected_new_wins(
    opportunities: pd.DataFrame,
    states: pd.DataFrame,
    start,
    as_of,
    *,
    quarters: int = 4,
    by: list[str] | None = None,
) -> pd.DataFrame:
    """Wins to expect in the quarter starting ``start`` from deals not in its pipeline at
    ``as_of``: deals not yet created, and deals open but due in another quarter that will
    close won in this one.

    The average, over the ``quarters`` latest quarters complete at ``as_of``, of the amount
    won in each (close date in it) from deals that, at the same point of that quarter's
    calendar (as far before or into it as ``as_of`` is for this one), did not exist or were
    not open with a close date in it. Together with :func:`in_quarter_win_rates`, which
    weighs the deals that were, it accounts for every win of a past quarter.

    Parameters
    ----------
    opportunities, states
        Opportunities and their states over time (``timeline``), known at ``as_of``.
    start
        First day of the quarter forecast.
    as_of
        The date the forecast is made (a month end).
    quarters
        How many past quarters to average.
    by
        Grouping columns.

    Returns
    -------
    pandas.DataFrame
        ``*by, expected_new``.
    """
    by = list(by or [])
    final = opportunities_at(opportunities, states, as_of)
    close = pd.to_datetime(final["close_date"])
    won = final["is_won"].astype(bool)
    first = pd.to_datetime(opportunities["created_date"]).min()
    parts = []
    for q_start, q_end, then in _like_quarters(start, as_of, first, quarters):
        snap = opportunities_at(opportunities, states, then)
        due = ~snap["is_closed"].astype(bool) & snap["close_date"].between(q_start, q_end)
        in_pipeline = final["opportunity_id"].isin(snap.loc[due, "opportunity_id"])
        parts.append(final.loc[won & close.between(q_start, q_end) & ~in_pipeline])
    n = max(len(parts), 1)
    new = pd.concat(parts) if parts else final.iloc[:0]
    if not by:
        return pd.DataFrame({"expected_new": [float(new["amount"].sum()) / n]})
    out = new.groupby(by, dropna=False)["amount"].sum() / n
    return out.rename("expected_new").reset_index()


def in_quarter_win_rates(
    opportunities: pd.DataFrame,
    states: pd.DataFrame,
    stages: pd.DataFrame,
    start,
    as_of,
    *,
    fallback: pd.DataFrame,
    quarters: int = 4,
    min_deals: int = 5,
) -> pd.DataFrame:
    """Per open stage, the share of deals open at that stage and due in a quarter that were
    won within that quarter, from the past quarters seen from the same point.

    For each of the ``quarters`` latest quarters complete at ``as_of``, the deals open at the
    same point of that quarter's calendar (as far before or into it as ``as_of`` is for the
    quarter starting ``start``) with a close date in it, and whether they were won with a
    close date in it. This counts slippage and losses alike, so the rate answers "how much
    of this stage's pipeline due in the quarter closes in the quarter". A stage seen in fewer
    than ``min_deals`` such deals takes its rate from ``fallback`` (:func:`stage_win_rates`).

    Returns
    -------
    pandas.DataFrame
        ``stage, order, open_deals, won_in_quarter, win_rate``.
    """
    final = opportunities_at(opportunities, states, as_of)
    won_when = final.loc[final["is_won"].astype(bool)].set_index("opportunity_id")["close_date"]
    first = pd.to_datetime(opportunities["created_date"]).min()
    samples = []
    for q_start, q_end, then in _like_quarters(start, as_of, first, quarters):
        snap = opportunities_at(opportunities, states, then)
        due = snap.loc[~snap["is_closed"].astype(bool) & snap["close_date"].between(q_start, q_end)]
        closed_at = due["opportunity_id"].map(won_when)
        samples.append(due.assign(won=closed_at.between(q_start, q_end)))
    sample = pd.concat(samples) if samples else pd.DataFrame(columns=["stage", "won"])
    counts = sample.groupby("stage")["won"].agg(["size", "sum"])
    out = open_stages(stages).loc[:, ["name", "order"]].rename(columns={"name": "stage"})
    out["open_deals"] = out["stage"].map(counts["size"]).fillna(0).astype(int)
    out["won_in_quarter"] = out["stage"].map(counts["sum"]).fillna(0).astype(int)
    own = out["won_in_quarter"] / out["open_deals"].where(out["open_deals"] > 0)
    backup = out["stage"].map(fallback.set_index("stage")["win_rate"])
    out["win_rate"] = own.where(out["open_deals"] >= min_deals, backup).astype(float)
    return out


def quarter_forecast(
    opportunities: pd.DataFrame,
    states: pd.DataFrame,
    stages: pd.DataFrame,
    as_of,
    start,
    end,
    fiscal_year_start: int = 1,
    *,
    by: list[str] | None = None,
    lookback_days: int = 365,
) -> pd.DataFrame:
    """Roll-ups and weighted forecast of one fiscal quarter as known at ``as_of``.

    ``weighted = weighted_pipeline + expected_new``: closed won, plus each open deal's
    amount times the share of its stage's pipeline due in past quarters that closed won
    within them (:func:`in_quarter_win_rates`, which falls back to :func:`stage_win_rates`),
    plus the wins to expect from deals not in that pipeline yet (:func:`expected_new_wins`).

    Returns
    -------
    pandas.DataFrame
        ``*by, quarter, closed, commit, best_case, pipeline, weighted_pipeline,
        expected_new, weighted``.
    """
    by = list(by or [])
    snapshot = opportunities_at(opportunities, states, as_of)
    reached = stage_win_rates(states, stages, as_of, lookback_days=lookback_days)
    rates = in_quarter_win_rates(opportunities, states, stages, start, as_of, fallback=reached)
    out = rollups(snapshot, stages, rates, start, end, by=by)
    new = expected_new_wins(opportunities, states, start, as_of, by=by)
    if by:
        out = out.merge(new, on=by, how="outer").fillna(0.0)
    else:
        out["expected_new"] = new["expected_new"].iloc[0]
    out["weighted"] = out["weighted_pipeline"] + out["expected_new"]
    out.insert(len(by), "quarter", quarter_label(start, fiscal_year_start))
    return out


def actual_won(
    opportunities: pd.DataFrame, start, end, *, by: list[str] | None = None
) -> pd.DataFrame:
    """Won amount with a close date in ``[start, end]`` as the final data shows it."""
    by = list(by or [])
    close = pd.to_datetime(opportunities["close_date"])
    won = opportunities.loc[
        opportunities["is_won"].astype(bool) & close.between(pd.Timestamp(start), pd.Timestamp(end))
    ]
    if not by:
        return pd.DataFrame({"actual": [float(won["amount"].sum())]})
    return won.groupby(by, dropna=False)["amount"].sum().rename("actual").reset_index()


def backtest(
    opportunities: pd.DataFrame,
    states: pd.DataFrame,
    stages: pd.DataFrame,
    cutoff,
    fiscal_year_start: int = 1,
    *,
    lead_months: int = 0,
    min_history_days: int = 365,
    lookback_days: int = 365,
) -> pd.DataFrame:
    """The weighted forecast (and commit / best case) of each past quarter against what closed.

    For every complete fiscal quarter that starts at least ``min_history_days`` after the
    first deal was created and ends by ``cutoff``, the forecast is made on the day before the
    quarter starts less ``lead_months`` months (0: the eve of the quarter; 2: as if made at the
    end of the quarter's third-last month), from what was known then (pipeline and win rates), and compared
    with the amount actually won with a close date in the quarter.

    Returns
    -------
    pandas.DataFrame
        ``quarter, as_of, weighted, weighted_pipeline, expected_new, commit, best_case, actual,
        error`` (weighted − actual)
        and ``pct_error`` (error ÷ actual).
    """
    first = pd.to_datetime(opportunities["created_date"]).min() + pd.Timedelta(
        days=min_history_days
    )
    rows = []
    for label, start, end in past_quarters(first, cutoff, fiscal_year_start):
        as_of = start - pd.DateOffset(months=lead_months) - pd.Timedelta(days=1)
        made = quarter_forecast(
            opportunities,
            states,
            stages,
            as_of,
            start,
            end,
            fiscal_year_start,
            lookback_days=lookback_days,
        )
        actual = float(actual_won(opportunities, start, end)["actual"].iloc[0])
        made = made.iloc[0]
        rows.append(
            {"quarter": label, "as_of": as_of}
            | {c: float(made[c]) for c in BACKTEST_FIGURES}
            | {"actual": actual}
        )
    out = pd.DataFrame(rows, columns=["quarter", "as_of", *BACKTEST_FIGURES, "actual"])
    out["error"] = out["weighted"] - out["actual"]
    out["pct_error"] = (out["error"] / out["actual"]).where(out["actual"] > 0)
    return out


def backtest_error(backtest_table: pd.DataFrame) -> dict:
    """Summary of a backtest: quarters, MAPE, bias (mean % error) and WAPE of the weighted
    forecast, and the MAPE of the commit and best-case roll-ups for comparison."""
    bt = backtest_table.dropna(subset=["pct_error"])
    if bt.empty:
        return {
            "quarters": 0,
            "mape": float("nan"),
            "bias": float("nan"),
            "wape": float("nan"),
            "commit_mape": float("nan"),
            "best_case_mape": float("nan"),
        }
    return {
        "quarters": int(len(bt)),
        "mape": float(bt["pct_error"].abs().mean()),
        "bias": float(bt["pct_error"].mean()),
        "wape": float(bt["error"].abs().sum() / bt["actual"].sum()),
        "commit_mape": float(((bt["commit"] - bt["actual"]) / bt["actual"]).abs().mean()),
        "best_case_mape": float(((bt["best_case"] - bt["actual"]) / bt["actual"]).abs().mean()),
    }
