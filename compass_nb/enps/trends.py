"""Trends: a sustained decline over the last surveys, whatever the last month did.

A month-on-month change hides a slide: −10, −33, −48, −54, −75, −81, −88, −97, −96 moves
by one point in the last month. Here each whole team's eNPS over the last
``trend_surveys`` surveys is fitted with a straight line; the slope (points per survey)
gets an interval by resampling each survey's respondents, and a *sustained decline* is a
slope whose false-discovery-rate-adjusted interval lies below 0 (Benjamini–Hochberg across
the groups assessed, as for changes).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from compass_nb.enps.uncertainty import (
    bootstrap_p_value,
    fdr_calls,
    percentile_interval,
    slope_draws,
)

TREND_COLUMNS = [
    "group",
    "surveys",
    "first",
    "last",
    "slope",
    "low",
    "high",
    "p_adjusted",
    "declining",
]


def declines(
    scores: pd.DataFrame, draws: Mapping, surveys: list, *, q: float
) -> tuple[pd.DataFrame, float]:
    """Slope of each whole team's eNPS over ``surveys`` (oldest first), called with FDR control.

    Parameters
    ----------
    scores
        Shown eNPS rows (``survey_id``, ``group``, ``kind``, ``enps``).
    draws
        (survey_id, group) → bootstrap draws of that eNPS (the same for every cell).
    surveys
        The surveys of the window; a group is assessed only when shown in all of them.
    q
        The false-discovery rate.

    Returns
    -------
    trends, level
        ``group``, ``surveys`` (how many), ``first`` / ``last`` (eNPS), ``slope`` (points
        per survey), ``low`` / ``high`` (its interval at the adjusted level), ``p_adjusted``
        and ``declining``; and that adjusted confidence level.
    """
    part = scores[scores["survey_id"].isin(surveys) & (scores["kind"] == "team")]
    grid = part.pivot_table(index="group", columns="survey_id", values="enps", aggfunc="first")
    grid = grid.reindex(columns=surveys).dropna()
    if len(surveys) < 3 or grid.empty:
        return pd.DataFrame(columns=TREND_COLUMNS), 1.0 - q
    x = np.arange(len(surveys), dtype=float)
    sampled, p_values, slopes = {}, {}, {}
    for group, values in grid.iterrows():
        slopes[group] = float(np.polyfit(x, values.to_numpy(dtype=float), 1)[0])
        stack = np.vstack([draws[(survey, group)] for survey in surveys])
        sampled[group] = slope_draws(stack)
        p_values[group] = bootstrap_p_value(sampled[group])
    adjusted, called, level = fdr_calls(pd.Series(p_values), q)
    rows = []
    for group in grid.index:
        low, high = percentile_interval(sampled[group], level)
        rows.append(
            {
                "group": group,
                "surveys": len(surveys),
                "first": float(grid.loc[group].iloc[0]),
                "last": float(grid.loc[group].iloc[-1]),
                "slope": slopes[group],
                "low": low,
                "high": high,
                "p_adjusted": float(adjusted[group]),
                "declining": bool(called[group] and high < 0),
            }
        )
    table = pd.DataFrame(rows, columns=TREND_COLUMNS)
    return table.sort_values("slope", kind="stable").reset_index(drop=True), level
