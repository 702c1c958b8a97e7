"""The quarter's bookings as a distribution: a Monte-Carlo of the open deals plus new business.

For a fiscal quarter seen from a month end (``as_of``, ``h`` months before the quarter ends):

``bookings = closed won so far + Σ open deals due in the quarter × won-in-quarter + new``

* each open deal due in the quarter is won within it with probability ``q``: of the deals
  that were due in their quarter ``h`` months before its end, in the same segment and stage,
  the share won within that quarter (:func:`in_quarter_rates`; the others slipped to a later
  quarter, were lost or are still open — the win and slip rates are reported apart), shrunk
  towards the stage's share and that towards all stages'. Each deal also carries its
  calibrated eventual win probability (:mod:`compass_nb.pipeline.calibration`);
* **new business** is what past quarters closed after the same point of their calendar from
  deals not in their pipeline then (created later, or then due in another quarter): its run
  rate is the mean over the ``run_rate_quarters`` latest such quarters;
* **a common shock** moves every deal and the new business together (a good or bad quarter,
  the market): one standard normal draw ``u`` per simulation shifts every deal's log-odds by
  ``σ_p × u`` and scales new business by ``exp(σ_n × u − σ_n² / 2)``; ``σ_p`` is the RMS of the
  shifts that make each of the ``shock_quarters`` latest quarters' deals add up to what they
  closed, ``σ_n`` the standard deviation of the log of those quarters' new business.

A quarter that is over at ``as_of`` is not forecast: its actual bookings are reported.
:func:`backtest` makes the same forecast for past quarters at each horizon, from what was
known then, and compares it with what closed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd
from scipy.special import expit, logit

from compass_nb.calendar import quarter_bounds, quarter_label
from compass_nb.pipeline.calibration import (
    ProbabilityModel,
    fit_probabilities,
    lookup,
    outcomes,
    training,
)

PERCENTILES = (10, 50, 90)
#: The Monte-Carlo's clip of probabilities before taking log-odds.
EPS = 1e-6


@dataclass(frozen=True)
class OutcomeSettings:
    """The knobs of the outcome model (from the ``pipeline`` parameter section)."""

    calibration_months: int
    prior: float
    run_rate_quarters: int
    shock_quarters: int
    simulations: int
    seed: int


@dataclass
class History:
    """What the outcome model reads, computed once (:func:`build_history`)."""

    samples: pd.DataFrame  # deal-months of every month end, with due_end and h
    states: pd.DataFrame
    deals: pd.DataFrame  # opportunity_id, product_family
    fiscal_year_start: int


def build_history(
    samples: pd.DataFrame, states: pd.DataFrame, deals: pd.DataFrame, fiscal_year_start: int
) -> History:
    """The outcome model's inputs: deal-months (:func:`compass_nb.pipeline.calibration.snapshots`)
    with the quarter each is due in (:func:`due_horizons`), the states and the deals."""
    keep = deals.loc[:, ["opportunity_id", "product_family"]]
    return History(due_horizons(samples, fiscal_year_start), states, keep, fiscal_year_start)


@dataclass
class QuarterOutcome:
    """A quarter's outcome seen from ``as_of`` (see the module docstring)."""

    quarter: str
    start: pd.Timestamp
    end: pd.Timestamp
    as_of: pd.Timestamp
    months_to_go: int
    quota: float
    closed: float
    actual: float | None = None
    deals: pd.DataFrame = field(default_factory=pd.DataFrame)
    expected_new: float = 0.0
    new_share: pd.Series = field(default_factory=pd.Series)
    sigma_pipeline: float = 0.0
    sigma_new: float = 0.0
    like_quarters: pd.DataFrame = field(default_factory=pd.DataFrame)
    draws: np.ndarray = field(default_factory=lambda: np.array([]))
    family_draws: pd.DataFrame = field(default_factory=pd.DataFrame)
    rates: InQuarterRates | None = None

    @property
    def is_over(self) -> bool:
        """Whether the quarter ended on or before ``as_of`` (then only its actual is shown)."""
        return self.months_to_go <= 0

    def percentile(self, p: int) -> float:
        """The P-th percentile of simulated bookings (the actual for a quarter that is over)."""
        if self.is_over:
            return float(self.actual)
        return float(np.percentile(self.draws, p))

    @property
    def mean(self) -> float:
        return float(self.actual) if self.is_over else float(self.draws.mean())

    @property
    def p_quota(self) -> float:
        """Probability of reaching the quarter's quota (NaN without a quota)."""
        if self.quota <= 0:
            return float("nan")
        if self.is_over:
            return float(self.actual >= self.quota)
        return float((self.draws >= self.quota).mean())

    @property
    def weighted_pipeline(self) -> float:
        """Closed won plus the expected wins of the open deals due in the quarter."""
        if self.deals.empty:
            return self.closed
        return self.closed + float((self.deals["amount"] * self.deals["q"]).sum())

    def summary(self) -> dict:
        """``quarter, as_of, months_to_go, closed, weighted_pipeline, expected_new, p10, p50,
        p90, mean, quota, p_quota, actual, is_over``."""
        return {
            "quarter": self.quarter,
            "as_of": self.as_of,
            "months_to_go": self.months_to_go,
            "closed": self.closed,
            "weighted_pipeline": self.weighted_pipeline,
            "expected_new": self.expected_new,
            **{f"p{p}": self.percentile(p) for p in PERCENTILES},
            "mean": self.mean,
            "quota": self.quota if self.quota > 0 else float("nan"),
            "p_quota": self.p_quota,
            "actual": self.actual,
            "is_over": self.is_over,
        }


