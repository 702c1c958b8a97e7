"""Drivers: how much of the eNPS answer each pulse item accounts for, and how sure we are.

Pulse items correlate with each other (a person who likes their job rates most things
well: the halo), so each item's own correlation with eNPS mostly measures that shared
part, and ranking correlations ranks noise. **Relative weights** (Johnson, 2000) split the
R² of the regression of the eNPS answer on all items among the items: the items are
replaced by their closest uncorrelated counterparts, the R² is divided among those, and
mapped back; the weights add up to R², and shared variance is shared rather than counted
once per item. Intervals come from a respondent bootstrap. An item is *the* clear driver
only when its interval lies above every other item's; otherwise there is no clear driver.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from compass_nb.enps.uncertainty import percentile_interval, rng_for

DRIVER_COLUMNS = [
    "survey_id",
    "group",
    "question_id",
    "text",
    "driver",
    "n",
    "weight",
    "low",
    "high",
    "share",
    "r2",
    "rank",
    "clear",
]


def relative_weights(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Johnson's relative weights of the columns of ``x`` for ``y``; they sum to R².

    ``x`` may carry leading batch axes: shape (…, n, p) with ``y`` (…, n); returns (…, p),
    NaN where a resample leaves an item or the answer without variance.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    xc = x - x.mean(axis=-2, keepdims=True)
    yc = y - y.mean(axis=-1, keepdims=True)
    sx = np.sqrt((xc**2).sum(axis=-2))
    sy = np.sqrt((yc**2).sum(axis=-1))
    with np.errstate(invalid="ignore", divide="ignore"):
        zx = xc / sx[..., None, :]
        zy = yc / sy[..., None]
        rxx = np.swapaxes(zx, -1, -2) @ zx
        rxy = (np.swapaxes(zx, -1, -2) @ zy[..., None])[..., 0]
    bad = ~np.isfinite(rxx).all(axis=(-1, -2)) | ~np.isfinite(rxy).all(axis=-1)
    rxx = np.where(bad[..., None, None], np.eye(x.shape[-1]), rxx)
    rxy = np.where(bad[..., None], 0.0, rxy)
    values, vectors = np.linalg.eigh(rxx)
    root = np.sqrt(np.clip(values, 1e-12, None))
    half = vectors @ (root[..., :, None] * np.swapaxes(vectors, -1, -2))
    inverse_half = vectors @ ((1.0 / root)[..., :, None] * np.swapaxes(vectors, -1, -2))
    beta = (inverse_half @ rxy[..., None])[..., 0]
    weights = (half**2) @ (beta**2)[..., None]
    weights = weights[..., 0]
    return np.where(bad[..., None], np.nan, weights)


def driver_weights(
    responses: pd.DataFrame,
    members: pd.DataFrame,
    questions: pd.DataFrame,
    *,
    min_responses: int,
    level: float,
    n_boot: int,
    seed: int,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Relative weights of the pulse items for the eNPS answer, per survey and shown group.

    Parameters
    ----------
    responses
        Clean answers with ``kind`` (``enps`` / ``likert5``), of the surveys to analyse.
    members
        ``survey_id``, ``group``, ``kind``, ``team``: the shown groups (whole teams only).
    questions
        ``survey_id``, ``question_id``, ``text``, ``driver``.
    min_responses
        Groups with fewer eNPS answers are not analysed; an item answered by fewer of a
        group's eNPS respondents is left out of its model; a group with fewer complete
        answers is not analysed (and logged).

    Returns
    -------
    drivers, too_few
        ``drivers``: one row per survey, group and item: ``n`` (complete answers),
        ``weight`` (its part of R², 0–1), ``low`` / ``high`` (bootstrap interval),
        ``share`` (weight ÷ R²), ``r2``, ``rank`` (1 = largest) and ``clear`` (its interval
        lies above every other item's). ``too_few``: ``survey_id``, ``group``,
        ``question_id`` (``None`` for the whole group) left out for want of answers.
    """
    enps = responses.loc[responses["kind"] == "enps", ["survey_id", "respondent_id", "score"]]
    items = responses.loc[responses["kind"] == "likert5"]
    wide = items.pivot_table(
        index=["survey_id", "respondent_id"], columns="question_id", values="score"
    )
    answers = enps.set_index(["survey_id", "respondent_id"])["score"].rename("enps_answer")
    table = wide.join(answers, how="inner").reset_index()
    team_of = responses.drop_duplicates(["survey_id", "respondent_id"])[
        ["survey_id", "respondent_id", "team"]
    ]
    table = table.merge(team_of, on=["survey_id", "respondent_id"])
    whole = members.loc[members["kind"] == "team", ["survey_id", "group", "team"]]
    joined = whole.merge(table, on=["survey_id", "team"])
    rows, too_few = [], []
    for (survey, group), part in joined.groupby(["survey_id", "group"], sort=True):
        if len(part) < min_responses:
            continue  # a group this small is not analysed at all (and not logged)
        asked = [q for q in wide.columns if q in part and part[q].notna().any()]
        kept = [q for q in asked if part[q].notna().sum() >= min_responses]
        too_few += [(survey, group, q) for q in asked if q not in kept]
        complete = part.dropna(subset=kept)
        if len(kept) == 0 or len(complete) < min_responses:
            too_few.append((survey, group, None))
            continue
        rows.append(_weights(complete, kept, survey, group, level, n_boot, seed))
    drivers = (
        pd.concat(rows, ignore_index=True)
        if rows
        else pd.DataFrame(columns=[c for c in DRIVER_COLUMNS if c not in ("text", "driver")])
    )
    drivers = drivers.merge(
        questions[["survey_id", "question_id", "text", "driver"]],
        on=["survey_id", "question_id"],
        how="left",
    )
    missing = pd.DataFrame(too_few, columns=["survey_id", "group", "question_id"])
    return drivers[DRIVER_COLUMNS].reset_index(drop=True), missing


def _weights(complete, kept, survey, group, level, n_boot, seed) -> pd.DataFrame:
    x = complete[kept].to_numpy(dtype=float)
    y = complete["enps_answer"].to_numpy(dtype=float)
    point = relative_weights(x, y)
    rng = rng_for(seed, survey, group, "drivers")
    picks = rng.integers(0, len(y), size=(n_boot, len(y)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        draws = relative_weights(x[picks], y[picks])
    bounds = [percentile_interval(draws[:, j], level) for j in range(len(kept))]
    r2 = float(np.nansum(point))
    frame = pd.DataFrame(
        {
            "survey_id": survey,
            "group": group,
            "question_id": kept,
            "n": len(y),
            "weight": point,
            "low": [b[0] for b in bounds],
            "high": [b[1] for b in bounds],
            "share": point / r2 if r2 > 0 else np.nan,
            "r2": r2,
        }
    )
    frame["rank"] = frame["weight"].rank(ascending=False, method="first").astype(int)
    frame = frame.sort_values("rank").reset_index(drop=True)
    others_high = [frame["high"].drop(i).max() for i in frame.index]
    frame["clear"] = (frame["rank"] == 1) & (frame["low"] > pd.Series(others_high))
    return frame
