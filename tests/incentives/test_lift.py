"""The difference-in-differences lift, worked by hand on a tiny frame, and its verdicts."""

import pandas as pd
import pytest

from compass_nb.incentives.lift import Lift, Periods, difference_in_differences, verdict

# three spans of 28 days each, so that rates per month cancel out of the totals
PERIODS = Periods(
    (pd.Timestamp("2025-01-04"), pd.Timestamp("2025-01-31")),
    (pd.Timestamp("2025-02-01"), pd.Timestamp("2025-02-28")),
    (pd.Timestamp("2025-03-01"), pd.Timestamp("2025-03-28")),
)
DAYS = {"pre": "2025-01-10", "window": "2025-02-10", "post": "2025-03-10"}


def _events(counts: dict) -> pd.DataFrame:
    rows = [
        {"rep_id": rep, "date": pd.Timestamp(DAYS[span]), "value": float(n)}
        for rep, spans in counts.items()
        for span, n in zip(("pre", "window", "post"), spans, strict=True)
    ]
    return pd.DataFrame(rows)


# eligible a, b; comparison c, d: (pre, window, post)
OWN = _events({"a": (2, 6, 1), "b": (4, 8, 3), "c": (3, 4, 3), "d": (1, 2, 1)})
OTHERS = _events({"a": (2, 1, 2), "b": (2, 1, 2), "c": (1, 1, 1), "d": (1, 1, 1)})


def test_did_by_hand_gross_post_and_net():
    m = difference_in_differences(
        OWN, ["a", "b"], ["c", "d"], PERIODS, bootstrap=200, seed=0, confidence=0.9
    )
    # window: E changes by 4 and 4, C by 1 and 1 → 3 per seller × 2 sellers = 6
    # post:   E changes by −1 and −1, C by 0 and 0 → −1 × 2 = −2 (pull-forward); net 4
    assert (m.gross, m.post, m.net) == pytest.approx((6.0, -2.0, 4.0))
    assert m.cannibalisation is None and m.total == pytest.approx(4.0)
    # every resample gives the same changes: the interval is the point
    assert (m.low, m.high) == pytest.approx((4.0, 4.0))


def test_cannibalisation_of_other_families_is_netted_out():
    m = difference_in_differences(
        OWN, ["a", "b"], ["c", "d"], PERIODS, others=OTHERS, bootstrap=200, seed=0, confidence=0.9
    )
    # other families: E −1 in the window, 0 after; C 0: −1 × 2 = −2 taken from them
    assert m.cannibalisation == pytest.approx(-2.0)
    assert m.total == pytest.approx(2.0)


def test_the_interval_surrounds_the_estimate_when_sellers_differ():
    own = _events({"a": (2, 9, 1), "b": (4, 5, 3), "c": (3, 4, 1), "d": (1, 4, 1)})
    m = difference_in_differences(
        own, ["a", "b"], ["c", "d"], PERIODS, bootstrap=500, seed=0, confidence=0.9
    )
    assert m.low < m.total < m.high


def _lift(low, total, high) -> Lift:
    return Lift(total, 0.0, total, None, total, low, high, low, high, 10, 10, 0.9)


def test_verdicts_are_given_only_where_their_premise_holds():
    assert verdict(_lift(-1, 2, 5), cost=10, value_per_unit=100) == "no measurable lift"
    assert verdict(_lift(-5, -3, -1), cost=10, value_per_unit=100) == "the metric fell"
    assert verdict(_lift(1, 2, 3), cost=50, value_per_unit=100) == "paid for itself"
    assert verdict(_lift(1, 2, 3), cost=500, value_per_unit=100).endswith("did not pay for itself")
    assert "within the interval" in verdict(_lift(1, 2, 3), cost=150, value_per_unit=100)
    assert "not judged" in verdict(_lift(1, 2, 3), cost=150, value_per_unit=None)


def test_the_periods_around_a_window_are_whole_months_on_either_side():
    p = Periods.around("2025-05-01", "2025-06-30", 6, 2)
    assert p.pre == (pd.Timestamp("2024-11-01"), pd.Timestamp("2025-04-30"))
    assert p.post == (pd.Timestamp("2025-07-01"), pd.Timestamp("2025-08-31"))
    mid = Periods.around("2026-09-15", "2026-10-31", 6, 2)
    assert mid.pre == (pd.Timestamp("2026-03-15"), pd.Timestamp("2026-09-14"))
    assert mid.post == (pd.Timestamp("2026-11-01"), pd.Timestamp("2026-12-31"))