def months_to_go(as_of, end) -> int:
    """Whole months from the month end ``as_of`` to the quarter end ``end`` (0 when over)."""
    a, b = pd.Timestamp(as_of).to_period("M"), pd.Timestamp(end).to_period("M")
    return max((b - a).n, 0)


def _quarter_end(close: pd.Series, fiscal_year_start: int) -> pd.Series:
    ends = {d: quarter_bounds(d, fiscal_year_start)[1] for d in close.dropna().unique()}
    return close.map(ends)


def due_horizons(samples: pd.DataFrame, fiscal_year_start: int = 1) -> pd.DataFrame:
    """``samples`` with ``due_end`` (end of the quarter its close date falls in) and ``h``
    (months from the deal-month to that end; ≤ 0 for a deal overdue from an earlier quarter)."""
    out = samples.copy()
    out["due_end"] = _quarter_end(out["close_date"], fiscal_year_start)
    periods = out["due_end"].dt.to_period("M")
    out["h"] = [(e - a).n for e, a in zip(periods, out["as_of"].dt.to_period("M"), strict=True)]
    return out


@dataclass(frozen=True)
class InQuarterRates:
    """How deals due in their quarter ``h`` months before its end turned out, from the
    deal-months of quarters already over: per segment × stage, the deal-months won in that
    quarter, won later (slipped), lost, and still open; the probability of being won within
    the quarter (``q``), shrunk towards the stage's and that towards all stages'.

    Attributes
    ----------
    cells
        ``segment, stage, deal_months, won_in, won_later, lost, still_open, q``.
    stages
        ``stage, deal_months, won_in, won_later, lost, still_open, q, win, slip``: ``win`` is
        the share won at all of those closed, ``slip`` the share of the won that closed
        after their quarter.
    overall
        ``q`` over every stage (the root of the shrinkage).
    """

    h: int
    cells: pd.DataFrame
    stages: pd.DataFrame
    overall: float

    def predict(self, frame: pd.DataFrame) -> np.ndarray:
        """``q`` for each row of ``frame`` (``segment``, ``stage``), finest level known."""
        out = lookup(self.cells, ["segment", "stage"], frame)
        out = np.where(np.isnan(out), lookup(self.stages, ["stage"], frame), out)
        return np.where(np.isnan(out), self.overall, out)


_COUNTS = ["won_in", "won_later", "lost", "still_open"]


