import pandas as pd
import pytest

from compass_nb.errors import ParameterError
from compass_nb.params import section_settings
from compass_nb.pipeline.analysis import (
    COMMIT_COLUMNS,
    Settings,
    analyse,
    backtest_note,
    summary_lines,
    team_view,
    write_scorecard,
)


def test_headlines_worked_by_hand(result):
    h = result.headlines
    assert h["win_rate"] == pytest.approx(2 / 3)  # A and B won, E lost
    assert h["cycle_days"] == pytest.approx(47.5)
    # March: 5 open on 28 Feb × 2/3 won (Jan–Mar) × 150 average ÷ 47.5 days
    assert h["velocity"] == pytest.approx(5 * 2 / 3 * 150 / 47.5)
    # Q1 is over on 31 March: coverage looks at Q2, which has no quota in the table
    assert result.covered_quarter[0] == "FY2026-Q2" and pd.isna(h["coverage"])
    # r2, hired in January, is in ramp (6 months): the median is r1's alone
    assert h["attainment_median"] == pytest.approx(0.9) and h["in_ramp"] == 1
    # the quarter is over on 31 March: its actual, A 100 + B 200, not a forecast
    assert h["current_is_over"] and h["current_p50"] == h["current_actual"] == 300
    assert h["current_p_quota"] == 0.0  # 300 < the AEs' quota of 900


def test_pipeline_commit_keeps_its_columns_and_adds_the_parts_of_weighted(result):
    commit = result.pipeline_commit()
    assert list(commit.columns)[:5] == [
        "product_family",
        "quarter",
        "commit",
        "best_case",
        "weighted",
    ]
    assert list(commit.columns) == COMMIT_COLUMNS
    assert set(commit["quarter"]) == {"FY2026-Q2"}
    assert commit["weighted"].tolist() == pytest.approx(
        (commit["weighted_pipeline"] + commit["expected_new"]).tolist()
    )
    # C (Discovery, 300, closing 30 April) is the only open deal due in Q2: Packs' commit is 0
    packs = commit.set_index("product_family").loc["Packs"]
    assert packs[["commit", "best_case", "closed"]].tolist() == [0, 0, 0]
    assert (commit["p10"] <= commit["p50"]).all() and (commit["p50"] <= commit["p90"]).all()


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


def test_summary_names_the_quarter_the_teams_at_risk_and_the_calibration(result):
    lines = summary_lines(result)
    assert lines[0].startswith("FY2026-Q1 is over: 300 EUR booked against a quota of 900 EUR")
    assert lines[1].startswith("FY2026-Q2 bookings, seen from 2026-03-31 (3 months to go)")
    # Q2 has no quota: no coverage to judge; East's one ramped seller, r1, is at 90 % of quota
    assert lines[2] == (
        "Teams at risk in FY2026-Q2: East (0% of 1 ramped sellers at quota < 25%). Share at "
        "quota not judged for 1 team of fewer than 1 ramped sellers."
    )
    assert "Coverage of FY2026-Q2 not measured: no quota for it in the quotas table." in lines
    assert any(line.startswith("Win rate 67%") for line in lines)
    assert "Not enough history" in backtest_note(result)


def test_stalled_deals_are_grouped_in_the_pack_and_named_only_privately(result, tmp_path):
    assert {"account", "opportunity_id", "owner_id"}.isdisjoint(result.stalled_summary.columns)

    def folder(name):
        (tmp_path / name).mkdir(exist_ok=True)
        return tmp_path / name

    assert "Audience is executive" in write_scorecard(result, "executive", folder)
    assert not (tmp_path / "scorecards").exists()
    note = write_scorecard(result, "team", folder)
    stalled = pd.read_csv(tmp_path / "scorecards" / "stalled_deals.csv")
    assert {"owner", "owner_id", "opportunity_id"} <= set(stalled.columns)
    assert f"{len(stalled)} stalled deals" in note


def test_inside_a_quarter_coverage_and_risk_look_at_that_quarter(tables):
    a = analyse(
        tables, "2026-02", settings=section_settings(Settings, "pipeline", min_group_size=1)
    )
    # 28 Feb: Q1 quota 900 (r1 300, r2 600), A won (r1's 70 %); open due in Q1: B 200, E 50
    # (East, r1), D 500, F 80 (West, r2): 830 ÷ 830
    assert a.covered_quarter[0] == "FY2026-Q1"
    cov = a.coverage.set_index("team")["coverage"]
    assert cov["All teams"] == pytest.approx(1.0)
    assert cov["East"] == pytest.approx(250 / 230) and cov["West"] == pytest.approx(580 / 600)
    assert a.risk.set_index("team").loc["West", "low_coverage"]
