"""Pulse surveys: participation, favourability, trends and the teams × questions grid.

Every function takes ``members`` — the team → shown-group membership from
`anonymity.reporting_groups` — so it only ever computes results for groups that
may be shown.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def participation(
    responses: pd.DataFrame,
    invites: pd.DataFrame,
    members: pd.DataFrame,
    flag_below: float = 0.6,
) -> pd.DataFrame:
    """Respondents ÷ invited per survey and shown group, flagged under ``flag_below``.

    Parameters
    ----------
    responses
        Clean answers (``survey_id``, ``team``, ``respondent_id``).
    invites
        ``survey_id``, ``team``, ``invited``.
    members
        ``survey_id``, ``group``, ``kind``, ``parent``, ``team`` (shown groups only).

    Returns
    -------
    DataFrame
        ``survey_id``, ``group``, ``kind``, ``parent``, ``respondents``, ``invited``
        (NaN when a team that answered has no invitation count), ``participation``
        (0–1) and ``low_participation``.
    """
    people = responses[["survey_id", "team", "respondent_id"]].drop_duplicates()
    joined = members.merge(people, on=["survey_id", "team"])
    respondents = (
        joined.groupby(["survey_id", "group"])["respondent_id"].nunique().rename("respondents")
    )
    answered_teams = people[["survey_id", "team"]].drop_duplicates().assign(answered=True)
    per_team = members.merge(
        invites[["survey_id", "team", "invited"]], on=["survey_id", "team"], how="left"
    ).merge(answered_teams, on=["survey_id", "team"], how="left")
    per_team["unknown"] = per_team["invited"].isna() & per_team["answered"].eq(True)
    invited = per_team.groupby(["survey_id", "group"]).agg(
        invited=("invited", "sum"), unknown=("unknown", "any")
    )
    invited.loc[invited["unknown"], "invited"] = np.nan
    groups = members.drop_duplicates(["survey_id", "group"])[
        ["survey_id", "group", "kind", "parent"]
    ]
    table = groups.join(respondents, on=["survey_id", "group"]).join(
        invited["invited"], on=["survey_id", "group"]
    )
    table["respondents"] = table["respondents"].fillna(0).astype(int)
    table["participation"] = table["respondents"] / table["invited"].where(table["invited"] > 0)
    table["low_participation"] = table["participation"] < flag_below
    return table.reset_index(drop=True)


def favourability(
    answers: pd.DataFrame, members: pd.DataFrame, favourable_min: int = 4, unfavourable_max: int = 2
) -> pd.DataFrame:
    """% favourable, neutral and unfavourable per survey, shown group and Likert question.

    Neutral answers stay in the denominator: favourability is favourable ÷ all answers.

    Parameters
    ----------
    answers
        Likert answers: ``survey_id``, ``question_id``, ``team``, ``score`` (1–5).
    members
        ``survey_id``, ``question_id``, ``group``, ``kind``, ``parent``, ``team``.

    Returns
    -------
    DataFrame
        ``survey_id``, ``question_id``, ``group``, ``kind``, ``parent``, ``n``,
        ``favourable``, ``neutral``, ``unfavourable`` (counts), ``pct_favourable``,
        ``pct_neutral``, ``pct_unfavourable`` (0–100) and ``mean_score``.
    """
    keys = ["survey_id", "question_id"]
    joined = members.merge(answers[[*keys, "team", "score"]], on=[*keys, "team"])
    joined = joined.assign(
        favourable=(joined["score"] >= favourable_min).astype(int),
        unfavourable=(joined["score"] <= unfavourable_max).astype(int),
    )
    joined["neutral"] = 1 - joined["favourable"] - joined["unfavourable"]
    table = joined.groupby([*keys, "group", "kind"], as_index=False, dropna=False).agg(
        parent=("parent", "first"),
        n=("score", "size"),
        favourable=("favourable", "sum"),
        neutral=("neutral", "sum"),
        unfavourable=("unfavourable", "sum"),
        mean_score=("score", "mean"),
    )
    for name in ("favourable", "neutral", "unfavourable"):
        table[f"pct_{name}"] = 100.0 * table[name] / table["n"]
    return table


def heatmap_data(
    favourable: pd.DataFrame,
    survey_id: str,
    questions: pd.DataFrame | None = None,
    first: str | None = None,
) -> pd.DataFrame:
    """Groups × questions grid of % favourable for one survey (NaN where hidden).

    Rows are in name order, with ``first`` (e.g. the company) on top.
    """
    part = favourable[favourable["survey_id"] == survey_id]
    grid = part.pivot_table(
        index="group", columns="question_id", values="pct_favourable", aggfunc="first"
    )
    grid = grid.loc[sorted(grid.index, key=lambda g: (g != first, g))]
    if questions is not None:
        order = questions.loc[questions["survey_id"] == survey_id, "question_id"]
        grid = grid.reindex(columns=[q for q in order if q in grid.columns])
    grid.columns.name = None
    return grid


def trend(table: pd.DataFrame, value: str, groups: list | None = None) -> pd.DataFrame:
    """Surveys × groups of one figure (eNPS, participation, ...), oldest survey first."""
    part = table if groups is None else table[table["group"].isin(groups)]
    grid = part.pivot_table(index="survey_id", columns="group", values=value, aggfunc="first")
    grid.columns.name = None
    return grid.sort_index()
