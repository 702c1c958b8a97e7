"""The data layer: contracts, sources, validation with quarantine, the period cut-off.

``load(source, period=..., tables=...)`` returns a :class:`Loaded` with the clean tables
as of the period's last day and every rejected row in ``Loaded.quarantine``;
``Loaded.at(period)`` gives the same validated source as of another period, and
``monthly_orders`` the orders summed by SKU × location × month (inside PostgreSQL for a
PostgreSQL source: :mod:`~compass_nb.data.pushdown`). Exports are read as they come
through the ``inputs`` mapping (:mod:`~compass_nb.data.mapping`, presets in
:mod:`~compass_nb.data.presets`); :mod:`~compass_nb.data.check` reports on a source.
"""

from compass_nb.calendar import next_period, period_end
from compass_nb.data.contracts import (
    CONTRACTS,
    NULL_TOKENS,
    TABLE_ORDER,
    Column,
    Contract,
    Reference,
    contract,
)
from compass_nb.data.cutoff import opportunities_as_of, reps_as_of
from compass_nb.data.loader import (
    Loaded,
    latest_complete_period,
    load,
    load_options,
    source_fingerprint,
    write_quarantine,
)
from compass_nb.data.sources import FrameSource, mask_credentials
from compass_nb.data.stream import MonthlyOrders, monthly_orders
from compass_nb.data.validate import QUARANTINE_COLUMNS

__all__ = [
    "CONTRACTS",
    "NULL_TOKENS",
    "QUARANTINE_COLUMNS",
    "TABLE_ORDER",
    "Column",
    "Contract",
    "FrameSource",
    "Loaded",
    "MonthlyOrders",
    "Reference",
    "contract",
    "latest_complete_period",
    "load",
    "load_options",
    "mask_credentials",
    "monthly_orders",
    "next_period",
    "opportunities_as_of",
    "period_end",
    "reps_as_of",
    "source_fingerprint",
    "write_quarantine",
]
