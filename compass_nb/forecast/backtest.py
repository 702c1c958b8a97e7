"""Rolling-origin backtests and final fits of the candidate models on a chunk of series.

A chunk is fitted by :func:`fit_chunk` in whatever process the executor picks. For each
backtest window the history is cut at an origin, everything after it is hidden, the
seasonal adjustment is re-estimated on what is left, and the candidates forecast the
hidden periods; the final fit uses the whole history. Series never see their future.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from statsforecast import StatsForecast
from statsforecast.models import Naive

from compass_nb.forecast.calendar import phase
from compass_nb.forecast.models import CANDIDATES, INTERMITTENT
from compass_nb.forecast.outliers import flag_outliers
from compass_nb.forecast.seasonality import seasonal_indices

__all__ = [
    "Chunk",
    "FailedFit",
    "fit_chunk",
    "split_origins",
    "predict_panel",
    "seasonal_factors",
]


@dataclass
class Chunk:
    """The work for one executor task: some series, how to fit them, what to return."""

    history: pd.DataFrame  # unique_id, ds, y (cleaned for fitting), sorted by id and date
    route: dict  # unique_id -> tuple of candidate names
    h: int
    freq: str
    m: int
    level: tuple[int, ...]
    hb: int  # backtest horizon
    windows: int
    step: int
    min_train: int
    profiles: dict = field(default_factory=dict)  # unique_id -> seasonal indices by phase
    clean: bool = False  # detect and clean outliers of the continuous series before fitting
    skip: set = field(default_factory=set)  # series not cleaned (intermittent demand)


def split_origins(history: pd.DataFrame, hb: int, window: int, step: int, min_train: int):
    """Training and test rows of one backtest window (0 = the most recent origin).

    Each series is cut ``hb + window * step`` periods before its end; the test part is the
    ``hb`` periods after the cut. Series whose training part would be shorter than
    ``min_train`` are left out of the window.

    Returns
    -------
    (DataFrame, DataFrame)
        Training rows and test rows (``unique_id``, ``ds``, ``y``).
    """
    pos = history.groupby("unique_id", sort=False).cumcount().to_numpy()
    n = history.groupby("unique_id", sort=False)["ds"].transform("size").to_numpy()
    cut = n - hb - window * step
    keep = cut >= min_train
    train = history[keep & (pos < cut)]
    test = history[keep & (pos >= cut) & (pos < cut + hb)]
    return train, test


def seasonal_factors(df: pd.DataFrame, h: int, m: int, freq: str, profiles: dict):
    """In-sample indices aligned with ``df`` and future indices per series.

    A series with a borrowed profile (new items) uses it; the others get
    :func:`.seasonality.seasonal_indices` of their own history.
    """
    si_in = np.ones(len(df))
    si_out: dict = {}
    starts = df.groupby("unique_id", sort=False).indices
    for uid, idx in starts.items():
        y = df["y"].to_numpy()[idx]
        prof = profiles.get(uid)
        if prof is not None:
            ph = phase(df["ds"].iloc[idx], freq, m)
            nxt = (ph[-1] + 1 + np.arange(h)) % m
            si_in[idx], si_out[uid] = prof[ph], prof[nxt]
        else:
            si_in[idx], si_out[uid] = seasonal_indices(y, m, h)
    return si_in, si_out


class FailedFit(Naive):
    """Stands in for a candidate whose fit raised: NaN forecasts and bounds.

    statsforecast calls it in place of the failed model, for that series only. The
    engine then leaves the candidate out of the series' combination and flags the
    series ``fallback``, rather than showing a naive forecast under the model's name.
    """

    def forecast(self, *args, **kwargs):
        res = super().forecast(*args, **kwargs)
        return {k: np.full(np.shape(v), np.nan) for k, v in res.items()}


def _run_models(df: pd.DataFrame, names, h: int, freq: str, m: int, level) -> pd.DataFrame | None:
    if not names or df.empty:
        return None
    models = [CANDIDATES[n].build(m) for n in names]
    with_pi = [mdl for n, mdl in zip(names, models, strict=True) if CANDIDATES[n].intervals]
    without = [mdl for n, mdl in zip(names, models, strict=True) if not CANDIDATES[n].intervals]
    parts = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if with_pi:
            sf = StatsForecast(models=with_pi, freq=freq, n_jobs=1, fallback_model=FailedFit())
            parts.append(sf.forecast(df=df, h=h, level=list(level) or None))
        if without:
            sf = StatsForecast(models=without, freq=freq, n_jobs=1, fallback_model=FailedFit())
            parts.append(sf.forecast(df=df, h=h))
    out = parts[0]
    for p in parts[1:]:
        out = out.merge(p, on=["unique_id", "ds"], how="outer")
    return out


def predict_panel(
    df: pd.DataFrame, route: dict, h: int, freq: str, m: int, level, profiles: dict
) -> pd.DataFrame:
    """Forecasts of every series' candidates, ``h`` periods past its history.

    Series are grouped by candidate tuple; non-seasonal candidates see the seasonally
    adjusted series and are re-seasonalised, seasonal ones see the raw series.

    Returns
    -------
    DataFrame
        ``unique_id``, ``ds`` and a column per candidate (plus ``<name>-lo-<level>`` /
        ``<name>-hi-<level>`` where the model gives intervals).
    """
    out = []
    groups: dict[tuple, list] = {}
    for uid in df["unique_id"].unique():
        groups.setdefault(route[uid], []).append(uid)
    for names, uids in groups.items():
        part = df[df["unique_id"].isin(uids)]
        out.append(_predict_group(part, names, h, freq, m, level, profiles))
    return pd.concat(out, ignore_index=True) if out else pd.DataFrame()


def _future_grid(df: pd.DataFrame, h: int, freq: str) -> pd.DataFrame:
    """``unique_id``, ``ds`` of the ``h`` periods after each series' last date."""
    last = df.groupby("unique_id", sort=True)["ds"].max()
    off = pd.tseries.frequencies.to_offset(freq)
    return pd.DataFrame(
        {
            "unique_id": np.repeat(last.index.to_numpy(), h),
            "ds": [d + k * off for d in last for k in range(1, h + 1)],
        }
    )


