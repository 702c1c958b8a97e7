"""Private: each opportunity's states over time, rebuilt from its change history.

``opportunity_history`` rows are Salesforce ``OpportunityHistory``-style: each row is the
opportunity's stage, amount and close date *after* a change. An opportunity with no
history row is taken as it stands in ``opportunities`` from its creation date; one whose
first history row is later than its creation date is taken to have been in that first
row's state since creation.
"""

from __future__ import annotations

import pandas as pd

from compass_nb.calendar import to_datetime
from compass_nb.pipeline.stages import with_stage

TIMELINE_COLUMNS = ["opportunity_id", "at", "stage", "amount", "close_date", "seq"]


def timeline(
    opportunities: pd.DataFrame, history: pd.DataFrame, stages: pd.DataFrame
) -> pd.DataFrame:
    """Every known state of every opportunity, in time order, with its mapped stage.

    Returns columns ``opportunity_id, at, stage, amount, close_date, seq, created_date,
    order, stage_category, is_closed_stage, is_won_stage``; ``seq`` numbers the states of
    one opportunity from 0. Rows whose stage the mapping does not know are dropped.
    """
    created = opportunities.loc[:, ["opportunity_id", "created_date"]].copy()
    created["created_date"] = to_datetime(created["created_date"]).dt.normalize()
    hist = history.loc[:, ["opportunity_id", "changed_at", "stage", "amount", "close_date"]]
    hist = hist.rename(columns={"changed_at": "at"})
    hist = hist.loc[hist["opportunity_id"].isin(created["opportunity_id"])]
    bare = opportunities.loc[~opportunities["opportunity_id"].isin(hist["opportunity_id"])]
    bare = bare.loc[:, ["opportunity_id", "created_date", "stage", "amount", "close_date"]]
    states = pd.concat([hist, bare.rename(columns={"created_date": "at"})], ignore_index=True)
    states["at"] = to_datetime(states["at"]).dt.tz_localize(None).dt.normalize()
    states["close_date"] = to_datetime(states["close_date"]).dt.normalize()
    states["amount"] = pd.to_numeric(states["amount"]).astype(float)
    states = states.merge(created, on="opportunity_id", how="left")
    states["at"] = states[["at", "created_date"]].max(axis=1)
    states = with_stage(states, stages)
    states = states.sort_values(["opportunity_id", "at"], kind="stable").reset_index(drop=True)
    states["seq"] = states.groupby("opportunity_id").cumcount()
    first = states["seq"] == 0
    states.loc[first, "at"] = states.loc[first, "created_date"]
    return states


def states_at(states: pd.DataFrame, at) -> pd.DataFrame:
    """Each opportunity's last state on or before ``at`` (opportunities created later are absent)."""
    at = pd.Timestamp(at).normalize()
    seen = states.loc[states["at"] <= at]
    return seen.drop_duplicates("opportunity_id", keep="last").reset_index(drop=True)


def stage_changes(states: pd.DataFrame) -> pd.DataFrame:
    """Only the states that start a new stage (the first state, and each change of stage)."""
    previous = states.groupby("opportunity_id")["stage"].shift()
    return states.loc[previous.isna() | (previous != states["stage"])].reset_index(drop=True)


def opportunities_at(opportunities: pd.DataFrame, states: pd.DataFrame, at) -> pd.DataFrame:
    """The ``opportunities`` table as it stood at ``at``: stage, amount, close date and
    ``is_closed``/``is_won`` from the history, the other columns as exported."""
    state = states_at(states, at).loc[
        :,
        [
            "opportunity_id",
            "stage",
            "amount",
            "close_date",
            "is_closed_stage",
            "is_won_stage",
            "at",
        ],
    ]
    state = state.rename(
        columns={"is_closed_stage": "is_closed", "is_won_stage": "is_won", "at": "last_change"}
    )
    keep = [c for c in opportunities.columns if c not in state.columns or c == "opportunity_id"]
    out = opportunities.loc[:, keep].merge(state, on="opportunity_id", how="inner")
    if "forecast_category" in out and pd.Timestamp(at).normalize() < _latest(states):
        out = out.drop(columns="forecast_category")
    out["created_date"] = to_datetime(out["created_date"]).dt.normalize()
    return out


def _latest(states: pd.DataFrame) -> pd.Timestamp:
    return states["at"].max() if len(states) else pd.Timestamp.max


def with_team(frame: pd.DataFrame, reps: pd.DataFrame, key: str = "owner_id") -> pd.DataFrame:
    """``frame`` with the ``team`` of the seller in column ``key`` (``"unassigned"`` if unknown)."""
    teams = (
        reps.loc[:, ["rep_id", "team"]].drop_duplicates("rep_id").rename(columns={"rep_id": key})
    )
    out = frame.drop(columns="team", errors="ignore").merge(teams, on=key, how="left")
    out["team"] = out["team"].fillna("unassigned")
    return out


def month_bounds(month: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First and last day of a ``YYYY-MM`` month."""
    p = pd.Period(month, freq="M")
    return p.start_time.normalize(), p.end_time.normalize()
