"""Bridges in money: from the budget to the plan, and from last cycle's plan to this one's.

**Budget → plan**, over the months the budget covers, per family × month at the budget's
own price per unit ``p_b = budget revenue ÷ budget units``:

* volume = (statistical forecast − budget units) × p_b
* life cycle = (units the life cycle removes or a new item adds) × p_b
* overrides = (units the overrides add) × p_b
* price / mix = plan revenue − consensus units × p_b (net price against the budget's)

so that budget + volume + life cycle + overrides + price / mix = plan revenue exactly.
Months without budget units cannot be split and go to one ``not split`` step.

**Last cycle → this cycle**, over this cycle's month (which last cycle planned and now
has its actuals) and the months both cycles plan, row by row (SKU × location × month) at
last cycle's net price:

* actuals = actual net revenue of the month − what last cycle planned for it
* statistical re-forecast = Δ statistical forecast × last price
* life cycle = Δ life-cycle units × last price
* overrides = Δ override units × last price
* price = this cycle's units × (this net price − last net price)

The pipeline is compared with the consensus on 02 but is not an input to it, so it
moves nothing here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from compass_nb.calendar import to_datetime

KEYS = ["sku", "location", "month"]
BUDGET_STEPS = ["budget", "volume", "life cycle", "overrides", "price / mix", "not split", "plan"]
CHANGE_STEPS = [
    "last cycle's plan",
    "actuals",
    "statistical re-forecast",
    "life cycle",
    "overrides",
    "price",
    "this cycle's plan",
]


def _steps(values: dict, order: list[str]) -> pd.DataFrame:
    rows = [
        {
            "step": name,
            "value": float(values.get(name, 0.0)),
            "total": name == order[0] or name == order[-1],
        }
        for name in order
        if name in values
    ]
    return pd.DataFrame(rows, columns=["step", "value", "total"])


def budget_bridge(
    plan: pd.DataFrame, budget: pd.DataFrame | None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Budget revenue → plan revenue (see the module docstring).

    ``plan`` is the consensus plan (``family``, ``month``, ``stat_forecast``, ``lifecycle``,
    ``consensus``, ``revenue``); ``budget`` the input table. Returns ``(steps, by_family)``:
    ``steps`` has ``step``, ``value`` (money), ``total`` (the first and last bars);
    ``by_family`` one row per family with each step. Both empty without a budget.
    """
    empty = pd.DataFrame(columns=["step", "value", "total"]), pd.DataFrame(columns=["family"])
    if budget is None or budget.empty:
        return empty
    ours = (
        plan.assign(lifecycle=plan.get("lifecycle", 0.0))
        .groupby(["family", "month"])[["stat_forecast", "lifecycle", "consensus", "revenue"]]
        .sum()
    )
    b = budget.assign(month=to_datetime(budget["period"].astype(str) + "-01"))
    quantity = b["quantity"] if "quantity" in b else pd.Series(np.nan, index=b.index)
    b = (
        b.assign(quantity=quantity)
        .groupby(["family", "month"])
        .agg(
            budget_revenue=("revenue", "sum"),
            budget_units=("quantity", lambda s: s.sum(min_count=1)),
        )
    )
    df = ours.join(b, how="inner")
    if df.empty:
        return empty
    price = df["budget_revenue"] / df["budget_units"].where(df["budget_units"] > 0)
    split = price.notna()
    planned = df["stat_forecast"] + df["lifecycle"]
    parts = pd.DataFrame(index=df.index)
    parts["budget"] = df["budget_revenue"]
    parts["volume"] = ((df["stat_forecast"] - df["budget_units"]) * price).where(split, 0.0)
    parts["life cycle"] = (df["lifecycle"] * price).where(split, 0.0)
    parts["overrides"] = ((df["consensus"] - planned) * price).where(split, 0.0)
    parts["price / mix"] = (df["revenue"] - df["consensus"] * price).where(split, 0.0)
    parts["not split"] = (df["revenue"] - df["budget_revenue"]).where(~split, 0.0)
    parts["plan"] = df["revenue"]
    by_family = parts.groupby(level="family").sum().reset_index()
    totals = parts.sum().to_dict()
    if not (~split).any():
        totals.pop("not split")
    return _steps(totals, BUDGET_STEPS), by_family


def plan_change(
    current: pd.DataFrame,
    previous: pd.DataFrame | None,
    actuals: pd.DataFrame,
    period_month,
) -> tuple[pd.DataFrame, list[pd.Timestamp]]:
    """Last cycle's consensus → this cycle's, in money (see the module docstring).

    Parameters
    ----------
    current, previous
        This and last cycle's consensus (``sku``, ``location``, ``month``, ``stat_forecast``,
        ``lifecycle``, ``consensus``, ``net_price``; a plan without ``lifecycle`` counts 0,
        one without ``net_price`` is valued at ``unit_price``).
    actuals
        Monthly actuals with ``actual_revenue``.
    period_month
        This cycle's month (first day): last cycle planned it, now it is actual.

    Returns
    -------
    (steps, months)
        ``steps``: ``step``, ``value``, ``total``; empty without a previous cycle. ``months``:
        the months the bridge covers.
    """
    if previous is None or previous.empty:
        return pd.DataFrame(columns=["step", "value", "total"]), []
    month = pd.Timestamp(period_month)

    def prepared(df: pd.DataFrame) -> pd.DataFrame:
        price = df["net_price"] if "net_price" in df else df["unit_price"]
        life = df["lifecycle"] if "lifecycle" in df else 0.0
        out = df[KEYS].assign(
            stat=df["stat_forecast"].astype(float),
            life=life,
            cons=df["consensus"].astype(float),
            price=price.astype(float),
        )
        return out.groupby(KEYS, as_index=False).agg(
            stat=("stat", "sum"),
            life=("life", "sum"),
            cons=("cons", "sum"),
            price=("price", "first"),
        )

    cur, prev = prepared(current), prepared(previous)
    common = sorted(set(cur["month"]) & set(prev["month"]))
    now = prev[prev["month"] == month]
    planned_now = float((now["cons"] * now["price"]).sum())
    actual_now = float(actuals.loc[actuals["month"] == month, "actual_revenue"].sum())
    both = cur[cur["month"].isin(common)].merge(
        prev[prev["month"].isin(common)], on=KEYS, how="outer", suffixes=("_cur", "_prev")
    )
    both = both.fillna(
        {
            c: 0.0
            for c in ("stat_cur", "life_cur", "cons_cur", "stat_prev", "life_prev", "cons_prev")
        }
    )
    last_price = both["price_prev"].fillna(both["price_cur"]).fillna(0.0)
    this_price = both["price_cur"].fillna(last_price)
    adj_cur = both["cons_cur"] - both["stat_cur"] - both["life_cur"]
    adj_prev = both["cons_prev"] - both["stat_prev"] - both["life_prev"]
    values = {
        "last cycle's plan": planned_now + float((both["cons_prev"] * last_price).sum()),
        "actuals": actual_now - planned_now,
        "statistical re-forecast": float(
            ((both["stat_cur"] - both["stat_prev"]) * last_price).sum()
        ),
        "life cycle": float(((both["life_cur"] - both["life_prev"]) * last_price).sum()),
        "overrides": float(((adj_cur - adj_prev) * last_price).sum()),
        "price": float((both["cons_cur"] * (this_price - last_price)).sum()),
        "this cycle's plan": actual_now + float((both["cons_cur"] * this_price).sum()),
    }
    return _steps(values, CHANGE_STEPS), [month, *common]
