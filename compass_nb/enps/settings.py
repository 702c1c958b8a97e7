"""The ``enps`` parameters: one settings dataclass, exactly the section of the schema."""

from __future__ import annotations

from dataclasses import dataclass

from compass_nb.enps.scores import Buckets
from compass_nb.errors import ParameterError


@dataclass(frozen=True)
class Settings:
    """The ``enps`` parameters section (defaults and meanings: ``parameters/default.yaml``).

    Build it with :func:`compass_nb.params.build` from the merged parameters, or with
    :func:`compass_nb.params.section_settings` (the defaults, some keys changed).
    """

    min_group_size: int
    min_comment_group: int
    min_split_group: int
    min_driver_responses: int
    min_change_pairs: int
    participation_flag: float
    confidence: float
    bootstrap_samples: int
    seed: int
    finite_population: bool
    trend_surveys: int
    alert_below: float
    scale_min: int
    scale_max: int
    promoter_min: int
    detractor_max: int
    favourable_min: int

    def __post_init__(self) -> None:
        if int(self.min_group_size) < 3:
            raise ParameterError(
                f"enps.min_group_size is {self.min_group_size}; groups of fewer than 3 cannot be"
                " anonymous. Set it to 3 or more (5 is the default)."
            )
        if not 0 < self.confidence < 1:
            raise ParameterError(
                f"enps.confidence must be between 0 and 1, e.g. 0.95; got {self.confidence}."
            )
        if not 0 <= self.participation_flag <= 1:
            raise ParameterError(
                "enps.participation_flag is a share between 0 and 1 (e.g. 0.6); got"
                f" {self.participation_flag}."
            )
        if int(self.min_change_pairs) < 2:
            raise ParameterError(
                f"enps.min_change_pairs is {self.min_change_pairs}; a change needs at least 2"
                " people who answered both surveys (10 is the default)."
            )
        if int(self.trend_surveys) < 3:
            raise ParameterError(
                f"enps.trend_surveys is {self.trend_surveys}; a trend needs 3 surveys or more"
                " (6 is the default)."
            )
        if int(self.bootstrap_samples) < 100:
            raise ParameterError(
                f"enps.bootstrap_samples is {self.bootstrap_samples}; use 1,000 or more (2,000"
                " is the default) for stable intervals."
            )

    @property
    def buckets(self) -> Buckets:
        """The answer scale and its promoter / detractor limits."""
        return Buckets(self.scale_min, self.scale_max, self.promoter_min, self.detractor_max)

    @property
    def comment_group_size(self) -> int:
        return max(self.min_comment_group, self.min_group_size)

    @property
    def fdr(self) -> float:
        """The false-discovery rate of change and trend calls: 1 − the confidence level."""
        return 1.0 - self.confidence

    @property
    def interval_label(self) -> str:
        """What the intervals are, for captions and the summary."""
        text = (
            f"{self.confidence:.0%} respondent bootstrap (percentile,"
            f" {self.bootstrap_samples:,} resamples of the people who answered)"
        )
        if self.finite_population:
            text += (
                ", with the finite-population correction — it assumes the people who answered"
                " are a random sample of those invited"
            )
        return text
