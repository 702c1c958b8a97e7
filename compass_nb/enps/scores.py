"""eNPS: buckets on the answer scale and the score (% promoters − % detractors)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from compass_nb.errors import ParameterError

BUCKET_NAMES = ("promoters", "passives", "detractors")


@dataclass(frozen=True)
class Buckets:
    """The eNPS answer scale and where promoters and detractors start.

    Parameters
    ----------
    scale_min, scale_max
        The lowest and highest answer (0–10 by default; 1–10 is also common).
    promoter_min
        Lowest answer counted as a promoter (9 by default).
    detractor_max
        Highest answer counted as a detractor (6 by default). Answers strictly
        between ``detractor_max`` and ``promoter_min`` are passives.
    """

    scale_min: int = 0
    scale_max: int = 10
    promoter_min: int = 9
    detractor_max: int = 6

    def __post_init__(self) -> None:
        if not self.scale_min <= self.detractor_max < self.promoter_min <= self.scale_max:
            raise ParameterError(
                "enps bucket limits must satisfy scale_min <= detractor_max < promoter_min"
                f" <= scale_max; got scale {self.scale_min}–{self.scale_max}, detractors up to"
                f" {self.detractor_max}, promoters from {self.promoter_min}. Fix the enps"
                " section of your parameters file."
            )

    def describe(self) -> str:
        """One line stating the scale and the bucket limits, for chart captions."""
        passives = (
            f"passives {self.detractor_max + 1}–{self.promoter_min - 1} · "
            if self.promoter_min - self.detractor_max > 1
            else ""
        )
        return (
            f"eNPS = % promoters − % detractors · scale {self.scale_min}–{self.scale_max} · "
            f"promoters {self.promoter_min}–{self.scale_max} · {passives}"
            f"detractors {self.scale_min}–{self.detractor_max}"
        )


DEFAULT_BUCKETS = Buckets()


def signed_bucket(scores: pd.Series, buckets: Buckets = DEFAULT_BUCKETS) -> pd.Series:
    """+1 for a promoter, 0 for a passive, −1 for a detractor (eNPS/100 is its mean)."""
    values = pd.to_numeric(scores)
    signed = np.where(
        values >= buckets.promoter_min, 1, np.where(values <= buckets.detractor_max, -1, 0)
    )
    return pd.Series(signed, index=scores.index, name="signed", dtype="int64")


def enps_from_shares(promoters: float | np.ndarray, detractors: float | np.ndarray):
    """eNPS (−100 to 100) from the shares (0–1) of promoters and detractors."""
    return 100.0 * (np.asarray(promoters, dtype=float) - np.asarray(detractors, dtype=float))


def enps_table(
    answers: pd.DataFrame,
    by: Sequence[str],
    buckets: Buckets = DEFAULT_BUCKETS,
    score: str = "score",
) -> pd.DataFrame:
    """Counts, shares and eNPS of the eNPS answers, one row per group.

    Parameters
    ----------
    answers
        One row per eNPS answer, with the ``by`` columns and ``score``.
    by
        Grouping columns (e.g. ``["survey_id", "group"]``).

    Returns
    -------
    DataFrame
        ``by`` columns, ``n``, ``promoters``, ``passives``, ``detractors`` (counts),
        ``pct_promoters``, ``pct_passives``, ``pct_detractors`` (0–100) and ``enps``.
    """
    by = list(by)
    signed = signed_bucket(answers[score], buckets)
    frame = answers[by].assign(
        promoters=(signed == 1).astype(int),
        passives=(signed == 0).astype(int),
        detractors=(signed == -1).astype(int),
    )
    table = frame.groupby(by, as_index=False, observed=True)[list(BUCKET_NAMES)].sum()
    table.insert(len(by), "n", table[list(BUCKET_NAMES)].sum(axis=1))
    for name in BUCKET_NAMES:
        table[f"pct_{name}"] = 100.0 * table[name] / table["n"]
    table["enps"] = enps_from_shares(
        table["promoters"] / table["n"], table["detractors"] / table["n"]
    )
    return table
