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
* **Identifiers** (SKUs, locations, ids, teams, families: columns with an ``ident``) are
  trimmed of spaces and control characters (a stray NUL byte, a tab) and compared
  ignoring case; every spelling of one identifier is rewritten to the first spelling
  the source uses (its master table's first, e.g. ``products`` for SKUs), so ``r-0005``
  and `` R-0005`` are the rep ``R-0005``.
* **Keys**: the first row of a key (in source order) is accepted, later rows with the
  same key are quarantined as ``duplicate key``; a key whose rows disagree on one of the
  columns named in an :class:`Agree` is quarantined whole (every row of it).
* **References** are checked against the key column alone: a row of the referenced
  table that holds the key counts, whatever its other columns' faults (a product
  quarantined for its ``service_level`` still makes its SKU known). A source without
  ``products`` cannot check SKUs.
* **Upper bounds**: every number has one (:data:`UNITS_MAX`, :data:`MONEY_MAX`, ...), so
  that no column total overflows; a value above it is quarantined as out of range.
* **Dates in the future** (the cut-off column of an event table dated after today) are
  quarantined: they cannot be known yet, and never choose the default period.
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

#: Upper bound of a count of units (quantities, stock, capacity, people).
UNITS_MAX = 1e12
#: Upper bound of an amount of money (either sign where negative amounts are allowed).
MONEY_MAX = 1e13
#: Upper bound of a duration in days (lead times).
DAYS_MAX = 3650.0

