import pandas as pd
import pytest

from compass_nb.pipeline._history import opportunities_at
from compass_nb.pipeline.forecast import (
    backtest,
    backtest_error,
    expected_new_wins,
    forecast_categories,
    in_quarter_win_rates,
    quarter_forecast,
    rollups,
    stage_win_rates,
)

Q1 = ("2026-01-01", "2026-03-31")
RATES = pd.DataFrame(
    {
        "stage": ["Prospecting", "Qualification", "Discovery", "Proposal", "Negotiation"],
        "win_rate": [0.1, 0.2, 0.3, 0.5, 0.8],
    }
)


def test_rollups_are_cumulative_commit_and_best_case(opportunities, states, stages):
    snapshot = opportunities_at(opportunities, states, "2026-02-28")
    r = rollups(snapshot, stages, RATES, *Q1).iloc[0]
    # A won 100 (Closed), B Negotiation 200 (Commit), D Proposal 500 (Best Case), E 50 + F 80 (Pipeline)
    assert r[["closed", "commit", "best_case", "pipeline"]].tolist() == [100, 300, 800, 130]


def test_weighted_forecast_is_closed_plus_open_amount_times_stage_win_rate(
    opportunities, states, stages
):
    snapshot = opportunities_at(opportunities, states, "2026-02-28")
    r = rollups(snapshot, stages, RATES, *Q1).iloc[0]
    assert r["weighted_pipeline"] == pytest.approx(
        100 + 200 * 0.8 + 500 * 0.5 + 50 * 0.2 + 80 * 0.1
    )


def test_rollups_by_family_add_up_to_the_total(opportunities, states, stages):
    snapshot = opportunities_at(opportunities, states, "2026-02-28")
    by = rollups(snapshot, stages, RATES, *Q1, by=["product_family"]).set_index("product_family")
    assert by.loc["Tents", ["closed", "commit", "best_case"]].tolist() == [100, 300, 300]
    assert by.sum()["weighted_pipeline"] == pytest.approx(
        rollups(snapshot, stages, RATES, *Q1)["weighted_pipeline"].iloc[0]
    )


def test_a_sellers_forecast_category_overrides_the_stage_category(opportunities, states, stages):
    snapshot = opportunities_at(opportunities, states, "2026-02-28").set_index("opportunity_id")
    snapshot["forecast_category"] = None
    snapshot.loc["D", "forecast_category"] = "Commit"
    snapshot.loc["A", "forecast_category"] = "Pipeline"  # closed deals stay Closed
    cats = forecast_categories(snapshot.reset_index(), stages)
    assert cats.tolist() == ["Closed", "Commit", "Pipeline", "Commit", "Pipeline", "Pipeline"]


def test_stage_win_rates_come_from_deals_closed_by_then(states, stages):
    rates = stage_win_rates(states, stages, "2026-03-31").set_index("stage")
    # closed: A won, B won (both reached every stage), E lost after Qualification
    assert rates.loc["Prospecting", ["reached", "won"]].tolist() == [3, 2]
    assert rates.loc["Qualification", "win_rate"] == pytest.approx(2 / 3)
    assert rates.loc["Discovery", "win_rate"] == 1.0
    # on 28 Feb only A had closed: B's first loss was undone by then
    early = stage_win_rates(states, stages, "2026-02-28").set_index("stage")
    assert early["reached"].tolist() == [1, 1, 1, 1, 1] and (early["win_rate"] == 1.0).all()


@pytest.fixture
def with_history(build, base_rows):
    """The base deals plus two Q4 2025 deals in Discovery: G won, H lost."""
    return build(
        base_rows
        + [
            ("G", "2025-10-01", "Discovery", 10, "2025-11-30"),
            ("G", "2025-11-01", "Closed Won", 10, "2025-11-01"),
            ("H", "2025-10-01", "Discovery", 10, "2025-11-30"),
            ("H", "2025-11-15", "Closed Lost", 10, "2025-11-15"),
        ]
    )


def test_backtest_forecasts_each_past_quarter_from_what_was_known_the_day_before(
    with_history, stages
):
    opps, states = with_history
    bt = backtest(opps, states, stages, "2026-03-31", 1, min_history_days=0).set_index("quarter")
    assert bt.index.tolist() == ["FY2025-Q4", "FY2026-Q1"]
    # 31 Dec 2025: C (Discovery 300) and D (Proposal 400) open for Q1; Discovery won 1 of 2, Proposal 1 of 1
    q1 = bt.loc["FY2026-Q1"]
    assert q1["weighted_pipeline"] == pytest.approx(300 * 0.5 + 400 * 1.0)
    # Q4 2025 saw 10 won from deals created after 30 Sep (G): expect as much from new deals
    assert q1["expected_new"] == pytest.approx(10)
    assert q1["weighted"] == pytest.approx(560)
    assert q1[["commit", "best_case", "actual"]].tolist() == [0, 400, 300]  # actual: A 100 + B 200
    assert q1["pct_error"] == pytest.approx(260 / 300)
    assert bt.loc["FY2025-Q4", ["weighted", "actual"]].tolist() == [0, 10]


