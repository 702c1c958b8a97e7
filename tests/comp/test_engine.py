"""The payout engine on hand-built sellers and deals."""

from decimal import Decimal as D

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from compass_nb.comp.engine import compute_payouts, reconciliation
from compass_nb.crediting import credited_bookings

from .comp_builders import FLAT_10, NO_SPLITS, opportunities_frame, plan_from, reps_frame

PLAN = plan_from(FLAT_10)
QUOTAS = pd.DataFrame(
    {"rep_id": ["r1", "r2"], "period": ["2026-10", "2026-10"], "quota": [100000.0, 100000.0]}
)


def run(plans, reps, opps, splits=NO_SPLITS, quotas=QUOTAS, start="2026-10", end="2026-10", **kw):
    return compute_payouts(
        plans, reps, quotas, credited_bookings(opps, splits), start=start, end=end, **kw
    )


def payout(result, rep, period="2026-10"):
    row = result.sellers.loc[
        (result.sellers["rep_id"] == rep) & (result.sellers["period"] == period)
    ]
    return row["payout"].iloc[0]


def test_a_split_deal_pays_each_seller_on_their_share():
    reps = reps_frame(
        ("r1", "flat", "2020-01-01", None, 100000), ("r2", "flat", "2020-01-01", None, 100000)
    )
    splits = pd.DataFrame(
        {"opportunity_id": ["O1", "O1"], "rep_id": ["r1", "r2"], "split_pct": [60, 40]}
    )
    result = run(
        {"flat": PLAN}, reps, opportunities_frame(("O1", "r1", "2026-10-12", 100000)), splits
    )
    assert (payout(result, "r1"), payout(result, "r2")) == (D("6000.00"), D("4000.00"))


def test_trace_names_deal_band_rate_and_rule():
    reps = reps_frame(("r1", "flat", "2020-01-01", None, 100000))
    result = run({"flat": PLAN}, reps, opportunities_frame(("O1", "r1", "2026-10-12", 12345.67)))
    line = result.lines.iloc[0]
    assert (line["opportunity_id"], line["credit"], line["rate"], line["amount"], line["rule"]) == (
        "O1",
        D("12345.67"),
        D("0.1"),
        D("1234.57"),
        "flat rate",
    )


def test_reconciliation_ties_credited_bookings_to_the_trace():
    plan = plan_from(
        FLAT_10,
        measures=[
            {"id": "new", "weight": 1, "types": ["new"], "rates": {"method": "flat", "rate": 0.1}}
        ],
    )
    reps = reps_frame(
        ("r1", "flat", "2020-01-01", None, 100000), ("r2", "flat", "2026-11-01", None, 100000)
    )
    opps = opportunities_frame(
        ("O1", "r1", "2026-10-02", 1000.10),
        ("O2", "r1", "2026-10-03", 500, "renewal"),
        ("O3", "r2", "2026-10-04", 700),
    )
    rec = reconciliation(run({"flat": plan}, reps, opps))
    row = rec.iloc[0]
    assert (
        row["credited_cents"],
        row["commissioned_cents"],
        row["type_not_in_plan_cents"],
        row["no_active_seller_cents"],
        row["difference_cents"],
    ) == (220010, 100010, 50000, 70000, 0)


def test_cancelled_deal_is_clawed_back_in_the_cancellation_period():
    plan = plan_from(FLAT_10, clawback={"cancellation_days": 90})
    reps = reps_frame(("r1", "flat", "2020-01-01", None, 100000))
    opps = opportunities_frame(("O1", "r1", "2026-09-12", 10000, "new", "2026-10-20"))
    result = run({"flat": plan}, reps, opps, start="2026-09", end="2026-10")
    assert (payout(result, "r1", "2026-09"), payout(result, "r1", "2026-10")) == (
        D("1000.00"),
        D("-1000.00"),
    )


def test_early_exit_clawback_lands_in_the_exit_period():
    plan = plan_from(FLAT_10, clawback={"early_exit": {"days": 180, "pct": 0.5}})
    reps = reps_frame(("r1", "flat", "2020-01-01", "2026-10-15", 100000))
    opps = opportunities_frame(("O1", "r1", "2026-09-12", 100000))
    result = run({"flat": plan}, reps, opps, start="2026-09", end="2026-11")
    assert list(result.sellers["period"]) == ["2026-09", "2026-10"]  # nothing after the exit month
    assert (payout(result, "r1", "2026-09"), payout(result, "r1", "2026-10")) == (
        D("10000.00"),
        D("-5000.00"),
    )


