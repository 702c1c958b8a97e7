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
    # -- data collection (01) ---------------------------------------------------------------
    _table(
        "quarantine_summary",
        "an input table's rows quarantined this cycle and its most frequent reason (counts "
        "only: the rows stay in the private quarantine files)",
        "table, rows:int, column, reason, reason_rows:int",
    ),
    _table(
        "forecast",
        "one series × month of the statistical forecast",
        "unique_id, level, sku, location, family, ds:timestamp, yhat:float, yhat_lo_80:float, "
        "yhat_hi_80:float, yhat_lo_95:float, yhat_hi_95:float, model, demand_class, flag",
    ),
    # -- forecasting (the forecasting step) ------------------------------------------------
    _table(
        "forecast_backtest",
        "one series' rolling-origin backtest of the planned forecast",
        "unique_id, level, sku, location, family, demand_class, model, points:int, wape:float, "
        "bias:float, mase:float, coverage:float, coverage_95:float, abs_error:float, "
        "actual:float, error:float",
    ),
    _table(
        "forecast_residuals",
        "one series' backtest error at one origin and horizon",
        "unique_id, level, sku, location, family, origin:timestamp, horizon:int, actual:float, "
        "forecast:float",
    ),
    _table(
        "nowcast",
        "one SKU × location's nowcast of the open month beside its forecast",
        "unique_id, sku, location, family, month:timestamp, forecast:float, mtd:float, "
        "share_elapsed:float, nowcast:float, gap_units:float, gap_value:float, rank_units:int, "
        "rank_value:int",
    ),
    # -- end of forecasting ---------------------------------------------------------------
    _table(
        "overrides_saved",
        "an override kept from the 02 widget (joins the next run's overrides)",
        "cycle, table_period, family, sku, location, quantity:float, author, reason",
    ),
    # --- pipeline and compensation (issue 14) ---------------------------------------------
    _table(
        "pipeline_commit",
        "the next fiscal quarter's pipeline by product family (read by 02): commit, best case "
        "and weighted as before, then weighted's parts (closed won, open deals weighted, new "
        "business not yet in the pipeline) and the outcome model's P10 / P50 / P90",
        "product_family, quarter, commit:float, best_case:float, weighted:float, closed:float, "
        "weighted_pipeline:float, expected_new:float, p10:float, p50:float, p90:float",
    ),
    _table(
        "pipeline_forecast",
        "a quarter's forecast roll-up by product family",
        "product_family, quarter, closed:float, commit:float, best_case:float, pipeline:float, "
        "weighted_pipeline:float, expected_new:float, weighted:float, p10:float, p50:float, "
        "p90:float",
    ),
    _table(
        "pipeline_backtest",
        "the bookings forecast of a past quarter at one horizon beside what closed",
        "quarter, horizon:int, as_of:timestamp, p10:float, p50:float, p90:float, mean:float, "
        "actual:float, p_quota:float, quota:float, inside:bool, error:float, pct_error:float",
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
        "spif_awards",
        "a SPIF award decided outside the plan files (e.g. a sales contest's payout), paid by "
        "compensation as a SPIF line in its pay_period; written by the step that decides it",
        "rep_id, pay_period, spif_id, amount:float, rule, source",
    ),
    _table(
        "comp_cost_backtest",
        "the cost forecast of a past month (made at the end of the month before) beside its "
        "actual variable pay",
        "month, p10:float, p50:float, p90:float, mean:float, actual:float, inside:bool",
    ),
    # --- end of pipeline and compensation ---------------------------------------------------
    # -- incentives (compass_nb.steps.incentives) ---------------------------------------------
    _table(
        "contest_lift",
        "a sales contest as of the cycle: its status, the lift of its metric net of "
        "pull-forward (difference-in-differences, NaN where not measured) with its interval, "
        "its cost (NaN where fewer than the minimum group were paid) and the verdict",
        "contest_id, metric, status, eligible:int, comparison:int, gross:float, post:float, "
        "net:float, cannibalisation:float, lift:float, low:float, high:float, "
        "sellers_paid:int, cost:float, cost_per_unit:float, verdict",
    ),
    # --- end of incentives ----------------------------------------------------------------
    # -- engagement (compass_nb.steps.enps) --------------------------------------------------
    _table(
        "enps_results",
        "a cell shown by the eNPS report: a group's eNPS in a survey (measure 'groups'), or a"
        " group comments are listed or counted under (measure 'comments'), with its member"
        " teams and the version of the survey's answers it shows; category counts are empty"
        " where the split is withheld",
        "survey_id, survey_date:timestamp, measure, group, kind, parent, teams, version, status, "
        "n:int, respondents:float, invited:float, promoters:float, passives:float, "
        "detractors:float, pct_promoters:float, pct_passives:float, pct_detractors:float, "
        "enps:float, low:float, high:float, interval",
    ),
    _table(
        "enps_answers",
        "an answer behind a version of a survey first shown in this cycle (private, like the"
        " clean inputs): later reports test their cells against what was shown",
        "version, survey_id, survey_date:timestamp, question_id, respondent_id, team, "
        "score:int, comment",
    ),
    _table(
        "metrics",
        "a headline figure of a notebook (written by the runner)",
        "notebook, key, label, value:float, text",
    ),
)