#: Column types a contract may use.
TYPES = ("str", "date", "timestamp", "period", "float", "bool")


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
        The values a string column may take, or ``None`` for any; a value is matched
        trimmed and ignoring case, and written as the allowed spelling.
    ident
        The vocabulary of an identifier column (``"sku"``, ``"rep"``...): values are
        trimmed, cleaned of control characters and compared ignoring case; one spelling
        per identifier across every table of the vocabulary.
    integer
        A number column that must hold whole numbers.
    """

    name: str
    type: str = "str"
    required: bool = True
    min: float | None = None
    max: float | None = None
    allowed: tuple[str, ...] | None = None
    ident: str | None = None
    integer: bool = False

    def __post_init__(self) -> None:
        assert self.type in TYPES, f"unknown column type {self.type!r}"
        assert self.ident is None or self.type == "str", "identifiers are text"


@dataclass(frozen=True)
class Reference:
    """Values of ``columns`` must exist in ``table.to_columns`` (nulls are not checked)."""

    columns: tuple[str, ...]
    table: str
    to_columns: tuple[str, ...]
    reason: str


@dataclass(frozen=True)
class Rule:
    """A row check that reads other rows or tables: a SQL condition, true for a bad row.

    ``condition`` is DuckDB SQL over the row, aliased ``c`` (its typed columns by name),
    and may read the accepted rows of the tables in ``needs`` as ``{table}`` (their clean
    view as the checks stand when this table is validated). The row is quarantined with
    ``column`` and ``reason``. A rule is skipped when a table it needs is not loaded.
    """

    column: str
    reason: str
    condition: str
    needs: tuple[str, ...] = ()


@dataclass(frozen=True)
class Agree:
    """Rows sharing ``group`` must agree on ``column``; when they do not, all are quarantined.

    Used where no row of a disagreeing group can be trusted over the others (two answers
    of one respondent to one question with different scores).
    """

    group: tuple[str, ...]
    column: str
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
    rules: tuple[Rule, ...] = ()
    agree: tuple[Agree, ...] = ()

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


def _quantity(name: str = "quantity", *, required: bool = True) -> Column:
    return Column(name, "float", required=required, min=0, max=UNITS_MAX)


def _money(name: str, *, required: bool = True, signed: bool = False) -> Column:
    low = -MONEY_MAX if signed else 0
    return Column(name, "float", required=required, min=low, max=MONEY_MAX)


def _id(name: str, vocabulary: str, *, required: bool = True) -> Column:
    return Column(name, "str", required=required, ident=vocabulary)


_SKU = Reference(("sku",), "products", ("sku",), "unknown sku")
_REP = Reference(("rep_id",), "reps", ("rep_id",), "unknown rep")
_OPP = Reference(("opportunity_id",), "opportunities", ("opportunity_id",), "unknown opportunity")
_TEAM = Reference(("team",), "org_units", ("team",), "unknown team")

#: People a survey may invite per team (an upper bound like any other).
INVITED_MAX = 1e7
LIKERT = (1, 5)

CONTRACTS: dict[str, Contract] = {
    c.table: c
    for c in (
        Contract(
            "orders",
            "an order line (or a day × sku × location total)",
            (
                _col("order_date", "date"),
                _id("sku", "sku"),
                _id("location", "location"),
                _quantity(),
                _money("net_revenue", signed=True),
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
                _id("sku", "sku"),
                _id("family", "family"),
                _opt("category"),
                _money("unit_cost"),
                _money("unit_price"),
                _col("lead_time_days", "float", min=0, max=DAYS_MAX),
                _opt("lead_time_sd_days", "float", min=0, max=DAYS_MAX),
                _opt("service_level", "float", min=0, max=1),
                _opt("launch_date", "date"),
                _opt("discontinue_date", "date"),
                _quantity("lot_size", required=False),
                _quantity("moq", required=False),
                _opt("planner"),
            ),
            key=("sku",),
        ),
        Contract(
            "inventory",
            "an on-hand snapshot",
            (
                _col("snapshot_date", "date"),
                _id("sku", "sku"),
                _id("location", "location"),
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
                _id("resource", "resource"),
                _id("family", "family"),
                _quantity("capacity_units"),
                _money("cost_per_unit", required=False),
                _opt("owner"),
            ),
            key=("period", "resource", "family"),
        ),
        Contract(
            "receipts",
            "scheduled supply (open POs, production orders)",
            (
                _col("period", "period"),
                _id("sku", "sku"),
                _id("location", "location"),
                _quantity(),
            ),
            references=(_SKU,),
        ),
        Contract(
            "overrides",
            "a judgmental forecast adjustment",
            (
                _col("cycle", "period"),
                _col("period", "period"),
                _id("family", "family", required=False),
                _id("sku", "sku", required=False),
                _id("location", "location", required=False),
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
                _id("family", "family"),
                _money("revenue", signed=True),
                _quantity("quantity", required=False),
                _money("margin", required=False, signed=True),
            ),
            key=("period", "family"),
        ),
        Contract(
            "opportunities",
            "a CRM opportunity",
            (
                _id("opportunity_id", "opportunity"),
                _opt("account"),
                _id("owner_id", "rep"),
                _col("created_date", "date"),
                _col("close_date", "date"),
                _col("stage"),
                _money("amount"),
                _opt("type", allowed=("new", "renewal", "expansion")),
                _opt("segment"),
                _opt("forecast_category"),
                _opt("product_family"),
                _col("is_closed", "bool"),
                _col("is_won", "bool"),
                _opt("cancelled_date", "date"),
                _opt("loss_reason"),
            ),
            key=("opportunity_id",),
            references=(Reference(("owner_id",), "reps", ("rep_id",), "unknown rep"),),
            cutoff="created_date",
        ),
        Contract(
            "opportunity_history",
            "a change of stage, amount or close date",
            (
                _id("opportunity_id", "opportunity"),
                _col("changed_at", "timestamp"),
                _col("stage"),
                _money("amount"),
                _col("close_date", "date"),
            ),
            references=(_OPP,),
            cutoff="changed_at",
        ),
        Contract(
            "reps",
            "a seller",
            (
                _id("rep_id", "rep"),
                _col("name"),
                _id("team", "team"),
                _id("manager_id", "rep", required=False),
                _opt("region"),
                _col("role"),
                _col("hire_date", "date"),
                _opt("termination_date", "date"),
                _money("base_salary"),
                _money("ote"),
                _id("plan_id", "plan"),
            ),
            key=("rep_id",),
            references=(_TEAM,),
        ),
        Contract(
            "quotas",
            "a seller's quota for a period",
            (_id("rep_id", "rep"), _col("period", "period"), _money("quota")),
            key=("rep_id", "period"),
            references=(_REP,),
        ),
        Contract(
            "credit_splits",
            "a share of a won deal credited to a seller",
            (
                _id("opportunity_id", "opportunity"),
                _id("rep_id", "rep"),
                _col("split_pct", "float", min=0, max=100),
            ),
            key=("opportunity_id", "rep_id"),
            references=(_OPP, _REP),
        ),
        Contract(
            "activities",
            "a seller's logged activity (optional table)",
            (
                _col("activity_id"),
                _col("rep_id"),
                _col("activity_date", "date"),
                _col("kind"),
                _opt("opportunity_id"),
                _opt("qualified", "bool"),
            ),
            key=("activity_id",),
            references=(_REP, _OPP),
            cutoff="activity_date",
        ),
        Contract(
            "org_units",
            "a team in the organisation tree",
            (_id("team", "team"), _id("parent_team", "team", required=False)),
            key=("team",),
        ),
        Contract(
            "survey_questions",
            "a question of a survey",
            (
                _id("survey_id", "survey"),
                _id("question_id", "question"),
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
                _id("survey_id", "survey"),
                _col("survey_date", "date"),
                _id("respondent_id", "respondent"),
                _id("team", "team"),
                _id("question_id", "question"),
                Column("score", "float", min=0, max=10, integer=True),
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
            rules=(
                Rule(
                    "score",
                    f"out of range (a likert5 answer is {LIKERT[0]} to {LIKERT[1]})",
                    f"c.score NOT BETWEEN {LIKERT[0]} AND {LIKERT[1]} AND EXISTS (SELECT 1 FROM "
                    "{survey_questions} AS q WHERE q.survey_id = c.survey_id "
                    "AND q.question_id = c.question_id AND q.kind = 'likert5')",
                    needs=("survey_questions",),
                ),
            ),
            agree=(
                Agree(
                    ("survey_id", "respondent_id", "question_id"),
                    "score",
                    "conflicting duplicate answers from one respondent to one question "
                    "(all set aside)",
                ),
                Agree(
                    ("survey_id", "respondent_id"),
                    "team",
                    "respondent answered from more than one team in the same survey "
                    "(all answers set aside)",
                ),
            ),
        ),
        Contract(
            "survey_invites",
            "who was asked",
            (
                _id("survey_id", "survey"),
                _id("team", "team"),
                Column("invited", "float", min=0, max=INVITED_MAX, integer=True),
            ),
            key=("survey_id", "team"),
            references=(_TEAM,),
            rules=(
                Rule(
                    "invited",
                    "fewer people invited than answered: correct the invitation count",
                    "c.invited < (SELECT count(DISTINCT r.respondent_id) FROM {survey_responses} "
                    "AS r WHERE r.survey_id = c.survey_id AND r.team = c.team)",
                    needs=("survey_responses",),
                ),
            ),
            agree=(
                Agree(
                    ("survey_id", "team"),
                    "invited",
                    "conflicting invitation counts for one team in one survey (all set aside)",
                ),
            ),
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
    "activities",
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
        c = CONTRACTS[frontier.pop()]
        for name in [r.table for r in c.references] + [t for r in c.rules for t in r.needs]:
            if name not in needed:
                needed.add(name)
                frontier.append(name)
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
