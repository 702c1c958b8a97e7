"""Incentives: sales contests and SPIFs designed (simulator), run (standings, payouts as
SPIF lines of compensation) and measured for their real lift (difference-in-differences
net of pull-forward), with gaming signals."""

from compass_nb.incentives.analysis import ContestReview, IncentivesReview, analyse
from compass_nb.incentives.contests import Contest, load_contest, load_contests, parse_contest
from compass_nb.incentives.settings import IncentivesSettings

__all__ = [
    "Contest",
    "ContestReview",
    "IncentivesReview",
    "IncentivesSettings",
    "analyse",
    "load_contest",
    "load_contests",
    "parse_contest",
]
