"""Pooled networks: one small neural network learnt across all the series of a panel.

The local candidates (Damped, DOTheta, CES) each see one series. A pooled network
learns from every window of every series of the panel: the ``L`` periods before a point,
divided by their level (the mean of the last season, or the last value without
seasonality) and in logs, map to the next ``h`` periods on the same scale. What it
learns about trends and turning points in one series serves the others, which is what
lets it add to the local models in a combination (the M3 and M4 lesson of cross-learning).

Two variants: ``PooledNet`` sees the seasonally adjusted series (the decomposition of
:mod:`.seasonality`, or a new item's family profile) and is re-seasonalised;
``PooledNetRaw`` sees the raw series and learns the seasonal shape from the windows.

The network has one hidden layer of ReLU units beside a linear path, and is trained with
Adam on the mean absolute error of the log ratios (robust to outliers, and close to a
relative error such as sMAPE). The seed and the number of steps are fixed and the fit
runs once per panel in the calling process, never per chunk: the same panel gives the
same forecasts however many workers fit the local models.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view

from compass_nb.forecast.backtest import seasonal_factors, split_origins

__all__ = [
    "POOLED_MODELS",
    "MIN_WINDOWS",
    "lookback",
    "training_windows",
    "NetParams",
    "train_net",
    "net_predict",
    "pooled_forecasts",
    "pooled_backtest",
]

#: Below this many training windows in the panel the pooled networks are not fitted.
MIN_WINDOWS = 2000

#: name -> whether the network sees the seasonally adjusted series.
POOLED_MODELS: dict[str, bool] = {"PooledNet": True, "PooledNetRaw": False}


@dataclass(frozen=True)
class NetParams:
    """Weights of the network: hidden layer (w1, b1), output (w2, b2), linear path (wl)."""

    w1: np.ndarray
    b1: np.ndarray
    w2: np.ndarray
    b2: np.ndarray
    wl: np.ndarray


def lookback(m: int) -> int:
    """Input length of the networks: two seasons, at least 8 periods."""
    return max(2 * m, 8)


def _level(windows: np.ndarray, m: int) -> np.ndarray:
    """Level of each input window (rows): mean of its last season, or its last value."""
    return windows[:, -m:].mean(axis=1) if m > 1 else windows[:, -1]


def training_windows(series, L: int, h: int, m: int) -> tuple[np.ndarray, np.ndarray]:
    """Inputs and targets of every window of ``L + h`` strictly positive periods.

    Parameters
    ----------
    series : sequence of 1-d arrays
    L, h : int
        Input and output lengths.
    m : int
        Seasonal period (the level is the mean of the last ``m`` inputs).

    Returns
    -------
    (ndarray, ndarray)
        ``X`` (windows × L) = log(inputs / level), ``Y`` (windows × h) = log(targets / level).
    """
    xs, ys = [], []
    for y in series:
        y = np.asarray(y, float)
        if len(y) < L + h:
            continue
        win = sliding_window_view(y, L + h)
        win = win[(win > 0).all(axis=1)]
        if not len(win):
            continue
        lv = _level(win[:, :L], m)[:, None]
        xs.append(np.log(win[:, :L] / lv))
        ys.append(np.log(win[:, L:] / lv))
    if not xs:
        return np.empty((0, L), np.float32), np.empty((0, h), np.float32)
    return np.concatenate(xs).astype(np.float32), np.concatenate(ys).astype(np.float32)


def train_net(
    X: np.ndarray,
    Y: np.ndarray,
    *,
    hidden: int = 64,
    epochs: int = 10,
    batch: int = 64,
    lr: float = 1e-3,
    max_steps: int = 15000,
    seed: int = 0,
) -> NetParams:
    """Fit the network to minimise the mean absolute error of ``Y`` (Adam, fixed steps)."""
    rng = np.random.default_rng(seed)
    n, d = X.shape
    o = Y.shape[1]
    f32 = np.float32
    shapes = [(d, hidden), (hidden,), (hidden, o), (o,), (d, o)]
    flat = np.zeros(sum(int(np.prod(s)) for s in shapes), f32)  # all weights, one array
    grad = np.zeros_like(flat)
    p, gv, start = [], [], 0
    for shape in shapes:  # p[k], gv[k]: views into flat and grad (Adam runs once on all)
        size = int(np.prod(shape))
        p.append(flat[start : start + size].reshape(shape))
        gv.append(grad[start : start + size].reshape(shape))
        start += size
    p[0][...] = rng.standard_normal((d, hidden)) * np.sqrt(2 / d)
    p[2][...] = rng.standard_normal((hidden, o)) * np.sqrt(1 / hidden)
    mom, var = np.zeros_like(flat), np.zeros_like(flat)
    steps = min(epochs * -(-n // batch), max_steps)
    order = np.concatenate([rng.permutation(n) for _ in range(-(-steps * batch // n))])
    for t in range(1, steps + 1):
        j = order[(t - 1) * batch : t * batch]
        x, y = X[j], Y[j]
        z = x @ p[0] + p[1]
        a = np.maximum(z, 0)
        g = np.sign(a @ p[2] + p[3] + x @ p[4] - y) / f32(len(j) * o)
        gz = (g @ p[2].T) * (z > 0)
        np.matmul(x.T, gz, out=gv[0])
        gz.sum(0, out=gv[1])
        np.matmul(a.T, g, out=gv[2])
        g.sum(0, out=gv[3])
        np.matmul(x.T, g, out=gv[4])
        mom[...] = 0.9 * mom + 0.1 * grad
        var[...] = 0.999 * var + 0.001 * grad * grad
        flat -= f32(lr) * (mom / (1 - 0.9**t)) / (np.sqrt(var / (1 - 0.999**t)) + f32(1e-8))
    return NetParams(*(w.copy() for w in p))


def net_predict(params: NetParams, X: np.ndarray) -> np.ndarray:
    """Outputs (log ratios to the level) of the network for inputs ``X``."""
    X = np.asarray(X, np.float32)
    hid = np.maximum(X @ params.w1 + params.b1, 0)
    return hid @ params.w2 + params.b2 + X @ params.wl


def _fit_variant(
    history: pd.DataFrame, h: int, freq: str, m: int, profiles: dict, adjusted: bool, seed: int
):
    """Forecasts of one variant: unique_id -> array of h values (series it can forecast)."""
    L = lookback(m)
    idx = history.groupby("unique_id", sort=True).indices
    y_all = history["y"].to_numpy(float)
    if adjusted:
        si_in, si_out = seasonal_factors(history, h, m, freq, profiles)
    else:
        si_in, si_out = np.ones(len(history)), {u: np.ones(h) for u in idx}
    series = {u: y_all[i] / si_in[i] for u, i in idx.items()}
    X, Y = training_windows(series.values(), L, h, m)
    if len(X) < MIN_WINDOWS:
        return {}
    params = train_net(X, Y, seed=seed)
    ids = [u for u, y in series.items() if len(y) >= L and (y[-L:] > 0).all()]
    if not ids:
        return {}
    last = np.stack([series[u][-L:] for u in ids])
    lv = _level(last, m)[:, None]
    out = np.exp(net_predict(params, np.log(last / lv)).astype(float)) * lv
    return {u: out[k] * si_out[u] for k, u in enumerate(ids)}


def pooled_forecasts(
    history: pd.DataFrame, names, h: int, freq: str, m: int, profiles: dict | None = None
) -> pd.DataFrame:
    """Forecasts of the pooled networks ``names`` for every series of ``history``.

    Parameters
    ----------
    history : DataFrame
        ``unique_id``, ``ds``, ``y``, sorted by series and date, regular.
    names : sequence of str
        Keys of :data:`POOLED_MODELS`.
    h : int
    freq : str
    m : int
        Seasonal period.
    profiles : dict, optional
        unique_id -> seasonal indices by phase (new items), as for the local models.

    Returns
    -------
    DataFrame
        ``unique_id``, ``step`` (1..h) and a column per network; NaN where a network
        cannot forecast a series (history shorter than the input, a zero or negative
        value in its last input window, or too few windows in the panel).
    """
    history = history.sort_values(["unique_id", "ds"], kind="stable").reset_index(drop=True)
    ids = np.sort(history["unique_id"].unique())
    out = pd.DataFrame(
        {"unique_id": np.repeat(ids, h), "step": np.tile(np.arange(1, h + 1), len(ids))}
    )
    for k, name in enumerate(names):
        fc = _fit_variant(history, h, freq, m, profiles or {}, POOLED_MODELS[name], seed=k)
        vals = np.full((len(ids), h), np.nan)
        for i, u in enumerate(ids):
            if u in fc:
                vals[i] = fc[u]
        out[name] = vals.ravel()
    return out


def pooled_backtest(
    history: pd.DataFrame,
    names,
    hb: int,
    windows: int,
    step: int,
    min_train: int,
    freq: str,
    m: int,
    profiles: dict | None = None,
) -> pd.DataFrame:
    """The pooled networks refitted at each backtest origin on what precedes it.

    The origins are those of :func:`.backtest.split_origins`: every window's networks
    learn only from the training parts of that window.

    Returns
    -------
    DataFrame
        ``unique_id``, ``window``, ``step`` and a column per network.
    """
    history = history.sort_values(["unique_id", "ds"], kind="stable").reset_index(drop=True)
    parts = []
    for w in range(windows):
        train, _ = split_origins(history, hb, w, step, min_train)
        if train.empty:
            continue
        fc = pooled_forecasts(train, names, hb, freq, m, profiles)
        parts.append(fc.assign(window=w))
    if not parts:
        return pd.DataFrame(columns=["unique_id", "window", "step", *names])
    return pd.concat(parts, ignore_index=True)[["unique_id", "window", "step", *names]]
