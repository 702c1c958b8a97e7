"""Scale-out benchmark: time per series from 1,000 to 20,000 series, locally and on Dask.

Synthetic monthly panels (60 months, horizon 18, the same generator as
benchmarks/forecast_m3.py) are forecast with one configuration for every size (by
default the one ``candidates="auto"`` picks for large panels: the ``fast`` set and one
backtest origin, selection included), so that time per series is comparable, on local
processes; the largest panel runs again on a
``distributed.LocalCluster`` with as many single-threaded worker processes as local
jobs, and the two results are checked to be identical.

Usage: python benchmarks/forecast_scale.py [--sizes 1000 5000 20000] [--jobs 2]
"""

from __future__ import annotations

import argparse
import os
import time

import pandas as pd

from compass_nb.forecast import forecast

try:
    from forecast_m3 import synthetic_panel
except ImportError:  # run from the project root
    from benchmarks.forecast_m3 import synthetic_panel

H = 18


def timed_forecast(panel: pd.DataFrame, **options) -> tuple[pd.DataFrame, float]:
    t0 = time.perf_counter()
    fc = forecast(panel, H, "MS", **options)
    return fc, time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000, 10000, 20000])
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--no-dask", action="store_true")
    parser.add_argument("--candidates", default="fast", help="one configuration for every size")
    parser.add_argument("--windows", type=int, default=1, help="backtest origins, every size")
    args = parser.parse_args()
    print(f"cores {os.cpu_count()}, jobs {args.jobs}, load average {os.getloadavg()}")
    rows, last = [], None
    for n in args.sizes:
        panel = synthetic_panel(n)
        fc, secs = timed_forecast(
            panel, n_jobs=args.jobs, candidates=args.candidates, backtest_windows=args.windows
        )
        load = os.getloadavg()[0]
        rows.append(("local", n, fc["candidate_set"].iloc[0], secs, 1000 * secs / n, load))
        last = (panel, fc)
        print(rows[-1], flush=True)
    if not args.no_dask and last is not None:
        from distributed import Client, LocalCluster

        panel, local_fc = last
        with LocalCluster(
            n_workers=args.jobs, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster:
            with Client(cluster) as client:
                fc, secs = timed_forecast(
                    panel, executor="dask", scheduler=client, n_jobs=args.jobs
                )
        n = panel["unique_id"].nunique()
        load = os.getloadavg()[0]
        rows.append(
            ("dask LocalCluster", n, fc["candidate_set"].iloc[0], secs, 1000 * secs / n, load)
        )
        pd.testing.assert_frame_equal(fc, local_fc)
        print("dask result identical to local: yes")
    table = pd.DataFrame(
        rows, columns=["executor", "series", "candidate set", "seconds", "ms / series", "load"]
    )
    base = table.loc[table["executor"] == "local", "ms / series"].iloc[0]
    table["ms / series vs smallest"] = table["ms / series"] / base
    print(table.to_string(index=False, float_format=lambda v: f"{v:.2f}"))
    print(f"load average at the end {os.getloadavg()}")


if __name__ == "__main__":
    main()
