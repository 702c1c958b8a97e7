"""Issue 17, defect 4: a survey reported again never shows a change that isolates its cause.

Cycle 2026-09 reports pulse-2026-09. Then an answer to it arrives late (a late export, a
quarantined row fixed: dated inside the survey, so dates cannot tell) before the 2026-10
report, which shows pulse-2026-09 again.
"""

from __future__ import annotations

import pandas as pd
import pytest

from compass_nb import params, runner, store
from compass_nb.enps.results import Settings, engagement, store_frames
from compass_nb.enps.versions import Published
from compass_nb.enps.views import summary_lines
from compass_nb.params import section_settings

from .conftest import ORG, survey_frames

FAST = section_settings(Settings, "enps", bootstrap_samples=300)
SIZES = {"East-A": 12, "East-B": 10, "West": 15, "Ops": 20}  # 57 people


def _late(responses, team, people, score, survey="pulse-2026-09"):
    """``people`` late answers to ``survey`` from ``team``, dated inside the survey."""
    rows = []
    for i in range(people):
        for question, value in (("enps", score), ("q01", 2), ("q02", 2)):
            rows.append(
                {
                    "survey_id": survey,
                    "survey_date": pd.Timestamp("2026-09-15"),
                    "respondent_id": f"late-{team}-{i}",
                    "team": team,
                    "question_id": question,
                    "score": value,
                    "comment": None,
                }
            )
    return pd.concat([responses, pd.DataFrame(rows)], ignore_index=True)


def _report(questions, responses, invites, published=None, period="2026-09", sizes=SIZES):
    return engagement(questions, responses, invites, ORG, FAST, published=published, period=period)


def _published(*reports):
    """What the store would hold after these reports (period, shown cells, new answers)."""
    shown, answers = [], []
    for period, result in reports:
        cells, new = store_frames(result)
        shown.append(cells.assign(period=period))
        answers.append(new)
    return Published.from_store(pd.concat(shown), pd.concat(answers))


def _september(sizes=SIZES):
    questions, responses, invites = survey_frames(sizes=sizes, surveys=("pulse-2026-09",))
    invites["invited"] += 3
    return questions, responses, invites


def _with_october(questions, responses, invites, sizes=SIZES):
    q2, r2, i2 = survey_frames(sizes=sizes, surveys=("pulse-2026-10",), seed=4)
    return (
        pd.concat([questions, q2]),
        pd.concat([responses, r2]),
        pd.concat([invites, i2.assign(invited=i2["invited"] + 3)]),
    )


def _rows(result, survey="pulse-2026-09"):
    columns = ["group", "n", "promoters", "passives", "detractors", "pct_detractors", "enps"]
    part = result.scores[result.scores["survey_id"] == survey]
    return part[columns].sort_values("group").reset_index(drop=True)


def test_one_late_detractor_does_not_change_the_published_survey_and_is_logged():
    q, r, i = _september()
    september = _report(q, r, i)
    assert september.scores.set_index("group").loc["Company", "n"] == 57
    published = _published(("2026-09", september))
    q2, r2, i2 = _with_october(q, _late(r, "Ops", 1, score=2), i)
    october = _report(q2, r2, i2, published, period="2026-10")
    # pulse-2026-09 is shown exactly as published: n 57, the same shares
    pd.testing.assert_frame_equal(_rows(october), _rows(september))
    status = october.surveys.set_index("survey_id")["status"]
    assert status["pulse-2026-09"] == "as published" and status["pulse-2026-10"] == "first report"
    held = october.log[(october.log["survey_id"] == "pulse-2026-09")]
    assert held["reason"].str.contains("shown as published in 2026-09").any()
    assert not held["reason"].str.contains("1 answer").any()  # how many is not said
    assert any(
        "pulse-2026-09 shown as published in 2026-09" in line for line in summary_lines(october)
    )
    # the late answer was not published, so the store keeps no answers for that version
    _, answers = store_frames(october)
    assert set(answers["survey_id"]) == {"pulse-2026-10"}


