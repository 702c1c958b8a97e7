"""Demand forecasting: the adaptive engine and its companions.

The engine (statsforecast, and dask through it) is imported on first use of one of its
names here, not by every import of a ``compass_nb.forecast`` module: the kernels of the
other notebooks import the step registry, which names this package.
"""

from importlib import import_module

__all__ = ["forecast", "fit_forecast", "ForecastResult", "LARGE_PANEL"]


def __getattr__(name: str):
    if name in __all__:
        return getattr(import_module("compass_nb.forecast.engine"), name)
    raise AttributeError(f"module 'compass_nb.forecast' has no attribute {name!r}")