def test_manager_is_paid_on_the_team_roll_up():
    mgr = plan_from(
        FLAT_10,
        crediting="team",
        measures=[{"id": "team", "weight": 1, "rates": {"method": "flat", "rate": 0.01}}],
    )
    mgr = type(mgr)(
        "mgr",
        "m",
        tuple(v.__class__(**{**v.__dict__, "plan_id": "mgr"}) for v in mgr.versions),
        "m.yaml",
    )
    reps = reps_frame(
        ("r1", "flat", "2020-01-01", None, 100000, "East", "m1"),
        ("r2", "flat", "2020-01-01", None, 100000, "East", "m1"),
        ("m1", "mgr", "2020-01-01", None, 150000, "East", None, "Manager"),
    )
    opps = opportunities_frame(("O1", "r1", "2026-10-02", 30000), ("O2", "r2", "2026-10-03", 20000))
    result = run({"flat": PLAN, "mgr": mgr}, reps, opps)
    assert payout(result, "m1") == D("500.00")
    assert reconciliation(result)["difference_cents"].iloc[0] == 0


def test_plan_version_follows_the_effective_date():
    data = {
        "plan_id": "flat",
        "versions": [
            {**FLAT_10["versions"][0], "effective_to": "2026-09-30"},
            {
                **FLAT_10["versions"][0],
                "effective_from": "2026-10-01",
                "measures": [{"id": "all", "weight": 1, "rates": {"method": "flat", "rate": 0.2}}],
            },
        ],
    }
    from compass_nb.comp.plans import parse_plan

    reps = reps_frame(("r1", "flat", "2020-01-01", None, 100000))
    opps = opportunities_frame(("O1", "r1", "2026-09-12", 1000), ("O2", "r1", "2026-10-12", 1000))
    result = run(
        {"flat": parse_plan(data, "flat.yaml")}, reps, opps, start="2026-09", end="2026-10"
    )
    assert (payout(result, "r1", "2026-09"), payout(result, "r1", "2026-10")) == (
        D("100.00"),
        D("200.00"),
    )


def test_ramped_new_hire_with_draw_is_topped_up():
    plan = plan_from(
        FLAT_10,
        quota={"prorate": True, "ramp": [0.5]},
        draw={"amount": 1500, "periods": 2, "recoverable": True, "guarantee": False},
        measures=[
            {
                "id": "all",
                "weight": 1,
                "rates": {
                    "method": "marginal",
                    "bands": [{"to": 1, "multiplier": 1}, {"multiplier": 2}],
                },
            }
        ],
    )
    reps = reps_frame(("r1", "flat", "2026-10-01", None, 120000))
    quotas = pd.DataFrame({"rep_id": ["r1"], "period": ["2026-10"], "quota": [100000.0]})
    # Quota ramped to 50k, TI 5,000 → base rate 10 %; 60k sold → 5,000 + 10k × 20 % = 7,000; no draw needed.
    result = run(
        {"flat": plan}, reps, opportunities_frame(("O1", "r1", "2026-10-12", 60000)), quotas=quotas
    )
    assert payout(result, "r1") == D("7000.00")
    empty = run(
        {"flat": plan}, reps, opportunities_frame(("O1", "r1", "2026-12-12", 1)), quotas=quotas
    )
    assert payout(empty, "r1") == D("1500.00")


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.integers(min_value=1, max_value=99), min_size=1, max_size=4),
    st.decimals(min_value=1, max_value=10**6, places=2),
)
def test_splits_summing_to_100_conserve_the_deal_credit(cuts, amount):
    edges = sorted(set(cuts))
    shares = [b - a for a, b in zip([0, *edges], [*edges, 100], strict=True)]
    splits = pd.DataFrame(
        {
            "opportunity_id": "O1",
            "rep_id": [f"r{i}" for i in range(len(shares))],
            "split_pct": shares,
        }
    )
    credits = credited_bookings(opportunities_frame(("O1", "r0", "2026-10-01", amount)), splits)
    assert abs(credits["credit"].sum() - float(amount)) < 1e-6


