"""The pipeline explorer redraws for a team and a month."""

from compass_nb.widgets import pipeline as explorer


def test_explorer_offers_every_team_and_month_and_redraws_on_change(result, monkeypatch):
    drawn = []
    monkeypatch.setattr(explorer, "_draw", lambda a, team, month: drawn.append((team, month)))
    box = explorer.pipeline_explorer(result)
    team, month = box.children[0].children
    assert team.options == ("All teams", "East", "West")
    assert month.options[0] == "2026-03"
    team.value = "West"
    month.value = "2026-02"
    assert drawn == [("All teams", "2026-03"), ("West", "2026-03"), ("West", "2026-02")]


def test_explorer_charts_draw_for_a_team_and_month(result):
    explorer._draw(result, "East", "2026-02")
