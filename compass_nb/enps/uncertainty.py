"""How sure an eNPS is: the respondent bootstrap, changes between surveys, and many tests at once.

An eNPS is 100 × the mean of a per-respondent value s ∈ {+1 promoter, 0 passive, −1
detractor}. Its interval here is a **respondent bootstrap**: people are resampled with
replacement, the eNPS recomputed each time, and the percentile interval of the resamples
reported. A change between two surveys resamples the people of either survey keeping each
person's two answers together (a paired bootstrap), so the overlap of respondents narrows
the interval as much as it really does.

The **finite-population correction** is applied only on request
(``enps.finite_population: true``): it shrinks the spread by √((N − n)/(N − 1)) (N invited,
n answered), which is right only if the people who answered are a random sample of those
invited. They rarely are — who answers is itself related to engagement — so by default the
interval describes the answers as a sample, with no correction.

**Many groups at once.** A survey tests the change of every group; with 18 groups a few
5 % intervals exclude 0 by chance. Changes are called *clear* only after the
Benjamini–Hochberg false-discovery-rate control across the groups tested (q = 1 − the
confidence level), and their intervals are widened to the level that control implies
(Benjamini & Yekutieli's false-coverage-rate intervals: 1 − R·q/m for R calls among m
tests); a change is clear when it is called and its adjusted interval excludes 0. Groups
where fewer than ``min_change_pairs`` people answered both surveys are not tested at all.
"""

from __future__ import annotations

import warnings
import zlib

import numpy as np
import pandas as pd

VERDICT_UP, VERDICT_DOWN, VERDICT_NOISE = "clear rise", "clear fall", "within noise"
VERDICT_UNTESTED = "not called: too few people answered both"


def rng_for(seed: int, *key) -> np.random.Generator:
    """A generator seeded by ``seed`` and a stable key (a survey and group), so each cell
    gets its own resamples and the same input gives the same interval."""
    mixed = zlib.crc32("\x1f".join(map(str, key)).encode())
    return np.random.default_rng([int(seed), mixed])


