"""Survey tables made ready for the results: the org tree, question kinds, whole-number scores.

Row validation happens where every other table's does, in the data layer
(:mod:`compass_nb.data.contracts`): scores out of range for their question's kind or not
whole, answers to unknown questions or from unknown teams, conflicting duplicate
answers, a respondent in two teams of one survey, invitation counts that conflict or
fall below the answers — each quarantined with its file, row, column and reason and
counted in 01. What is left here is not about rows: the tree must be one tree, and the
eNPS scale of the settings must hold the answers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from compass_nb.calendar import to_datetime
from compass_nb.enps._tree import OrgTree
from compass_nb.enps.scores import DEFAULT_BUCKETS, Buckets
from compass_nb.errors import InputError

QUARANTINE_COLUMNS = ["table", "file", "row", "column", "value", "reason"]
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
#: What the absence of an optional survey table forces the report to assume.
NO_INVITES = (
    "no invitation counts (survey_invites): participation is not measured and intervals are "
    "not finite-population corrected"
)
NO_ORG_UNITS = (
    "no org_units: each team that answered is taken as a team directly under the company "
    "({root}), with no departments rolled up"
)
#: The root of the organisation tree made when the source holds no ``org_units``.
COMPANY = "Company"

_CHECKED_BY = "load the survey tables through compass_nb.data.load, which quarantines them"


@dataclass
class CleanSurvey:
    """Survey tables ready for the results, and the org tree.

    ``quarantine`` is always empty (the data layer quarantines survey rows); it is kept
    for callers that show it.
    """

    questions: pd.DataFrame
    responses: pd.DataFrame
    invites: pd.DataFrame
    tree: OrgTree
    quarantine: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=QUARANTINE_COLUMNS)
    )


def flat_org_units(responses: pd.DataFrame, root: str = COMPANY) -> pd.DataFrame:
    """An ``org_units`` table for a source without one: every team that answered, directly
    under one company root (``root``; ``"<root> (all teams)"`` when a team already has that
    name). The anonymity rules then apply to it as to any tree."""
    teams = sorted(responses["team"].astype(str).unique())
    name = root if root not in teams else f"{root} (all teams)"
    return pd.DataFrame({"team": [name, *teams], "parent_team": [None, *[name] * len(teams)]})


def with_optional_tables(
    responses: pd.DataFrame, invites: pd.DataFrame | None, org_units: pd.DataFrame | None
) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """``invites`` and ``org_units``, standing in for an absent one (``None``): no invitation
    counts (participation not measured), one flat tree under the company; with the
    assumptions that forces (:data:`NO_INVITES`, :data:`NO_ORG_UNITS`)."""
    assumed = []
    if invites is None:
        invites = pd.DataFrame(
            {"survey_id": pd.Series(dtype=object), "team": pd.Series(dtype=object)}
        ).assign(invited=pd.Series(dtype="int64"))
        assumed.append(NO_INVITES)
    if org_units is None:
        org_units = flat_org_units(responses)
        assumed.append(NO_ORG_UNITS.format(root=org_units["team"].iloc[0]))
    return invites, org_units, assumed


def clean_survey(
    questions: pd.DataFrame,
    responses: pd.DataFrame,
    invites: pd.DataFrame,
    org_units: pd.DataFrame,
    buckets: Buckets = DEFAULT_BUCKETS,
    strict: bool = False,
) -> CleanSurvey:
    """Prepare validated survey tables: each answer with its question's kind, whole scores.

    Parameters
    ----------
    questions, responses, invites, org_units
        The clean tables of the data layer (``compass_nb.data.load``), cut off at the period.
    buckets
        The eNPS scale and buckets of the settings.
    strict
        Kept for callers; rows are quarantined, and ``--strict`` applied, by the data layer.

    Raises
    ------
    InputError
        When a required column is missing, `org_units` is not one tree, an answer's
        question is unknown (the tables did not go through the data layer), or an eNPS
        answer lies outside the settings' scale.
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
    questions = _with_text_and_driver(questions)
    responses = _with_kinds(responses, questions)
    _check_scale(responses, buckets)
    invites = invites.assign(invited=pd.to_numeric(invites["invited"]).astype(int))
    return CleanSurvey(questions, responses, invites.reset_index(drop=True), tree)


def _with_text_and_driver(questions: pd.DataFrame) -> pd.DataFrame:
    q = questions.copy()
    if "text" not in q:
        q["text"] = q["question_id"]
    if "driver" not in q:
        q["driver"] = np.nan
    return q.reset_index(drop=True)


def _with_kinds(responses: pd.DataFrame, questions: pd.DataFrame) -> pd.DataFrame:
    kinds = questions[["survey_id", "question_id", "kind"]].drop_duplicates(
        ["survey_id", "question_id"]
    )
    r = responses.drop(columns="kind", errors="ignore").merge(
        kinds, on=["survey_id", "question_id"], how="left", validate="many_to_one"
    )
    if r["kind"].isna().any():
        first = r.loc[r["kind"].isna()].iloc[0]
        raise InputError(
            f"survey_responses answers question {first['question_id']!r} of "
            f"{first['survey_id']!r}, which survey_questions does not hold: {_CHECKED_BY}."
        )
    r["team"] = r["team"].astype(str)
    r["score"] = pd.to_numeric(r["score"]).round().astype(int)
    r["survey_date"] = to_datetime(r["survey_date"])
    if "comment" not in r:
        r["comment"] = pd.NA
    return r.reset_index(drop=True)


def _check_scale(responses: pd.DataFrame, buckets: Buckets) -> None:
    enps = responses.loc[responses["kind"] == "enps", "score"]
    outside = enps[(enps < buckets.scale_min) | (enps > buckets.scale_max)]
    if len(outside):
        raise InputError(
            f"{len(outside)} eNPS answers lie outside the scale of the settings "
            f"({buckets.scale_min} to {buckets.scale_max}), e.g. {int(outside.iloc[0])}: set "
            "enps.scale_min / enps.scale_max to the scale the survey used."
        )
