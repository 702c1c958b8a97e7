"""Rate rules: the published worked examples, edges, caps, gates and properties."""

from decimal import Decimal as D

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from compass_nb.comp import tiers
from compass_nb.comp.plans import Band, Cap, Gate, Measure, Rates, Rounding, SoftCap

VENDOR_BANDS = (
    Band(D("0.5"), D("0.05")),
    Band(D("1.0"), D("0.10")),
    Band(D("1.5"), D("0.15")),
    Band(None, D("0.20")),
)
CENT_BANDS = (Band(D("499.99"), D("0.25")), Band(D("2999.99"), D("0.30")), Band(None, D("0.40")))


def measure(method="marginal", bands=VENDOR_BANDS, basis="attainment", edges="lower", **rules):
    return Measure("m", D(1), Rates(method, basis, edges, bands), **rules)


def total(lines):
    return sum((line["amount"] for line in lines), D(0))


def pay(sales, m, quota=D(100000), ti=D(10000)):
    return total(tiers.measure_lines([("deal", D(sales))], m, quota=quota, target_incentive=ti))


def test_marginal_tiers_pay_each_band_at_its_own_rate():
    assert pay(140000, measure("marginal")) == D("13500.00")


def test_retroactive_tiers_pay_the_reached_band_rate_on_all_sales():
    assert pay(140000, measure("retroactive")) == D("21000.00")


def test_amount_bands_with_cent_edges_match_the_published_examples():
    m = measure("marginal", CENT_BANDS, basis="amount", edges="upper")
    assert [pay(s, m) for s in (400, 100, 5000, 1500)] == [
        D("100.00"),
        D("25.00"),
        D("1675.00"),
        D("425.00"),
    ]


def test_marginal_trace_names_each_band_and_rate_crossed_by_a_deal():
    lines = tiers.measure_lines(
        [("A", D(60000)), ("B", D(80000))],
        measure("marginal"),
        quota=D(100000),
        target_incentive=D(10000),
    )
    got = [(line["opportunity_id"], line["credit"], line["rate"], line["amount"]) for line in lines]
    assert got == [
        ("A", D(50000), D("0.05"), D("2500.00")),
        ("A", D(10000), D("0.10"), D("1000.00")),
        ("B", D(40000), D("0.10"), D("4000.00")),
        ("B", D(40000), D("0.15"), D("6000.00")),
    ]


def test_lower_edges_put_exactly_100_percent_in_the_band_starting_there():
    assert pay(100000, measure("retroactive", edges="lower")) == D("15000.00")
    assert pay(100000, measure("retroactive", edges="upper")) == D("10000.00")


def test_multiplier_bands_pay_multiples_of_the_base_commission_rate():
    bands = (Band(D(1), multiplier=D(1)), Band(None, multiplier=D(2)))
    # TI 30k on quota 600k → base rate 5 %; 700k sold: 600k × 5 % + 100k × 10 %.
    assert pay(700000, measure("marginal", bands), quota=D(600000), ti=D(30000)) == D("40000.00")


def test_flat_rate_applies_one_rate_to_all_credit():
    m = Measure("m", D(1), Rates("flat", bands=(Band(None, D("0.1")),)))
    assert pay(100000, m) == D("10000.00")


def test_pay_curve_is_linear_between_points_and_flat_beyond_the_last():
    points = ((D(0), D(0)), (D("0.5"), D("0.25")), (D(1), D(1)), (D("1.5"), D(2)))
    m = Measure("m", D(1), Rates("curve", points=points))
    assert pay(75000, m) == D("6250.00")  # halfway 25 %→100 % of TI 10k
    assert pay(125000, m) == D("15000.00")
    assert pay(300000, m) == D("20000.00")


def test_gate_below_attainment_pays_the_stated_share():
    m = measure("marginal", gate=Gate(D("0.5"), D("0.5")))
    assert pay(40000, m) == D("1000.00")  # 2,000 × 50 %
    assert pay(50000, m) == D("2500.00")  # exactly at the gate passes


