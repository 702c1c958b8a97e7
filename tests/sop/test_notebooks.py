"""The five S&OP notebooks execute end to end on demo:small.

A past cycle (2026-09) is planned through the package and committed to a fresh store,
then 02–06 run for 2026-10 in one staging folder, as the runner would. Until the
forecasting notebook's output can be used, the ``forecast`` table is a plain
seasonal-naive stand-in built here (the notebooks themselves read the store).
"""

from pathlib import Path

import pandas as pd
import pytest

from compass_nb import store as cycle_store
from compass_nb.execute import execute_notebook
from compass_nb.sop.months import monthly_actuals, period_month, plan_months

NOTEBOOKS = [
    "02_demand_planning",
    "03_supply_planning",
    "04_pre_sop_review",
    "05_executive_sop",
    "06_implementation_tracking",
]
ROOT = Path(__file__).resolve().parents[2]


def seasonal_naive_forecast(
    orders: pd.DataFrame, products: pd.DataFrame, period: str, horizon: int = 18
) -> pd.DataFrame:
    """Same month last year per SKU × location, ±30 % as the 80 % interval (test stand-in)."""
    cutoff = period_month(period) + pd.offsets.MonthEnd(0)
    actuals = monthly_actuals(orders[pd.to_datetime(orders["order_date"]) <= cutoff])
    last_year = actuals[actuals["month"] > period_month(period) - pd.DateOffset(months=12)]
    family = products.set_index("sku")["family"]
    months = plan_months(period, horizon)
    rows = []
    for (sku, loc), g in last_year.groupby(["sku", "location"]):
        by_month = g.set_index(g["month"].dt.month)["actual"]
        for m in months:
            y = float(by_month.get(m.month, 0.0))
            rows.append(
                {
                    "unique_id": f"{sku}|{loc}",
                    "level": "sku_location",
                    "sku": sku,
                    "location": loc,
                    "family": family[sku],
                    "ds": m,
                    "yhat": y,
                    "yhat_lo_80": 0.7 * y,
                    "yhat_hi_80": 1.3 * y,
                    "yhat_lo_95": 0.5 * y,
                    "yhat_hi_95": 1.5 * y,
                    "model": "SeasonalNaive",
                    "demand_class": "smooth",
                    "flag": "",
                }
            )
    return pd.DataFrame(rows)


def _past_cycle(tables, store, tmp_path, period="2026-09"):
    from compass_nb.sop import cycle

    run_dir = tmp_path / f"run-{period}"
    cut = period_month(period) + pd.offsets.MonthEnd(0)
    orders = tables["orders"][pd.to_datetime(tables["orders"]["order_date"]) <= cut]
    fc = seasonal_naive_forecast(orders, tables["products"], period)
    d = cycle.demand_review(
        fc,
        tables["overrides"][tables["overrides"]["cycle"] <= period],
        tables["products"],
        tables["budget"],
        orders,
        period=period,
    )
    s = cycle.supply_review(
        d.consensus,
        tables["products"],
        tables["inventory"],
        tables["capacity"],
        tables["receipts"],
        orders,
        period=period,
    )
    for name, frame in (("forecast", fc), ("consensus", d.consensus), ("supply_plan", s.stored)):
        cycle_store.stage(run_dir, name, frame, period=period, run_id=1)
    cycle_store.stage(
        run_dir,
        "decisions",
        pd.DataFrame(
            {
                "decision_id": [1],
                "kind": ["scenario"],
                "title": ["Approved scenario"],
                "option": ["base"],
                "owner": [""],
                "due": [""],
            }
        ),
        period=period,
        run_id=1,
    )
    cycle_store.commit(store, run_dir, period=period, run_id=1)


@pytest.mark.slow
def test_the_five_sop_notebooks_run_on_the_small_demo(tmp_path):
    from compass_nb.data import demo

    tables = demo.generate("small")
    store = tmp_path / "compass.duckdb"
    _past_cycle(tables, store, tmp_path)
    run_dir = tmp_path / "run-2026-10"
    (run_dir).mkdir()
    (run_dir / "run.json").write_text('{"run_id": 1}')
    cycle_store.stage(
        run_dir,
        "forecast",
        seasonal_naive_forecast(tables["orders"], tables["products"], "2026-10"),
        period="2026-10",
        run_id=1,
    )
    params = {
        "source": "demo:small",
        "store": str(store),
        "run_dir": str(run_dir),
        "period": "2026-10",
    }
    for name in NOTEBOOKS:
        execute_notebook(
            ROOT / "notebooks" / f"{name}.ipynb",
            tmp_path / f"{name}.ipynb",
            params,
            cell_timeout=600,
        )
    staged = {
        t: cycle_store.staged(run_dir, t)
        for t in (
            "consensus",
            "supply_plan",
            "exceptions",
            "scenarios",
            "recommendations",
            "decisions",
        )
    }
    assert all(
        frame is not None and not frame.empty for t, frame in staged.items() if t != "exceptions"
    )
    assert (staged["decisions"]["period"] == "2026-10").all()
    assert {"base", "upside", "downside"} <= set(staged["scenarios"]["scenario"])
    exports = sorted(p.name for p in (run_dir / "pack" / "exports").iterdir())
    assert {"consensus.csv", "supply_plan.csv", "exceptions.csv", "supply_plan.xlsx"} <= set(
        exports
    )
