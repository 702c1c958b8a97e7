"""Stage win probabilities calibrated from closed history, and how well they are calibrated.

A CRM gives each stage a fixed probability (Salesforce's default: Prospecting 10 %, …,
Negotiation 90 %). Compass measures it instead. The unit of evidence is a **deal-month**:
every deal open at a month end, with its stage, the days it has spent in that stage and its
segment, and whether it was eventually won. The probability of a cell (stage × age in stage
× segment) is its share of won deal-months, shrunk towards the share of its stage and
segment, which is shrunk towards the stage's, which is shrunk towards the overall share
(each with the weight of ``prior`` deal-months), so that a thin cell borrows from its
neighbours instead of reading 0 % or 100 %.

A model fitted *at* a date uses only what was known then: deal-months of the ``months``
before it whose deals had closed by it. :func:`calibration_sample` refits the model at each
of the last months and scores it on the deals open then whose outcome is known by the
cut-off; :func:`brier_score` and :func:`reliability` compare it with the CRM's static
probabilities on the same deal-months.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from compass_nb.pipeline._history import stage_changes, states_at

SAMPLE_COLUMNS = [
    "as_of",
    "opportunity_id",
    "stage",
    "order",
    "segment",
    "amount",
    "close_date",
    "days_in_stage",
    "age",
]


def month_ends(first, last) -> list[pd.Timestamp]:
    """Every month end from the month of ``first`` to ``last`` (inclusive, when a month end)."""
    months = pd.period_range(pd.Timestamp(first), pd.Timestamp(last), freq="M")
    ends = [m.end_time.normalize() for m in months]
    return [e for e in ends if e <= pd.Timestamp(last).normalize()]


def age_labels(buckets: list[int]) -> list[str]:
    """Labels of the age-in-stage buckets cut at ``buckets`` days, e.g. ``[30, 90]`` →
    ``0–30 d``, ``31–90 d``, ``> 90 d``."""
    edges = [0, *buckets]
    labels = [f"{lo + (lo > 0)}–{hi} d" for lo, hi in zip(edges, edges[1:], strict=False)]
    return [*labels, f"> {edges[-1]} d"]


def age_bucket(days: pd.Series, buckets: list[int]) -> pd.Series:
    """Each deal's age-in-stage bucket (label of :func:`age_labels`)."""
    bins = [-np.inf, *buckets, np.inf]
    return pd.cut(days, bins=bins, labels=age_labels(buckets), right=True).astype(str)


def snapshots(
    states: pd.DataFrame, deals: pd.DataFrame, ends: list[pd.Timestamp], buckets: list[int]
) -> pd.DataFrame:
    """The deals open at each month end in ``ends``: one row per deal-month.

    Parameters
    ----------
    states
        The opportunities' states over time (``timeline``).
    deals
        The opportunities with ``opportunity_id`` and ``segment`` (and any column to carry,
        e.g. ``product_family``, ``team``).
    ends
        The month ends.
    buckets
        Day edges of the age-in-stage buckets.

    Returns
    -------
    pandas.DataFrame
        ``SAMPLE_COLUMNS`` plus the extra columns of ``deals``; ``days_in_stage`` counts from
        the day the deal entered its current stage.
    """
    changes = stage_changes(states)
    own = {"as_of", "stage", "order", "amount", "close_date", "days_in_stage", "age"}
    extra = deals.loc[:, [c for c in deals.columns if c not in own]]
    parts = []
    for end in ends:
        now = states_at(states, end)
        now = now.loc[~now["is_closed_stage"]]
        entered = states_at(changes, end).set_index("opportunity_id")["at"]
        part = now.loc[:, ["opportunity_id", "stage", "order", "amount", "close_date"]].copy()
        part["days_in_stage"] = (end - part["opportunity_id"].map(entered)).dt.days
        part.insert(0, "as_of", end)
        parts.append(part)
    if not parts:
        return pd.DataFrame(columns=[*SAMPLE_COLUMNS, *extra.columns[1:]])
    out = pd.concat(parts, ignore_index=True).merge(extra, on="opportunity_id", how="left")
    out["segment"] = out["segment"].fillna("unassigned") if "segment" in out else "unassigned"
    out["age"] = age_bucket(out["days_in_stage"], buckets)
    first = [c for c in SAMPLE_COLUMNS if c in out]
    return out.loc[:, [*first, *[c for c in out.columns if c not in first]]]


