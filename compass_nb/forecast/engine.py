"""The forecasting engine: classify, clean, backtest, select, calibrate, forecast.

Local models are fitted per chunk of series (in worker processes); the pooled networks
(:mod:`.pooled`) are then fitted once across the panel in this process; each series'
forecast is the combination of its candidates, or a single one where the backtest says
so clearly enough (:mod:`.select`).

``forecast(history, h, freq)`` is the one entry point; :func:`fit_forecast` returns the
same forecasts with everything the engine measured on the way (classes, backtest,
scores, interval coverage) for the notebook to show.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from compass_nb.calendar import to_datetime
from compass_nb.errors import InputError, ParameterError
from compass_nb.forecast.backtest import Chunk, fit_chunk
from compass_nb.forecast.calendar import check_freq, phase, season_length
from compass_nb.forecast.classify import INTERMITTENT_CLASSES, classify_series
from compass_nb.forecast.executor import default_jobs, run_chunks
from compass_nb.forecast.intervals import calibrate_intervals, clip_at_zero, series_scales
from compass_nb.forecast.models import CANDIDATES, INTERMITTENT, resolve_candidates
from compass_nb.forecast.pooled import pooled_backtest, pooled_forecasts
from compass_nb.forecast.seasonality import seasonal_indices
from compass_nb.forecast.select import (
    apply_choice,
    backtest_scores,
    choose_models,
    learn_ratio,
    model_label,
)

__all__ = ["forecast", "fit_forecast", "ForecastResult", "LARGE_PANEL"]

#: Above this many series the default configuration uses the ``fast`` candidate set and
#: one backtest origin (the output's ``candidate_set`` column says so).
LARGE_PANEL = 5000

#: The selection ratio when it cannot be learnt (a backtest of one window).
DEFAULT_RATIO = 0.8

OUTPUT_COLUMNS = ["unique_id", "ds", "yhat"]


@dataclass
class ForecastResult:
    """Forecasts and what the engine measured to produce them."""

    forecast: pd.DataFrame  # one row per series and future period
    classes: pd.DataFrame  # unique_id, adi, cv2, demand_class, n_obs
    backtest: pd.DataFrame  # unique_id, window, step, ds, y, naive_last, candidates, chosen yhat, calibrated bounds, model
    scores: pd.DataFrame  # unique_id, option, mae, n
    coverage: pd.DataFrame  # group, level, coverage, n, method
    candidates: pd.DataFrame  # unique_id, ds, one column per candidate (final fit)
    settings: dict


def _check_history(history: pd.DataFrame) -> pd.DataFrame:
    missing = {"unique_id", "ds", "y"} - set(history.columns)
    if missing:
        raise InputError(
            f"history needs columns unique_id, ds, y; missing {sorted(missing)}. "
            "Rename your id, date and value columns to these names."
        )
    df = history[["unique_id", "ds", "y"]].copy()
    df["ds"] = to_datetime(df["ds"])
    df["y"] = pd.to_numeric(df["y"], errors="coerce")
    if df["y"].isna().any():
        raise InputError(
            "history has missing or non-numeric y values: fill them (0 = no demand) or drop them."
        )
    if df.duplicated(["unique_id", "ds"]).any():
        raise InputError(
            "history has several rows for the same unique_id and ds: aggregate them first."
        )
    return df


def _regular(df: pd.DataFrame, freq: str) -> pd.DataFrame:
    """Each series on its full date range at ``freq``; missing periods are no demand (0)."""
    df = df.sort_values(["unique_id", "ds"], kind="stable").reset_index(drop=True)
    spans = df.groupby("unique_id", sort=True)["ds"].agg(["min", "max", "size"])
    lengths = {
        key: len(pd.date_range(*key, freq=freq))
        for key in set(zip(spans["min"], spans["max"], strict=True))
    }
    expected = [lengths[key] for key in zip(spans["min"], spans["max"], strict=True)]
    irregular = spans.index[spans["size"].to_numpy() != np.asarray(expected)]
    if len(irregular) == 0:
        return df[["unique_id", "ds", "y"]]
    fixed = [
        _fill_series(uid, g, freq)
        for uid, g in df[df["unique_id"].isin(irregular)].groupby("unique_id")
    ]
    rest = df[~df["unique_id"].isin(irregular)]
    out = pd.concat([rest, *fixed], ignore_index=True).sort_values(
        ["unique_id", "ds"], kind="stable"
    )
    return out.reset_index(drop=True)[["unique_id", "ds", "y"]]


def _fill_series(uid, g: pd.DataFrame, freq: str) -> pd.DataFrame:
    full = pd.date_range(g["ds"].min(), g["ds"].max(), freq=freq)
    if not g["ds"].isin(full).all():
        raise InputError(
            f"series {uid!r} has dates that are not on the {freq!r} grid: aggregate to "
            "that frequency first (e.g. month starts for 'MS')."
        )
    g = g.set_index("ds").reindex(full, fill_value=0).rename_axis("ds").reset_index()
    return g.assign(unique_id=uid)


def _family_profiles(df, classes, family, m, freq) -> dict:
    """Seasonal indices by phase borrowed from the family for series shorter than 2 seasons."""
    if family is None or m <= 1:
        return {}
    fam = pd.Series(family)
    n_obs = classes.set_index("unique_id")["n_obs"]
    young = [u for u in n_obs.index if n_obs[u] < 2 * m and u in fam.index]
    if not young:
        return {}
    mature = df[df["unique_id"].map(n_obs).ge(2 * m)].assign(
        family=lambda d: d["unique_id"].map(fam)
    )
    profiles = {}
    for name, g in mature.dropna(subset=["family"]).groupby("family"):
        agg = g.groupby("ds")["y"].sum().asfreq(freq, fill_value=0)
        si, _ = seasonal_indices(agg.to_numpy(float), m, 0)
        if np.allclose(si, 1):
            continue
        prof = np.ones(m)
        prof[phase(agg.index, freq, m)] = si
        profiles[name] = prof
    return {u: profiles[fam[u]] for u in young if fam[u] in profiles}


def _routes(classes: pd.DataFrame, continuous: tuple, intermittent: tuple) -> dict:
    route = {}
    for uid, cls in zip(classes["unique_id"], classes["demand_class"], strict=True):
        if cls == "none":
            route[uid] = ("Naive",)
        elif cls in INTERMITTENT_CLASSES:
            route[uid] = intermittent
        else:
            route[uid] = continuous
    return route


def _chunks(df, route, skip, n_chunks, **spec) -> list[Chunk]:
    sizes = df.groupby("unique_id", sort=True).size().sort_values(kind="stable", ascending=False)
    owner = {uid: i % n_chunks for i, uid in enumerate(sizes.index)}
    key = df["unique_id"].map(owner)
    chunks = []
    for i in range(n_chunks):
        part = df[key == i]
        if part.empty:
            continue
        ids = set(part["unique_id"])
        chunks.append(
            Chunk(
                history=part.reset_index(drop=True),
                route={u: route[u] for u in ids},
                skip=skip & ids,
                profiles={u: p for u, p in spec["profiles"].items() if u in ids},
                **{k: v for k, v in spec.items() if k != "profiles"},
            )
        )
    return chunks


def _flags(classes, cleaned, profiles, backtested, reselect, failed=frozenset()) -> pd.Series:
    out = cleaned.groupby("unique_id", sort=True)["outlier"].any()
    flags = {}
    for uid in classes["unique_id"]:
        tags = []
        if out.get(uid, False):
            tags.append("outlier")
        if uid in profiles:
            tags.append("new-item")
        if uid not in backtested:
            tags.append("short-history")
        if uid in reselect:
            tags.append("re-selected")
        if uid in failed:
            tags.append("fallback")
        flags[uid] = ";".join(tags)
    return pd.Series(flags, name="flag")


def _collect(results) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Final forecasts, backtest and cleaned history of all chunks, in series order."""
    final = pd.concat([r[0] for r in results], ignore_index=True)
    cleaned = pd.concat([r[2] for r in results], ignore_index=True)
    parts = [r[1] for r in results if len(r[1])]
    bt = (
        pd.concat(parts, ignore_index=True)
        if parts
        else pd.DataFrame(columns=["unique_id", "window", "step", "ds", "y"])
    )
    return (
        final.sort_values(["unique_id", "ds"]).reset_index(drop=True),
        bt.sort_values(["unique_id", "window", "ds"]).reset_index(drop=True),
        cleaned.sort_values(["unique_id", "ds"]).reset_index(drop=True),
    )


