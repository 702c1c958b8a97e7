"""Per-series choice between the candidates and their combination, by backtest error.

The combination (the mean of a series' candidates) is the default choice: on the M3
monthly data it beats selecting single models on one or two origins. A single model
replaces it only where its backtest MAE is clearly lower (below ``ratio`` × the
combination's), so that selection noise does not undo what combining wins.

How clearly is learnt from the panel (:func:`learn_ratio`): whether selecting pays
differs between panels (on M3 never selecting is best, on Tourism selecting at 0.8),
and the backtest's own older origins can tell, across all series at once, which ratio
would have served the latest origin best.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = [
    "COMBINATION",
    "combine",
    "RATIOS",
    "learn_ratio",
    "backtest_scores",
    "choose_models",
    "apply_choice",
    "model_label",
]

COMBINATION = "Combination"

#: The selection ratios :func:`learn_ratio` chooses from (0: always the combination).
RATIOS = (0.0, 0.6, 0.8)


def _members(route: dict, uid) -> tuple[str, ...]:
    return tuple(route[uid])


def combine(values: np.ndarray) -> np.ndarray:
    """Mean of each row over the members that forecast it (NaN only where none does)."""
    values = np.asarray(values, dtype=float)
    ok = np.isfinite(values)
    n = ok.sum(axis=1)
    total = np.where(ok, values, 0.0).sum(axis=1)
    return np.divide(total, n, out=np.full(len(values), np.nan), where=n > 0)


def backtest_scores(backtest: pd.DataFrame, route: dict) -> pd.DataFrame:
    """Backtest MAE of every candidate and of the combination, per series.

    Every option of a series is scored on the same rows: those where all its candidates
    have a forecast (a pooled network may have none at an early origin, a model whose
    fit failed none at all). A series without such rows gets no scores.

    Returns
    -------
    DataFrame
        ``unique_id``, ``option`` (a model name or ``Combination``), ``mae``, ``n``.
    """
    columns = ["unique_id", "option", "mae", "n"]
    if backtest.empty:
        return pd.DataFrame(columns=columns)
    keys = backtest["unique_id"].map(lambda u: _members(route, u))
    parts = []
    for names, g in backtest.groupby(keys, sort=False):
        preds = g[list(names)].to_numpy(float)
        complete = np.isfinite(preds).all(axis=1)
        if not complete.any():
            continue
        g, preds = g[complete], preds[complete]
        options = list(names)
        if len(names) > 1:
            preds = np.column_stack([preds, preds.mean(axis=1)])
            options.append(COMBINATION)
        err = pd.DataFrame(np.abs(g["y"].to_numpy(float)[:, None] - preds), columns=options)
        by = err.groupby(g["unique_id"].to_numpy(), sort=True)
        mae = by.mean()
        long = mae.stack(future_stack=True).rename("mae").reset_index()
        long.columns = ["unique_id", "option", "mae"]
        parts.append(long.merge(by.size().rename("n"), left_on="unique_id", right_index=True))
    if not parts:
        return pd.DataFrame(columns=columns)
    out = pd.concat(parts, ignore_index=True)
    out = out.sort_values("unique_id", kind="stable").reset_index(drop=True)
    return out.assign(mae=out["mae"].astype(float), n=out["n"].astype(int))[columns]


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
        times the combination's (1 = plain selection of the best option, 0 = never).

    Returns
    -------
    dict
        unique_id -> option name. Series without backtest, or with a missing score, get
        the combination (or their only candidate).
    """
    chosen = {uid: (COMBINATION if len(names) > 1 else names[0]) for uid, names in route.items()}
    if scores.empty:
        return chosen
    bad = set(scores.loc[~np.isfinite(scores["mae"].to_numpy(float)), "unique_id"])
    ok = scores[~scores["unique_id"].isin(bad)]
    combo = ok[ok["option"] == COMBINATION].set_index("unique_id")["mae"].to_dict()
    singles = ok[ok["option"] != COMBINATION]
    best = singles.sort_values(["unique_id", "mae"], kind="stable").drop_duplicates("unique_id")
    for uid, option, mae in zip(best["unique_id"], best["option"], best["mae"], strict=True):
        c = combo.get(uid)
        if c is None or mae < ratio * c:
            chosen[uid] = option
    return chosen


