"""Per-series choice between the candidates and their combination, by backtest error.

The combination (the mean of a series' candidates) is the default choice: on the M3
monthly data it beats selecting single models on one or two origins. A single model
replaces it only where its backtest MAE is clearly lower (below ``ratio`` × the
combination's), so that selection noise does not undo what combining wins.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["COMBINATION", "backtest_scores", "choose_models", "apply_choice", "model_label"]

COMBINATION = "Combination"


def _members(route: dict, uid) -> tuple[str, ...]:
    return tuple(route[uid])


def backtest_scores(backtest: pd.DataFrame, route: dict) -> pd.DataFrame:
    """Backtest MAE of every candidate and of the combination, per series.

    Returns
    -------
    DataFrame
        ``unique_id``, ``option`` (a model name or ``Combination``), ``mae``, ``n``.
    """
    rows = []
    for uid, g in backtest.groupby("unique_id", sort=True):
        names = _members(route, uid)
        y = g["y"].to_numpy(float)
        preds = {n: g[n].to_numpy(float) for n in names}
        if len(names) > 1:
            preds[COMBINATION] = np.mean(np.column_stack(list(preds.values())), axis=1)
        for option, f in preds.items():
            rows.append((uid, option, float(np.mean(np.abs(y - f))), len(y)))
    return pd.DataFrame(rows, columns=["unique_id", "option", "mae", "n"])


def choose_models(scores: pd.DataFrame, route: dict, ratio: float = 0.8) -> dict:
    """The option chosen for each series of ``route``.

    Parameters
    ----------
    scores : DataFrame
        Output of :func:`backtest_scores`.
    route : dict
        unique_id -> candidate names.
    ratio : float
        A single model is chosen over the combination when its MAE is below ``ratio``
        times the combination's (1 = plain selection of the best option).

    Returns
    -------
    dict
        unique_id -> option name. Series without backtest get the combination (or their
        only candidate).
    """
    chosen = {uid: (COMBINATION if len(names) > 1 else names[0]) for uid, names in route.items()}
    for uid, g in scores.groupby("unique_id", sort=False):
        if not np.isfinite(g["mae"]).all():
            continue
        mae = dict(zip(g["option"], g["mae"], strict=True))
        single = g[g["option"] != COMBINATION].sort_values("mae").iloc[0]
        combo = mae.get(COMBINATION)
        if combo is None or single["mae"] < ratio * combo:
            chosen[uid] = single["option"]
    return chosen


def apply_choice(wide: pd.DataFrame, choice: dict, route: dict, level) -> pd.DataFrame:
    """``yhat`` and interval columns of the chosen option on a frame of candidate forecasts.

    The combination's bounds are the means of the bounds of those members that give
    intervals (NaN when none does; the backtest calibration decides if they are kept). Adds ``yhat``, ``yhat_lo_<l>``, ``yhat_hi_<l>`` for each level and ``option``.
    """
    out = wide.copy()
    n = len(out)
    out["yhat"] = np.nan
    bounds = {f"yhat_{s}_{lv}": np.full(n, np.nan) for lv in level for s in ("lo", "hi")}
    yhat = np.full(n, np.nan)
    option = out["unique_id"].map(choice).to_numpy()
    members = {uid: _members(route, uid) for uid in choice}
    keys = pd.Series([(o, members[u]) for o, u in zip(option, out["unique_id"], strict=True)])
    for (opt, names), idx in keys.groupby(keys).groups.items():
        idx = np.asarray(idx)
        cols = list(names) if opt == COMBINATION else [opt]
        yhat[idx] = out.iloc[idx][cols].to_numpy(float).mean(axis=1)
        for lv in level:
            for s in ("lo", "hi"):
                src = [f"{c}-{s}-{lv}" for c in cols if f"{c}-{s}-{lv}" in out]
                if src:
                    bounds[f"yhat_{s}_{lv}"][idx] = out.iloc[idx][src].to_numpy(float).mean(axis=1)
    out["yhat"] = yhat
    for k, v in bounds.items():
        out[k] = v
    out["option"] = option
    return out


def model_label(option: str, names) -> str:
    """A readable model name: the model, or ``Combination(A+B+C)``."""
    return f"{COMBINATION}({'+'.join(names)})" if option == COMBINATION else option