def _with_pooled(final, bt, cleaned, route: dict, names: list, spec: dict):
    """The pooled networks' columns on the final and backtest frames.

    The networks learn from the cleaned history of every series routed to them, once
    for the final forecast and once per backtest origin (on what precedes it). Where
    a network cannot forecast a series (too short, or a zero in its last input window)
    its column is NaN (:func:`_drop_failed` then takes it out of the series' route).
    """
    ids = {u for u, r in route.items() if set(names) & set(r)}
    mine = cleaned[cleaned["unique_id"].isin(ids)]
    hist = mine[["unique_id", "ds"]].assign(y=mine["y_clean"].to_numpy(float))
    args = (spec["freq"], spec["m"], spec["profiles"])
    fc = pooled_forecasts(hist, names, spec["h"], *args)
    final = (
        final.assign(step=final.groupby("unique_id").cumcount() + 1)
        .merge(fc, on=["unique_id", "step"], how="left")
        .drop(columns="step")
    )
    if len(bt):
        pb = pooled_backtest(
            hist, names, spec["hb"], spec["windows"], spec["step"], spec["min_train"], *args
        )
        bt = bt.merge(pb, on=["unique_id", "window", "step"], how="left")
    return final, bt


def _drop_failed(final, bt, cleaned, route: dict) -> tuple:
    """Routes without the candidates that have no final forecast for a series.

    A local model whose fit raised (statsforecast's fallback is :class:`.FailedFit`)
    or a pooled network that cannot forecast the series leaves its route, so that the
    combination is the mean of the models that did forecast and the ``model`` column
    names only those. A series left with none gets the naive forecast (its last
    cleaned value; ``naive_last`` in the backtest).

    Returns
    -------
    (DataFrame, DataFrame, dict, set)
        final, backtest, the routes, and the series that lost a local model (flagged
        ``fallback``).
    """
    missing = {
        c: set(final.loc[final[c].isna(), "unique_id"])
        for c in {c for r in route.values() for c in r}
        if c in final
    }
    new_route, failed = {}, set()
    for u, r in route.items():
        keep = tuple(c for c in r if u not in missing.get(c, ()))
        if any(not CANDIDATES[c].pooled for c in set(r) - set(keep)):
            failed.add(u)
        new_route[u] = keep or ("Naive",)
    naive = {u for u, r in new_route.items() if r == ("Naive",) != route[u]}
    if naive:
        last = cleaned.groupby("unique_id", sort=True)["y_clean"].last()
        sel = final["unique_id"].isin(naive)
        if "Naive" not in final:
            final["Naive"] = np.nan
        final.loc[sel, "Naive"] = final.loc[sel, "unique_id"].map(last).to_numpy(float)
        if len(bt):
            sel = bt["unique_id"].isin(naive)
            if "Naive" not in bt:
                bt["Naive"] = np.nan
            bt.loc[sel, "Naive"] = bt.loc[sel, "naive_last"].to_numpy(float)
    return final, bt, new_route, failed


