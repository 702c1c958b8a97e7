"""The same inputs and parameters give the same figures: byte for byte, table for table."""

import pandas as pd
import pytest

from compass_nb import store

from .conftest import PERIOD, compass

pytestmark = pytest.mark.slow


def test_two_runs_into_fresh_stores_give_identical_metrics_and_store_tables(pack, tmp_path):
    assert pack.returncode == 0, pack.output
    root = tmp_path / "again"
    result = compass("run", "--period", PERIOD, "--set", "source=demo:small", "--out", str(root))
    assert result.returncode == 0, result.stdout + result.stderr
    assert (root / PERIOD / "metrics.json").read_bytes() == (
        pack.root / PERIOD / "metrics.json"
    ).read_bytes()
    ours, theirs = store.dump(root / "compass.duckdb"), store.dump(pack.store)
    assert ours.keys() == theirs.keys()
    for name in ours:
        pd.testing.assert_frame_equal(ours[name], theirs[name], check_exact=True, obj=name)
