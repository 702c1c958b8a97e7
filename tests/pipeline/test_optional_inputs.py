"""The pipeline without quotas or credit splits (issue 16): splits absent → each won deal
credits its owner in full; quotas absent → nothing is measured against quota, and the
summary says so instead of calling anything met or on target."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from compass_nb.crediting import credited_bookings
from compass_nb.params import section_settings
from compass_nb.pipeline.analysis import (
    NO_QUOTAS,
    NO_SPLITS,
    Settings,
    analyse,
    quota_note,
    summary_lines,
    with_optional_inputs,
    write_scorecard,
)


def _settings():
    return section_settings(Settings, "pipeline", min_group_size=1)


def _without(tables: dict, *names: str) -> dict:
    return {k: v for k, v in tables.items() if k not in names}


def test_without_splits_three_won_deals_credit_their_owners_in_full():
    opps = pd.DataFrame(
        {
            "opportunity_id": ["X", "Y", "Z"],
            "owner_id": ["r1", "r2", "r1"],
            "amount": [100.0, 50.0, 80.0],
            "close_date": pd.to_datetime(["2026-01-10", "2026-02-03", "2026-02-20"]),
            "is_won": [True, True, False],
        }
    )
    tables, assumed = with_optional_inputs({"opportunities": opps})
    assert assumed == [NO_QUOTAS, NO_SPLITS]
    credit = credited_bookings(opps, tables["credit_splits"])
    # X and Y won (Z lost): 100 to r1, 50 to r2, each at 100 %
    assert credit[["opportunity_id", "rep_id", "split_pct", "credit"]].values.tolist() == [
        ["X", "r1", 100.0, 100.0],
        ["Y", "r2", 100.0, 50.0],
    ]


def test_without_splits_attainment_credits_the_owner_in_full(tables):
    a = analyse(_without(tables, "credit_splits"), "2026-03", settings=_settings())
    # r1 owns A (100, split 70/30 with s1 when splits exist) and B (200): 300 ÷ quota 300
    assert a.headlines["attainment_median"] == pytest.approx(1.0)
    assert a.assumptions == [NO_SPLITS]
    assert "Assumed: no credit splits: each won deal is credited 100 % to its owner." in (
        summary_lines(a)
    )


def test_without_splits_coverage_counts_the_owners_full_credit(tables):
    a = analyse(_without(tables, "credit_splits"), "2026-02", settings=_settings())
    cov = a.coverage.set_index("team")
    # 28 Feb, Q1: East (r1) quota 300, A won 100 in full → 200 to close; B 200 + E 50 due
    assert cov.loc["East", "closed_won"] == pytest.approx(100.0)
    assert cov.loc["East", "coverage"] == pytest.approx(250 / 200)
    # West (r2) owns no won deal: 580 ÷ 600 as with splits; all teams 830 ÷ (900 − 100)
    assert cov.loc["West", "coverage"] == pytest.approx(580 / 600)
    assert cov.loc["All teams", "coverage"] == pytest.approx(830 / 800)


@pytest.fixture(scope="module")
def no_quotas():
    from tests.pipeline.conftest import (
        FAMILIES,
        OWNERS,
        _credit_splits,
        _history_rows,
        _reps,
        history_frame,
        opportunities_from,
    )

    history = history_frame(_history_rows())
    tables = {
        "opportunities": opportunities_from(history, OWNERS, FAMILIES),
        "opportunity_history": history,
        "reps": _reps(),
        "credit_splits": _credit_splits(),
    }
    return analyse(tables, "2026-02", settings=_settings())


def test_without_quotas_nothing_is_measured_against_quota(no_quotas):
    a, h = no_quotas, no_quotas.headlines
    assert a.assumptions == [NO_QUOTAS] and not a.has_quotas
    assert pd.isna(h["coverage"]) and pd.isna(h["attainment_median"])
    assert pd.isna(h["current_p_quota"]) and pd.isna(h["next_p_quota"])
    assert not h["risk_judged"]
    assert a.attainment.empty and a.risk.empty and a.ramp_groups.empty and a.ramp.empty
    assert quota_note(a) == "Not measured: the source holds no quotas."
    # the bookings forecast does not need quotas: Q1 on 28 Feb still has A's 100 won
    assert a.current.closed == pytest.approx(100.0)


def test_without_quotas_the_summary_states_it_and_claims_no_quota_met(no_quotas):
    lines = summary_lines(no_quotas)
    assert "Assumed: no quotas: attainment and quota coverage are not measured." in lines
    assert "Coverage of FY2026-Q1 not measured: the source holds no quotas." in lines
    assert "Attainment not measured: the source holds no quotas." in lines
    assert lines[0].startswith("FY2026-Q1 bookings, seen from 2026-02-28 (1 month to go)")
    assert "no quotas in the source, so no chance of quota is given" in lines[0]
    assert lines[2].startswith("Teams at risk not judged in FY2026-Q1")
    claims = re.compile(r"quota (of \S+ )?already met|at or above quota|chance of reaching|No team")
    assert not [line for line in lines if claims.search(line)]
    assert not [line for line in lines if re.search(r"\b0 ?% of quota", line)]


def test_without_quotas_no_named_scorecard_only_the_stalled_deals(no_quotas, tmp_path):
    def folder(name):
        (tmp_path / name).mkdir(exist_ok=True)
        return tmp_path / name

    note = write_scorecard(no_quotas, "team", folder)
    assert note.startswith("No named scorecard")
    assert sorted(p.name for p in (tmp_path / "scorecards").iterdir()) == [
        "stalled_deals.csv",
        "stalled_deals.html",
    ]
