"""Hierarchical forecasts: SKU × location up to family, location and total, reconciled.

The summing matrix ``S`` maps bottom series (SKU × location) to every node of the
hierarchy. Reconciliation turns base forecasts of all nodes into coherent ones
``S @ P @ yhat``: bottom-up, top-down (by historical proportions) or MinTrace with
the OLS, structural-WLS or shrunk-covariance weights (Wickramasuriya, Athanasopoulos
and Hyndman, 2019).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from compass_nb.errors import ParameterError

__all__ = [
    "aggregate",
    "summing_matrix",
    "reconcile",
    "reconcile_forecasts",
    "coherent_forecasts",
    "coherence_error",
    "RECONCILERS",
]

RECONCILERS = ("bottom_up", "top_down", "ols", "wls_struct", "mint_shrink")


def aggregate(bottom: pd.DataFrame, value_cols=("y",)) -> tuple[pd.DataFrame, pd.DataFrame]:
    """All levels of a SKU × location panel.

    Parameters
    ----------
    bottom : DataFrame
        ``sku``, ``location``, ``family``, ``ds`` and the value columns.

    Returns
    -------
    (DataFrame, DataFrame)
        The long panel of every node (``unique_id``, ``level``, ``sku``, ``location``,
        ``family``, ``ds``, values) and the node table (``unique_id``, ``level``, ``sku``,
        ``location``, ``family``) in the order of the summing matrix rows.
    """
    cols = list(value_cols)
    b = bottom.assign(
        unique_id=bottom["sku"].astype(str) + "|" + bottom["location"].astype(str),
        level="sku_location",
    )
    fam = (
        bottom.groupby(["family", "ds"], as_index=False)[cols]
        .sum()
        .assign(
            unique_id=lambda d: "family|" + d["family"].astype(str),
            level="family",
            sku=None,
            location=None,
        )
    )
    loc = (
        bottom.groupby(["location", "ds"], as_index=False)[cols]
        .sum()
        .assign(
            unique_id=lambda d: "location|" + d["location"].astype(str),
            level="location",
            sku=None,
            family=None,
        )
    )
    tot = (
        bottom.groupby("ds", as_index=False)[cols]
        .sum()
        .assign(unique_id="total", level="total", sku=None, location=None, family=None)
    )
    keep = ["unique_id", "level", "sku", "location", "family", "ds", *cols]
    panel = pd.concat([tot[keep], fam[keep], loc[keep], b[keep]], ignore_index=True)
    nodes = panel.drop_duplicates("unique_id")[["unique_id", "level", "sku", "location", "family"]]
    order = {"total": 0, "family": 1, "location": 2, "sku_location": 3}
    nodes = (
        nodes.assign(_o=nodes["level"].map(order))
        .sort_values(["_o", "unique_id"])
        .drop(columns="_o")
    )
    return panel, nodes.reset_index(drop=True)


def summing_matrix(nodes: pd.DataFrame) -> np.ndarray:
    """The 0/1 matrix mapping bottom nodes (columns) to every node (rows)."""
    bottom = nodes[nodes["level"] == "sku_location"].reset_index(drop=True)
    S = np.zeros((len(nodes), len(bottom)))
    for i, node in enumerate(nodes.itertuples(index=False)):
        if node.level == "total":
            S[i] = 1
        elif node.level == "family":
            S[i] = (bottom["family"] == node.family).to_numpy()
        elif node.level == "location":
            S[i] = (bottom["location"] == node.location).to_numpy()
        else:
            S[i] = (bottom["unique_id"] == node.unique_id).to_numpy()
    return S


def _shrunk_covariance(resid: np.ndarray) -> np.ndarray:
    """Schäfer–Strimmer shrinkage of the residual covariance towards its diagonal."""
    r = resid[:, np.all(np.isfinite(resid), axis=0)] if resid.ndim == 2 else resid
    n = r.shape[1]
    if n < 2:
        return np.eye(r.shape[0])
    r = r - r.mean(axis=1, keepdims=True)
    cov = r @ r.T / (n - 1)
    sd = np.sqrt(np.diag(cov))
    sd[sd == 0] = 1
    corr = cov / np.outer(sd, sd)
    z = r / sd[:, None]
    w = np.einsum("it,jt->ijt", z, z)
    var_corr = n / (n - 1) ** 3 * ((w - w.mean(axis=2, keepdims=True)) ** 2).sum(axis=2)
    off = ~np.eye(len(corr), dtype=bool)
    lam = float(np.clip(var_corr[off].sum() / max((corr[off] ** 2).sum(), 1e-12), 0, 1))
    shrunk = corr * (1 - lam)
    np.fill_diagonal(shrunk, 1)
    return shrunk * np.outer(sd, sd)


def _projection(S: np.ndarray, method: str, base: np.ndarray, history, resid) -> np.ndarray:
    n, nb = S.shape
    if method == "bottom_up":
        return np.hstack([np.zeros((nb, n - nb)), np.eye(nb)])
    if method == "top_down":
        hist = np.asarray(history, float)
        share = hist[n - nb :].sum(axis=1) / max(hist[0].sum(), 1e-12)
        P = np.zeros((nb, n))
        P[:, 0] = share
        return P
    if method == "ols":
        W = np.eye(n)
    elif method == "wls_struct":
        W = np.diag(S.sum(axis=1))
    elif method == "mint_shrink":
        if resid is None:
            raise ParameterError("mint_shrink needs in-sample or backtest residuals of every node.")
        W = _shrunk_covariance(np.asarray(resid, float))
    else:
        raise ParameterError(f"Unknown reconciliation {method!r}: use one of {RECONCILERS}.")
    Winv = np.linalg.pinv(W)
    return np.linalg.solve(S.T @ Winv @ S, S.T @ Winv)


def reconcile(
    base: np.ndarray, S: np.ndarray, method: str = "wls_struct", history=None, resid=None
) -> np.ndarray:
    """Coherent forecasts from base forecasts of every node.

    Parameters
    ----------
    base : ndarray (n_nodes, h)
        Base forecasts, rows in the order of ``S``.
    S : ndarray (n_nodes, n_bottom)
        Summing matrix; bottom nodes are the last ``n_bottom`` rows.
    method : str
        One of :data:`RECONCILERS`.
    history : ndarray (n_nodes, T), optional
        History of every node (``top_down`` proportions).
    resid : ndarray (n_nodes, T), optional
        Residuals of every node (``mint_shrink``).

    Returns
    -------
    ndarray (n_nodes, h)
        ``S @ P @ base``: every parent equals the sum of its children.
    """
    if method == "top_down" and history is None:
        raise ParameterError(
            "top_down reconciliation needs the history of every node for its proportions."
        )
    P = _projection(S, method, base, history, resid)
    return S @ (P @ np.asarray(base, float))


def reconcile_forecasts(
    fc: pd.DataFrame,
    nodes: pd.DataFrame,
    method: str = "wls_struct",
    history: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Reconcile a long forecast frame of every node of :func:`aggregate`'s hierarchy.

    ``yhat`` becomes coherent; the interval bounds move with it (the same shift as the
    point forecast); ``yhat_base`` keeps the base forecast. Non-negative nodes stay >= 0.

    Parameters
    ----------
    fc : DataFrame
        ``unique_id``, ``ds``, ``yhat`` and bound columns, for every node.
    nodes : DataFrame
        The node table of :func:`aggregate`.
    method : str
        One of :data:`RECONCILERS`.
    history : DataFrame, optional
        ``unique_id``, ``ds``, ``y`` of every node (needed by ``top_down``).
    """
    order = list(nodes["unique_id"])
    base = fc.pivot(index="unique_id", columns="ds", values="yhat").reindex(order)
    hist = None
    if history is not None:
        hist = (
            history.pivot(index="unique_id", columns="ds", values="y")
            .reindex(order)
            .fillna(0)
            .to_numpy()
        )
    rec = reconcile(base.fillna(0).to_numpy(), summing_matrix(nodes), method, history=hist)
    shift = pd.DataFrame(rec - base.fillna(0).to_numpy(), index=base.index, columns=base.columns)
    delta = shift.stack().rename("delta").reset_index()
    out = fc.merge(delta, on=["unique_id", "ds"], how="left")
    out["yhat_base"] = out["yhat"]
    bounds = [c for c in out.columns if c.startswith("yhat_lo_") or c.startswith("yhat_hi_")]
    for c in ["yhat", *bounds]:
        out[c] = out[c] + out["delta"].fillna(0)
    out[["yhat", *bounds]] = out[["yhat", *bounds]].clip(lower=0)
    return out.drop(columns="delta")


