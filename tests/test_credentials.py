"""The one credential scrubber (issue 17, defect 2): no secret from a URL in any output or message."""

from __future__ import annotations

import json

import pytest

from compass_nb import cli, credentials, data, params
from compass_nb.errors import InputError, ParameterError

LEAKY = [
    ("sqlite:///crm.db?password=hunter2", "sqlite:///crm.db?password=***"),
    (
        "postgresql://db.example/sales?sslmode=require&password=hunter2",
        "postgresql://db.example/sales?sslmode=require&password=***",
    ),
    ("postgresql://:hunter2@db.example/sales", "postgresql://:***@db.example/sales"),
    ("postgresql://ana:hunter2@db.example/sales", "postgresql://ana:***@db.example/sales"),
    ("postgresql://ana:hun@ter2@db.example/sales", "postgresql://ana:***@db.example/sales"),
    (
        "mssql+pyodbc://ana:${P}@dsn?odbc_connect=DRIVER%3Dx%3BPWD%3Dhunter2%3B",
        "mssql+pyodbc://ana:${P}@dsn?odbc_connect=DRIVER%3Dx%3BPWD%3D***%3B",
    ),
    (
        "snowflake://ana@acct/db?token=hunter2&warehouse=wh",
        "snowflake://ana@acct/db?token=***&warehouse=wh",
    ),
]


@pytest.mark.parametrize(("url", "shown"), LEAKY)
def test_every_way_a_url_holds_a_secret_is_masked(url, shown):
    assert credentials.scrub(url) == shown
    assert params.mask(url) == shown
    assert (
        data.mask_credentials(f"cannot reach {url} (timed out)")
        == f"cannot reach {shown} (timed out)"
    )


@pytest.mark.parametrize(
    "url",
    [
        "sqlite:///crm.db?password=hunter2",
        "postgresql://db.example/sales?password=hunter2",
        "postgresql://:hunter2@db.example/sales",
        "postgresql://ana:hunter2@db.example/sales",
    ],
)
def test_a_secret_written_into_the_parameters_is_refused_without_repeating_it(url):
    with pytest.raises(ParameterError) as err:
        params.load(sets=[f"source={url}"])
    message = str(err.value)
    assert "hunter2" not in message
    assert "${VARIABLE}" in message and "'source'" in message


@pytest.mark.parametrize(
    "url",
    [
        "sqlite:///crm.db?password=${DB_PASSWORD}",
        "postgresql://ana:${DB_PASSWORD}@db.example/sales",
        "postgresql://ana@db.example/sales",
        "https://example.org/a:b",
    ],
)
def test_urls_that_name_their_secret_by_variable_are_accepted(url):
    assert params.load(sets=[f"source={url}"])["source"] == url


def test_text_that_only_looks_like_a_url_is_left_alone():
    text = "author=ana design=x https://example.org/a:b user@example.org"
    assert credentials.scrub(text) == text


def test_a_value_expanded_from_the_environment_is_masked_wherever_it_appears_later(monkeypatch):
    monkeypatch.setenv("COMPASS_T_PW", "correct-horse-42")
    monkeypatch.setenv("COMPASS_T_HOST", "db.example")
    url = credentials.expand_env(
        "postgresql://ana:${COMPASS_T_PW}@${COMPASS_T_HOST}/sales",
        lambda name, text: KeyError(name),
    )
    assert url == "postgresql://ana:correct-horse-42@db.example/sales"
    error = InputError("the driver said: password 'correct-horse-42' rejected by db.example")
    assert str(error) == "the driver said: password '***' rejected by db.example"


def test_parameters_naming_an_environment_secret_make_the_runner_mask_its_value(monkeypatch):
    monkeypatch.setenv("COMPASS_T_PW2", "battery-staple-7")
    merged = params.load(sets=["source=sqlite:///crm.db?password=${COMPASS_T_PW2}"])
    shown = params.masked({**merged, "note": "login with battery-staple-7 failed"})
    assert "battery-staple-7" not in json.dumps(shown)
    assert (
        shown["source"] == "sqlite:///crm.db?password=${COMPASS_T_PW2}"
    )  # the name, not the value


def test_masked_parameters_hide_secret_keys_and_urls_in_nested_sections():
    shown = params.masked(
        {
            "source": "postgresql://:hunter2@db/s",
            "x": {"api_key": "hunter2", "urls": ["a://h/?pwd=hunter2"]},
        }
    )
    assert "hunter2" not in json.dumps(shown)
    assert shown["x"]["api_key"] == "***"


def test_the_command_line_refuses_a_secret_with_one_message_and_no_traceback(capsys):
    code = cli.main(["run", "--set", "source=postgresql://db.example/s?password=hunter2"])
    err = capsys.readouterr().err
    assert code == 2
    assert "hunter2" not in err and "Traceback" not in err
    assert err.startswith("compass-nb: The parameter 'source'")


def test_a_sql_source_that_cannot_be_reached_names_it_masked(tmp_path, monkeypatch):
    monkeypatch.setenv("COMPASS_T_PW3", "tr0ub4dor&3")
    with pytest.raises(InputError) as err:
        data.load(f"sqlite:///{tmp_path}/missing/crm.db?password=${{COMPASS_T_PW3}}")
    assert "tr0ub4dor" not in str(err.value)
    assert "password=***" in str(err.value)


def test_a_placeholder_is_not_masked_so_messages_can_show_how_to_write_one():
    text = "write postgresql://user:${DB_PASSWORD}@host/db or sqlite:///crm.db?password=${PW}"
    assert credentials.scrub(text) == text
    assert (
        credentials.scrub("postgresql://user:hunter22@host/db") == "postgresql://user:***@host/db"
    )