def test_splits_not_adding_to_100_are_listed_but_overlay_credit_is_not():
    from compass_nb.comp.engine import split_exceptions

    overlay = plan_from(FLAT_10, crediting="overlay")
    overlay = type(overlay)(
        "se",
        "s",
        tuple(v.__class__(**{**v.__dict__, "plan_id": "se"}) for v in overlay.versions),
        "s",
    )
    reps = reps_frame(
        ("r1", "flat", "2020-01-01", None, 100000),
        ("r2", "flat", "2020-01-01", None, 100000),
        ("s1", "se", "2020-01-01", None, 100000),
    )
    splits = pd.DataFrame(
        {
            "opportunity_id": ["O1", "O1", "O1", "O2", "O2"],
            "rep_id": ["r1", "r2", "s1", "r1", "r2"],
            "split_pct": [60.0, 40.0, 100.0, 60.0, 60.0],
        }
    )
    opps = opportunities_frame(("O1", "r1", "2026-10-02", 1000), ("O2", "r1", "2026-10-03", 1000))
    result = run({"flat": PLAN, "se": overlay}, reps, opps, splits)
    assert split_exceptions(result)[["opportunity_id", "split_pct"]].values.tolist() == [
        ["O2", 120.0]
    ]


QUARTER_QUOTAS = pd.DataFrame(
    {"rep_id": "r1", "period": ["2026-07", "2026-08", "2026-09", "2026-10"], "quota": 100000.0}
)
QUARTER_DEALS = opportunities_frame(
    ("O1", "r1", "2026-07-10", 120000),
    ("O2", "r1", "2026-08-10", 100000),
    ("O3", "r1", "2026-09-10", 100000),
    ("O4", "r1", "2026-10-10", 10000),
)
QUARTER_BANDS = [{"to": 0.5, "rate": 0.05}, {"to": 1.0, "rate": 0.10}, {"rate": 0.15}]


def quarterly(method, **extra):
    measure = {
        "id": "all",
        "weight": 1,
        "rates": {"method": method, "bands": QUARTER_BANDS},
        **extra,
    }
    return {
        "flat": plan_from(FLAT_10, quota={"prorate": False, "basis": "quarter"}, measures=[measure])
    }


def monthly_payouts(plans, deals=QUARTER_DEALS):
    reps = reps_frame(("r1", "flat", "2020-01-01", None, 100000))
    result = run(plans, reps, deals, quotas=QUARTER_QUOTAS, start="2026-07", end="2026-10")
    return result, result.sellers["payout"].tolist()


def test_quarterly_marginal_tiers_fill_the_quarter_quota_month_by_month():
    # quarter quota 300k: 120k at 5 %; then 30k at 5 % + 70k at 10 %; then 80k at 10 % + 20k at 15 %
    _, paid = monthly_payouts(quarterly("marginal"))
    assert paid == [D("6000.00"), D("8500.00"), D("11000.00"), D("500.00")]


def test_quarterly_retroactive_tiers_true_up_earlier_deals_when_a_band_is_reached():
    result, paid = monthly_payouts(quarterly("retroactive"))
    assert paid[:2] == [D("6000.00"), D("16000.00")]  # 220k × 10 % = 22,000 due, 6,000 paid in July
    august = result.lines.loc[result.lines["period"] == "2026-08"]
    assert august[["opportunity_id", "rate", "amount"]].values.tolist() == [
        ["O1", D("0.10"), D("12000.00")],
        ["O2", D("0.10"), D("10000.00")],
        ["O1", D("0.05"), D("-6000.00")],
    ]


def test_a_quarterly_gate_withholds_pay_until_it_is_passed():
    plans = quarterly("marginal", gate={"attainment": 0.5, "pay": 0})
    deals = opportunities_frame(
        ("O1", "r1", "2026-07-10", 60000), ("O2", "r1", "2026-08-10", 100000)
    )
    _, paid = monthly_payouts(plans, deals)
    # July: 60k is 20 % of the 300k quarter: 3,000 gated to 0. August: 160k is 53 %, the gate
    # passes: O2 pays 90k × 5 % + 10k × 10 % = 5,500 and July's 3,000 is released.
    assert paid[:2] == [D("0.00"), D("8500.00")]


def test_basis_windows_follow_the_fiscal_year():
    from compass_nb.comp.engine import window_months

    assert window_months("2026-10", "quarter", 2) == ["2026-08", "2026-09", "2026-10"]
    assert window_months("2026-02", "year", 4)[0] == "2025-04"
    assert window_months("2026-02", "month") == ["2026-02"]
