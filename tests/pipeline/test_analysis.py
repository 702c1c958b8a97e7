import pandas as pd
import pytest

from compass_nb.errors import ParameterError
from compass_nb.params import section_settings
from compass_nb.pipeline.analysis import Settings, analyse, closing_note, summary_lines, team_view


def test_headlines_worked_by_hand(result):
    h = result.headlines
    assert h["win_rate"] == pytest.approx(2 / 3)  # A and B won, E lost
    assert h["cycle_days"] == pytest.approx(47.5)
    # March: 5 open on 28 Feb × 2/3 won (Jan–Mar) × 150 average ÷ 47.5 days
    assert h["velocity"] == pytest.approx(5 * 2 / 3 * 150 / 47.5)
    # Q1 as of 31 Mar: quota 900, credited 270, open due: D 500 + F 80
    assert h["coverage"] == pytest.approx(580 / 630)
    assert h["attainment_median"] == pytest.approx((0.9 + 0.0) / 2)


def test_pipeline_commit_is_the_next_quarter_per_family(result):
    commit = result.pipeline_commit().set_index("product_family")
    assert list(result.pipeline_commit().columns) == [
        "product_family",
        "quarter",
        "commit",
        "best_case",
        "weighted",
    ]
    assert set(commit["quarter"]) == {"FY2026-Q2"}
    # C (Discovery, 300, closing 30 Apr) × Discovery win rate 1.0; Tents: Q1's wins from deals created in Q1
    assert commit.loc["Packs", ["commit", "best_case", "weighted"]].tolist() == [0, 0, 300]
    assert commit.loc["Tents", "weighted"] == pytest.approx(300)


def test_unknown_stages_are_reported_and_left_out(tables):
    history = pd.concat(
        [
            tables["opportunity_history"],
            pd.DataFrame(
                {
                    "opportunity_id": ["F"],
                    "changed_at": [pd.Timestamp("2026-03-05")],
                    "stage": ["Verbal"],
                    "amount": [80.0],
                    "close_date": [pd.Timestamp("2026-03-25")],
                }
            ),
        ],
        ignore_index=True,
    )
    result = analyse(
        tables | {"opportunity_history": history},
        "2026-03",
        settings=section_settings(Settings, "pipeline"),
    )
    assert result.unknown[["stage", "rows"]].values.tolist() == [["Verbal", 1]]
    assert any("stage names the mapping does not know" in line for line in summary_lines(result))


def test_a_bad_stage_mapping_stops_the_analysis_with_a_parameter_error(tables):
    with pytest.raises(ParameterError, match="pipeline.stages"):
        analyse(
            tables,
            "2026-03",
            settings=section_settings(Settings, "pipeline", stages=[{"name": "Open"}]),
        )


def test_team_view_narrows_funnel_and_coverage_to_one_team(result):
    view = team_view(result, "East", "2026-02")
    assert view.coverage["team"].tolist() == ["East"]
    # East's deals known on 28 Feb: A (won), B (re-opened, Negotiation), E (Qualification)
    assert view.conversion.set_index("stage").loc["Prospecting", "reached"] == 3
    assert set(view.velocity["month"]) <= {
        str(p) for p in pd.period_range("2025-04", "2026-02", freq="M")
    }


def test_summary_and_closing_note_are_sentences(result):
    lines = summary_lines(result)
    assert lines[0].startswith("Win rate 67%")
    assert "Not enough history" in closing_note(result)
