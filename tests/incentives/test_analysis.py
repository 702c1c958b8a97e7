"""A contest reviewed end to end on a small hand-made company: what the shareable pack may
show of a group of fewer than five sellers, and the metrics' units."""

import pandas as pd
import pytest

from compass_nb import params
from compass_nb.errors import ParameterError
from compass_nb.incentives import IncentivesSettings, analyse
from compass_nb.incentives.analysis import review_contest, status
from compass_nb.incentives.measures import events

from .conftest import contest


def _reps(teams: dict[str, int]) -> pd.DataFrame:
    rows = [
        (f"{team[0]}{k}", f"Seller {team[0]}{k}", team, "AE")
        for team, n in teams.items()
        for k in range(n)
    ]
    frame = pd.DataFrame(rows, columns=["rep_id", "name", "team", "role"])
    return frame.assign(hire_date=pd.Timestamp("2020-01-01"), termination_date=pd.NaT)


def _tables(reps: pd.DataFrame) -> dict:
    deals = []
    for k, rep in enumerate(reps["rep_id"]):
        for month in pd.period_range("2024-06", "2025-05", freq="M"):
            deals.append((f"o{k}-{month}", rep, month.start_time + pd.Timedelta(days=9 + k % 9)))
    opps = pd.DataFrame(deals, columns=["opportunity_id", "owner_id", "close_date"])
    opps = opps.assign(
        account=[f"acct{k}" for k in range(len(opps))],
        type="new",
        is_won=True,
        amount=1000.0,
        product_family=["Garden" if k % 2 else "Kitchen" for k in range(len(opps))],
        cancelled_date=pd.NaT,
    )
    splits = pd.DataFrame(columns=["opportunity_id", "rep_id", "split_pct"])
    quotas = pd.DataFrame(columns=["rep_id", "period", "quota"])
    return {"opportunities": opps, "credit_splits": splits, "reps": reps, "quotas": quotas}


@pytest.fixture
def settings():
    return params.section_settings(IncentivesSettings, "incentives", simulations=200, bootstrap=100)


def test_a_contest_of_four_sellers_shows_no_figure_that_stands_for_them(settings):
    tables = _tables(_reps({"East": 4, "West": 6}))
    c = contest(structure="threshold", prizes=None, threshold=1, prize=100)
    r = review_contest(c, tables, pd.Timestamp("2025-05-31"), settings=settings, currency="EUR")
    assert r.status == "measured" and len(r.standings) == 4
    assert r.sellers_paid == 4 and r.cost == 400.0  # one deal a month each: all reach 1
    assert r.distribution is None and r.groups.empty and r.designs == {}
    assert r.lift is None and "fewer than 5 sellers in a group" in r.not_measured
    assert r.shown_cost(settings.min_group_size) is None
    assert not any("400" in line for line in r.sentences)


def test_a_contest_of_six_sellers_against_four_is_not_measured_either(settings):
    tables = _tables(_reps({"East": 6, "West": 4}))
    c = contest(structure="threshold", prizes=None, threshold=1, prize=100)
    r = review_contest(c, tables, pd.Timestamp("2025-05-31"), settings=settings, currency="EUR")
    assert r.distribution is not None and len(r.designs) == 4
    assert r.lift is None and "(6 eligible, 4 comparison)" in r.not_measured


def test_steady_sellers_show_no_lift_and_the_verdict_says_so(settings):
    tables = _tables(_reps({"East": 6, "West": 6}))
    c = contest(structure="threshold", prizes=None, threshold=1, prize=100)
    r = review_contest(c, tables, pd.Timestamp("2025-05-31"), settings=settings, currency="EUR")
    # one deal a month for everyone, before, during and after: no difference at all
    assert r.lift.total == pytest.approx(0.0, abs=1e-9)
    assert r.verdict == "no measurable lift"


def test_units_count_won_deals_of_the_family_and_the_others_are_kept_apart():
    tables = _tables(_reps({"East": 2}))
    c = contest(metric="units", family="Garden")
    own, others = events(c, tables), events(c, tables, own_family=False)
    assert len(own) + len(others) == len(tables["opportunities"])
    assert set(own["family"]) == {"Garden"} and set(others["family"]) == {"Kitchen"}
    assert own["value"].eq(1.0).all()