def _choose(
    bt: pd.DataFrame, route: dict, ratio, reselect: set, group: dict, scales: pd.Series
) -> tuple[pd.DataFrame, dict, dict]:
    """Backtest scores, the option of each series and the selection ratio of each group.

    With ``ratio="auto"`` each group (continuous, intermittent) gets the ratio that
    :func:`.select.learn_ratio` finds on its backtest, or :data:`DEFAULT_RATIO` when the
    backtest has a single window. Re-selected series get plain selection.
    """
    if len(bt):
        scores = backtest_scores(bt, route)
    else:
        scores = pd.DataFrame(columns=["unique_id", "option", "mae", "n"])
    choice, ratios = {}, {}
    for grp in sorted(set(group.values())):
        ids = {u for u, g in group.items() if g == grp}
        mine = {u: route[u] for u in ids}
        r = ratio
        if ratio == "auto":
            learnt = learn_ratio(bt[bt["unique_id"].isin(ids)], mine, scales) if len(bt) else None
            r = DEFAULT_RATIO if learnt is None else learnt
        ratios[grp] = r
        choice.update(choose_models(scores[scores["unique_id"].isin(ids)], mine, ratio=r))
    if reselect:
        mine = scores[scores["unique_id"].isin(reselect)]
        choice.update(choose_models(mine, {u: route[u] for u in reselect}, ratio=1.0))
    return scores, choice, ratios


