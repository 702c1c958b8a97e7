"""The data contracts of DESIGN.md, declared once.

Each input table has a :class:`Contract`: its columns (type, required or optional,
range, allowed values), its key and its references to other tables. The validator
(:mod:`compass_nb.data.validate`) turns a contract into DuckDB SQL, so that the same
definition checks a ten-million-line CSV and the demo's in-memory frames.

Decisions worth knowing
-----------------------
* **Negative quantities** are quarantined in ``orders``, ``inventory``, ``receipts`` and
  ``overrides`` (reason ``negative quantity``). Returns and credit notes are real, but
  they belong in their own feed: netting them into order lines would drag the demand
  history the forecasts learn from. ``net_revenue`` may be negative (rebates).
* **Missing values** (an empty cell or one of :data:`NULL_TOKENS` such as ``NaN``,
  ``NULL``, ``N/A``) are allowed in optional columns and quarantined in required ones.
* **Keys**: the first row of a key (in source order) is accepted, later rows with the
  same key are quarantined as ``duplicate key``.
* **References** are checked against the accepted rows of the referenced table when the
  source holds that table; a source without ``products`` cannot check SKUs.
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: Cell values read as "missing" (after trimming), whatever the column type.
NULL_TOKENS: tuple[str, ...] = (
    "",
    "NA",
    "N/A",
    "n/a",
    "NaN",
    "nan",
    "NAN",
    "NULL",
    "null",
    "Null",
    "None",
    "none",
    "#N/A",
    "NaT",
    "-",
)

#: Column types a contract may use.
TYPES = ("str", "date", "timestamp", "period", "float", "bool")

#: CRM stages, in order, as the demo company and most exports name them.
STAGES = (
    "Prospecting",
    "Qualification",
    "Discovery",
    "Proposal",
    "Negotiation",
    "Closed Won",
    "Closed Lost",
)


@dataclass(frozen=True)
class Column:
    """One column of a table's contract.

    Parameters
    ----------
    name
        Lower-case column name.
    type
        One of :data:`TYPES`.
    required
        A required column must be present in the file and non-missing in every row.
    min, max
        Inclusive bounds for numbers (``min=0`` on a quantity reads as "negative quantity").
    allowed
        The values a string column may take (case-sensitive), or ``None`` for any.
    """

    name: str
    type: str = "str"
    required: bool = True
    min: float | None = None
    max: float | None = None
    allowed: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        assert self.type in TYPES, f"unknown column type {self.type!r}"


@dataclass(frozen=True)
class Reference:
    """Values of ``columns`` must exist in ``table.to_columns`` (nulls are not checked)."""

    columns: tuple[str, ...]
    table: str
    to_columns: tuple[str, ...]
    reason: str


@dataclass(frozen=True)
class Contract:
    """A table's contract: columns, key, references and the date that cuts it off.

    ``cutoff`` names the column compared with the period's last day (a date), or the
    period column compared with the period itself (``cutoff_is_period``); ``None`` means
    the table is returned whole (period-keyed plans and master data).
    """

    table: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    references: tuple[Reference, ...] = ()
    cutoff: str | None = None
    cutoff_is_period: bool = False
    one_of: tuple[tuple[str, ...], ...] = field(default=())

    @property
    def required(self) -> list[str]:
        """Names of the required columns."""
        return [c.name for c in self.columns if c.required]

    @property
    def names(self) -> list[str]:
        """Names of every contract column, in contract order."""
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        """The column called ``name``."""
        return next(c for c in self.columns if c.name == name)


def _col(name: str, type: str = "str", **kw) -> Column:
    return Column(name, type, **kw)


def _opt(name: str, type: str = "str", **kw) -> Column:
    return Column(name, type, required=False, **kw)


def _quantity(name: str = "quantity") -> Column:
    return Column(name, "float", min=0)


_SKU = Reference(("sku",), "products", ("sku",), "unknown sku")
_REP = Reference(("rep_id",), "reps", ("rep_id",), "unknown rep")
_OPP = Reference(("opportunity_id",), "opportunities", ("opportunity_id",), "unknown opportunity")
_TEAM = Reference(("team",), "org_units", ("team",), "unknown team")

CONTRACTS: dict[str, Contract] = {
    c.table: c
    for c in (
        Contract(
            "orders",
            "an order line (or a day × sku × location total)",
            (
                _col("order_date", "date"),
                _col("sku"),
                _col("location"),
                _quantity(),
                _col("net_revenue", "float"),
                _opt("customer_id"),
                _opt("channel"),
            ),
            references=(_SKU,),
            cutoff="order_date",
        ),
        Contract(
            "products",
            "an item",
            (
                _col("sku"),
                _col("family"),
                _opt("category"),
                _col("unit_cost", "float", min=0),
                _col("unit_price", "float", min=0),
                _col("lead_time_days", "float", min=0),
                _opt("lead_time_sd_days", "float", min=0),
                _opt("service_level", "float", min=0, max=1),
                _opt("launch_date", "date"),
                _opt("discontinue_date", "date"),
                _opt("lot_size", "float", min=0),
                _opt("moq", "float", min=0),
                _opt("planner"),
            ),
            key=("sku",),
        ),
        Contract(
            "inventory",
            "an on-hand snapshot",
            (
                _col("snapshot_date", "date"),
                _col("sku"),
                _col("location"),
                _quantity("on_hand"),
            ),
            key=("snapshot_date", "sku", "location"),
            references=(_SKU,),
            cutoff="snapshot_date",
        ),
        Contract(
            "capacity",
            "a resource's monthly capacity for a family",
            (
                _col("period", "period"),
                _col("resource"),
                _col("family"),
                _col("capacity_units", "float", min=0),
                _opt("cost_per_unit", "float", min=0),
                _opt("owner"),
            ),
            key=("period", "resource", "family"),
        ),
        Contract(
            "receipts",
            "scheduled supply (open POs, production orders)",
            (_col("period", "period"), _col("sku"), _col("location"), _quantity()),
            references=(_SKU,),
        ),
        Contract(
            "overrides",
            "a judgmental forecast adjustment",
            (
                _col("cycle", "period"),
                _col("period", "period"),
                _opt("family"),
                _opt("sku"),
                _opt("location"),
                _quantity(),
                _col("author"),
                _opt("reason"),
            ),
            references=(_SKU,),
            cutoff="cycle",
            cutoff_is_period=True,
            one_of=(("family", "sku"),),
        ),
        Contract(
            "budget",
            "the annual operating plan",
            (
                _col("period", "period"),
                _col("family"),
                _col("revenue", "float"),
                _opt("quantity", "float", min=0),
                _opt("margin", "float"),
            ),
            key=("period", "family"),
        ),
        Contract(
            "opportunities",
            "a CRM opportunity",
            (
                _col("opportunity_id"),
                _opt("account"),
                _col("owner_id"),
                _col("created_date", "date"),
                _col("close_date", "date"),
                _col("stage"),
                _col("amount", "float", min=0),
                _opt("type", allowed=("new", "renewal", "expansion")),
                _opt("segment"),
                _opt("forecast_category"),
                _opt("product_family"),
                _col("is_closed", "bool"),
                _col("is_won", "bool"),
                _opt("cancelled_date", "date"),
            ),
            key=("opportunity_id",),
            references=(Reference(("owner_id",), "reps", ("rep_id",), "unknown rep"),),
            cutoff="created_date",
        ),
        Contract(
            "opportunity_history",
            "a change of stage, amount or close date",
            (
                _col("opportunity_id"),
                _col("changed_at", "timestamp"),
                _col("stage"),
                _col("amount", "float", min=0),
                _col("close_date", "date"),
            ),
            references=(_OPP,),
            cutoff="changed_at",
        ),
        Contract(
            "reps",
            "a seller",
            (
                _col("rep_id"),
                _col("name"),
                _col("team"),
                _opt("manager_id"),
                _opt("region"),
                _col("role"),
                _col("hire_date", "date"),
                _opt("termination_date", "date"),
                _col("base_salary", "float", min=0),
                _col("ote", "float", min=0),
                _col("plan_id"),
            ),
            key=("rep_id",),
            references=(_TEAM,),
        ),
        Contract(
            "quotas",
            "a seller's quota for a period",
            (_col("rep_id"), _col("period", "period"), _col("quota", "float", min=0)),
            key=("rep_id", "period"),
            references=(_REP,),
        ),
        Contract(
            "credit_splits",
            "a share of a won deal credited to a seller",
            (_col("opportunity_id"), _col("rep_id"), _col("split_pct", "float", min=0, max=100)),
            key=("opportunity_id", "rep_id"),
            references=(_OPP, _REP),
        ),
        Contract(
            "org_units",
            "a team in the organisation tree",
            (_col("team"), _opt("parent_team")),
            key=("team",),
        ),
        Contract(
            "survey_questions",
            "a question of a survey",
            (
                _col("survey_id"),
                _col("question_id"),
                _col("text"),
                _col("kind", allowed=("enps", "likert5")),
                _opt("driver"),
            ),
            key=("survey_id", "question_id"),
        ),
        Contract(
            "survey_responses",
            "one answer",
            (
                _col("survey_id"),
                _col("survey_date", "date"),
                _col("respondent_id"),
                _col("team"),
                _col("question_id"),
                _col("score", "float", min=0, max=10),
                _opt("comment"),
            ),
            key=("survey_id", "respondent_id", "question_id"),
            references=(
                _TEAM,
                Reference(
                    ("survey_id", "question_id"),
                    "survey_questions",
                    ("survey_id", "question_id"),
                    "unknown question",
                ),
            ),
            cutoff="survey_date",
        ),
        Contract(
            "survey_invites",
            "who was asked",
            (_col("survey_id"), _col("team"), _col("invited", "float", min=0)),
            key=("survey_id", "team"),
            references=(_TEAM,),
        ),
    )
}

#: Table names in an order where every referenced table comes before its referrers.
TABLE_ORDER: tuple[str, ...] = (
    "products",
    "org_units",
    "reps",
    "opportunities",
    "opportunity_history",
    "credit_splits",
    "quotas",
    "orders",
    "inventory",
    "capacity",
    "receipts",
    "overrides",
    "budget",
    "survey_questions",
    "survey_responses",
    "survey_invites",
)

#: Tables keyed by period: returned whole for every cycle.
PERIOD_TABLES = ("capacity", "receipts", "budget", "quotas")


def contract(table: str) -> Contract:
    """The contract of ``table``; ``KeyError`` for a name that is not an input table."""
    return CONTRACTS[table]


def dependencies(tables: list[str]) -> list[str]:
    """``tables`` plus every table they reference, transitively, in :data:`TABLE_ORDER`."""
    needed = set(tables)
    frontier = list(tables)
    while frontier:
        for ref in CONTRACTS[frontier.pop()].references:
            if ref.table not in needed:
                needed.add(ref.table)
                frontier.append(ref.table)
    if "opportunities" in needed:
        needed.add("opportunity_history")  # the cut-off rebuilds deals from their history
    return [t for t in TABLE_ORDER if t in needed]


def describe() -> str:
    """The contracts as Markdown, one section per table (for README and the 01 notebook)."""
    lines = []
    for c in (CONTRACTS[t] for t in TABLE_ORDER):
        cols = ", ".join(
            f"`{col.name}{'' if col.required else '?'}` ({col.type})" for col in c.columns
        )
        key = f" Key: {', '.join(c.key)}." if c.key else ""
        lines.append(f"* `{c.table}` — {c.description}: {cols}.{key}")
    return "\n".join(lines)
