"""The chain of steps run in process on demo:small: 2026-09, then 2026-10, store only.

Built once per session for every worker (:mod:`tests.shared`): the notebooks' nbval runs
start from a copy of its store too (``tests/nbval_plugin.py``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from compass_nb import params, runner
from tests.shared import build_once, shared_folder


@dataclass
class Chain:
    root: Path
    store: Path
    records: list

    def outcomes(self, period: str) -> dict:
        record = next(r for r in self.records if r.period == period)
        return record.final


def build_chain(root: Path) -> Chain:
    """Run 2026-09 then 2026-10 on demo:small into ``root/compass.duckdb``, store only."""
    root.mkdir(parents=True, exist_ok=True)
    store = root / "compass.duckdb"
    merged = params.load(sets=["source=demo:small"])
    records = runner.run_cycles(merged, root, store, ["2026-09", "2026-10"])
    return Chain(root, store, records)


def shared_chain(config: pytest.Config) -> Chain:
    """The session's one chain, whichever worker asks first."""
    return build_once(shared_folder(config), "chain", build_chain)


@pytest.fixture(scope="session")
def chain(pytestconfig) -> Chain:
    return shared_chain(pytestconfig)
