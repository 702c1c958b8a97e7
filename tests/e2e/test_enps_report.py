"""The eNPS report of the shared pack: every output scanned for groups too small to show."""

import html
import json
import re

import nbformat
import pandas as pd
import pytest

from compass_nb import store

from .conftest import PERIOD

pytestmark = pytest.mark.slow
K = 5


@pytest.fixture(scope="module")
def executed(pack):
    """The executed eNPS notebook of the shared pack (kept in the private folder), and the
    results its step committed."""
    assert pack.returncode == 0, pack.output
    book = nbformat.read(pack.root / "private" / PERIOD / "notebooks" / "enps.ipynb", as_version=4)
    results = store.read(pack.store, "enps_results", periods=[PERIOD])
    return book, results.drop(columns=["period", "run_id"])


@pytest.fixture(scope="module")
def raw():
    from compass_nb import data

    loaded = data.load(
        "demo:small", tables=["survey_questions", "survey_responses", "survey_invites", "org_units"]
    )
    return loaded.tables


def _subtree_sizes(org: pd.DataFrame, direct: pd.Series) -> dict:
    """Respondents of each team and everything below it (written here, independently of the package)."""
    kids = org.groupby("parent_team")["team"].apply(list).to_dict()

    def size(team):
        return int(direct.get(team, 0)) + sum(size(k) for k in kids.get(team, []))

    return {team: size(team) for team in org["team"]}, kids


def _html_rows(nbk):
    """(caption, cells) of every HTML table row in the outputs."""
    for cell in nbk.cells:
        for output in cell.get("outputs", []):
            markup = output.get("data", {}).get("text/html", "")
            for table in re.findall(r"<table.*?</table>", markup, flags=re.S):
                caption = re.search(r"<caption>(.*?)</caption>", table, flags=re.S)
                for row in re.findall(r"<tr.*?>(.*?)</tr>", table, flags=re.S):
                    cells = [
                        html.unescape(c).strip()
                        for c in re.findall(r"<t[dh].*?>(.*?)</t[dh]>", row, flags=re.S)
                    ]
                    yield (html.unescape(caption.group(1)) if caption else ""), cells


def test_notebook_runs_every_section(executed):
    nbk, _ = executed
    errors = [o for c in nbk.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors
    text = "\n".join(c.source for c in nbk.cells if c.cell_type == "markdown")
    for section in (
        "Summary",
        "Company eNPS over time",
        "Teams × questions",
        "Drivers",
        "Participation",
        "Comments",
        "Suppression log",
        "Explore a group",
    ):
        assert section in text


def test_small_groups_never_appear_outside_the_suppression_log(executed, raw):
    nbk, _ = executed
    responses = raw["survey_responses"]
    latest = responses.sort_values("survey_date")["survey_id"].iloc[-1]
    direct = responses[responses["survey_id"] == latest].groupby("team")["respondent_id"].nunique()
    sizes, _ = _subtree_sizes(raw["org_units"], direct)
    small = {team for team, n in sizes.items() if 0 < n < K}
    assert small, "the demo should have small teams"
    for caption, cells in _html_rows(nbk):
        if caption.startswith("Withheld in"):
            continue
        assert not set(cells) & small, (caption, cells)
    summary = nbk.cells[5].outputs[0]["data"]["text/html"]
    assert not any(re.search(rf"\b{re.escape(team)}\b", summary) for team in small)


def test_staged_results_let_no_small_group_be_derived(executed, raw):
    _, results = executed
    results = results[results["measure"] == "groups"]
    enps = raw["survey_responses"][raw["survey_responses"]["question_id"] == "enps"]
    for survey, part in results.groupby("survey_id"):
        direct = enps[enps["survey_id"] == survey].groupby("team")["respondent_id"].nunique()
        sizes, kids = _subtree_sizes(raw["org_units"], direct)
        shown = set(part.loc[part["kind"] == "team", "group"])
        assert (part["n"] >= K).all()
        for group in shown:
            assert sizes[group] == int(part.loc[part["group"] == group, "n"].iloc[0])
            below, stack = [], list(kids.get(group, []))
            while stack:
                team = stack.pop()
                (below.append(team) if team in shown else stack.extend(kids.get(team, [])))
            rest = sizes[group] - sum(sizes[t] for t in below)
            assert rest == 0 or rest >= K, (survey, group, rest)


def test_no_comment_is_listed_for_a_group_under_the_comment_minimum(executed, raw):
    _, results = executed
    comments = results[results["measure"] == "comments"]
    assert len(comments) and (comments["n"] >= 10).all()
    responses = raw["survey_responses"]
    latest = responses.sort_values("survey_date")["survey_id"].iloc[-1]
    people = responses[responses["survey_id"] == latest].groupby("team")["respondent_id"].nunique()
    for teams in comments.loc[comments["survey_id"] == latest, "teams"]:
        assert int(people.reindex(teams.split("; ")).fillna(0).sum()) >= 10, teams


def test_metrics_are_the_company_figures_and_the_page_shows_no_figure_repr(executed, pack):
    nbk, _ = executed
    metrics = json.loads((pack.period / "metrics.json").read_text())["enps"]
    assert set(metrics) == {"enps", "enps_low", "enps_high", "participation", "enps_change"}
    assert metrics["enps_low"] <= metrics["enps"] <= metrics["enps_high"]
    page = (pack.period / "enps.html").read_text()
    assert "<Axes" not in page and "&lt;Axes" not in page
    assert "respondent bootstrap" in page
    outputs = json.dumps([o for c in nbk.cells for o in c.get("outputs", [])])
    assert "<script>alert" not in outputs.replace("\\/", "/")
