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
    enps = responses.loc[
        responses["kind"] == "enps", ["survey_id", "respondent_id", "team", "score"]
    ]
    items = responses.loc[
        responses["kind"] == "likert5", ["survey_id", "respondent_id", "question_id", "score"]
    ]
    pairs = items.merge(enps, on=["survey_id", "respondent_id"], suffixes=("_item", "_enps"))
    pairs = members[["survey_id", "group", "team"]].merge(pairs, on=["survey_id", "team"])
    keys = ["survey_id", "group", "question_id"]
    stats = _pearson(pairs, keys)
    enough = stats["n"] >= min_responses
    too_few = stats.loc[~enough, keys].reset_index(drop=True)
    drivers = stats[enough & stats["r"].notna()].copy()
    drivers["n"] = drivers["n"].astype(int)
    z, spread = (
        np.arctanh(drivers["r"].clip(-0.999999, 0.999999)),
        z_value(level) / np.sqrt(drivers["n"] - 3),
    )
    drivers["low"], drivers["high"] = np.tanh(z - spread), np.tanh(z + spread)
    drivers = drivers.merge(
        questions[["survey_id", "question_id", "text", "driver"]],
        on=["survey_id", "question_id"],
        how="left",
    )
    drivers["rank"] = (
        drivers.groupby(["survey_id", "group"])["r"]
        .rank(ascending=False, method="first")
        .astype(int)
    )
    columns = [
        "survey_id",
        "group",
        "question_id",
        "text",
        "driver",
        "n",
        "r",
        "low",
        "high",
        "rank",
    ]
    return drivers.sort_values(["survey_id", "group", "rank"])[columns].reset_index(
        drop=True
    ), too_few


def _pearson(pairs: pd.DataFrame, keys: list) -> pd.DataFrame:
    """``keys``, ``n`` and Pearson ``r`` from grouped sums (NaN when a score does not vary)."""
    x, y = pairs["score_item"].astype(float), pairs["score_enps"].astype(float)
    sums = pairs[keys].assign(x=x, y=y, xx=x * x, yy=y * y, xy=x * y, n=1).groupby(keys).sum()
    n = sums["n"]
    sxx = sums["xx"] - sums["x"] ** 2 / n
    syy = sums["yy"] - sums["y"] ** 2 / n
    sxy = sums["xy"] - sums["x"] * sums["y"] / n
    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.where((sxx > 1e-12) & (syy > 1e-12), sxy / np.sqrt(sxx * syy), np.nan)
    return pd.DataFrame({"n": n, "r": np.clip(r, -1.0, 1.0)}).reset_index()