def in_quarter_rates(
    samples: pd.DataFrame, known: pd.DataFrame, as_of, h: int, months: int, prior: float
) -> InQuarterRates:
    """:class:`InQuarterRates` at horizon ``h`` from the deal-months of the ``months`` before
    ``as_of`` due in a quarter that ended by ``as_of`` (``known`` = outcomes at ``as_of``).

    A quarter that is over tells for certain whether each of its deals was won in it, so
    these rates carry no censoring: a deal still open, or won after its quarter, was not
    won in it.
    """
    as_of = pd.Timestamp(as_of).normalize()
    rows = samples.loc[
        (samples["h"] == h)
        & (samples["due_end"] <= as_of)
        & (samples["as_of"] >= as_of - pd.DateOffset(months=months))
    ]
    rows = rows.merge(known, on="opportunity_id", how="inner")
    first = (rows["due_end"].dt.to_period("M") - 2).dt.start_time
    inside = (rows["final_close"] >= first) & (rows["final_close"] <= rows["due_end"])
    counts = pd.DataFrame(
        {
            "segment": rows["segment"],
            "stage": rows["stage"],
            "won_in": (rows["won"] & inside).astype(int),
            "won_later": (rows["won"] & ~inside).astype(int),
            "lost": (rows["closed"] & ~rows["won"]).astype(int),
            "still_open": (~rows["closed"]).astype(int),
        }
    )
    overall = float(counts["won_in"].mean()) if len(counts) else 0.0
    stages = counts.groupby("stage")[_COUNTS].sum()
    stages["deal_months"] = stages.sum(axis=1)
    stages["q"] = (stages["won_in"] + prior * overall) / (stages["deal_months"] + prior)
    won = stages["won_in"] + stages["won_later"]
    stages["win"] = (won / (won + stages["lost"])).where(won + stages["lost"] > 0)
    stages["slip"] = (stages["won_later"] / won).where(won > 0)
    cells = counts.groupby(["segment", "stage"])[_COUNTS].sum()
    cells["deal_months"] = cells.sum(axis=1)
    parent = stages["q"].reindex(cells.index.get_level_values("stage")).to_numpy()
    cells["q"] = (cells["won_in"] + prior * parent) / (cells["deal_months"] + prior)
    return InQuarterRates(
        h,
        cells.reset_index().loc[:, ["segment", "stage", "deal_months", *_COUNTS, "q"]],
        stages.reset_index().loc[:, ["stage", "deal_months", *_COUNTS, "q", "win", "slip"]],
        overall,
    )


@lru_cache(maxsize=512)
def _quarter_of(end: pd.Timestamp, fiscal_year_start: int):
    start, q_end = quarter_bounds(end, fiscal_year_start)
    return quarter_label(start, fiscal_year_start), start, q_end


def _like_quarters(end: pd.Timestamp, as_of: pd.Timestamp, h: int, n: int, fys: int) -> list:
    """The ``n`` latest quarters complete at ``as_of``, each with the month end ``h`` months
    before its end (the same point of its calendar as ``as_of`` is for the quarter ending
    ``end``)."""
    out, k = [], 1
    while len(out) < n and k < n + 12:
        q_end = (pd.Timestamp(end) - pd.DateOffset(months=3 * k)).to_period("M").end_time
        q_end = q_end.normalize()
        k += 1
        if q_end > as_of:
            continue
        label, start, q_end = _quarter_of(q_end, fys)
        then = (q_end.to_period("M") - h).end_time.normalize()
        out.append((label, start, q_end, then))
    return out


def _deal_probabilities(
    open_now: pd.DataFrame, model: ProbabilityModel, rates: InQuarterRates
) -> pd.DataFrame:
    out = open_now.copy()
    out["p_win"] = model.predict(out)
    out["q"] = rates.predict(out)
    return out


def _shift_for(amounts: np.ndarray, q: np.ndarray, realised: float) -> float:
    """The log-odds shift ``z`` with Σ amount × expit(logit(q) + z) = realised (clipped)."""
    base = logit(np.clip(q, EPS, 1 - EPS))

    def gap(z: float) -> float:
        return float((amounts * expit(base + z)).sum()) - realised

    low, high = -6.0, 6.0
    if gap(low) >= 0:
        return low
    if gap(high) <= 0:
        return high
    from scipy.optimize import brentq  # here: scipy.optimize takes 0.3 s to import

    return float(brentq(gap, low, high))


def _won_in(final: pd.DataFrame, start, end) -> pd.DataFrame:
    close = final["final_close"]
    return final.loc[final["won"] & (close >= start) & (close <= end)]