def test_status_follows_the_cut_off_and_the_post_window(settings):
    c = contest()  # window February 2025, post window 2 months
    assert status(c, pd.Timestamp("2025-01-31"), 2) == "planned"
    assert status(c, pd.Timestamp("2025-02-15"), 2) == "running"
    assert status(c, pd.Timestamp("2025-03-31"), 2) == "ended"
    assert status(c, pd.Timestamp("2025-04-30"), 2) == "measured"


def test_no_contest_file_is_said_in_words(settings, tmp_path):
    review = analyse(
        _tables(_reps({"East": 2})),
        "2025-05",
        settings=settings,
        contests_dir=tmp_path,
        currency="EUR",
    )
    assert review.contests == [] and review.awards.empty
    assert review.summary()[0].startswith("No contest is defined")


def test_a_running_contest_has_standings_so_far_and_pays_nothing_yet(settings):
    tables = _tables(_reps({"East": 6, "West": 6}))
    r = review_contest(
        contest(), tables, pd.Timestamp("2025-02-14"), settings=settings, currency="EUR"
    )
    assert r.status == "running" and r.awards.empty and r.sellers_paid == 0
    # one deal a month, closed on day 10–18: by the 14th the first five sellers have theirs
    assert r.standings["value"].sum() == 5.0
    assert "still running" in r.not_measured


def test_a_quota_handicap_without_quotas_is_one_line_naming_the_file(settings):
    tables = _tables(_reps({"East": 6}))
    with pytest.raises(ParameterError, match=r"^c1.yaml: handicap: quota, but no eligible"):
        review_contest(
            contest(handicap="quota"),
            tables,
            pd.Timestamp("2025-05-31"),
            settings=settings,
            currency="EUR",
        )


def test_a_contest_whose_teams_are_not_in_the_data_says_so(settings):
    tables = _tables(_reps({"West": 6}))
    r = review_contest(
        contest(), tables, pd.Timestamp("2025-05-31"), settings=settings, currency="EUR"
    )
    assert r.standings.empty and r.awards.empty
    assert "None of its eligible teams or sellers (East)" in r.sentences[-1]


def _contest_files(folder, *changes: dict) -> None:
    import yaml

    from .conftest import BASE

    for change in changes:
        data = {**BASE, **change}
        (folder / f"{data['contest_id']}.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")


def test_without_quotas_a_contest_handicapped_by_quota_is_left_out_and_said_so(settings, tmp_path):
    _contest_files(
        tmp_path,
        {"contest_id": "by-quota", "name": "By quota", "handicap": "quota"},
        {"contest_id": "plain", "name": "Plain"},
    )
    tables = _tables(_reps({"East": 6}))
    del tables["quotas"]
    review = analyse(tables, "2025-05", settings=settings, contests_dir=tmp_path, currency="EUR")
    assert [r.contest.contest_id for r in review.contests] == ["plain"]
    assert review.summary()[-1] == (
        "Assumed: no quotas: contest By quota (handicap by quota) is not reviewed; give it "
        "handicap: history or none in its file (by-quota.yaml) to review it without quotas."
    )
    # the other contest is scored as before: six sellers, one new-logo deal each in February
    assert review.review("plain").standings["value"].tolist() == [1.0] * 6


def test_without_splits_a_bookings_contest_credits_each_deal_to_its_owner(settings, tmp_path):
    _contest_files(tmp_path, {"contest_id": "bk", "name": "Bookings", "metric": "bookings"})
    tables = _tables(_reps({"East": 6}))
    del tables["credit_splits"], tables["quotas"]
    review = analyse(tables, "2025-05", settings=settings, contests_dir=tmp_path, currency="EUR")
    # each seller owns one won 1,000 deal in February 2025: 1,000 of bookings each, in full
    assert review.review("bk").standings["value"].tolist() == [1000.0] * 6
    assert review.summary()[-1] == (
        "Assumed: no credit splits: each won deal is credited 100 % to its owner."
    )


def test_without_activities_a_meetings_contest_is_left_out_and_said_so(settings, tmp_path):
    _contest_files(
        tmp_path,
        {"contest_id": "mtg", "name": "Meetings", "metric": "qualified_meetings"},
        {"contest_id": "plain", "name": "Plain"},
    )
    review = analyse(
        _tables(_reps({"East": 6})),
        "2025-05",
        settings=settings,
        contests_dir=tmp_path,
        currency="EUR",
    )
    assert [r.contest.contest_id for r in review.contests] == ["plain"]
    assert review.summary()[-1] == (
        "Assumed: no activities: contest Meetings (metric qualified meetings) is not reviewed; "
        "add the activities table to review it."
    )
