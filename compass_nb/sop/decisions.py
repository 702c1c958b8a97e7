"""The executive decisions: what the meeting must decide, and what it recorded.

**Decisions required.** The plan to follow (one option per scenario of the pre-S&OP
review) and each recommendation whose net value reaches the materiality threshold
(a share of the plan's revenue; smaller actions are left to the planners and counted).
Every option carries its net P&L effect, fill rate, inventory value and cash against the
base plan, an owner and a due month.

**The decision log** holds one row per decision required, ``pending`` until the meeting
records it in the parameters: ``executive_sop.approved_scenario`` (a scenario name) and
``executive_sop.decisions``, each a dict ``{id: A1, option: approve | decline, owner?,
due?}`` (``id`` or the decision's ``title``), or free text for a decision outside the
list. Nothing is recorded by default. The log carries no timestamp (the manifest does),
so a re-run gives the same rows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from compass_nb.calendar import to_datetime
from compass_nb.errors import ParameterError

OPTION_COLUMNS = [
    "decision_id",
    "decision",
    "option",
    "net_pnl",
    "fill_rate",
    "inventory_value",
    "cash",
    "owner",
    "due",
]
LOG_COLUMNS = [
    "decision_id",
    "kind",
    "title",
    "option",
    "status",
    "owner",
    "due",
    "expected_value",
    "at_stake",
    "family",
    "gap_id",
    "first_month",
    "last_month",
]
PLAN_ID = "PLAN"
PLAN_TITLE = "Which scenario the plan follows"


def decisions_required(
    recommendations: pd.DataFrame,
    scenarios: pd.DataFrame,
    *,
    threshold: float,
    plan_owner: str,
    first_month,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The decisions of the meeting with their options (see the module docstring).

    Parameters
    ----------
    recommendations
        The ranked recommendations of the pre-S&OP review.
    scenarios
        The scenario table (``scenario``, ``metric``, ``value``, ``delta``).
    threshold
        Smallest net value (money) of a recommendation put to the meeting.
    plan_owner
        Who owns the choice of plan.
    first_month
        The first plan month (the plan decision is due then).

    Returns
    -------
    (options, below)
        ``options``: :data:`OPTION_COLUMNS`, one row per option; ``below``: the
        recommendations under the threshold.
    """
    rows = []
    wide = scenarios.pivot_table(
        index="scenario", columns="metric", values=["value", "delta"], sort=False
    )
    for name in wide.index:
        delta, value = wide.loc[name, "delta"], wide.loc[name, "value"]
        rows.append(
            {
                "decision_id": PLAN_ID,
                "decision": PLAN_TITLE,
                "option": str(name),
                "net_pnl": float(delta.get("margin", np.nan)),
                "fill_rate": float(value.get("fill_rate", np.nan)),
                "inventory_value": float(value.get("inventory_value", np.nan)),
                "cash": float(delta.get("margin", np.nan) - delta.get("ending_inventory", 0.0)),
                "owner": plan_owner,
                "due": pd.Timestamp(first_month),
            }
        )
    base = wide.loc["base", "value"] if "base" in wide.index else pd.Series(dtype=float)
    material = recommendations[recommendations["net_value"] >= threshold]
    for r in material.itertuples():
        title = f"Approve: {r.action}"
        for option, pnl, fill, inventory, cash in (
            ("approve", r.net_value, r.fill_rate, r.inventory_value, r.cash),
            (
                "decline",
                0.0,
                base.get("fill_rate", np.nan),
                base.get("inventory_value", np.nan),
                0.0,
            ),
        ):
            rows.append(
                {
                    "decision_id": f"A{int(r.rank)}",
                    "decision": title,
                    "option": option,
                    "net_pnl": float(pnl),
                    "fill_rate": float(fill),
                    "inventory_value": float(inventory),
                    "cash": float(cash),
                    "owner": str(r.owner),
                    "due": pd.Timestamp(r.due),
                }
            )
    options = pd.DataFrame(rows, columns=OPTION_COLUMNS)
    return options, recommendations[recommendations["net_value"] < threshold]


def _recorded(item, i: int) -> dict:
    if isinstance(item, str):
        item = {"title": item}
    if not isinstance(item, dict) or not (str(item.get("title", "")).strip() or item.get("id")):
        raise ParameterError(
            f"executive_sop.decisions item {i} needs an id (e.g. A1) or a title, e.g. "
            "{id: A1, option: approve, owner: Ops, due: 2026-12}."
        )
    return item


