"""Charts of 01 data collection."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from compass_nb.viz import quality as charts


def test_a_source_without_orders_gets_a_volume_chart_that_says_so():
    ax = charts.order_volume(pd.DataFrame(), currency="EUR")
    assert [t.get_text() for t in ax.texts] == ["no orders in the source"]
    plt.close("all")


def test_the_revenue_axis_of_the_volume_chart_names_its_currency():
    volume = pd.DataFrame(
        {"month": pd.to_datetime(["2026-09-01", "2026-10-01"]), "quantity": [5.0, 7.0]}
    ).assign(net_revenue=[50.0, 70.0])
    ax = charts.order_volume(volume, currency="USD")
    assert ax.get_ylabel() == "units per month"
    assert ax.figure.axes[1].get_ylabel() == "net revenue (USD)"
    plt.close("all")
