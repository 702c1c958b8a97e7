"""The store tables, declared once: the output counterpart of :mod:`compass_nb.data.contracts`.

Every table a step writes is declared here with its columns and their types; staging a
table that is not declared, that lacks a declared column, or that carries an undeclared
one, is an error (:func:`check_frame`). Each stored row also carries the store's keys,
``period`` (the cycle) and ``run_id``, which are not listed.

``clean_<table>`` holds a cycle's validated input table: its columns come from the input
contract (an input's own ``period`` column is stored as ``table_period``), and the extra
columns a source carries are kept.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from compass_nb.data.contracts import CONTRACTS

#: Column types of store tables.
TYPES = ("str", "int", "float", "bool", "timestamp")

_FROM_CONTRACT = {
    "str": "str",
    "period": "str",
    "date": "timestamp",
    "timestamp": "timestamp",
    "float": "float",
    "bool": "bool",
}


@dataclass(frozen=True)
class StoreTable:
    """A store table: its name, what one row is, its columns as ``name → type``."""

    name: str
    row: str
    columns: dict[str, str]
    extra_columns: bool = False

    def __post_init__(self) -> None:
        bad = {c: t for c, t in self.columns.items() if t not in TYPES}
        assert not bad, f"{self.name}: unknown column types {bad}"


def _table(name: str, row: str, columns: str) -> StoreTable:
    """A table from ``"name:type, name:type"`` (type ``str`` when omitted)."""
    parsed = {}
    for item in columns.split(","):
        column, _, kind = item.strip().partition(":")
        parsed[column] = kind or "str"
    return StoreTable(name, row, parsed)


def _clean(table: str) -> StoreTable:
    contract = CONTRACTS[table]
    columns = {
        ("table_period" if c.name == "period" else c.name): _FROM_CONTRACT[c.type]
        for c in contract.columns
        if c.required
    }
    return StoreTable(f"clean_{table}", contract.description, columns, extra_columns=True)


_DECLARED = (
    _table(
        "forecast",
        "one series × month of the statistical forecast",
        "unique_id, level, sku, location, family, ds:timestamp, yhat:float, yhat_lo_80:float, "
        "yhat_hi_80:float, yhat_lo_95:float, yhat_hi_95:float, model, demand_class, flag",
    ),
    _table(
        "forecast_backtest",
        "one series' rolling-origin backtest of the chosen model",
        "unique_id, level, family, model, wape:float, bias:float, mase:float, coverage:float, "
        "abs_error:float, actual:float, error:float",
    ),
    _table(
        "consensus",
        "one SKU × location × month of the consensus demand plan",
        "family, sku, location, month:timestamp, stat_forecast:float, stat_lo_80:float, "
        "stat_hi_80:float, override:float, override_level, override_author, consensus:float, "
        "unit_price:float, unit_cost:float, consensus_lo_80:float, consensus_hi_80:float, "
        "revenue:float, margin:float",
    ),
    _table(
        "overrides_saved",
        "an override kept from the 02 widget (joins the next run's overrides)",
        "cycle, table_period, family, sku, location, quantity:float, author, reason",
    ),
    _table(
        "supply_plan",
        "one SKU × location × month of the constrained supply plan",
        "family, sku, location, month:timestamp, demand:float, receipts:float, unit_price:float, "
        "unit_cost:float, requirement:float, production:float, shortfall:float, "
        "safety_stock:float, closing:float, opening:float, met:float, unmet:float, "
        "on_hand:float, backlog:float, below_safety_stock:bool, days_of_supply:float, "
        "max_stock:float, excess:float, revenue:float, margin:float, unmet_revenue:float, "
        "inventory_value:float, priority, max_cover_months:float",
    ),
    _table(
        "exceptions",
        "a supply exception for planners",
        "exception, family, sku, location, resource, month:timestamp, size:float, value:float, "
        "unit",
    ),
    _table(
        "scenarios",
        "one scenario's figure beside the base plan",
        "scenario, metric, label, value:float, base_value:float, delta:float, assumptions",
    ),
    _table(
        "recommendations",
        "a ranked, valued recommendation of the pre-S&OP review",
        "rank:int, kind, gap_id, family, action, resource, first_month:timestamp, "
        "last_month:timestamp, capacity_change:float, units:float, recovered_revenue:float, "
        "value:float, gap_value:float, share_of_gap_closed:float",
    ),
    _table(
        "decisions",
        "a decision of the executive S&OP meeting",
        "decision_id:int, kind, title, option, owner, due",
    ),
    _table(
        "pipeline_commit",
        "the next fiscal quarter's pipeline by product family (read by 02)",
        "product_family, quarter, commit:float, best_case:float, weighted:float",
    ),
    _table(
        "pipeline_forecast",
        "a quarter's forecast roll-up by product family",
        "product_family, quarter, closed:float, commit:float, best_case:float, pipeline:float, "
        "weighted_pipeline:float, expected_new:float, weighted:float",
    ),
    _table(
        "pipeline_backtest",
        "the weighted forecast of a past quarter beside what closed",
        "quarter, as_of:timestamp, weighted:float, weighted_pipeline:float, expected_new:float, "
        "commit:float, best_case:float, actual:float, error:float, pct_error:float",
    ),
    _table(
        "pipeline_velocity",
        "a month's sales velocity and its factors, company or team",
        "month, opportunities:float, win_rate:float, avg_deal_size:float, cycle_days:float, "
        "velocity:float, team",
    ),
    _table(
        "payouts",
        "a payout line of a seller (the comp engine's trace)",
        "rep_id, pay_period, measure, kind, opportunity_id, plan_id, version, amount:float, "
        "amount_cents:int",
    ),
    _table(
        "payout_adjustments",
        "a change to a closed period's pay, paid in this period",
        "rep_id, pay_period, adjusts_period, measure, kind, opportunity_id, what, "
        "before:float, after:float, amount:float, amount_cents:int",
    ),
    _table(
        "comp_audit",
        "the audit trail of an adjustment to a closed period",
        "changed_at, changed_by, reason, rep_id, adjusts_period, pay_period, opportunity_id, "
        "what, before:float, after:float, amount:float",
    ),
    _table(
        "comp_close",
        "a closed compensation period (locks the payouts of one run)",
        "locked_run_id:int, closed_at, closed_by, reason, sellers:int, total:float",
    ),
    _table(
        "enps_results",
        "a shown eNPS result of a group in a survey",
        "survey_id, survey_date:timestamp, group, kind, parent, n:int, invited:float, "
        "promoters:int, passives:int, detractors:int, pct_promoters:float, pct_passives:float, "
        "pct_detractors:float, enps:float, se:float, low:float, high:float, boot_low:float, "
        "boot_high:float",
    ),
    _table(
        "metrics",
        "a headline figure of a notebook (written by the runner)",
        "notebook, key, label, value:float, text",
    ),
)

#: Every store table by name.
TABLES: dict[str, StoreTable] = {
    t.name: t for t in (*_DECLARED, *(_clean(name) for name in CONTRACTS))
}
TABLES["clean_orders_mtd"] = StoreTable(
    "clean_orders_mtd",
    "an order line of the month after the period, known so far (the nowcast's input)",
    TABLES["clean_orders"].columns,
    extra_columns=True,
)

# -- The 02 override editor (JupyterLab). The store is append-only: removing an override kept
# in ``overrides_saved`` appends the same row here, and the next run's overrides drop it
# (compass_nb.context.Context.remove_override).
TABLES["overrides_removed"] = _table(
    "overrides_removed",
    "the removal of an override kept from the 02 widget (the next run's overrides drop it)",
    "cycle, table_period, family, sku, location, quantity:float, author, reason, removed_by",
)


def declared(name: str) -> StoreTable:
    """The declaration of store table ``name``; an undeclared name is an error."""
    if name not in TABLES:
        raise ValueError(
            f"store table {name!r} is not declared in compass_nb/store/tables.py; declare it "
            "with its columns before a step writes it"
        )
    return TABLES[name]


def _kind(series: pd.Series) -> str | None:
    if series.isna().all():
        return None  # an empty or all-missing column fits any type
    if pd.api.types.is_bool_dtype(series):
        return "bool"
    if pd.api.types.is_integer_dtype(series):
        return "int"
    if pd.api.types.is_float_dtype(series):
        return "float"
    if pd.api.types.is_datetime64_any_dtype(series):
        return "timestamp"
    if pd.api.types.is_object_dtype(series) or pd.api.types.is_string_dtype(series):
        values = series.dropna()
        if values.map(lambda v: isinstance(v, bool)).all():
            return "bool"
        if values.map(lambda v: isinstance(v, str)).all():
            return "str"
    return "other"


_FITS = {
    "str": {"str"},
    "int": {"int"},
    "float": {"float", "int"},
    "bool": {"bool"},
    "timestamp": {"timestamp"},
}


def check_frame(name: str, frame: pd.DataFrame) -> None:
    """Raise ``ValueError`` unless ``frame`` matches the declaration of table ``name``."""
    table = declared(name)
    missing = [c for c in table.columns if c not in frame.columns]
    extra = [c for c in frame.columns if c not in table.columns]
    problems = []
    if missing:
        problems.append(f"lacks declared columns {missing}")
    if extra and not table.extra_columns:
        problems.append(f"has undeclared columns {extra}")
    for column, kind in table.columns.items():
        if column in frame.columns:
            found = _kind(frame[column])
            if found is not None and found not in _FITS[kind]:
                problems.append(f"column {column!r} is {found}, declared {kind}")
    if problems:
        raise ValueError(f"store table {name!r}: " + "; ".join(problems))