def test_the_survey_stays_as_published_in_the_next_cycle_too():
    q, r, i = _september()
    september = _report(q, r, i)
    q2, r2, i2 = _with_october(q, _late(r, "Ops", 1, score=2), i)
    october = _report(q2, r2, i2, _published(("2026-09", september)), period="2026-10")
    november = _report(
        q2, r2, i2, _published(("2026-09", september), ("2026-10", october)), period="2026-11"
    )
    pd.testing.assert_frame_equal(_rows(november), _rows(september))


def test_a_company_other_group_of_5_does_not_become_6():
    sizes = {"East-A": 10, "East-B": 10, "West": 10, "Ops": 3}
    q, r, i = _september(sizes)
    extra = survey_frames(sizes={"Company": 2}, surveys=("pulse-2026-09",), seed=9)
    r = pd.concat([r, extra[1].assign(respondent_id=lambda f: "direct-" + f["respondent_id"])])
    i = pd.concat([i, extra[2]])
    september = _report(q, r, i)
    other = september.scores.set_index("group").loc["Company · other"]
    assert other["n"] == 5  # Ops (3, hidden) and the 2 placed in Company
    q2, r2, i2 = _with_october(q, _late(r, "Ops", 1, score=3), i, sizes)
    october = _report(q2, r2, i2, _published(("2026-09", september)), period="2026-10")
    assert (
        october.scores.query("survey_id == 'pulse-2026-09'")
        .set_index("group")
        .loc["Company · other", "n"]
        == 5
    )
    pd.testing.assert_frame_equal(_rows(october), _rows(september))


def test_five_late_answers_in_one_team_are_shown_because_they_cover_five_people():
    q, r, i = _september()
    september = _report(q, r, i)
    q2, r2, i2 = _with_october(q, _late(r, "Ops", 5, score=2), i)
    october = _report(q2, r2, i2, _published(("2026-09", september)), period="2026-10")
    rows = _rows(october).set_index("group")
    assert rows.loc["Company", "n"] == 62 and rows.loc["Ops", "n"] == 25
    assert october.surveys.set_index("survey_id").loc["pulse-2026-09", "status"] == "updated"
    note = october.log[october.log["survey_id"] == "pulse-2026-09"]["reason"]
    assert note.str.contains("updated since the 2026-09 report").any()


def test_late_answers_split_three_and_two_across_teams_are_held_back():
    # 3 in Ops, 2 in West: Company grows by 5, but Ops by 3 and West by 2
    q, r, i = _september()
    september = _report(q, r, i)
    late = _late(_late(r, "Ops", 3, score=2), "West", 2, score=10)
    q2, r2, i2 = _with_october(q, late, i)
    october = _report(q2, r2, i2, _published(("2026-09", september)), period="2026-10")
    pd.testing.assert_frame_equal(_rows(october), _rows(september))


@pytest.fixture
def folder(tmp_path):
    q, r, i = _september()
    for name, frame in (
        ("survey_questions", q),
        ("survey_responses", r),
        ("survey_invites", i),
        ("org_units", ORG),
    ):
        frame.to_csv(tmp_path / f"{name}.csv", index=False)
    return tmp_path


@pytest.mark.slow
def test_two_cycles_through_the_store_keep_the_published_survey(folder, tmp_path_factory):
    root = tmp_path_factory.mktemp("enps-cycles")
    db = root / "compass.duckdb"
    merged = params.load(sets=[f"source={folder}", "enps.bootstrap_samples=300"])
    runner.run_cycles(merged, root, db, ["2026-09"])
    q, r, i = _with_october(*_september())
    _late(r, "Ops", 1, score=2).to_csv(folder / "survey_responses.csv", index=False)
    q.to_csv(folder / "survey_questions.csv", index=False)
    i.to_csv(folder / "survey_invites.csv", index=False)
    runner.run_cycles(merged, root, db, ["2026-10"])
    shown = store.read(db, "enps_results")
    groups = shown[(shown["measure"] == "groups") & (shown["survey_id"] == "pulse-2026-09")]
    company = groups[groups["group"] == "Company"].set_index("period")
    assert company.loc["2026-09", "n"] == company.loc["2026-10", "n"] == 57
    assert company.loc["2026-10", "status"] == "as published"
    assert company.loc["2026-09", "detractors"] == company.loc["2026-10", "detractors"]
