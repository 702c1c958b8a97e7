import pandas as pd
import pytest

from compass_nb.sop.lifecycle import life_events, life_shares


@pytest.fixture
def items():
    return pd.DataFrame(
        {
            "sku": ["OLD", "NEW", "ALWAYS"],
            "family": "F",
            "launch_date": pd.to_datetime([None, "2026-12-11", None]),
            "discontinue_date": pd.to_datetime(["2027-01-01", None, None]),
        }
    )


def test_the_life_share_is_the_fraction_of_each_month_the_item_is_active(items, months):
    shares = life_shares(items, months).set_index(["sku", "month"])["life_share"]
    assert shares[("OLD", months[0])] == 1 and shares[("OLD", months[2])] == 0
    # launched on the 11th: 21 of December's 31 days
    assert shares[("NEW", months[1])] == pytest.approx(21 / 31)
    assert shares[("NEW", months[0])] == 0 and shares[("ALWAYS", months[2])] == 1


def test_stock_is_held_only_while_the_next_month_is_active_too(items, months):
    flags = life_shares(items, months).set_index(["sku", "month"])
    # the last month before a phase-out runs stock down: no safety stock, but it may be made
    assert (
        flags.loc[("OLD", months[1]), "producible"]
        and not flags.loc[("OLD", months[1]), "hold_stock"]
    )
    assert not flags.loc[("NEW", months[0]), "producible"]  # nothing before the launch
    assert flags.loc[("ALWAYS", months[2]), "hold_stock"]


def test_launches_and_phase_outs_in_the_horizon_are_listed(items, months):
    events = life_events(items, months)
    assert events[["event", "sku"]].values.tolist() == [["launch", "NEW"], ["phase-out", "OLD"]]
    assert events["month"].tolist() == [months[1], months[2]]
    later = life_events(items, pd.date_range("2027-06-01", periods=3, freq="MS"))
    assert later.empty