def _upper_sums(bottom: pd.DataFrame) -> pd.DataFrame:
    """Sums of the bottom ``yhat`` for every upper node: ``unique_id``, ``ds``, ``new``."""
    ids = (
        pd.Series("total", index=bottom.index),
        "family|" + bottom["family"].astype(str),
        "location|" + bottom["location"].astype(str),
    )
    parts = [
        bottom.assign(unique_id=uid).groupby(["unique_id", "ds"])["yhat"].sum().rename("new")
        for uid in ids
    ]
    return pd.concat(parts).reset_index()


def coherent_forecasts(bottom: pd.DataFrame, upper: pd.DataFrame) -> pd.DataFrame:
    """Every upper node's forecast as the exact sum of the planned bottom forecasts.

    The bottom level is what is planned (after reconciliation, clipping at zero and the
    rules of :mod:`.adjust`); each family, location and the total then add up to it. An
    upper node keeps its own interval, the reconciled interval of that level, scaled by
    the ratio of its new point forecast to the reconciled one (shifted by the difference
    where the reconciled forecast is 0): it is never the sum of the bottom bounds.

    Parameters
    ----------
    bottom : DataFrame
        ``sku_location`` rows: ``unique_id``, ``family``, ``location``, ``ds``, ``yhat`` and
        bound columns.
    upper : DataFrame
        The other levels' reconciled rows (``unique_id``, ``ds``, ``yhat``, bounds, ...).

    Returns
    -------
    DataFrame
        ``upper`` with ``yhat`` and bounds made coherent with ``bottom``; upper nodes of
        months or families the bottom lacks get 0.
    """
    out = upper.merge(_upper_sums(bottom), on=["unique_id", "ds"], how="left")
    new = out["new"].fillna(0.0).to_numpy(float)
    old = out["yhat"].to_numpy(float)
    bounds = [c for c in out.columns if c.startswith(("yhat_lo_", "yhat_hi_"))]
    ratio = np.divide(new, old, out=np.ones_like(new), where=old > 0)
    for c in bounds:
        b = out[c].to_numpy(float)
        out[c] = np.where(old > 0, b * ratio, b - old + new).clip(min=0)
    out["yhat"] = new
    return out.drop(columns="new")


def coherence_error(fc: pd.DataFrame) -> float:
    """The largest relative gap between an upper node's forecast and the sum of its bottoms.

    ``fc`` has every level (``level``, ``unique_id``, ``family``, ``location``, ``ds``,
    ``yhat``); 0 means family, location and total add up exactly to SKU × location.
    """
    bottom = fc[fc["level"] == "sku_location"]
    upper = fc[fc["level"] != "sku_location"][["unique_id", "ds", "yhat"]]
    if bottom.empty or upper.empty:
        return 0.0
    both = upper.merge(_upper_sums(bottom), on=["unique_id", "ds"], how="outer").fillna(0.0)
    gap = (both["yhat"] - both["new"]).abs()
    scale = both[["yhat", "new"]].abs().max(axis=1)
    rel = np.divide(gap, scale, out=np.zeros(len(gap)), where=scale.to_numpy() > 0)
    return float(np.max(rel)) if len(rel) else 0.0
