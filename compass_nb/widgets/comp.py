"""Plan modelling: change a rate, the top tier or quotas and see the cost, as a change from what
was paid, in total and by team group (groups of at least five sellers)."""

from __future__ import annotations

import html

import ipywidgets as widgets
import matplotlib.pyplot as plt
from IPython.display import HTML, display

from compass_nb.comp import modelling, privacy
from compass_nb.comp.analysis import CompAnalysis
from compass_nb.viz import comp as charts


def _draw(a: CompAnalysis, rate: float, top: float, quota: float, currency: str) -> None:
    result = modelling.what_if(
        a.windows, a.plans, rate_scale=rate, top_rate_scale=top, quota_scale=quota
    )
    delta = float(result["changed"].sum() - result["current"].sum())
    baseline = float(a.baseline)
    text = (
        f"Variable pay over {a.months[0]} to {a.months[-1]}: {baseline:,.2f} {currency} as paid; "
        f"with the change {baseline + delta:,.0f} {currency} ({delta:+,.0f} {currency}, "
        f"{delta / baseline if baseline else 0:+.1%}; the change is priced at period level, "
        "without per-deal caps)."
    )
    display(HTML(f"<p>{html.escape(text)}</p>"))
    n = a.settings.min_group_size if a.settings else privacy.MIN_SELLERS
    groups = privacy.group_totals(
        result.assign(period="window"), ["current", "changed"], min_sellers=n
    )
    fig, ax = plt.subplots(figsize=(8, 3.4))
    charts.scenario_by_group(groups, currency=currency, ax=ax)
    fig.tight_layout()
    plt.show()


def plan_modeller(a: CompAnalysis, currency: str = "EUR") -> widgets.VBox:
    """Sliders for every rate, the top tier's rate and quotas above a cost line and a payout histogram.

    Parameters
    ----------
    a
        The notebook's :func:`compass_nb.comp.analysis.analyse` result.
    """
    style = {"description_width": "initial"}
    rate = widgets.FloatSlider(
        value=1.0, min=0.5, max=1.5, step=0.05, description="All rates ×", style=style
    )
    top = widgets.FloatSlider(
        value=1.0, min=0.5, max=2.5, step=0.1, description="Top tier ×", style=style
    )
    quota = widgets.FloatSlider(
        value=1.0, min=0.7, max=1.5, step=0.05, description="Quotas ×", style=style
    )
    out = widgets.Output()

    def redraw(_=None) -> None:
        with out:
            out.clear_output(wait=True)
            _draw(a, rate.value, top.value, quota.value, currency)

    for slider in (rate, top, quota):
        slider.observe(redraw, names="value")
    redraw()
    return widgets.VBox([widgets.HBox([rate, top, quota]), out])


def show_modeller(a: CompAnalysis, currency: str = "EUR") -> None:
    """Display :func:`plan_modeller` (the notebook's widget cell)."""
    display(plan_modeller(a, currency))
