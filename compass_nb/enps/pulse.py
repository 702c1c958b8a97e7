"""Pulse surveys: participation, favourability, and the grids of the notebook.

Every function takes ``members`` — survey, group, kind, parent, team rows of the shown
cells (`anonymity.reporting_groups`) — so it only ever computes results for cells that may
be shown.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

FAVOURABILITY = ("favourable", "neutral", "unfavourable")


def participation(
    responses: pd.DataFrame,
    invites: pd.DataFrame,
    members: pd.DataFrame,
    flag_below: float,
) -> pd.DataFrame:
    """Respondents ÷ invited per survey and shown cell, flagged under ``flag_below``.

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
    answered = people[["survey_id", "team"]].drop_duplicates().assign(answered=True)
    per_team = members.merge(
        invites[["survey_id", "team", "invited"]], on=["survey_id", "team"], how="left"
    ).merge(answered, on=["survey_id", "team"], how="left")
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
    table["invited"] = table["invited"].astype(float)
    table["participation"] = table["respondents"] / table["invited"].where(table["invited"] > 0)
    table["low_participation"] = table["participation"] < flag_below
    return table.reset_index(drop=True)


def likert_category(scores: pd.Series, favourable_min: int) -> pd.Series:
    """``favourable`` (from ``favourable_min`` up), ``unfavourable`` (as far below the middle
    of the 1–5 scale) or ``neutral``."""
    values = pd.to_numeric(scores)
    out = np.where(
        values >= favourable_min,
        "favourable",
        np.where(values <= 6 - favourable_min, "unfavourable", "neutral"),
    )
    return pd.Series(out, index=scores.index)


def favourability(
    answers: pd.DataFrame,
    members: pd.DataFrame,
    favourable_min: int,
    split_shown: set,
) -> pd.DataFrame:
    """% favourable, neutral and unfavourable per survey, shown cell and Likert question.

    Neutral answers stay in the denominator: favourability is favourable ÷ all answers.
    Where a split would tell the members of a small group how each other answered
    (``(survey_id, question_id, group)`` not in ``split_shown``) the counts and shares are
    withheld and only the number of answers is given.

    Returns
    -------
    DataFrame
        ``survey_id``, ``question_id``, ``group``, ``kind``, ``parent``, ``n``,
        ``favourable``, ``neutral``, ``unfavourable`` (counts), ``pct_favourable``,
        ``pct_neutral``, ``pct_unfavourable`` (0–100) and ``split`` (shown or not).
    """
    keys = ["survey_id", "question_id"]
    joined = members.merge(answers[[*keys, "team", "score"]], on=["survey_id", "team"])
    category = likert_category(joined["score"], favourable_min)
    for name in FAVOURABILITY:
        joined[name] = (category == name).astype(int)
    table = joined.groupby([*keys, "group", "kind"], as_index=False, dropna=False).agg(
        parent=("parent", "first"),
        n=("score", "size"),
        **{name: (name, "sum") for name in FAVOURABILITY},
    )
    cells = list(zip(table["survey_id"], table["question_id"], table["group"], strict=True))
    table["split"] = [cell in split_shown for cell in cells]
    for name in FAVOURABILITY:
        table[name] = table[name].where(table["split"]).astype(float)
        table[f"pct_{name}"] = 100.0 * table[name] / table["n"]
    return table


def favourability_grid(
    favourable: pd.DataFrame, survey_id: str, questions: pd.DataFrame, first: str | None
) -> pd.DataFrame:
    """Cells × questions grid of % favourable for one survey (NaN where withheld).

    Rows are the whole teams in name order with ``first`` (the company) on top; columns
    the survey's questions in their order.
    """
    part = favourable[(favourable["survey_id"] == survey_id) & (favourable["kind"] == "team")]
    grid = part.pivot_table(
        index="group",
        columns="question_id",
        values="pct_favourable",
        aggfunc="first",
        dropna=False,
    )
    grid = grid.loc[sorted(grid.index, key=lambda g: (g != first, g))]
    order = questions.loc[questions["survey_id"] == survey_id, "question_id"]
    grid = grid.reindex(columns=[q for q in order if q in grid.columns])
    grid.columns.name = None
    return grid


def enps_grid(scores: pd.DataFrame, surveys: list, first: str | None) -> pd.DataFrame:
    """Teams × surveys grid of eNPS (NaN: not shown in that survey), for ``surveys``.

    Rows are the whole-team groups shown in at least one of the surveys, the company first,
    then in name order; columns the surveys, oldest first.
    """
    part = scores[scores["survey_id"].isin(surveys) & (scores["kind"] == "team")]
    grid = part.pivot_table(index="group", columns="survey_id", values="enps", aggfunc="first")
    grid = grid.reindex(columns=[s for s in surveys])
    grid = grid.loc[sorted(grid.index, key=lambda g: (g != first, g))]
    grid.columns.name = None
    return grid


def trend(table: pd.DataFrame, value: str, groups: list | None = None) -> pd.DataFrame:
    """Surveys × groups of one figure (eNPS, participation, ...), oldest survey first."""
    part = table if groups is None else table[table["group"].isin(groups)]
    grid = part.pivot_table(index="survey_id", columns="group", values=value, aggfunc="first")
    grid.columns.name = None
    return grid.sort_index()
