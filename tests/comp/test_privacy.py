"""Privacy of pay: safe groups of at least five sellers, no identifiers."""

import pandas as pd

from compass_nb.comp.privacy import group_totals, leaks, safe_groups, without_identifiers


def sellers(sizes: dict[str, int], periods=("2026-09", "2026-10")) -> pd.DataFrame:
    rows = [
        {"rep_id": f"{team}-{i}", "team": team, "period": p, "payout": 100.0}
        for team, n in sizes.items()
        for i in range(n)
        for p in periods
    ]
    return pd.DataFrame(rows)


def test_small_teams_are_merged_into_other_teams_when_that_reaches_five():
    assert safe_groups(sellers({"A": 6, "B": 3, "C": 2})) == {
        "A": "A",
        "B": "Other teams",
        "C": "Other teams",
    }


def test_a_too_small_remainder_is_folded_into_the_smallest_team():
    groups = safe_groups(sellers({"A": 6, "B": 8, "C": 2}))
    assert groups == {"A": "A + other teams", "B": "B", "C": "A + other teams"}


def test_no_group_total_covers_fewer_than_five_sellers():
    out = group_totals(sellers({"A": 6, "B": 4, "C": 1}), ["payout"], extra=["period"])
    assert out["sellers"].min() >= 5
    assert (
        out.loc[out["period"] == "2026-10", "payout"].sum() == 1100.0
    )  # every seller is in some group


def test_everything_is_hidden_when_the_whole_population_is_under_five():
    assert group_totals(sellers({"A": 2, "B": 2}), ["payout"]).empty


def test_a_team_counts_by_its_smallest_month():
    frame = pd.concat(
        [sellers({"A": 5}, ("2026-09",)), sellers({"A": 4}, ("2026-10",)), sellers({"B": 9})]
    )
    assert safe_groups(frame)["A"] == "B + other teams"


def test_identifying_columns_are_dropped_and_leaks_are_found():
    frame = pd.DataFrame({"rep_id": ["R-1"], "name": ["Ana Lee"], "team": ["A"], "payout": [1.0]})
    assert list(without_identifiers(frame).columns) == ["team", "payout"]
    assert leaks("paid to Ana Lee", frame) == ["Ana Lee"]
