"""The notebook's figures on demo:small: groups of five, totals that add up, a tie to the cent."""

import pandas as pd
import pytest
import yaml

from compass_nb.comp.analysis import analyse, summary_lines

from .comp_builders import FLAT_10, KNOBS, NO_SPLITS, opportunities_frame, reps_frame


@pytest.fixture
def a(demo_analysis):
    return demo_analysis


def test_every_month_reconciles_to_credited_bookings_to_the_cent(a):
    assert (a.reconciliation["difference_cents"] == 0).all()


def test_team_groups_have_five_sellers_and_add_up_to_the_company(a):
    assert a.by_team["sellers"].min() >= 5
    by_month = a.by_team.groupby("period")["payout"].sum()
    company = a.by_month.set_index("period")["payout"]
    assert (by_month - company.loc[by_month.index]).abs().max() < 0.01


def test_shared_views_carry_no_identifiers(a):
    for frame in (a.by_team, a.by_month, a.points, a.outliers, a.scenarios, a.percentiles):
        assert not {"rep_id", "name", "opportunity_id"} & set(frame.columns)


def test_budget_percentiles_are_ordered(a):
    assert a.headlines["next_p10"] <= a.headlines["next_p50"] <= a.headlines["next_p90"]


def test_scatter_roles_are_groups_of_five_or_more(a):
    window = a.sellers.loc[a.sellers["period"].isin(a.months)]
    heads = window.groupby("role")["rep_id"].nunique()
    small = set(heads[heads < 5].index)
    assert small and not small & set(a.points["role"])


def test_a_company_of_fewer_than_five_sellers_shows_no_totals(tmp_path):
    reps = reps_frame(*[(f"r{i}", "flat", "2020-01-01", None, 100000) for i in range(4)])
    quotas = pd.DataFrame({"rep_id": reps["rep_id"], "period": "2026-10", "quota": 100000.0})
    opportunities = opportunities_frame(("O1", "r1", "2026-10-03", 1000))
    tables = {
        "reps": reps,
        "quotas": quotas,
        "credit_splits": NO_SPLITS,
        "opportunities": opportunities,
    }
    (tmp_path / "flat.yaml").write_text(yaml.safe_dump(FLAT_10))
    a = analyse(tables, "2026-10", plans_dir=tmp_path, **dict(KNOBS, simulations=50))
    assert a.by_month.empty and a.by_team.empty and a.simulated.size == 0
    assert summary_lines(a) == [
        "Fewer than five sellers were on a plan in 2026-10: no totals are shown, to keep pay private."
    ]