def _check_ratio(ratio):
    if ratio == "auto":
        return ratio
    try:
        value = float(ratio)
    except (TypeError, ValueError):
        value = float("nan")
    if not 0 <= value <= 1:
        raise ParameterError(
            f"selection_ratio must be 'auto' or a number from 0 (always the combination) "
            f"to 1 (plain selection), not {ratio!r}."
        )
    return value


def _with_choice(
    frame: pd.DataFrame, choice: dict, route: dict, level, group: dict
) -> pd.DataFrame:
    out = apply_choice(frame, choice, route, level)
    out["group"] = out["unique_id"].map(group)
    if "step" not in out:
        out["step"] = out.groupby("unique_id").cumcount() + 1
    out["model"] = out["unique_id"].map(lambda u: model_label(choice[u], route[u]))
    return out


def _output(
    fc: pd.DataFrame, classes: pd.DataFrame, flags: pd.Series, level, settings: dict
) -> pd.DataFrame:
    bounds = [f"yhat_{s}_{lv}" for lv in level for s in ("lo", "hi")]
    out = fc[["unique_id", "ds", "yhat", *bounds, "model"]].reset_index(drop=True)
    out["demand_class"] = out["unique_id"].map(classes.set_index("unique_id")["demand_class"])
    out["flag"] = out["unique_id"].map(flags)
    out["candidate_set"] = settings["candidate_set"]
    out.attrs.update(settings)
    return out


def fit_forecast(
    history: pd.DataFrame,
    h: int,
    freq: str,
    level=(80, 95),
    *,
    candidates="auto",
    intermittent_candidates=INTERMITTENT,
    backtest_windows: int | None = None,
    season_length_: int | None = None,
    family: dict | pd.Series | None = None,
    clean_outliers: bool = True,
    selection_ratio: float | str = "auto",
    interval_tolerance: float = 0.05,
    reselect=None,
    n_jobs: int | None = None,
    executor: str = "local",
    scheduler=None,
) -> ForecastResult:
    """Forecast every series of a panel and keep what the engine measured.

    Parameters are those of :func:`forecast`.

    Returns
    -------
    ForecastResult
    """
    if int(h) < 1:
        raise ParameterError(f"h (the horizon) must be a positive number of periods, not {h!r}.")
    check_freq(freq)
    level = tuple(int(lv) for lv in (level or ()))
    df = _regular(_check_history(history), freq)
    m = season_length_ or season_length(freq)
    n_series = df["unique_id"].nunique()
    candidate_set = candidates if isinstance(candidates, str) else "custom"
    if candidates == "auto":
        candidate_set = "fast" if n_series > LARGE_PANEL else "default"
    continuous = resolve_candidates(candidate_set if isinstance(candidates, str) else candidates)
    intermittent = tuple(intermittent_candidates)
    windows = (
        backtest_windows if backtest_windows is not None else (1 if n_series > LARGE_PANEL else 2)
    )
    selection_ratio = _check_ratio(selection_ratio)
    classes = classify_series(df)
    route = _routes(classes, continuous, intermittent)
    continuous_ids = classes["demand_class"].isin(["smooth", "erratic"])
    skip = set(classes.loc[~continuous_ids, "unique_id"])
    profiles = _family_profiles(df, classes, family, m, freq)
    hb = min(h, m if m > 1 else 6)
    jobs = n_jobs or default_jobs()
    spec = dict(
        h=h,
        freq=freq,
        m=m,
        level=level,
        hb=hb,
        windows=windows,
        step=hb,
        min_train=max(2 * m, 8) if m > 1 else 8,
        profiles=profiles,
        clean=clean_outliers,
    )
    n_chunks = jobs * 4 if executor == "local" and jobs > 1 else jobs
    chunks = _chunks(df, route, skip, max(1, n_chunks), **spec)
    results = run_chunks(fit_chunk, chunks, executor=executor, n_jobs=jobs, scheduler=scheduler)
    final, bt, cleaned = _collect(results)
    pooled = [n for n in continuous if CANDIDATES[n].pooled]
    if pooled:
        final, bt = _with_pooled(final, bt, cleaned, route, pooled, spec)
    final, bt, route, failed = _drop_failed(final, bt, cleaned, route)
    reselect = set(reselect or ()) & set(route)
    group = {u: ("intermittent" if r == intermittent else "continuous") for u, r in route.items()}
    scales = series_scales(cleaned[["unique_id", "ds"]].assign(y=cleaned["y_clean"]))
    scores, choice, ratios = _choose(bt, route, selection_ratio, reselect, group, scales)
    fc = _with_choice(final, choice, route, level, group)
    coverage = pd.DataFrame(columns=["group", "level", "coverage", "n", "method"])
    if len(bt):
        bt = _with_choice(bt, choice, route, level, group)
        fc, coverage = calibrate_intervals(fc, bt, scales, level, interval_tolerance)
        bt, _ = calibrate_intervals(bt, bt, scales, level, interval_tolerance)
    nonneg = set(df.groupby("unique_id")["y"].min().loc[lambda s: s >= 0].index)
    fc = clip_at_zero(fc, nonneg, level)
    flags = _flags(classes, cleaned, profiles, set(bt["unique_id"]), reselect, failed)
    settings = dict(
        h=h,
        freq=freq,
        season_length=m,
        level=level,
        candidate_set=candidate_set,
        candidates=continuous,
        intermittent_candidates=intermittent,
        backtest_windows=windows,
        backtest_horizon=hb,
        n_series=n_series,
        selection_ratio=selection_ratio,
        selection_ratios=ratios,
        pooled=[n for n in pooled if final[n].notna().any()],
        executor=executor,
    )
    cand_cols = [c for c in final.columns if c not in ("unique_id", "ds")]
    return ForecastResult(
        _output(fc, classes, flags, level, settings),
        classes,
        bt,
        scores,
        coverage,
        final[["unique_id", "ds", *cand_cols]],
        settings,
    )


