"""A hand-built CRM export whose answers are worked out by hand in the tests.

Cut-off 2026-03-31, calendar fiscal year (Q1 2026 = Jan–Mar). Six deals:

* A — skips Qualification and Discovery (Prospecting → Proposal), won 2026-02-10 for 100;
  credited 70 % to AE r1 and 30 % to SE s1.
* B — lost 2026-02-01, re-opened into Negotiation 2026-02-15, won 2026-03-10 for 200.
* C — open in Discovery; its close date pushed from 2026-02-15 to 2026-04-30 on 2026-02-10.
* D — open in Proposal; amount raised from 400 to 500 on 2026-02-20.
* E — Prospecting → Qualification, lost 2026-03-01 (amount 50).
* F — created 2026-02-12 in Prospecting for 80, closing 2026-03-25.
"""

from __future__ import annotations

import matplotlib
import numpy as np
import pandas as pd
import pytest

from compass_nb.params import defaults, section_settings

DEFAULT_STAGES = defaults()["pipeline"]["stages"]  # the schema's stage mapping

matplotlib.use("Agg")

CUTOFF = pd.Timestamp("2026-03-31")


@pytest.fixture(autouse=True)
def _seed_and_close():
    np.random.seed(0)
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


def _history_rows() -> list[tuple]:
    return [
        ("A", "2026-01-05", "Prospecting", 100, "2026-02-28"),
        ("A", "2026-01-20", "Proposal", 100, "2026-02-28"),
        ("A", "2026-02-10", "Closed Won", 100, "2026-02-10"),
        ("B", "2026-01-10", "Qualification", 200, "2026-03-15"),
        ("B", "2026-02-01", "Closed Lost", 200, "2026-02-01"),
        ("B", "2026-02-15", "Negotiation", 200, "2026-03-20"),
        ("B", "2026-03-10", "Closed Won", 200, "2026-03-10"),
        ("C", "2025-12-01", "Discovery", 300, "2026-02-15"),
        ("C", "2026-02-10", "Discovery", 300, "2026-04-30"),
        ("D", "2025-12-15", "Proposal", 400, "2026-03-31"),
        ("D", "2026-02-20", "Proposal", 500, "2026-03-31"),
        ("E", "2026-01-15", "Prospecting", 50, "2026-03-31"),
        ("E", "2026-02-05", "Qualification", 50, "2026-03-31"),
        ("E", "2026-03-01", "Closed Lost", 50, "2026-03-01"),
        ("F", "2026-02-12", "Prospecting", 80, "2026-03-25"),
    ]


def history_frame(rows: list[tuple]) -> pd.DataFrame:
    frame = pd.DataFrame(
        rows, columns=["opportunity_id", "changed_at", "stage", "amount", "close_date"]
    )
    frame["changed_at"] = pd.to_datetime(frame["changed_at"])
    frame["close_date"] = pd.to_datetime(frame["close_date"])
    return frame


def opportunities_from(
    history: pd.DataFrame, owners: dict[str, str], families: dict[str, str]
) -> pd.DataFrame:
    """The opportunities table as it stands after the last history row of each deal."""
    last = history.sort_values("changed_at").groupby("opportunity_id").last().reset_index()
    created = history.groupby("opportunity_id")["changed_at"].min().rename("created_date")
    out = last.drop(columns="changed_at").merge(created, on="opportunity_id")
    out["owner_id"] = out["opportunity_id"].map(owners)
    out["product_family"] = out["opportunity_id"].map(families)
    out["segment"] = "SMB"
    out["is_closed"] = out["stage"].str.startswith("Closed")
    out["is_won"] = out["stage"] == "Closed Won"
    return out


OWNERS = {"A": "r1", "B": "r1", "C": "r2", "D": "r2", "E": "r1", "F": "r2", "G": "r1", "H": "r2"}
FAMILIES = {
    "A": "Tents",
    "B": "Tents",
    "C": "Packs",
    "D": "Packs",
    "E": "Tents",
    "F": "Packs",
    "G": "Tents",
    "H": "Packs",
}


@pytest.fixture
def history() -> pd.DataFrame:
    return history_frame(_history_rows())


@pytest.fixture
def opportunities(history) -> pd.DataFrame:
    return opportunities_from(history, OWNERS, FAMILIES)


def _reps() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "rep_id": ["r1", "r2", "s1"],
            "name": ["Ada Lovelace", "Bo Diddley", "Cy Young"],
            "team": ["East", "West", "East"],
            "role": ["AE", "AE", "SE"],
            "hire_date": pd.to_datetime(["2024-01-01", "2026-01-01", "2025-06-01"]),
        }
    )


def _quotas() -> pd.DataFrame:
    months = ["2026-01", "2026-02", "2026-03"]
    return pd.DataFrame(
        {
            "rep_id": ["r1"] * 3 + ["r2"] * 3 + ["s1"] * 3,
            "period": months * 3,
            "quota": [100.0] * 3 + [200.0] * 3 + [50.0] * 3,
        }
    )


def _credit_splits() -> pd.DataFrame:
    return pd.DataFrame(
        {"opportunity_id": ["A", "A"], "rep_id": ["r1", "s1"], "split_pct": [70.0, 30.0]}
    )


@pytest.fixture
def reps() -> pd.DataFrame:
    return _reps()


@pytest.fixture
def quotas() -> pd.DataFrame:
    return _quotas()


@pytest.fixture
def credit_splits() -> pd.DataFrame:
    return _credit_splits()


@pytest.fixture
def stages():
    from compass_nb.pipeline.stages import stage_table

    return stage_table(DEFAULT_STAGES)


@pytest.fixture
def states(opportunities, history, stages):
    from compass_nb.pipeline._history import timeline

    return timeline(opportunities, history, stages)


@pytest.fixture
def cutoff() -> pd.Timestamp:
    return CUTOFF


@pytest.fixture
def build():
    """Build ``(opportunities, states)`` from history rows ``(id, changed_at, stage, amount, close_date)``."""
    from compass_nb.pipeline._history import timeline
    from compass_nb.pipeline.stages import stage_table

    def _build(rows: list[tuple]):
        hist = history_frame(rows)
        ids = hist["opportunity_id"].unique()
        opps = opportunities_from(
            hist, {i: OWNERS.get(i, "r1") for i in ids}, {i: FAMILIES.get(i, "Tents") for i in ids}
        )
        return opps, timeline(opps, hist, stage_table(DEFAULT_STAGES))

    return _build


@pytest.fixture
def base_rows() -> list[tuple]:
    return _history_rows()


@pytest.fixture
def tables(opportunities, history, reps, quotas, credit_splits):
    return {
        "opportunities": opportunities,
        "opportunity_history": history,
        "reps": reps,
        "quotas": quotas,
        "credit_splits": credit_splits,
    }


@pytest.fixture(scope="session")
def result():
    """The notebook's analysis of the hand-built set, as of March 2026 (groups of one shown).
    Computed once: tests must not change it."""
    from compass_nb.pipeline.analysis import Settings, analyse

    history = history_frame(_history_rows())
    tables = {
        "opportunities": opportunities_from(history, OWNERS, FAMILIES),
        "opportunity_history": history,
        "reps": _reps(),
        "quotas": _quotas(),
        "credit_splits": _credit_splits(),
    }
    return analyse(
        tables, "2026-03", settings=section_settings(Settings, "pipeline", min_group_size=1)
    )
