"""The pipeline explorer: pick a team and a month; the funnel, velocity and coverage redraw."""

from __future__ import annotations

import ipywidgets as widgets
import matplotlib.pyplot as plt
from IPython.display import display

from compass_nb.pipeline.analysis import PipelineAnalysis, team_view
from compass_nb.viz import pipeline as charts


def _draw(a: PipelineAnalysis, team: str, month: str) -> None:
    view = team_view(a, team, month)
    fig, axes = plt.subplots(2, 2, figsize=(12, 6.5))
    charts.funnel(view.conversion, title=f"Funnel · {team} · cohorts to {month}", ax=axes[0, 0])
    charts.coverage_bars(view.coverage, missing=a.quota_missing, ax=axes[0, 1])
    axes[0, 1].set_title(f"Coverage · {view.quarter} as of {month}")
    charts.velocity_trend(view.velocity, team=team, ax=axes[1, 0])
    charts.velocity_drivers(view.drivers, team=team, ax=axes[1, 1])
    fig.tight_layout()
    plt.show()


def pipeline_explorer(a: PipelineAnalysis) -> widgets.VBox:
    """A team picker and a month picker above four charts that redraw on every change.

    Parameters
    ----------
    a
        The notebook's :func:`compass_nb.pipeline.analysis.analyse` result.

    Returns
    -------
    ipywidgets.VBox
    """
    team = widgets.Dropdown(options=["All teams", *a.teams], value="All teams", description="Team")
    month = widgets.Dropdown(options=a.months[::-1], value=a.months[-1], description="Month")
    out = widgets.Output()

    def redraw(_=None) -> None:
        with out:
            out.clear_output(wait=True)
            _draw(a, team.value, month.value)

    team.observe(redraw, names="value")
    month.observe(redraw, names="value")
    redraw()
    return widgets.VBox([widgets.HBox([team, month]), out])


def show_explorer(a: PipelineAnalysis) -> None:
    """Display :func:`pipeline_explorer` (the notebook's widget cell)."""
    display(pipeline_explorer(a))
