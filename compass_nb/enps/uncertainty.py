"""How sure an eNPS is: analytic and bootstrap intervals, and changes between surveys.

An eNPS is 100 × the mean of a per-respondent value s ∈ {+1 (promoter), 0, −1
(detractor)}. With shares p (promoters) and d (detractors) its sampling variance is
``(p + d − (p − d)²) / n`` — the variance of the difference of two multinomial
proportions. When most of a team answered, the finite-population correction
``(N − n) / (N − 1)`` (N = invited) shrinks it: a full census has no sampling error.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import stats

VERDICT_UP, VERDICT_DOWN, VERDICT_NOISE = "up", "down", "within noise"


def z_value(level: float = 0.95) -> float:
    """Two-sided normal quantile for a confidence level (1.96 for 95 %)."""
    return float(stats.norm.ppf(0.5 + level / 2.0))


def finite_population_factor(n, population) -> np.ndarray:
    """(N − n) / (N − 1) where the population N is known and at least n, else 1."""
    n = np.asarray(n, dtype=float)
    big_n = np.asarray(population, dtype=float)
    known = np.isfinite(big_n) & (big_n >= n) & (big_n > 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        factor = np.where(known, (big_n - n) / (big_n - 1.0), 1.0)
    return np.clip(factor, 0.0, 1.0)


def enps_standard_error(p_promoters, p_detractors, n, population=None) -> np.ndarray:
    """Standard error of an eNPS, in eNPS points.

    Parameters
    ----------
    p_promoters, p_detractors
        Shares (0–1) of promoters and detractors.
    n
        Number of answers.
    population
        Number invited (N); when given and at least ``n`` the finite-population
        correction is applied. ``None`` or NaN: an infinite population.
    """
    p = np.asarray(p_promoters, dtype=float)
    d = np.asarray(p_detractors, dtype=float)
    n = np.asarray(n, dtype=float)
    variance = np.clip(p + d - (p - d) ** 2, 0.0, None) / n
    if population is not None:
        variance = variance * finite_population_factor(n, population)
    return 100.0 * np.sqrt(variance)


def with_intervals(
    table: pd.DataFrame, level: float = 0.95, invited: str = "invited"
) -> pd.DataFrame:
    """Add ``se``, ``low`` and ``high`` (analytic, FPC when ``invited`` is known) to an eNPS table."""
    population = table[invited] if invited in table else None
    se = enps_standard_error(
        table["promoters"] / table["n"], table["detractors"] / table["n"], table["n"], population
    )
    z = z_value(level)
    return table.assign(
        se=se,
        low=np.clip(table["enps"] - z * se, -100.0, 100.0),
        high=np.clip(table["enps"] + z * se, -100.0, 100.0),
    )


def bootstrap_interval(
    signed: np.ndarray,
    n_boot: int = 2000,
    level: float = 0.95,
    seed: int = 0,
    population: float | None = None,
) -> tuple[float, float]:
    """Percentile interval of the eNPS from resampling respondents with replacement.

    ``signed`` holds one value per respondent (+1, 0, −1). Seeded: the same input
    and seed give the same interval. With ``population`` (N invited) the resampled
    eNPS are pulled towards the estimate by √((N − n)/(N − 1)) — the rescaling
    bootstrap, so that it carries the same finite-population correction as the
    analytic interval.
    """
    values = np.asarray(signed, dtype=float)
    if values.size == 0:
        return (np.nan, np.nan)
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, values.size, size=(n_boot, values.size))
    means = 100.0 * values[draws].mean(axis=1)
    if population is not None:
        centre = 100.0 * values.mean()
        means = centre + (means - centre) * np.sqrt(
            finite_population_factor(values.size, population)
        )
    tail = (1.0 - level) / 2.0
    low, high = np.quantile(means, [tail, 1.0 - tail])
    return float(low), float(high)


def change_between(
    previous: pd.Series,
    current: pd.Series,
    level: float = 0.95,
    min_pairs: int = 5,
    n_boot: int = 0,
    seed: int = 0,
    populations: tuple | None = None,
) -> dict:
    """The eNPS change from one survey to the next, with its interval.

    Parameters
    ----------
    previous, current
        Signed buckets (+1, 0, −1) indexed by ``respondent_id``.
    min_pairs
        Pairing is used only when at least this many respondents answered both
        (fewer would make the paired covariance a statement about a tiny group).
    n_boot
        When positive, also a bootstrap interval resampling respondents of either
        survey (keeping each person's two answers together).
    populations
        ``(N_previous, N_current)`` invited, for the finite-population correction
        (as on each survey's own interval); ``None`` or NaN: no correction.

    Returns
    -------
    dict
        ``delta`` (points), ``se``, ``low``, ``high``, ``paired_n``, ``paired``
        (bool), ``verdict`` (``up``, ``down`` or ``within noise``) and, with
        ``n_boot``, ``boot_low`` / ``boot_high``.

    Notes
    -----
    For overlapping samples, Var(ȳ₂ − ȳ₁) = f₁σ₁²/n₁ + f₂σ₂²/n₂ − 2√(f₁f₂)·m·σ₁₂/(n₁n₂)
    where m respondents answered both, σ₁₂ is their covariance and fᵢ the
    finite-population factors (1 without a known population). The bootstrap
    interval is rescaled around the change by the same correction.
    """
    a_all, b_all = previous.to_numpy(dtype=float), current.to_numpy(dtype=float)
    n1, n2 = a_all.size, b_all.size
    f1, f2 = (
        (1.0, 1.0)
        if populations is None
        else (
            float(finite_population_factor(n1, _nan(populations[0]))),
            float(finite_population_factor(n2, _nan(populations[1]))),
        )
    )
    delta = 100.0 * (b_all.mean() - a_all.mean())
    plain = a_all.var() / n1 + b_all.var() / n2
    variance = f1 * a_all.var() / n1 + f2 * b_all.var() / n2
    both = previous.index.intersection(current.index)
    paired = len(both) >= max(min_pairs, 2)
    if paired:
        a, b = previous.loc[both].to_numpy(dtype=float), current.loc[both].to_numpy(dtype=float)
        covariance = 2.0 * len(both) * float(((a - a.mean()) * (b - b.mean())).mean()) / (n1 * n2)
        plain -= covariance
        variance -= np.sqrt(f1 * f2) * covariance
    se = 100.0 * float(np.sqrt(max(variance, 0.0)))
    z = z_value(level)
    low, high = delta - z * se, delta + z * se
    result = {
        "delta": float(delta),
        "se": se,
        "low": float(low),
        "high": float(high),
        "paired_n": int(len(both)) if paired else 0,
        "paired": bool(paired),
        "verdict": change_verdict(low, high),
    }
    if n_boot > 0:
        shrink = se / (100.0 * np.sqrt(plain)) if plain > 0 else 1.0
        boot_low, boot_high = _bootstrap_change(previous, current, n_boot, level, seed)
        result["boot_low"] = float(delta + (boot_low - delta) * shrink)
        result["boot_high"] = float(delta + (boot_high - delta) * shrink)
    return result


def _nan(value) -> float:
    return np.nan if value is None else float(value)


def change_verdict(low: float, high: float) -> str:
    """``up`` / ``down`` only when the whole interval is on one side of zero."""
    if low > 0:
        return VERDICT_UP
    if high < 0:
        return VERDICT_DOWN
    return VERDICT_NOISE


def _bootstrap_change(prev: pd.Series, curr: pd.Series, n_boot: int, level: float, seed: int):
    people = prev.index.union(curr.index)
    a = prev.reindex(people).to_numpy()
    b = curr.reindex(people).to_numpy()
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, len(people), size=(n_boot, len(people)))
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        deltas = 100.0 * (np.nanmean(b[draws], axis=1) - np.nanmean(a[draws], axis=1))
    tail = (1.0 - level) / 2.0
    low, high = np.nanquantile(deltas, [tail, 1.0 - tail])
    return float(low), float(high)