def apply_choice(wide: pd.DataFrame, choice: dict, route: dict, level) -> pd.DataFrame:
    """``yhat`` and interval columns of the chosen option on a frame of candidate forecasts.

    The combination's bounds are the means of the bounds of those members that give
    intervals and have them (NaN when none does; the backtest calibration decides if they
    are kept). Adds ``yhat``, ``yhat_lo_<l>``, ``yhat_hi_<l>`` for each level and ``option``.
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
        yhat[idx] = combine(out.iloc[idx][cols].to_numpy(float))
        for lv in level:
            for s in ("lo", "hi"):
                src = [f"{c}-{s}-{lv}" for c in cols if f"{c}-{s}-{lv}" in out]
                if src:
                    bounds[f"yhat_{s}_{lv}"][idx] = combine(out.iloc[idx][src].to_numpy(float))
    out["yhat"] = yhat
    for k, v in bounds.items():
        out[k] = v
    out["option"] = option
    return out


def model_label(option: str, names) -> str:
    """A readable model name: the model, or ``Combination(A+B+C)``."""
    return f"{COMBINATION}({'+'.join(names)})" if option == COMBINATION else option


def _panel_errors(y: np.ndarray, f: np.ndarray, scale: np.ndarray) -> tuple[float, float]:
    """Panel sMAPE (0 where actual and forecast are both 0) and mean scaled absolute error."""
    den = np.abs(y) + np.abs(f)
    smape = np.divide(200 * np.abs(y - f), den, out=np.zeros_like(den), where=den > 0)
    return float(np.mean(smape)), float(np.mean(np.abs(y - f) / scale))


def learn_ratio(backtest: pd.DataFrame, route: dict, scales: pd.Series, ratios=RATIOS):
    """The selection ratio that would have served the panel's latest backtest origin best.

    For each ratio, options are chosen on the older windows (1, 2, ...) only and applied
    to window 0, which that choice never saw; a choice whose model has no forecast there
    keeps the combination. Each ratio is scored by the mean of its panel sMAPE and mean
    scaled absolute error (``|y - f| / scale``), each relative to always keeping the
    combination (an OWA against the combination). Ties go to the earlier ratio.

    Parameters
    ----------
    backtest : DataFrame
        ``unique_id``, ``window``, ``y`` and a column per candidate.
    route : dict
        unique_id -> candidate names.
    scales : Series
        unique_id -> positive error scale (series without one are left out).
    ratios : sequence of float

    Returns
    -------
    float or None
        The ratio, or None when the backtest has fewer than two windows, or when the
        older windows score (every candidate forecasting) fewer than half the series
        of window 0.
    """
    if backtest.empty or backtest["window"].nunique() < 2:
        return None
    scale = backtest["unique_id"].map(scales).to_numpy(float)
    bt = backtest[np.isfinite(scale) & (scale > 0)]
    scale = bt["unique_id"].map(scales).to_numpy(float)
    latest = (bt["window"] == 0).to_numpy()
    if not latest.any() or latest.all():
        return None
    ids = set(bt["unique_id"])
    mine = {u: route[u] for u in ids}
    scores = backtest_scores(bt[~latest], mine)
    new = bt[latest]
    if scores["unique_id"].nunique() < 0.5 * new["unique_id"].nunique():
        return None  # the older windows score too few of the series to tell
    y = new["y"].to_numpy(float)
    combo = apply_choice(new, choose_models(scores, mine, ratio=0.0), mine, ())["yhat"]
    base = _panel_errors(y, combo.to_numpy(float), scale[latest])
    best, best_score = None, np.inf
    for r in ratios:
        f = apply_choice(new, choose_models(scores, mine, ratio=r), mine, ())["yhat"]
        f = f.fillna(combo).to_numpy(float)
        sm, ms = _panel_errors(y, f, scale[latest])
        rel = 0.5 * (sm / base[0] if base[0] > 0 else 1.0) + 0.5 * (
            ms / base[1] if base[1] > 0 else 1.0
        )
        if rel < best_score - 1e-12:
            best, best_score = r, rel
    return best
