"""The engagement explorer: pick a group and a survey; only shown results appear."""

from __future__ import annotations

import html

import ipywidgets as widgets
import matplotlib.pyplot as plt
from IPython.display import display

from compass_nb.enps.results import Engagement
from compass_nb.enps.views import group_view
from compass_nb.viz import enps as charts


def _table(frame, formats: dict) -> str:
    shown = frame.copy()
    for column, fmt in formats.items():
        if column in shown:
            shown[column] = shown[column].map(lambda v, f=fmt: "" if v != v else f.format(v))
    return shown.to_html(index=False, escape=True, border=0, classes="compass-table")


def group_card(result: Engagement, group: str, survey_id: str) -> str:
    """Escaped HTML describing ``group`` in ``survey_id`` from suppressed results only."""
    view = group_view(result, group, survey_id)
    parts = [f"<h4>{html.escape(group)} · {html.escape(survey_id)}</h4>"]
    if view.score is None:
        parts.append("<p>Hidden for this survey to keep answers anonymous.</p>")
    else:
        s = view.score
        level = f"{result.settings.confidence:.0%}"
        split = (
            f"{s['pct_promoters']:.0f} % promoters, {s['pct_passives']:.0f} % passives,"
            f" {s['pct_detractors']:.0f} % detractors"
            if bool(s["split"])
            else "split withheld: a small group with an empty category"
        )
        parts.append(
            f"<p>eNPS <b>{s['enps']:+.0f}</b> ({level} respondent-bootstrap interval"
            f" {s['low']:+.0f} to {s['high']:+.0f}; {int(s['n'])} answers: {split})</p>"
        )
    if view.change is not None:
        c = view.change
        parts.append(
            f"<p>Change since {html.escape(str(c['previous_survey_id']))}: {c['delta']:+.0f}"
            f" ({c['low']:+.0f} to {c['high']:+.0f} at {c['level']:.1%}) —"
            f" {html.escape(str(c['verdict']))}</p>"
        )
    if (
        view.participation is not None
        and view.participation["participation"] == view.participation["participation"]
    ):
        p = view.participation
        parts.append(
            f"<p>Participation {p['participation']:.0%} ({int(p['respondents'])} of {p['invited']:.0f})</p>"
        )
    if len(view.favourability):
        parts.append(
            _table(
                view.favourability,
                {
                    "pct_favourable": "{:.0f} %",
                    "pct_neutral": "{:.0f} %",
                    "pct_unfavourable": "{:.0f} %",
                },
            )
        )
    if len(view.hidden):
        parts.append("<p>Hidden here, and why:</p>" + _table(view.hidden, {}))
    return "".join(parts)


def engagement_explorer(result: Engagement) -> widgets.VBox:
    """A group picker and a survey picker above the group's card and eNPS trend.

    Only groups shown in at least one survey are offered; a group hidden in the
    chosen survey says so instead of showing figures.
    """
    groups = sorted(set(result.scores["group"]), key=lambda g: (g != result.root, g))
    surveys = list(result.surveys["survey_id"])[::-1]
    if not groups or not surveys:
        return widgets.VBox([widgets.HTML("<p>No results that may be shown.</p>")])
    group = widgets.Dropdown(options=groups, value=groups[0], description="Group")
    survey = widgets.Dropdown(options=surveys, value=surveys[0], description="Survey")
    card = widgets.HTML()
    out = widgets.Output()

    def redraw(_=None) -> None:
        card.value = group_card(result, group.value, survey.value)
        with out:
            out.clear_output(wait=True)
            charts.enps_trend(
                result.scores,
                buckets=result.settings.buckets,
                group=group.value,
                level=result.settings.confidence,
            )
            plt.show()

    group.observe(redraw, names="value")
    survey.observe(redraw, names="value")
    redraw()
    return widgets.VBox([widgets.HBox([group, survey]), card, out])


def show_explorer(result: Engagement) -> None:
    """Display :func:`engagement_explorer` (the notebook's widget cell)."""
    display(engagement_explorer(result))
