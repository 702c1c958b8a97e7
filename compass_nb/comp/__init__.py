"""Sales compensation: plans as files, exact payouts with a trace, close, modelling.

See ``docs/compensation.md``.
"""

from compass_nb.comp.close import adjustments, close_record, payout_records
from compass_nb.comp.engine import Payouts, compute_payouts, reconciliation
from compass_nb.comp.plans import (
    Plan,
    PlanVersion,
    base_commission_rate,
    load_plan,
    load_plans,
    parse_plan,
)

__all__ = [
    "Payouts",
    "Plan",
    "PlanVersion",
    "adjustments",
    "base_commission_rate",
    "close_record",
    "compute_payouts",
    "load_plan",
    "load_plans",
    "parse_plan",
    "payout_records",
    "reconciliation",
]
