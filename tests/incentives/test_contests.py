"""Contest files are validated like plan files: one line naming the file and the field."""

import datetime as dt

import pytest

from compass_nb.errors import ParameterError
from compass_nb.incentives import load_contest, load_contests
from compass_nb.incentives.contests import METRICS, STRUCTURES

from .conftest import contest


def test_a_valid_contest_reads_its_window_structure_and_prizes():
    c = contest(budget=500, handicap="quota")
    assert (c.start, c.end) == (dt.date(2025, 2, 1), dt.date(2025, 2, 28))
    assert c.prizes == (300.0, 200.0, 100.0) and c.budget == 500.0 and c.handicap == "quota"
    assert c.unit == "new-logo deals" and not c.is_money


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"colour": "red"}, "colour: unknown field"),
        ({"metric": "revenue"}, "metric: 'revenue' is not one of"),
        ({"structure": "lottery"}, "structure: 'lottery' is not one of"),
        ({"prizes": None}, "prizes: required for structure top_k"),
        ({"structure": "winner_take_all"}, "prizes: winner_take_all has exactly one prize"),
        ({"structure": "threshold", "prizes": None, "prize": 50}, "threshold: required"),
        ({"threshold": 3}, "threshold: not used by structure top_k"),
        ({"window": {"from": "2025-03-01", "to": "2025-02-01"}}, "window.to: 2025-02-01 is"),
        ({"window": {"from": "2025-02-30", "to": "2025-03-01"}}, "window.from: expected a date"),
        ({"pay_period": "2025-01"}, "pay_period: 2025-01 is before the window ends"),
        ({"eligible": {"regions": ["x"]}}, "eligible.regions: unknown key"),
        ({"metric": "units"}, "family: required for metric units"),
        ({"family": "Garden"}, "family: only bookings and units"),
        ({"prizes": [300, -1]}, "prizes[1]: must be above 0"),
        ({"comparison": {"teams": ["East"]}}, "comparison.teams: a team cannot be both"),
        (
            {"structure": "team_vs_team", "prizes": None, "prize": 100},
            "eligible.teams: team_vs_team needs at least two",
        ),
        (
            {
                "structure": "milestones",
                "prizes": None,
                "milestones": [{"at": 4, "prize": 1}, {"at": 2, "prize": 1}],
            },
            "milestones: the steps' `at` must increase",
        ),
    ],
)
def test_a_bad_field_is_one_line_naming_the_file_and_the_field(changes, field):
    with pytest.raises(ParameterError) as error:
        contest(**changes)
    message = str(error.value)
    assert message.startswith("c1.yaml: ") and field in message and "\n" not in message


def test_the_contest_id_must_match_the_file_name(tmp_path):
    path = tmp_path / "other.yaml"
    path.write_text(
        "contest_id: c1\nmetric: new_logo\nwindow: {from: 2025-02-01, to: 2025-02-28}\n"
        "pay_period: 2025-03\neligible: {teams: [East]}\nstructure: top_k\nprizes: [1]\n"
    )
    with pytest.raises(ParameterError, match=r"other.yaml: contest_id: 'c1' must match"):
        load_contest(path)


def test_the_demo_contests_are_valid_and_cover_the_metrics_and_structures():
    contests = load_contests("parameters/contests")
    assert [c.contest_id for c in contests] == [
        "2025-q2-new-logo",
        "2026-06-am-bookings",
        "2026-fall-meetings",
    ]
    assert {c.metric for c in contests} <= set(METRICS)
    assert {c.structure for c in contests} <= set(STRUCTURES)


def test_a_missing_contests_folder_is_no_contest(tmp_path):
    assert load_contests(tmp_path / "none") == []
