"""Demand forecasting: the adaptive engine and its companions."""

from compass_nb.forecast.engine import LARGE_PANEL, ForecastResult, fit_forecast, forecast

__all__ = ["forecast", "fit_forecast", "ForecastResult", "LARGE_PANEL"]
