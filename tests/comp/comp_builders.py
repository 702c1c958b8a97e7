"""Small, hand-readable sellers, deals and plans for the compensation tests."""

import copy

import pandas as pd

from compass_nb.comp.plans import parse_plan

FLAT_10 = {
    "plan_id": "flat",
    "versions": [
        {
            "effective_from": "2024-01-01",
            "pay_mix": {"base": 0.5, "variable": 0.5},
            "quota": {"prorate": False},
            "measures": [{"id": "all", "weight": 1, "rates": {"method": "flat", "rate": 0.10}}],
        }
    ],
}


def plan_from(base: dict, **version_changes) -> object:
    """A parsed plan: ``base`` with its (first) version's keys replaced."""
    data = copy.deepcopy(base)
    data["versions"][0].update(version_changes)
    return parse_plan(data, "test.yaml")


def reps_frame(*rows) -> pd.DataFrame:
    """Sellers: (rep_id, plan_id, hire_date, termination_date, ote[, team, manager_id, role])."""
    out = []
    for row in rows:
        rep_id, plan_id, hire, term, ote, *rest = row
        team, manager, role = (rest + ["East", None, "AE"][len(rest) :])[:3]
        out.append(
            {
                "rep_id": rep_id,
                "name": f"Name {rep_id}",
                "team": team,
                "manager_id": manager,
                "role": role,
                "hire_date": pd.Timestamp(hire),
                "termination_date": pd.Timestamp(term) if term else pd.NaT,
                "base_salary": ote / 2,
                "ote": ote,
                "plan_id": plan_id,
            }
        )
    return pd.DataFrame(out)


def opportunities_frame(*rows) -> pd.DataFrame:
    """Won deals: (opportunity_id, owner_id, close_date, amount[, type, cancelled_date, segment])."""
    out = []
    for row in rows:
        opp, owner, close, amount, *rest = row
        kind, cancelled, segment = (rest + ["new", None, "SMB"][len(rest) :])[:3]
        out.append(
            {
                "opportunity_id": opp,
                "owner_id": owner,
                "created_date": pd.Timestamp(close) - pd.Timedelta(days=30),
                "close_date": pd.Timestamp(close),
                "stage": "Closed Won",
                "amount": float(amount),
                "type": kind,
                "segment": segment,
                "product_family": "A",
                "is_closed": True,
                "is_won": True,
                "cancelled_date": pd.Timestamp(cancelled) if cancelled else pd.NaT,
            }
        )
    return pd.DataFrame(out)


NO_SPLITS = pd.DataFrame(columns=["opportunity_id", "rep_id", "split_pct"])


def settings(**changes):
    """The ``compensation`` section of the schema as settings, with ``changes``."""
    from compass_nb.comp.analysis import CompensationSettings
    from compass_nb.params import section_settings

    return section_settings(CompensationSettings, "compensation", **changes)
