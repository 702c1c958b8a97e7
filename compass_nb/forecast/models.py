"""The candidate models, by name: statsforecast's compiled implementations and the pooled networks.

Non-seasonal models are fitted to the seasonally adjusted series (M4's classical
multiplicative decomposition, see :mod:`.seasonality`) and re-seasonalised; models
marked ``seasonal`` see the raw series with the seasonal period. Naive2 is the naive
model on the seasonally adjusted series. Models marked ``pooled`` are learnt across all
the series of the panel at once (:mod:`.pooled`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from statsforecast import models as sfm

from compass_nb.errors import ParameterError

__all__ = ["Candidate", "CANDIDATES", "CANDIDATE_SETS", "INTERMITTENT", "resolve_candidates"]


@dataclass(frozen=True)
class Candidate:
    """A model the engine can fit: how to build it and what it needs."""

    name: str
    build: Any  # callable: season_length -> statsforecast model
    seasonal: bool = False  # fitted on the raw series with the seasonal period
    intervals: bool = True  # statsforecast gives prediction intervals
    pooled: bool = False  # learnt across the panel (:mod:`.pooled`), not a statsforecast model


CANDIDATES: dict[str, Candidate] = {
    c.name: c
    for c in [
        Candidate("Naive", lambda m: sfm.Naive(alias="Naive")),
        Candidate("Naive2", lambda m: sfm.Naive(alias="Naive2")),
        Candidate("SNaive", lambda m: sfm.SeasonalNaive(season_length=m, alias="SNaive"), True),
        Candidate(
            "SES", lambda m: sfm.SimpleExponentialSmoothingOptimized(alias="SES"), intervals=False
        ),
        Candidate("Holt", lambda m: sfm.Holt(alias="Holt")),
        Candidate("Damped", lambda m: sfm.AutoETS(model="ZZN", damped=True, alias="Damped")),
        Candidate("ETS", lambda m: sfm.AutoETS(season_length=m, alias="ETS"), True),
        Candidate("Theta", lambda m: sfm.Theta(alias="Theta")),
        Candidate("OTheta", lambda m: sfm.OptimizedTheta(alias="OTheta")),
        Candidate("DOTheta", lambda m: sfm.DynamicOptimizedTheta(alias="DOTheta")),
        Candidate(
            "CES", lambda m: sfm.AutoCES(alias="CES"), intervals=False
        ),  # simulated PIs: too slow
        Candidate("ARIMA", lambda m: sfm.AutoARIMA(alias="ARIMA")),
        Candidate("Croston", lambda m: sfm.CrostonClassic(alias="Croston"), intervals=False),
        Candidate("SBA", lambda m: sfm.CrostonSBA(alias="SBA"), intervals=False),
        Candidate("TSB", lambda m: sfm.TSB(alpha_d=0.2, alpha_p=0.2, alias="TSB"), intervals=False),
        Candidate("ADIDA", lambda m: sfm.ADIDA(alias="ADIDA"), intervals=False),
        Candidate("PooledNet", None, intervals=False, pooled=True),
        Candidate("PooledNetRaw", None, intervals=False, pooled=True),
    ]
}

#: The named candidate sets for continuous (smooth and erratic) demand. ``default`` is the
#: three local models that combined best on M3 monthly plus the two pooled networks, and
#: beats ``classic`` (the default before them) on M3 monthly and quarterly, M1 monthly and
#: Tourism monthly (benchmarks/forecast_m3.py); ``fast`` is what the default switches to
#: on very large panels; ``full`` tries every continuous model.
CANDIDATE_SETS: dict[str, tuple[str, ...]] = {
    "default": ("Damped", "DOTheta", "CES", "PooledNet", "PooledNetRaw"),
    "fast": ("DOTheta", "CES"),
    "full": (
        "SES",
        "Holt",
        "Damped",
        "Theta",
        "OTheta",
        "DOTheta",
        "CES",
        "ETS",
        "ARIMA",
        "PooledNet",
        "PooledNetRaw",
    ),
    "classic": ("Damped", "DOTheta", "CES"),
}

#: Candidates for intermittent and lumpy demand.
INTERMITTENT: tuple[str, ...] = ("Croston", "SBA", "TSB", "ADIDA")


def resolve_candidates(candidates) -> tuple[str, ...]:
    """The candidate names of a set name (``default``, ``fast``, ``full``) or a list of names.

    Raises
    ------
    ParameterError
        For an unknown set or model name.
    """
    if isinstance(candidates, str):
        if candidates not in CANDIDATE_SETS:
            raise ParameterError(
                f"Unknown candidate set {candidates!r}: use one of {sorted(CANDIDATE_SETS)} "
                f"or a list of model names from {sorted(CANDIDATES)}."
            )
        return CANDIDATE_SETS[candidates]
    names = tuple(candidates)
    unknown = [n for n in names if n not in CANDIDATES]
    if unknown or not names:
        raise ParameterError(
            f"Unknown candidate model(s) {unknown or names}: choose from {sorted(CANDIDATES)}."
        )
    if all(CANDIDATES[n].pooled for n in names):
        raise ParameterError(
            f"Candidates {list(names)} are all pooled networks, which need enough history "
            "across the panel: add at least one local model (e.g. 'DOTheta')."
        )
    return names
