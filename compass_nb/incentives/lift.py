"""The lift of a past contest: difference-in-differences, net of pull-forward and
cannibalisation, with a cluster-bootstrap interval.

For each seller, the metric's rate per month (30.4375 days) in three periods: the
**pre-period** (``pre_months`` before the window), the **window**, and the **post window**
(``pull_forward_months`` after it, where deals pulled into the contest are missing). With
E the eligible and C the comparison sellers (employed throughout all three):

* ``DiD_window = mean_E(window − pre) − mean_C(window − pre)``, and likewise ``DiD_post``;
* gross lift = ``DiD_window × |E| × window months`` (units of the metric);
* post-window change = ``DiD_post × |E| × post months`` (negative: pull-forward);
* net lift = gross + post-window change;
* with a product family, cannibalisation = the same net figure on the other families'
  metric (negative when the contest took sales from them), and the lift net of it is
  net + cannibalisation.

Assumption (parallel trends): without the contest, E's rate would have moved from the
pre-period like C's. The interval resamples sellers with replacement within E and within C
(a cluster bootstrap by seller, seeded) and takes the percentile interval.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from compass_nb.incentives.measures import totals

MONTH_DAYS = 30.4375


@dataclasses.dataclass(frozen=True)
class Periods:
    """The pre-period, the window and the post window, as inclusive days."""

    pre: tuple[pd.Timestamp, pd.Timestamp]
    window: tuple[pd.Timestamp, pd.Timestamp]
    post: tuple[pd.Timestamp, pd.Timestamp]

    @staticmethod
    def around(start, end, pre_months: int, post_months: int) -> Periods:
        start, end = pd.Timestamp(start), pd.Timestamp(end)
        pre_start = start - pd.DateOffset(months=pre_months)
        # a window ending on the 30th of June has a post window to the 31st of August
        post_end = end + pd.Timedelta(days=1) + pd.DateOffset(months=post_months)
        post_end = post_end - pd.Timedelta(days=1)
        return Periods(
            (pre_start, start - pd.Timedelta(days=1)),
            (start, end),
            (end + pd.Timedelta(days=1), pd.Timestamp(post_end)),
        )

    @staticmethod
    def months(span) -> float:
        return ((span[1] - span[0]).days + 1) / MONTH_DAYS


@dataclasses.dataclass(frozen=True)
class Lift:
    """A measured lift in units of the metric: point estimates and intervals."""

    gross: float
    post: float
    net: float
    cannibalisation: float | None  # None: not measured (the metric has no product family)
    total: float  # net of cannibalisation where measured, else the net lift
    low: float
    high: float
    net_low: float
    net_high: float
    eligible: int
    comparison: int
    confidence: float


def rates(events: pd.DataFrame, ids, periods: Periods) -> pd.DataFrame:
    """Each seller's rate per month in ``pre``, ``window`` and ``post``."""
    return pd.DataFrame(
        {
            name: totals(events, ids, *span) / Periods.months(span)
            for name, span in (
                ("pre", periods.pre),
                ("window", periods.window),
                ("post", periods.post),
            )
        }
    )


def _net(e: np.ndarray, c: np.ndarray, window_m: float, post_m: float) -> np.ndarray:
    """(gross, post, net) from rate arrays ``[..., seller, (pre, window, post)]``."""
    did_w = (e[..., 1] - e[..., 0]).mean(axis=-1) - (c[..., 1] - c[..., 0]).mean(axis=-1)
    did_p = (e[..., 2] - e[..., 0]).mean(axis=-1) - (c[..., 2] - c[..., 0]).mean(axis=-1)
    n = e.shape[-2]
    gross, post = did_w * n * window_m, did_p * n * post_m
    return np.stack([gross, post, gross + post], axis=-1)


def difference_in_differences(
    events: pd.DataFrame,
    eligible_ids,
    comparison_ids,
    periods: Periods,
    *,
    others: pd.DataFrame | None = None,
    bootstrap: int,
    seed: int,
    confidence: float,
) -> Lift:
    """The contest's lift (see the module); ``others`` are the other families' events
    (cannibalisation), ``None`` when the metric has no family."""
    eligible_ids, comparison_ids = list(eligible_ids), list(comparison_ids)
    window_m, post_m = Periods.months(periods.window), Periods.months(periods.post)
    frames = [events] if others is None else [events, others]
    e = np.stack([rates(f, eligible_ids, periods).to_numpy() for f in frames])
    c = np.stack([rates(f, comparison_ids, periods).to_numpy() for f in frames])
    point = _net(e, c, window_m, post_m)  # frames × (gross, post, net)
    rng = np.random.default_rng(seed)
    pick_e = rng.integers(len(eligible_ids), size=(bootstrap, len(eligible_ids)))
    pick_c = rng.integers(len(comparison_ids), size=(bootstrap, len(comparison_ids)))
    draws = _net(e[:, pick_e], c[:, pick_c], window_m, post_m)  # frames × draws × 3
    net_draws = draws[0, :, 2]
    total_draws = draws[:, :, 2].sum(axis=0)
    tail = (1 - confidence) / 2 * 100
    low, high = np.percentile(total_draws, [tail, 100 - tail])
    net_low, net_high = np.percentile(net_draws, [tail, 100 - tail])
    return Lift(
        gross=float(point[0, 0]),
        post=float(point[0, 1]),
        net=float(point[0, 2]),
        cannibalisation=None if others is None else float(point[1, 2]),
        total=float(point[:, 2].sum()),
        low=float(low),
        high=float(high),
        net_low=float(net_low),
        net_high=float(net_high),
        eligible=len(eligible_ids),
        comparison=len(comparison_ids),
        confidence=confidence,
    )


def verdict(lift: Lift, cost: float, value_per_unit: float | None) -> str:
    """The plain verdict, only where its premise holds.

    * the interval contains 0: ``no measurable lift``;
    * the interval is below 0: ``the metric fell``;
    * above 0 with a money value per unit: ``paid for itself`` when the incremental margin
      at the interval's low end exceeds the cost, ``did not pay for itself`` when even the
      high end does not, otherwise ``lift measured; whether it paid for itself is within
      the interval's uncertainty``;
    * above 0 without a money value (meetings, activities): ``lift measured`` and why
      pay-back is not judged.
    """
    if lift.low <= 0 <= lift.high:
        return "no measurable lift"
    if lift.high < 0:
        return "the metric fell"
    if value_per_unit is None:
        return "lift measured; pay-back not judged (the metric has no money value)"
    if lift.low * value_per_unit > cost:
        return "paid for itself"
    if lift.high * value_per_unit < cost:
        return "lift measured; did not pay for itself"
    return "lift measured; whether it paid for itself is within the interval's uncertainty"