def test_backtest_error_summarises_mape_bias_and_wape(with_history, stages):
    opps, states = with_history
    err = backtest_error(backtest(opps, states, stages, "2026-03-31", 1, min_history_days=0))
    assert err["quarters"] == 2
    assert err["mape"] == pytest.approx((1 + 260 / 300) / 2)
    assert err["bias"] == pytest.approx((-1 + 260 / 300) / 2)
    assert err["wape"] == pytest.approx((10 + 260) / 310)


def test_quarter_forecast_labels_the_quarter(opportunities, states, stages):
    out = quarter_forecast(
        opportunities, states, stages, "2026-02-28", *Q1, 1, by=["product_family"]
    )
    assert set(out["quarter"]) == {"FY2026-Q1"}
    assert list(out.columns[:2]) == ["product_family", "quarter"]


def test_expected_new_wins_average_what_deals_outside_the_pipeline_won_in_past_quarters(
    with_history,
):
    opps, states = with_history
    # two months ahead (as of 31 Jan for Q2): only Q4 2025 is complete; on 31 Jul 2025 nothing
    # existed, so all of Q4's wins (G, 10) came from outside its pipeline
    early = expected_new_wins(opps, states, "2026-04-01", "2026-01-31")
    assert early["expected_new"].iloc[0] == pytest.approx(10)
    # on the eve of Q2: Q1 2026's wins A 100 + B 200 were created after 31 Dec; Q4 2025's G 10
    eve = expected_new_wins(opps, states, "2026-04-01", "2026-03-31", by=["product_family"])
    assert eve.set_index("product_family").loc["Tents", "expected_new"] == pytest.approx(
        (300 + 10) / 2
    )


def test_a_deal_due_elsewhere_that_slips_in_and_wins_counts_as_outside_the_pipeline(build):
    # Y is open on 31 Dec due in Q2, then pulled into Q1 and won there: Q1's pipeline missed it
    opps, states = build(
        [
            ("Y", "2025-12-01", "Proposal", 40, "2026-05-15"),
            ("Y", "2026-02-10", "Closed Won", 40, "2026-02-10"),
            ("W", "2025-12-01", "Proposal", 60, "2026-02-15"),
            ("W", "2026-02-20", "Closed Won", 60, "2026-02-20"),
        ]
    )
    out = expected_new_wins(opps, states, "2026-04-01", "2026-03-31", quarters=1)
    assert out["expected_new"].iloc[0] == pytest.approx(40)  # W was in Q1's pipeline on 31 Dec


def test_in_quarter_win_rates_count_slips_and_losses_against_the_stage(build, stages):
    # on 31 Dec, six Proposal deals due in Q1: three won in Q1, one pushed to Q2 then won, two lost
    rows = []
    for i, fate in enumerate(["won", "won", "won", "pushed", "lost", "lost"]):
        rows.append((f"P{i}", "2025-12-01", "Proposal", 10, "2026-03-15"))
        if fate == "won":
            rows.append((f"P{i}", "2026-03-10", "Closed Won", 10, "2026-03-10"))
        elif fate == "lost":
            rows.append((f"P{i}", "2026-03-10", "Closed Lost", 10, "2026-03-10"))
        else:
            rows.append((f"P{i}", "2026-03-10", "Proposal", 10, "2026-04-20"))
            rows.append((f"P{i}", "2026-04-20", "Closed Won", 10, "2026-04-20"))
    opps, states = build(rows)
    fallback = pd.DataFrame({"stage": RATES["stage"], "win_rate": 0.99})
    rates = in_quarter_win_rates(
        opps, states, stages, "2026-07-01", "2026-06-30", fallback=fallback, quarters=2
    ).set_index("stage")
    # Q1 (seen from 31 Dec) gives Proposal 3 won in quarter of 6; Q2 (seen from 31 Mar): the pushed
    # deal due in Q2 and won there
    assert rates.loc["Proposal", ["open_deals", "won_in_quarter"]].tolist() == [7, 4]
    assert rates.loc["Proposal", "win_rate"] == pytest.approx(4 / 7)
    assert rates.loc["Negotiation", "win_rate"] == 0.99  # never seen: the fallback