def forecast(history: pd.DataFrame, h: int, freq: str, level=(80, 95), **options) -> pd.DataFrame:
    """Forecast every series of a long panel ``h`` periods ahead.

    Parameters
    ----------
    history : DataFrame
        ``unique_id``, ``ds``, ``y``: one row per series and period. Series may have
        different lengths and zeros; missing periods inside a series count as 0.
    h : int
        Horizon in periods of ``freq``.
    freq : str
        pandas offset alias of the data (``"MS"`` monthly, ``"W-MON"`` weekly, ...).
    level : sequence of int
        Prediction interval levels in percent.
    **options
        ``candidates`` ("auto" — the ``default`` set, or ``fast`` above
        :data:`LARGE_PANEL` series —, "default", "fast", "full", "classic" (the default
        set before the pooled networks) or a list of model names),
        ``intermittent_candidates``, ``backtest_windows`` (default 2, 1 above
        :data:`LARGE_PANEL` series), ``family`` (unique_id -> family, for the seasonal
        profile of new items), ``clean_outliers`` (True), ``selection_ratio`` ("auto":
        learnt from the backtest across the panel, see :func:`.select.learn_ratio`, or
        :data:`DEFAULT_RATIO` with a one-window backtest; or a number from 0, always the
        combination, to 1, plain selection), ``interval_tolerance`` (0.05),
        ``reselect`` (series whose tracking signal left ±4: chosen by plain backtest
        selection and flagged ``re-selected``), ``season_length_``, ``n_jobs``,
        ``executor`` ("local" or "dask") and ``scheduler`` (address or
        ``distributed.Client``).

    Returns
    -------
    DataFrame
        One row per series and future period: ``unique_id``, ``ds``, ``yhat``,
        ``yhat_lo_<l>``, ``yhat_hi_<l>`` for each level, ``model``, ``demand_class``,
        ``flag`` (``outlier``, ``new-item``, ``short-history``, ``re-selected``,
        ``fallback`` — a candidate could not be fitted and was left out —,
        ``;``-separated) and
        ``candidate_set``; the settings are in ``.attrs``.
    """
    return fit_forecast(history, h, freq, level, **options).forecast
