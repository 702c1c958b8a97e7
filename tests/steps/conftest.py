"""The chain of steps run in process on demo:small: 2026-09, then 2026-10, store only."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from compass_nb import params, runner


@dataclass
class Chain:
    root: Path
    store: Path
    records: list

    def outcomes(self, period: str) -> dict:
        record = next(r for r in self.records if r.period == period)
        return record.final


@pytest.fixture(scope="session")
def chain(tmp_path_factory) -> Chain:
    root = tmp_path_factory.mktemp("chain")
    store = root / "compass.duckdb"
    merged = params.load(sets=["source=demo:small"])
    records = runner.run_cycles(merged, root, store, ["2026-09", "2026-10"])
    return Chain(root, store, records)
