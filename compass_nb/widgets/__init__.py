"""Widgets for JupyterLab: one module per domain (left out of the HTML reports)."""
