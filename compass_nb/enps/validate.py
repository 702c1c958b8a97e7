"""Survey-specific checks: bad rows are quarantined with a reason, never dropped silently."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from compass_nb.enps._tree import OrgTree
from compass_nb.enps.scores import DEFAULT_BUCKETS, Buckets
from compass_nb.errors import InputError

QUARANTINE_COLUMNS = ["table", "file", "row", "column", "value", "reason"]
LIKERT_RANGE = (1, 5)
REQUIRED = {
    "survey_questions": ["survey_id", "question_id", "kind"],
    "survey_responses": [
        "survey_id",
        "survey_date",
        "respondent_id",
        "team",
        "question_id",
        "score",
    ],
    "survey_invites": ["survey_id", "team", "invited"],
    "org_units": ["team"],
}


@dataclass
class CleanSurvey:
    """Survey tables that passed the checks, the org tree, and the quarantined rows."""

    questions: pd.DataFrame
    responses: pd.DataFrame
    invites: pd.DataFrame
    tree: OrgTree
    quarantine: pd.DataFrame


def clean_survey(
    questions: pd.DataFrame,
    responses: pd.DataFrame,
    invites: pd.DataFrame,
    org_units: pd.DataFrame,
    buckets: Buckets = DEFAULT_BUCKETS,
    strict: bool = False,
) -> CleanSurvey:
    """Check survey tables against their contract and against each other.

    Rows that break it are quarantined (``table, file, row, column, value, reason``):
    out-of-range or non-integer scores, answers to unknown questions or from teams
    not in `org_units`, duplicate answers from one respondent (identical repeats are
    kept once; conflicting ones are all set aside), a respondent in two teams in one
    survey, invitations that are missing, negative or fewer than the answers.

    Raises
    ------
    InputError
        When a required column is missing, `org_units` is not one tree, or
        ``strict`` is set and any row was quarantined.
    """
    tables = {
        "survey_questions": questions,
        "survey_responses": responses,
        "survey_invites": invites,
        "org_units": org_units,
    }
    for name, columns in REQUIRED.items():
        missing = [c for c in columns if c not in tables[name]]
        if missing:
            raise InputError(
                f"{name} has no column {missing[0]!r}: the contract needs {', '.join(columns)}."
            )
    tree = OrgTree.from_org_units(org_units)
    quarantine: list[pd.DataFrame] = []
    questions = _clean_questions(questions, quarantine)
    responses = _clean_responses(responses, questions, tree, buckets, quarantine)
    invites = _clean_invites(invites, responses, tree, quarantine)
    set_aside = (
        pd.concat(quarantine, ignore_index=True)
        if quarantine
        else pd.DataFrame(columns=QUARANTINE_COLUMNS)
    )
    if strict and len(set_aside):
        first = set_aside.iloc[0]
        raise InputError(
            f"{len(set_aside)} survey rows broke their contract (first: {first['table']} row"
            f" {first['row']}: {first['reason']}). Fix the source, or run without --strict to"
            " quarantine them."
        )
    return CleanSurvey(questions, responses, invites, tree, set_aside)


def _set_aside(frame, mask, table, column, reason, quarantine) -> pd.DataFrame:
    """Move the rows under ``mask`` to the quarantine; return the rest."""
    mask = pd.Series(mask, index=frame.index).fillna(False).astype(bool)
    if mask.any():
        bad = frame[mask]
        rows = bad["_row"] if "_row" in bad else pd.Series(bad.index, index=bad.index)
        files = bad["_file"] if "_file" in bad else pd.Series(table, index=bad.index)
        reasons = reason if isinstance(reason, str) else reason[mask]
        quarantine.append(
            pd.DataFrame(
                {
                    "table": table,
                    "file": files.to_numpy(),
                    "row": rows.to_numpy(),
                    "column": column,
                    "value": bad[column].astype(str).to_numpy() if column in bad else "",
                    "reason": np.asarray(reasons, dtype=object)
                    if not isinstance(reasons, str)
                    else reasons,
                },
                columns=QUARANTINE_COLUMNS,
            )
        )
    return frame[~mask]


def _clean_questions(questions, quarantine) -> pd.DataFrame:
    q = questions.copy()
    q["kind"] = q["kind"].astype(str).str.strip().str.lower()
    q = _set_aside(
        q,
        ~q["kind"].isin(["enps", "likert5"]),
        "survey_questions",
        "kind",
        "kind must be 'enps' or 'likert5'",
        quarantine,
    )
    twice = q.duplicated(["survey_id", "question_id"], keep="first")
    q = _set_aside(
        q,
        twice,
        "survey_questions",
        "question_id",
        "question listed twice in the same survey (first kept)",
        quarantine,
    )
    for column in ("text", "driver"):
        if column not in q:
            q[column] = q["question_id"] if column == "text" else np.nan
    return q.reset_index(drop=True)


def _clean_responses(responses, questions, tree, buckets, quarantine) -> pd.DataFrame:
    r = responses.copy()
    table = "survey_responses"
    r["team"] = r["team"].astype(str)
    r = _set_aside(
        r,
        ~r["team"].isin(tree.parent),
        table,
        "team",
        "team is not in org_units: add it to the org tree or correct the team",
        quarantine,
    )
    kinds = questions[["survey_id", "question_id", "kind"]]
    r = r.merge(kinds, on=["survey_id", "question_id"], how="left", validate="many_to_one")
    r = _set_aside(
        r,
        r["kind"].isna(),
        table,
        "question_id",
        "question is not in survey_questions for this survey",
        quarantine,
    )
    score = pd.to_numeric(r["score"], errors="coerce")
    low = np.where(r["kind"] == "enps", buckets.scale_min, LIKERT_RANGE[0])
    high = np.where(r["kind"] == "enps", buckets.scale_max, LIKERT_RANGE[1])
    bad = score.isna() | (score != np.round(score)) | (score < low) | (score > high)
    reasons = pd.Series(
        [
            f"score must be a whole number from {lo} to {hi}"
            for lo, hi in zip(low, high, strict=True)
        ],
        index=r.index,
    )
    r = _set_aside(r, bad, table, "score", reasons, quarantine)
    r["score"] = pd.to_numeric(r["score"]).astype(int)
    r = _set_aside_duplicates(r, quarantine)
    teams = r.groupby(["survey_id", "respondent_id"])["team"].transform("nunique")
    r = _set_aside(
        r,
        teams > 1,
        table,
        "team",
        "respondent answered from more than one team in the same survey",
        quarantine,
    )
    r["survey_date"] = pd.to_datetime(r["survey_date"])
    if "comment" not in r:
        r["comment"] = pd.NA
    return r.reset_index(drop=True)


def _set_aside_duplicates(r, quarantine) -> pd.DataFrame:
    key = ["survey_id", "respondent_id", "question_id"]
    spread = r.groupby(key)["score"].transform("nunique")
    r = _set_aside(
        r,
        spread > 1,
        "survey_responses",
        "score",
        "conflicting duplicate answers from one respondent to one question (all set aside)",
        quarantine,
    )
    repeat = r.duplicated(key, keep="first")
    return _set_aside(
        r,
        repeat,
        "survey_responses",
        "respondent_id",
        "duplicate answer from one respondent to one question (first kept)",
        quarantine,
    )


def _clean_invites(invites, responses, tree, quarantine) -> pd.DataFrame:
    table = "survey_invites"
    i = invites.copy()
    i["team"] = i["team"].astype(str)
    i = _set_aside(
        i,
        ~i["team"].isin(tree.parent),
        table,
        "team",
        "team is not in org_units: add it to the org tree or correct the team",
        quarantine,
    )
    invited = pd.to_numeric(i["invited"], errors="coerce")
    i = _set_aside(
        i,
        invited.isna() | (invited < 0) | (invited != np.round(invited)),
        table,
        "invited",
        "invited must be a whole number of people, 0 or more",
        quarantine,
    )
    i["invited"] = pd.to_numeric(i["invited"]).astype(int)
    conflicting = i.groupby(["survey_id", "team"])["invited"].transform("nunique") > 1
    i = _set_aside(
        i,
        conflicting,
        table,
        "invited",
        "conflicting invitation counts for one team in one survey",
        quarantine,
    )
    i = _set_aside(
        i,
        i.duplicated(["survey_id", "team"]),
        table,
        "team",
        "invitation row repeated (first kept)",
        quarantine,
    )
    answered = (
        responses.groupby(["survey_id", "team"])["respondent_id"].nunique().rename("answered")
    )
    i = i.join(answered, on=["survey_id", "team"])
    i = _set_aside(
        i,
        i["answered"].fillna(0) > i["invited"],
        table,
        "invited",
        "fewer people invited than answered: correct the invitation count",
        quarantine,
    )
    return i.drop(columns="answered").reset_index(drop=True)