# -- the S&OP chain (02–06) ----------------------------------------------------------------
_SOP = (
    _table(
        "consensus",
        "one SKU × location × month of the consensus demand plan, valued at net price",
        "family, sku, location, month:timestamp, stat_forecast:float, stat_lo_80:float, "
        "stat_hi_80:float, life_share:float, lifecycle:float, override:float, override_level, "
        "override_author, consensus:float, adjustment:float, unit_price:float, net_price:float, "
        "price_source, unit_cost:float, revenue:float, margin:float, list_revenue:float, "
        "consensus_hi_80:float, consensus_lo_80:float, bounds_method",
    ),
    _table(
        "plan_vs_history",
        "the next 12 months' plan against the last 12 months' sales (family, total or a "
        "flagged SKU)",
        "level, family, sku, history_units:float, plan_units:float, growth_units:float, "
        "history_revenue:float, plan_revenue:float, growth_revenue:float, above_multiple:bool, "
        "excess_units:float, excess_revenue:float",
    ),
    _table(
        "supply_plan",
        "one SKU × location × month of the constrained supply plan",
        "family, sku, location, month:timestamp, demand:float, receipts:float, unit_price:float, "
        "net_price:float, unit_cost:float, producible:bool, safety_stock:float, "
        "requirement:float, production:float, shortfall:float, closing:float, opening:float, "
        "met:float, unmet:float, on_hand:float, backlog:float, below_safety_stock:bool, "
        "days_of_supply:float, max_stock:float, excess:float, revenue:float, margin:float, "
        "unmet_revenue:float, inventory_value:float, priority, max_cover_months:float, "
        "capacity_lead_months:int",
    ),
    _table(
        "exceptions",
        "an exception of the levelled supply plan, with its owner, due month and status",
        "exception, family, sku, location, resource, month:timestamp, size:float, unit, "
        "value:float, owner, due:timestamp, status",
    ),
    _table(
        "scenarios",
        "one scenario's figure beside the base plan",
        "scenario, metric, label, value:float, base_value:float, delta:float, assumptions",
    ),
    _table(
        "recommendations",
        "a ranked recommendation of the pre-S&OP review, valued net of its cost",
        "rank:int, kind, gap_id, family, action, resource, first_month:timestamp, "
        "last_month:timestamp, capacity_change:float, units:float, recovered_revenue:float, "
        "gross_value:float, cost:float, net_value:float, fill_rate:float, "
        "inventory_value:float, cash:float, gap_value:float, share_of_gap_closed:float, owner, "
        "due:timestamp",
    ),
    _table(
        "decisions",
        "a decision of the executive S&OP meeting (pending until recorded)",
        "decision_id, kind, title, option, status, owner, due, expected_value:float, "
        "at_stake:float, family, gap_id, first_month:timestamp, last_month:timestamp",
    ),
)

#: Every store table by name.
TABLES: dict[str, StoreTable] = {
    t.name: t for t in (*_DECLARED, *_SOP, *(_clean(name) for name in CONTRACTS))
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
        inferred = pd.api.types.infer_dtype(series, skipna=True)
        if inferred == "boolean":
            return "bool"
        if inferred == "string":
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
