"""Gaming signals against constructed cases."""

import pandas as pd

from compass_nb.incentives.gaming import cancellations, end_clustering, splitting
from compass_nb.incentives.lift import Periods

PERIODS = Periods(
    (pd.Timestamp("2025-01-01"), pd.Timestamp("2025-01-31")),
    (pd.Timestamp("2025-02-01"), pd.Timestamp("2025-02-28")),
    (pd.Timestamp("2025-03-01"), pd.Timestamp("2025-03-31")),
)


def _deals(rows) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["rep_id", "date", "account", "cancelled"])
    frame["date"] = pd.to_datetime(frame["date"])
    frame["cancelled"] = pd.to_datetime(frame["cancelled"])
    frame["opportunity_id"] = [f"o{k}" for k in range(len(frame))]
    return frame.assign(value=1.0)


def test_closes_bunched_in_the_last_days_against_the_comparison_raise_a_signal():
    late = [("e", "2025-02-26", f"x{k}", None) for k in range(6)]
    early = [("e", "2025-02-05", "y", None), ("e", "2025-02-10", "z", None)]
    control = [("c", f"2025-02-{d:02d}", f"w{d}", None) for d in range(2, 22, 2)]
    row = end_clustering(
        _deals(late + early + control), ["e"], ["c"], PERIODS, end_days=5, alpha=0.05, min_cases=3
    )
    assert row["flag"] and row["contest"] == 6 / 8 and row["baseline"] == 0.0 and row["cases"] == 6
    spread = [("e", f"2025-02-{d:02d}", f"v{d}", None) for d in range(2, 28, 3)]
    calm = end_clustering(
        _deals(spread + control), ["e"], ["c"], PERIODS, end_days=5, alpha=0.05, min_cases=3
    )
    assert not calm["flag"]


def test_repeat_wins_at_one_account_within_days_are_counted_as_possible_splits():
    rows = [
        ("e", "2025-02-03", "acme", None),
        ("e", "2025-02-06", "acme", None),
        ("e", "2025-02-10", "beta", None),
        ("e", "2025-02-12", "beta", None),
        ("e", "2025-02-14", "gamma", None),
        ("e", "2025-02-20", "gamma", None),
        ("e", "2025-01-05", "delta", None),
        ("e", "2025-01-30", "delta", None),
    ]
    row = splitting(_deals(rows), ["e"], PERIODS, split_days=14, min_cases=3)
    assert row["cases"] == 3 and row["baseline"] == 0.0 and row["flag"]


def test_wins_cancelled_after_the_contest_against_the_pre_period_share():
    rows = [
        ("e", "2025-02-10", "a", "2025-03-20"),
        ("e", "2025-02-11", "b", "2025-04-01"),
        ("e", "2025-02-12", "c", "2025-04-15"),
        ("e", "2025-02-13", "d", None),
        ("e", "2025-01-10", "e", None),
        ("e", "2025-01-11", "f", None),
    ]
    row = cancellations(_deals(rows), ["e"], PERIODS, cancel_days=90, min_cases=3)
    assert row["contest"] == 3 / 4 and row["baseline"] == 0.0 and row["flag"]