def _like_quarter_table(
    history: History,
    like: list,
    h: int,
    model: ProbabilityModel,
    rates: InQuarterRates,
    known: pd.DataFrame,
) -> pd.DataFrame:
    """Per like quarter: pipeline due at the same point, its expected and realised wins, the
    shift that reconciles them, and the new business (wins from deals not in that pipeline)."""
    rows = []
    won_known = known.loc[known["won"]].set_index("opportunity_id")["final_close"]
    for label, start, end, then in like:
        snap = history.samples.loc[history.samples["as_of"] == then]
        due = snap.loc[(snap["close_date"] >= start) & (snap["close_date"] <= end)]
        due = _deal_probabilities(due, model, rates)
        closed_at = due["opportunity_id"].map(won_known)
        won_inside = closed_at.between(start, end).to_numpy()
        realised = float(due["amount"].to_numpy()[won_inside].sum())
        expected = float((due["amount"] * due["q"]).sum())
        wins = _won_in(known, max(start, then + pd.Timedelta(days=1)), end)
        wins = wins.loc[~wins["opportunity_id"].isin(due["opportunity_id"])]
        wins = wins.merge(history.deals, on="opportunity_id", how="left")
        rows.append(
            {
                "quarter": label,
                "as_of": then,
                "pipeline_expected": expected,
                "pipeline_realised": realised,
                "shift": _shift_for(due["amount"].to_numpy(float), due["q"].to_numpy(), realised)
                if len(due)
                else 0.0,
                "new_business": float(wins["final_amount"].sum()),
                "new_by_family": wins.groupby("product_family")["final_amount"].sum(),
            }
        )
    return pd.DataFrame(rows)


def quarter_outcome(
    history: History,
    quarter_end,
    as_of,
    quota: float,
    settings: OutcomeSettings,
    *,
    seed_offset: int = 0,
) -> QuarterOutcome:
    """The outcome of the fiscal quarter ending ``quarter_end``, seen from ``as_of``.

    Parameters
    ----------
    history
        Deal-months, states and deals (:class:`History`).
    quarter_end
        Last day of the quarter.
    as_of
        The month end the forecast is made at; nothing later is used.
    quota
        The quarter's quota (company, quota-carrying sellers); 0 when none.
    settings
        :class:`OutcomeSettings`.
    seed_offset
        Added to the seed, so that two quarters forecast together draw independently.
    """
    fys = history.fiscal_year_start
    label, start, end = _quarter_of(pd.Timestamp(quarter_end), fys)
    as_of = pd.Timestamp(as_of).normalize()
    h = months_to_go(as_of, end)
    known = outcomes(history.states, as_of)
    closed = float(_won_in(known, start, min(end, as_of))["final_amount"].sum())
    result = QuarterOutcome(label, start, end, as_of, h, float(quota), closed)
    if h <= 0:
        result.actual = closed
        return result
    s = settings
    train = training(history.samples, known, as_of, s.calibration_months)
    model = fit_probabilities(train, s.prior)
    rates = in_quarter_rates(history.samples, known, as_of, h, s.calibration_months, s.prior)
    result.rates = rates
    snap = history.samples.loc[history.samples["as_of"] == as_of]
    due = snap.loc[(snap["close_date"] >= start) & (snap["close_date"] <= end)]
    due = _deal_probabilities(due, model, rates)
    like = _like_quarters(end, as_of, h, max(s.run_rate_quarters, s.shock_quarters), fys)
    table = _like_quarter_table(history, like, h, model, rates, known)
    result.like_quarters = table.drop(columns="new_by_family", errors="ignore")
    run = table.head(s.run_rate_quarters)
    shock = table.head(s.shock_quarters)
    result.expected_new = float(run["new_business"].mean()) if len(run) else 0.0
    families = (
        pd.concat(list(run["new_by_family"]), axis=1).fillna(0).sum(axis=1)
        if len(run)
        else pd.Series(dtype=float)
    )
    result.new_share = families / families.sum() if families.sum() > 0 else families
    result.sigma_pipeline = float(np.sqrt(np.mean(shock["shift"] ** 2))) if len(shock) else 0.0
    logs = np.log(shock.loc[shock["new_business"] > 0, "new_business"])
    result.sigma_new = float(logs.std(ddof=1)) if len(logs) > 1 else 0.0
    result.deals = due.reset_index(drop=True)
    _simulate(result, s.simulations, s.seed + seed_offset)
    return result


