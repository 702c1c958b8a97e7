"""Compass: the sales-operations analysis workbench."""

__version__ = "0.1.0"
