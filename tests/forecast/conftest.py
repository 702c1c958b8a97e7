"""Forecast tests: small hand-built panels (seeding and figure closing live in tests/conftest.py)."""

import numpy as np
import pandas as pd
import pytest


def _panel(series: dict, start="2022-01-01", freq="MS") -> pd.DataFrame:
    parts = [
        pd.DataFrame(
            {
                "unique_id": uid,
                "ds": pd.date_range(start, periods=len(v), freq=freq),
                "y": np.asarray(v, float),
            }
        )
        for uid, v in series.items()
    ]
    return pd.concat(parts, ignore_index=True)


@pytest.fixture
def make_panel():
    """Build a long unique_id/ds/y frame from {id: values}."""
    return _panel


@pytest.fixture
def season():
    """A multiplicative monthly profile with mean 1."""
    s = np.array([0.8, 0.85, 0.9, 1.0, 1.1, 1.2, 1.3, 1.25, 1.1, 0.95, 0.8, 0.75])
    return s / s.mean()


@pytest.fixture
def rules():
    """The bottom-level rules of parameters/default.yaml."""
    from compass_nb.params import defaults, section_settings
    from compass_nb.steps.forecasting import ForecastingSettings, plan_rules

    settings = section_settings(ForecastingSettings, "forecasting")
    return plan_rules(settings, defaults()["launch_ramp"])
