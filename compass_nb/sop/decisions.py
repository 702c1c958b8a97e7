"""The executive decision log: the approved scenario and the decisions taken, per cycle.

Records come from the parameters ``executive_sop.approved_scenario`` and
``executive_sop.decisions``; a decision is a string or a dict with ``title`` and
optionally ``option``, ``owner``, ``due``. The log carries no timestamp (the manifest
does), so a re-run gives the same rows.
"""

from __future__ import annotations

import pandas as pd

from compass_nb.errors import ParameterError

COLUMNS = ["decision_id", "kind", "title", "option", "owner", "due"]


def decision_log(
    approved_scenario: str, decisions: list | None, scenarios: list[str]
) -> pd.DataFrame:
    """The cycle's decision rows: first the approved scenario, then each decision.

    Raises ``ParameterError`` when the approved scenario is not one of ``scenarios`` or a
    decision has no title.
    """
    if approved_scenario not in scenarios:
        raise ParameterError(
            f"executive_sop.approved_scenario is {approved_scenario!r}, which step 04 did not run; "
            f"choose one of: {', '.join(map(str, scenarios))}."
        )
    rows = [
        {
            "kind": "scenario",
            "title": "Approved scenario",
            "option": approved_scenario,
            "owner": "",
            "due": "",
        }
    ]
    for i, item in enumerate(decisions or [], start=1):
        if isinstance(item, str):
            item = {"title": item}
        if not isinstance(item, dict) or not str(item.get("title", "")).strip():
            raise ParameterError(
                f"executive_sop.decisions item {i} needs a title, e.g. "
                "{title: 'Add a shift on Line-A', option: approve, owner: Ops, due: 2026-12}."
            )
        rows.append(
            {
                "kind": "decision",
                "title": str(item["title"]),
                "option": str(item.get("option", "")),
                "owner": str(item.get("owner", "")),
                "due": str(item.get("due", "")),
            }
        )
    out = pd.DataFrame(rows)
    out.insert(0, "decision_id", range(1, len(out) + 1))
    return out[COLUMNS]


def decisions_required(
    recommendations: pd.DataFrame, scenario_deltas: pd.DataFrame
) -> pd.DataFrame:
    """The decisions the executive meeting must take, with the options and their figures.

    One row for the scenario to plan on (options: each scenario with its revenue and
    fill-rate delta against base) and one per recommendation (approve or not, with its
    value: margin recovered or carrying cost saved).
    """
    rows = []
    if not scenario_deltas.empty:
        wide = scenario_deltas.pivot_table(
            index="scenario", columns="metric", values="delta", sort=False
        )
        options = "; ".join(
            f"{name}: revenue {row.get('revenue', 0):+,.0f}, fill rate {round(row.get('fill_rate', 0) * 100, 1) + 0.0:+.1f} pts"
            for name, row in wide.iterrows()
        )
        rows.append(
            {
                "decision": "Which scenario the plan follows",
                "options": options,
                "value": float("nan"),
            }
        )
    for r in recommendations.itertuples():
        rows.append(
            {
                "decision": f"Approve: {r.action}",
                "options": f"approve (closes {r.gap_id}) or decline",
                "value": float(r.value),
            }
        )
    return pd.DataFrame(rows, columns=["decision", "options", "value"])