def _predict_group(df, names, h, freq, m, level, profiles) -> pd.DataFrame:
    # pooled candidates are fitted across the whole panel by the engine, not per chunk
    local = [n for n in names if not CANDIDATES[n].pooled]
    if not local:
        return _future_grid(df, h, freq)
    plain = [n for n in local if not CANDIDATES[n].seasonal]
    seasonal = [n for n in local if CANDIDATES[n].seasonal]
    adjust = m > 1 and not set(plain) <= set(INTERMITTENT)
    res = None
    if plain:
        if not adjust:
            res = _run_models(df, plain, h, freq, m, level)
        else:
            si_in, si_out = seasonal_factors(df, h, m, freq, profiles)
            des = df.assign(y=df["y"].to_numpy() / si_in)
            res = _run_models(des, plain, h, freq, m, level)
            factor = np.concatenate([si_out[u] for u in res["unique_id"].unique()])
            value_cols = [c for c in res.columns if c not in ("unique_id", "ds")]
            res[value_cols] = res[value_cols].to_numpy() * factor[:, None]
    if seasonal:
        raw = _run_models(df, seasonal, h, freq, m, level)
        res = raw if res is None else res.merge(raw, on=["unique_id", "ds"], how="outer")
    return res


def fit_chunk(chunk: Chunk) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Outlier cleaning, backtest and final forecasts of one chunk of series.

    Returns
    -------
    (DataFrame, DataFrame, DataFrame)
        The final forecasts (``unique_id``, ``ds``, candidate columns) and the backtest
        forecasts beside the hidden actuals (``unique_id``, ``window``, ``step``, ``ds``,
        ``y``, ``naive_last`` (the last value before the origin), candidate columns), and
        the history with ``y_clean`` and ``outlier`` (:func:`.outliers.flag_outliers`).
    """
    hist = chunk.history
    if chunk.clean:
        cleaned = flag_outliers(hist, skip=chunk.skip, m=chunk.m)
    else:
        cleaned = hist.assign(y_clean=hist["y"], outlier=False)
    hist = cleaned[["unique_id", "ds"]].assign(y=cleaned["y_clean"])
    final = predict_panel(
        hist, chunk.route, chunk.h, chunk.freq, chunk.m, chunk.level, chunk.profiles
    )
    tests = []
    for w in range(chunk.windows):
        train, test = split_origins(hist, chunk.hb, w, chunk.step, chunk.min_train)
        if train.empty:
            continue
        fc = predict_panel(
            train, chunk.route, chunk.hb, chunk.freq, chunk.m, chunk.level, chunk.profiles
        )
        last = train.groupby("unique_id")["y"].last().rename("naive_last")
        test = (
            test[["unique_id", "ds", "y"]]
            .assign(window=w, step=test.groupby("unique_id").cumcount().to_numpy() + 1)
            .merge(last, on="unique_id", how="left")
        )
        tests.append(test.merge(fc, on=["unique_id", "ds"], how="left"))
    backtest = pd.concat(tests, ignore_index=True) if tests else pd.DataFrame()
    return final, backtest, cleaned