def finite_population_factor(n, population) -> np.ndarray:
    """(N − n) / (N − 1) where the population N is known and at least n, else 1."""
    n = np.asarray(n, dtype=float)
    big_n = np.asarray(np.nan if population is None else population, dtype=float)
    known = np.isfinite(big_n) & (big_n >= n) & (big_n > 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        factor = np.where(known, (big_n - n) / (big_n - 1.0), 1.0)
    return np.clip(factor, 0.0, 1.0)


def bootstrap_enps(
    signed: np.ndarray,
    n_boot: int,
    rng: np.random.Generator,
    population: float | None = None,
) -> np.ndarray:
    """Resampled eNPS values (``n_boot`` of them) from resampling respondents.

    With ``population`` (N invited) the resamples are pulled towards the estimate by
    √((N − n)/(N − 1)): the rescaling bootstrap, i.e. the finite-population correction.
    """
    values = np.asarray(signed, dtype=float)
    if values.size == 0:
        return np.full(n_boot, np.nan)
    draws = 100.0 * values[rng.integers(0, values.size, size=(n_boot, values.size))].mean(axis=1)
    if population is not None:
        centre = 100.0 * values.mean()
        draws = centre + (draws - centre) * np.sqrt(
            finite_population_factor(values.size, population)
        )
    return draws


def percentile_interval(draws: np.ndarray, level: float) -> tuple[float, float]:
    """The central ``level`` percentile interval of bootstrap draws (NaN draws ignored)."""
    tail = (1.0 - level) / 2.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        low, high = np.nanquantile(draws, [tail, 1.0 - tail])
    return float(low), float(high)


def bootstrap_p_value(draws: np.ndarray) -> float:
    """Two-sided p-value of "no change" from bootstrap draws of a change.

    Twice the smaller share of draws on either side of 0 (each count plus one, so that
    p is never 0): the level at which the percentile interval starts to include 0.
    """
    values = np.asarray(draws, dtype=float)
    values = values[np.isfinite(values)]
    if values.size == 0:
        return float("nan")
    below = (np.count_nonzero(values <= 0) + 1) / (values.size + 1)
    above = (np.count_nonzero(values >= 0) + 1) / (values.size + 1)
    return float(min(1.0, 2.0 * min(below, above)))


def bootstrap_change(
    previous: pd.Series,
    current: pd.Series,
    n_boot: int,
    rng: np.random.Generator,
    populations: tuple | None = None,
) -> np.ndarray:
    """Resampled eNPS changes (current − previous), resampling the people of either survey.

    ``previous`` and ``current`` hold signed buckets (+1, 0, −1) indexed by
    ``respondent_id``. A resampled person brings both answers (or the one they gave), so
    the overlap between the surveys is kept. With ``populations`` (N invited in each) the
    draws are pulled towards the change by the finite-population correction, weighted by
    each survey's share of the variance.
    """
    people = previous.index.union(current.index)
    a = previous.reindex(people).to_numpy(dtype=float)
    b = current.reindex(people).to_numpy(dtype=float)
    picks = rng.integers(0, len(people), size=(n_boot, len(people)))
    in_a, in_b = np.isfinite(a), np.isfinite(b)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_a = np.where(in_a, a, 0.0)[picks].sum(axis=1) / in_a[picks].sum(axis=1)
        mean_b = np.where(in_b, b, 0.0)[picks].sum(axis=1) / in_b[picks].sum(axis=1)
    deltas = 100.0 * (mean_b - mean_a)
    if populations is not None:
        delta = 100.0 * (np.nanmean(b) - np.nanmean(a))
        v1, v2 = np.nanvar(a) / max(previous.size, 1), np.nanvar(b) / max(current.size, 1)
        f1 = float(finite_population_factor(previous.size, populations[0]))
        f2 = float(finite_population_factor(current.size, populations[1]))
        shrink = np.sqrt((f1 * v1 + f2 * v2) / (v1 + v2)) if v1 + v2 > 0 else 1.0
        deltas = delta + (deltas - delta) * shrink
    return deltas


def fdr_calls(p_values: pd.Series, q: float) -> tuple[pd.Series, pd.Series, float]:
    """Benjamini–Hochberg at false-discovery rate ``q``, and the level of the adjusted intervals.

    Returns
    -------
    adjusted, called, level
        BH-adjusted p-values; which tests are called (adjusted p ≤ q); and the confidence
        level 1 − R·q/m of the false-coverage-rate intervals (R calls, m tests; with no
        call, 1 − q/m).
    """
    tested = p_values.dropna()
    if tested.empty:
        return pd.Series(dtype=float), pd.Series(dtype=bool), 1.0 - q
    from scipy import stats  # about 0.7 s to import: only when there is something to test

    adjusted = pd.Series(stats.false_discovery_control(tested.to_numpy()), index=tested.index)
    called = adjusted <= q
    level = 1.0 - max(int(called.sum()), 1) * q / len(tested)
    return adjusted, called, level


def slope_draws(draws: np.ndarray) -> np.ndarray:
    """Least-squares slope (points per survey) of each column of resampled scores.

    ``draws``: surveys × resamples (oldest survey first); surveys are resampled
    independently, which ignores that the same people answer again and so overstates
    the spread of the slope (a conservative test).
    """
    x = np.arange(draws.shape[0], dtype=float)
    x = x - x.mean()
    return (x[:, None] * (draws - draws.mean(axis=0))).sum(axis=0) / (x**2).sum()


def change_verdict(low: float, high: float) -> str:
    """``clear rise`` / ``clear fall`` only when the whole interval is on one side of zero."""
    if low > 0:
        return VERDICT_UP
    if high < 0:
        return VERDICT_DOWN
    return VERDICT_NOISE
