import pandas as pd
import pytest

from compass_nb.errors import ParameterError
from compass_nb.forecast import forecast
from compass_nb.forecast.executor import run_chunks


def _square(x):
    return x * x


def test_local_processes_return_results_in_chunk_order():
    assert run_chunks(_square, [3, 1, 2], executor="local", n_jobs=2) == [9, 1, 4]


def test_unknown_executor_and_missing_scheduler_are_clear_errors():
    with pytest.raises(ParameterError, match="local"):
        run_chunks(_square, [1], executor="spark")
    with pytest.raises(ParameterError, match="scheduler"):
        run_chunks(_square, [1], executor="dask")


def test_dask_and_local_forecasts_are_identical(make_panel, rng):
    distributed = pytest.importorskip("distributed")
    hist = make_panel({f"s{i}": 50 + rng.normal(0, 5, 30) for i in range(4)})
    local = forecast(hist, 3, "MS", n_jobs=1)
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
    ) as cluster:
        with distributed.Client(cluster) as client:
            remote = forecast(hist, 3, "MS", executor="dask", scheduler=client, n_jobs=2)
    pd.testing.assert_frame_equal(local, remote)