def decision_log(
    approved_scenario: str,
    decisions: list | None,
    scenarios: list[str],
    options: pd.DataFrame,
    recommendations: pd.DataFrame,
) -> pd.DataFrame:
    """The cycle's decision rows (see the module docstring), :data:`LOG_COLUMNS`.

    Raises ``ParameterError`` when the approved scenario is not one of ``scenarios``, a
    decision has neither id nor title, or a recorded option is not one of the decision's.
    """
    approved = str(approved_scenario or "").strip()
    if approved and approved not in scenarios:
        raise ParameterError(
            f"executive_sop.approved_scenario is {approved!r}, which step 04 did not run; "
            f"choose one of: {', '.join(map(str, scenarios))} (or leave it empty: pending)."
        )
    recorded = [_recorded(item, i) for i, item in enumerate(decisions or [], start=1)]
    plan_options = options[options["decision_id"] == PLAN_ID]
    values = dict(zip(plan_options["option"], plan_options["net_pnl"], strict=True))
    plan_row = plan_options.iloc[0] if len(plan_options) else None
    rows = [
        {
            "decision_id": PLAN_ID,
            "kind": "scenario",
            "title": PLAN_TITLE,
            "option": approved,
            "status": "decided" if approved else "pending",
            "owner": "" if plan_row is None else str(plan_row["owner"]),
            "due": "" if plan_row is None else f"{plan_row['due']:%Y-%m}",
            "expected_value": float(values.get(approved, np.nan)) if approved else np.nan,
            "at_stake": np.nan,
            "family": "",
            "gap_id": "",
            "first_month": pd.NaT,
            "last_month": pd.NaT,
        }
    ]
    used: set[int] = set()
    recs = recommendations.set_index(recommendations["rank"].map(lambda r: f"A{int(r)}"))
    actions = options[options["decision_id"] != PLAN_ID].drop_duplicates("decision_id")
    for action in actions.itertuples():
        match = next(
            (
                k
                for k, item in enumerate(recorded)
                if k not in used
                and (
                    str(item.get("id", "")).strip() == action.decision_id
                    or str(item.get("title", "")).strip() == action.decision
                )
            ),
            None,
        )
        item = recorded[match] if match is not None else {}
        if match is not None:
            used.add(match)
        option = str(item.get("option", "")).strip()
        if option and option not in ("approve", "decline"):
            raise ParameterError(
                f"executive_sop.decisions: {action.decision_id} takes option approve or decline, "
                f"got {option!r}."
            )
        rec = recs.loc[action.decision_id]
        rows.append(
            {
                "decision_id": action.decision_id,
                "kind": "action",
                "title": action.decision,
                "option": option,
                "status": "decided" if option else "pending",
                "owner": str(item.get("owner") or action.owner),
                "due": str(item.get("due") or f"{action.due:%Y-%m}"),
                "expected_value": float(rec["net_value"])
                if option == "approve"
                else (0.0 if option else np.nan),
                "at_stake": float(rec["net_value"]),
                "family": str(rec["family"]),
                "gap_id": str(rec["gap_id"]),
                "first_month": rec["first_month"],
                "last_month": rec["last_month"],
            }
        )
    for k, item in enumerate(recorded):
        if k in used:
            continue
        rows.append(
            {
                "decision_id": str(item.get("id") or f"X{k + 1}"),
                "kind": "other",
                "title": str(item.get("title", item.get("id"))),
                "option": str(item.get("option", "")),
                "status": "decided",
                "owner": str(item.get("owner", "")),
                "due": str(item.get("due", "")),
                "expected_value": np.nan,
                "at_stake": np.nan,
                "family": "",
                "gap_id": "",
                "first_month": pd.NaT,
                "last_month": pd.NaT,
            }
        )
    out = pd.DataFrame(rows, columns=LOG_COLUMNS)
    out["first_month"] = to_datetime(out["first_month"])
    out["last_month"] = to_datetime(out["last_month"])
    return out


def pending(log: pd.DataFrame) -> pd.DataFrame:
    """The decisions of the log still to be taken."""
    return log[log["status"] == "pending"]