def outcomes(states: pd.DataFrame, at) -> pd.DataFrame:
    """How each deal stood at ``at``: ``opportunity_id, closed, won, final_close,
    final_amount``."""
    now = states_at(states, at)
    return pd.DataFrame(
        {
            "opportunity_id": now["opportunity_id"],
            "closed": now["is_closed_stage"].astype(bool),
            "won": now["is_won_stage"].astype(bool),
            "final_close": now["close_date"],
            "final_amount": now["amount"].astype(float),
        }
    )


def training(samples: pd.DataFrame, known: pd.DataFrame, at, months: int) -> pd.DataFrame:
    """The deal-months of the ``months`` before ``at`` whose deals had closed by ``at``
    (``known`` = :func:`outcomes` at ``at``), with ``won``."""
    at = pd.Timestamp(at).normalize()
    start = at - pd.DateOffset(months=months)
    rows = samples.loc[(samples["as_of"] < at) & (samples["as_of"] >= start)]
    rows = rows.merge(known, on="opportunity_id", how="inner")
    return rows.loc[rows["closed"]].reset_index(drop=True)


@dataclass(frozen=True)
class ProbabilityModel:
    """Calibrated win probabilities at three levels; :meth:`predict` uses the finest known.

    Attributes
    ----------
    cells
        ``stage, segment, age, deal_months, won, probability``.
    stage_segment
        ``stage, segment, deal_months, won, probability``.
    stages
        ``stage, deal_months, won, probability``.
    overall
        The share of won deal-months (the root of the shrinkage).
    """

    cells: pd.DataFrame
    stage_segment: pd.DataFrame
    stages: pd.DataFrame
    overall: float

    def predict(self, frame: pd.DataFrame) -> np.ndarray:
        """The win probability of each row of ``frame`` (``stage``, ``segment``, ``age``)."""
        out = lookup(self.cells, ["stage", "segment", "age"], frame)
        for table, keys in ((self.stage_segment, ["stage", "segment"]), (self.stages, ["stage"])):
            out = np.where(np.isnan(out), lookup(table, keys, frame), out)
        return np.where(np.isnan(out), self.overall, out)


def lookup(table: pd.DataFrame, keys: list[str], frame: pd.DataFrame) -> np.ndarray:
    """``table``'s ``probability`` (or ``q``) for each row of ``frame``, by ``keys``; NaN
    where ``table`` has no such row."""
    column = "probability" if "probability" in table else "q"
    table_keys = zip(*(table[k].tolist() for k in keys), strict=True)
    values = dict(zip(table_keys, table[column].tolist(), strict=True))
    wanted = zip(*(frame[k].tolist() for k in keys), strict=True)
    return np.array([values.get(k, np.nan) for k in wanted], dtype=float)


def _shrunk(rows: pd.DataFrame, keys: list[str], prior: float, parent) -> pd.DataFrame:
    grouped = rows.groupby(keys, observed=True)["won"].agg(deal_months="size", won="sum")
    grouped = grouped.reset_index()
    base = parent(grouped) if callable(parent) else np.full(len(grouped), parent)
    grouped["probability"] = (grouped["won"] + prior * base) / (grouped["deal_months"] + prior)
    return grouped


def fit_probabilities(train: pd.DataFrame, prior: float) -> ProbabilityModel:
    """Win probabilities by stage × segment × age from deal-months with ``won``.

    Each level is shrunk towards the level above it with ``prior`` pseudo deal-months:
    ``p = (won + prior × p_parent) / (deal_months + prior)``.

    Examples
    --------
    One stage, 8 won of 10 deal-months overall and at the stage, ``prior = 10``: the stage
    reads (8 + 10 × 0.8) / 20 = 0.8; a cell of 1 won of 2 reads (1 + 10 × 0.8) / 12 = 0.75.
    """
    overall = float(train["won"].mean()) if len(train) else 0.0
    stages = _shrunk(train, ["stage"], prior, overall)
    by_stage = stages.set_index("stage")["probability"]
    pairs = _shrunk(train, ["stage", "segment"], prior, lambda g: g["stage"].map(by_stage))
    by_pair = pairs.set_index(["stage", "segment"])["probability"]
    cells = _shrunk(
        train,
        ["stage", "segment", "age"],
        prior,
        lambda g: pd.Series(list(zip(g["stage"], g["segment"], strict=True))).map(by_pair),
    )
    return ProbabilityModel(cells, pairs, stages, overall)


