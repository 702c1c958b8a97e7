"""What a user is told: one message that leads somewhere, never a traceback (issue 17, defect 15)."""

from __future__ import annotations

import pytest

from compass_nb import cli


def test_demo_into_an_existing_file_is_one_message(tmp_path, capsys):
    target = tmp_path / "notes.txt"
    target.write_text("keep me")
    assert cli.main(["demo", "--out", str(target), "--profile", "small"]) == 2
    err = capsys.readouterr().err
    assert err == (
        f"compass-nb: --out {target} is a file: give a folder to write the demo tables into "
        "(it is created if missing; table files already in it are replaced).\n"
    )
    assert target.read_text() == "keep me"


def test_demo_under_a_file_is_one_message(tmp_path, capsys):
    (tmp_path / "f").write_text("")
    assert cli.main(["demo", "--out", str(tmp_path / "f" / "demo"), "--profile", "small"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("compass-nb: Cannot write the demo into") and "Traceback" not in err


@pytest.mark.parametrize(
    ("period", "said"),
    [
        ("2026-13", "The period '2026-13' is not a month: write it as YYYY-MM"),
        ("2300-01", "The period 2300-01 is outside the months the data can hold"),
    ],
)
def test_closing_a_period_that_is_not_a_month_suggests_no_command_to_run(
    tmp_path, capsys, period, said
):
    assert cli.main(["close", "--period", period, "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"compass-nb: {said}")
    assert "compass-nb run" not in err and not (tmp_path / "compass.duckdb").exists()
