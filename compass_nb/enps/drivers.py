"""Drivers: which pulse items move with eNPS, and how sure we are."""

from __future__ import annotations

import numpy as np
import pandas as pd

from compass_nb.enps.uncertainty import z_value


def driver_correlations(
    responses: pd.DataFrame,
    members: pd.DataFrame,
    questions: pd.DataFrame,
    min_responses: int = 30,
    level: float = 0.95,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Correlation of each Likert item with the eNPS answer, per survey and shown group.

    For every respondent who answered both the item and the eNPS question, the
    Pearson correlation of the two scores, with a Fisher-z interval. Items answered
    by fewer than ``min_responses`` such respondents are not estimated.

    Parameters
    ----------
    responses
        Clean answers with ``kind`` (``enps`` / ``likert5``).
    members
        ``survey_id``, ``group``, ``kind``, ``team``: the shown eNPS groups.
    questions
        ``survey_id``, ``question_id``, ``text``, ``driver``.

    Returns
    -------
    drivers, too_few
        ``drivers``: ``survey_id``, ``group``, ``question_id``, ``text``, ``driver``,
        ``n``, ``r``, ``low``, ``high``, ``rank`` (1 = moves most with eNPS).
        ``too_few``: ``survey_id``, ``group``, ``question_id`` left out for want of answers.
    """
    enps = responses.loc[responses["kind"] == "enps", ["survey_id", "respondent_id", "team", "score"]]
    items = responses.loc[responses["kind"] == "likert5", ["survey_id", "respondent_id", "question_id", "score"]]
    pairs = items.merge(enps, on=["survey_id", "respondent_id"], suffixes=("_item", "_enps"))
    pairs = members[["survey_id", "group", "team"]].merge(pairs, on=["survey_id", "team"])
    keys = ["survey_id", "group", "question_id"]
    stats = pairs.groupby(keys).apply(_pearson, include_groups=False).reset_index()
    enough = stats["n"] >= min_responses
    too_few = stats.loc[~enough, keys].reset_index(drop=True)
    drivers = stats[enough & stats["r"].notna()].copy()
    drivers["n"] = drivers["n"].astype(int)
    z, spread = np.arctanh(drivers["r"].clip(-0.999999, 0.999999)), z_value(level) / np.sqrt(drivers["n"] - 3)
    drivers["low"], drivers["high"] = np.tanh(z - spread), np.tanh(z + spread)
    drivers = drivers.merge(
        questions[["survey_id", "question_id", "text", "driver"]], on=["survey_id", "question_id"], how="left"
    )
    drivers["rank"] = drivers.groupby(["survey_id", "group"])["r"].rank(ascending=False, method="first").astype(int)
    columns = ["survey_id", "group", "question_id", "text", "driver", "n", "r", "low", "high", "rank"]
    return drivers.sort_values(["survey_id", "group", "rank"])[columns].reset_index(drop=True), too_few


def _pearson(part: pd.DataFrame) -> pd.Series:
    x, y = part["score_item"].astype(float), part["score_enps"].astype(float)
    r = x.corr(y) if x.std() > 0 and y.std() > 0 else np.nan
    return pd.Series({"n": len(part), "r": r})
