"""The same inputs and parameters give the same figures, whether the steps run in process
(the default) or inside the notebooks' kernels, byte for byte and table for table."""

import pandas as pd
import pytest

from compass_nb import store

from .conftest import PERIOD

pytestmark = pytest.mark.slow


def test_in_process_and_kernel_backfills_give_byte_identical_metrics(pack, kernel_pack):
    assert pack.returncode == 0, pack.output
    assert kernel_pack.returncode == 0, kernel_pack.output
    ours = (pack.root / PERIOD / "metrics.json").read_bytes()
    theirs = (kernel_pack.root / PERIOD / "metrics.json").read_bytes()
    assert ours == theirs


def test_in_process_and_kernel_runs_store_identical_tables(pack, kernel_pack):
    ours, theirs = store.dump(pack.store), store.dump(kernel_pack.store)
    assert ours.keys() == theirs.keys()
    for name in ours:
        pd.testing.assert_frame_equal(ours[name], theirs[name], check_exact=True, obj=name)


def test_the_kernel_backfill_rendered_the_earlier_cycle_and_the_in_process_one_did_not(
    pack, kernel_pack
):
    assert (kernel_pack.root / "2026-09" / "index.html").exists()
    assert not (pack.root / "2026-09").exists()
    assert "store only" in (pack.root / "index.html").read_text()


def test_the_cycle_sees_the_month_to_date_orders_and_nothing_after_its_cut_off(pack):
    mtd = store.read(pack.store, "clean_orders_mtd", periods=[PERIOD])
    assert pd.to_datetime(mtd["order_date"]).min() >= pd.Timestamp("2026-11-01")
    deals = store.read(pack.store, "clean_opportunities", periods=[PERIOD])
    assert pd.to_datetime(deals["created_date"]).max() <= pd.Timestamp("2026-10-31")
