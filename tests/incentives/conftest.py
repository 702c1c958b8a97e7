"""Small hand-readable contests for the incentives tests."""

from __future__ import annotations

import pytest

from compass_nb import params
from compass_nb.incentives import IncentivesSettings, parse_contest

BASE = {
    "contest_id": "c1",
    "name": "Test contest",
    "metric": "new_logo",
    "window": {"from": "2025-02-01", "to": "2025-02-28"},
    "pay_period": "2025-03",
    "eligible": {"teams": ["East"]},
    "structure": "top_k",
    "prizes": [300, 200, 100],
}


def contest(**changes):
    """A contest from BASE with ``changes`` (a value of None removes the field)."""
    data = {**BASE, **changes}
    return parse_contest({k: v for k, v in data.items() if v is not None}, "c1.yaml")


@pytest.fixture
def settings():
    return params.section_settings(IncentivesSettings, "incentives")