def _simulate(result: QuarterOutcome, n: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    u = rng.standard_normal(n)
    deals = result.deals
    amounts = deals["amount"].to_numpy(float)
    base = logit(np.clip(deals["q"].to_numpy(float), EPS, 1 - EPS))
    chance = expit(base[None, :] + result.sigma_pipeline * u[:, None])
    wins = rng.random(chance.shape) < chance
    scale = np.exp(result.sigma_new * u - result.sigma_new**2 / 2)
    new = result.expected_new * scale
    result.draws = result.closed + wins @ amounts + new
    families = sorted(
        set(deals.get("product_family", pd.Series(dtype=str)).dropna())
        | set(result.new_share.index)
    )
    per_family = {}
    for family in families:
        mine = (deals["product_family"] == family).to_numpy() if len(deals) else np.array([])
        share = float(result.new_share.get(family, 0.0))
        per_family[family] = (wins[:, mine] @ amounts[mine] if mine.any() else 0.0) + new * share
    result.family_draws = pd.DataFrame(per_family)


def backtest(
    history: History,
    quarters: list[tuple[str, pd.Timestamp, pd.Timestamp]],
    horizons: list[int],
    quotas: dict[str, float],
    final: pd.DataFrame,
    settings: OutcomeSettings,
) -> pd.DataFrame:
    """The outcome forecast of each past quarter at each horizon against what closed.

    Parameters
    ----------
    quarters
        Past quarters, ``(label, start, end)``, complete at the cut-off.
    horizons
        Months before each quarter's end the forecast is made (3 = on the eve of the quarter,
        the forecast used in its month 1; 2 in month 2; 1 in month 3; 4 and 5 before it starts).
    quotas
        Quarter label → quota.
    final
        :func:`compass_nb.pipeline.calibration.outcomes` at the cut-off (what closed).

    Returns
    -------
    pandas.DataFrame
        ``quarter, horizon, as_of, p10, p50, p90, mean, actual, inside, error, pct_error,
        p_quota, quota`` (``error`` = P50 − actual, ``inside`` = actual within P10–P90).
    """
    rows = []
    for k, (label, start, end) in enumerate(quarters):
        actual = float(_won_in(final, start, end)["final_amount"].sum())
        for h in horizons:
            as_of = (end.to_period("M") - h).end_time.normalize()
            made = quarter_outcome(
                history, end, as_of, quotas.get(label, 0.0), settings, seed_offset=100 * k + h
            )
            row = made.summary()
            rows.append(
                {
                    "quarter": label,
                    "horizon": h,
                    "as_of": as_of,
                    **{f"p{p}": row[f"p{p}"] for p in PERCENTILES},
                    "mean": row["mean"],
                    "actual": actual,
                    "p_quota": row["p_quota"],
                    "quota": row["quota"],
                }
            )
    out = pd.DataFrame(
        rows,
        columns=[
            "quarter",
            "horizon",
            "as_of",
            "p10",
            "p50",
            "p90",
            "mean",
            "actual",
            "p_quota",
            "quota",
        ],
    )
    out["inside"] = (out["actual"] >= out["p10"]) & (out["actual"] <= out["p90"])
    out["error"] = out["p50"] - out["actual"]
    out["pct_error"] = (out["error"] / out["actual"]).where(out["actual"] > 0)
    return out


def backtest_summary(table: pd.DataFrame) -> pd.DataFrame:
    """Per horizon: forecasts, share of actuals inside P10–P90, mean absolute and mean %
    error of P50 (bias), and the same over all horizons (``horizon`` = ``"all"``)."""

    def _row(rows: pd.DataFrame, horizon) -> dict:
        pct = rows["pct_error"].dropna()
        return {
            "horizon": horizon,
            "forecasts": int(len(rows)),
            "coverage": float(rows["inside"].mean()) if len(rows) else float("nan"),
            "p50_mape": float(pct.abs().mean()) if len(pct) else float("nan"),
            "p50_bias": float(pct.mean()) if len(pct) else float("nan"),
        }

    rows = [_row(g, h) for h, g in table.groupby("horizon", sort=True)]
    rows.sort(key=lambda r: -r["horizon"])
    rows.append(_row(table, "all"))
    return pd.DataFrame(rows, columns=["horizon", "forecasts", "coverage", "p50_mape", "p50_bias"])