def calibration_sample(
    samples: pd.DataFrame,
    states: pd.DataFrame,
    ends: list[pd.Timestamp],
    final: pd.DataFrame,
    *,
    months: int,
    prior: float,
    static: pd.Series | None,
) -> pd.DataFrame:
    """Out-of-sample predictions at each month end of ``ends``, scored on outcomes.

    At each month end the model is fitted on what was known then and predicts every deal
    open then; deals whose outcome is still unknown at the cut-off (``final`` =
    :func:`outcomes` at the cut-off) are left out.

    Returns
    -------
    pandas.DataFrame
        ``as_of, opportunity_id, stage, segment, age, calibrated, static, won`` (``static``
        is the CRM's stage probability, NaN where the mapping gives none).
    """
    parts = []
    for end in ends:
        model = fit_probabilities(training(samples, outcomes(states, end), end, months), prior)
        now = samples.loc[samples["as_of"] == end]
        now = now.merge(final, on="opportunity_id", how="inner")
        now = now.loc[now["closed"]]
        if now.empty:
            continue
        scored = now.loc[:, ["as_of", "opportunity_id", "stage", "segment", "age", "won"]]
        scored = scored.assign(calibrated=model.predict(now))
        scored["static"] = scored["stage"].map(static) if static is not None else np.nan
        parts.append(scored)
    columns = ["as_of", "opportunity_id", "stage", "segment", "age", "calibrated", "static", "won"]
    if not parts:
        return pd.DataFrame(columns=columns)
    return pd.concat(parts, ignore_index=True).loc[:, columns]


def brier_score(probability, outcome) -> float:
    """Mean squared difference between forecast probabilities and 0/1 outcomes (lower is
    better; 0.25 is what a constant 50 % scores).

    Examples
    --------
    >>> brier_score([0.8, 0.3], [1, 0])
    0.065
    """
    p = np.asarray(probability, dtype=float)
    y = np.asarray(outcome, dtype=float)
    keep = ~np.isnan(p)
    if not keep.any():
        return float("nan")
    return float(np.round(np.mean((p[keep] - y[keep]) ** 2), 12))


def reliability(sample: pd.DataFrame, bins: int = 10) -> pd.DataFrame:
    """The reliability diagram's points: per method (``calibrated``, ``static``) and bin of
    forecast probability, the deal-months, their mean forecast and the share won.

    A well-calibrated method's points lie on the diagonal (forecast = share won).
    """
    edges = np.linspace(0, 1, bins + 1)
    rows = []
    for method in ("calibrated", "static"):
        p = sample[method].astype(float)
        keep = p.notna()
        if not keep.any():
            continue
        which = np.clip(np.digitize(p[keep], edges[1:-1], right=False), 0, bins - 1)
        frame = pd.DataFrame({"bin": which, "p": p[keep], "won": sample.loc[keep, "won"]})
        grouped = frame.groupby("bin").agg(
            deal_months=("p", "size"), forecast=("p", "mean"), won=("won", "mean")
        )
        for b, row in grouped.iterrows():
            rows.append(
                {
                    "method": method,
                    "bin": f"{edges[b]:.0%}–{edges[b + 1]:.0%}",
                    "deal_months": int(row["deal_months"]),
                    "forecast": float(row["forecast"]),
                    "won_share": float(row["won"]),
                }
            )
    return pd.DataFrame(rows, columns=["method", "bin", "deal_months", "forecast", "won_share"])


def stage_probability_table(
    model: ProbabilityModel, static: pd.Series | None, stages: pd.DataFrame
) -> pd.DataFrame:
    """Per open stage: deal-months behind it, its calibrated probability, the range over its
    segment × age cells (``lowest_probability``, ``highest_probability``), and the CRM's
    static probability (``static_probability``)."""
    order = stages.set_index("name")["order"]
    table = model.stages.copy()
    spread = model.cells.groupby("stage")["probability"].agg(lowest="min", highest="max")
    table = table.merge(spread, on="stage", how="left")
    table["static"] = table["stage"].map(static) if static is not None else np.nan
    table["order"] = table["stage"].map(order)
    table = table.sort_values("order").drop(columns="order")
    table = table.rename(
        columns={
            "lowest": "lowest_probability",
            "highest": "highest_probability",
            "static": "static_probability",
        }
    )
    columns = ["stage", "deal_months", "won", "probability", "lowest_probability"]
    return table.loc[:, [*columns, "highest_probability", "static_probability"]].reset_index(
        drop=True
    )