def test_hard_cap_limits_the_period_payout():
    assert pay(300000, measure("marginal", cap=Cap(amount=D(20000)))) == D("20000.00")
    assert pay(300000, measure("marginal", cap=Cap(ti_multiple=D(2)))) == D("20000.00")


def test_per_deal_cap_limits_what_one_deal_pays():
    m = measure("flat", (Band(None, D("0.1")),), deal_cap=D(5000))
    lines = tiers.measure_lines(
        [("big", D(80000)), ("small", D(20000))], m, quota=D(100000), target_incentive=D(1)
    )
    assert total(lines) == D("7000.00")
    assert [line["kind"] for line in lines] == ["commission", "commission", "deal_cap"]


def test_soft_cap_pays_a_lower_rate_above_the_cap():
    m = measure("marginal", soft_cap=SoftCap(D(2), rate=D("0.02")))
    # up to 200k: 2,500 + 5,000 + 7,500 + 50k × 20 % = 25,000; 50k above at 2 % = 1,000
    assert pay(250000, m) == D("26000.00")


def test_rounding_is_half_up_per_line():
    m = measure("flat", (Band(None, D("0.125")),))
    lines = tiers.measure_lines(
        [("a", D("0.20")), ("b", D("0.20"))],
        m,
        quota=D(1),
        target_incentive=D(0),
        rounding=Rounding(),
    )
    assert [line["amount"] for line in lines] == [D("0.03"), D("0.03")]  # 0.025 → 0.03 each


sales = st.decimals(min_value=0, max_value=10**7, places=2)
rates = st.lists(st.decimals(min_value=0, max_value=1, places=3), min_size=1, max_size=5)


@st.composite
def rising_bands(draw):
    r = sorted(draw(rates))
    edges = sorted(
        set(
            draw(
                st.lists(
                    st.decimals(min_value="0.1", max_value=3, places=2),
                    min_size=len(r) - 1,
                    max_size=len(r) - 1,
                )
            )
        )
    )
    uppers = [*edges, None]
    return tuple(Band(u, rate) for u, rate in zip(uppers, r[: len(uppers)], strict=False))


@settings(max_examples=60, deadline=None)
@given(rising_bands(), sales, sales)
def test_marginal_payout_never_falls_when_sales_rise(bands, a, b):
    m = measure("marginal", bands)
    low, high = sorted((a, b))
    assert pay(low, m) <= pay(high, m)


@settings(max_examples=60, deadline=None)
@given(
    rising_bands(),
    st.lists(sales, min_size=1, max_size=6),
    st.decimals(min_value=0, max_value=10**6, places=2),
)
def test_hard_and_per_deal_caps_are_never_exceeded(bands, deals, cap):
    deal_cap = (cap / 2).quantize(D("0.01"))
    m = measure("retroactive", bands, cap=Cap(amount=cap), deal_cap=deal_cap)
    lines = tiers.measure_lines(
        [(str(i), d) for i, d in enumerate(deals)], m, quota=D(100000), target_incentive=D(1)
    )
    assert total(lines) <= cap
    for deal in {line["opportunity_id"] for line in lines} - {None}:
        assert total(line for line in lines if line["opportunity_id"] == deal) <= deal_cap


@settings(max_examples=40, deadline=None)
@given(
    rising_bands(),
    st.sampled_from(["marginal", "retroactive"]),
    st.lists(sales, min_size=5, max_size=5),
)
def test_vector_form_agrees_with_the_exact_lines(bands, method, values):
    m = measure(method, bands, gate=Gate(D("0.3"), D("0.5")), cap=Cap(ti_multiple=D(3)))
    exact = [float(pay(v, m, ti=D(20000))) for v in values]
    fast = tiers.measure_payout_vector(
        np.array([float(v) for v in values]),
        m,
        quota=np.full(5, 1e5),
        target_incentive=np.full(5, 2e4),
    )
    np.testing.assert_allclose(fast, exact, atol=0.02)
