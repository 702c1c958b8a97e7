"""The payroll export: one row per seller paid in the period, amounts to the cent."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from compass_nb.comp.engine import Payouts
from compass_nb.exports import write_csv

PAYROLL_COLUMNS = [
    "rep_id",
    "name",
    "period",
    "plan_id",
    "commission",
    "activity",
    "spif",
    "caps",
    "clawback",
    "adjustment",
    "draw",
    "payout",
    "currency",
]
AMOUNTS = ["commission", "activity", "spif", "caps", "clawback", "adjustment", "draw", "payout"]


def payroll_export(
    result: Payouts, reps: pd.DataFrame, period: str, currency: str = "EUR"
) -> pd.DataFrame:
    """Amounts to pay per seller for ``period``, as exact strings with two decimals."""
    sellers = result.sellers.loc[result.sellers["period"] == period]
    names = reps.assign(rep_id=reps["rep_id"].astype(str)).set_index("rep_id")["name"]
    out = sellers.assign(name=sellers["rep_id"].map(names), currency=currency)
    for column in AMOUNTS:
        out[column] = out[column].map(lambda d: f"{d:.2f}")
    return out.loc[:, PAYROLL_COLUMNS].sort_values("rep_id").reset_index(drop=True)


def write_payroll(folder: str | Path, export: pd.DataFrame, period: str) -> Path:
    """Write ``payroll_<period>.csv`` into ``folder`` (names that look like formulas as text)."""
    return write_csv(export, Path(folder) / f"payroll_{period}.csv")
