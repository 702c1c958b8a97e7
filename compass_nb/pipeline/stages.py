"""The stage mapping: CRM stage names → ordered stages and forecast categories.

The mapping is the ``pipeline.stages`` parameter, an ordered list of
``{name, order, category, is_closed, is_won}`` and, optionally, ``probability``: the CRM's
static win probability of the stage (a fraction), shown beside the calibrated one. Stages
found in the data but not in the mapping are reported (:func:`unknown_stages`), never guessed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd

from compass_nb.errors import ParameterError

CATEGORIES = ("Pipeline", "Best Case", "Commit", "Closed", "Omitted")
"""Forecast categories, from least to most certain, then ``Omitted`` (lost)."""

STAGE_COLUMNS = ["name", "order", "category", "is_closed", "is_won"]
OPTIONAL = ["probability"]

_HINT = "fix the pipeline.stages list in your parameters file (see parameters/default.yaml)"


def _entry(raw: Mapping, position: int) -> dict:
    if not isinstance(raw, Mapping):
        raise ParameterError(f"pipeline.stages[{position}] must be a mapping; {_HINT}.")
    missing = [key for key in STAGE_COLUMNS if key not in raw]
    if missing:
        raise ParameterError(
            f"pipeline.stages[{position}] ({raw.get('name', '?')!r}) lacks {', '.join(missing)}; {_HINT}."
        )
    if raw["category"] not in CATEGORIES:
        raise ParameterError(
            f"stage {raw['name']!r} has category {raw['category']!r}; use one of "
            f"{', '.join(CATEGORIES)}; {_HINT}."
        )
    unknown = sorted(set(raw) - set(STAGE_COLUMNS) - set(OPTIONAL))
    if unknown:
        raise ParameterError(
            f"pipeline.stages[{position}] ({raw['name']!r}) has unknown key {unknown[0]!r}; "
            f"allowed: {', '.join(STAGE_COLUMNS + OPTIONAL)}; {_HINT}."
        )
    probability = raw.get("probability")
    if probability is not None and (
        isinstance(probability, bool)
        or not isinstance(probability, int | float)
        or not 0 <= probability <= 1
    ):
        raise ParameterError(
            f"stage {raw['name']!r} has probability {probability!r}; give a fraction from 0 "
            f"to 1 (e.g. 0.2 for 20 %); {_HINT}."
        )
    return {key: raw[key] for key in STAGE_COLUMNS} | {
        "probability": float(probability) if probability is not None else float("nan")
    }


def _check_order(table: pd.DataFrame) -> None:
    if table["name"].duplicated().any():
        raise ParameterError(
            f"stage names repeat: {sorted(set(table['name'][table['name'].duplicated()]))}; {_HINT}."
        )
    if table["order"].duplicated().any():
        raise ParameterError(
            f"stage orders repeat: {sorted(set(table['order'][table['order'].duplicated()]))}; give each stage its own order; {_HINT}."
        )
    is_open = ~table["is_closed"]
    if not is_open.any() or not table["is_won"].any():
        raise ParameterError(
            f"the stage list needs at least one open stage and one won stage; {_HINT}."
        )
    if (table["is_won"] & ~table["is_closed"]).any():
        raise ParameterError(f"a won stage must be closed (is_closed: true); {_HINT}.")
    last_open = table.loc[is_open, "order"].max()
    early = table.loc[table["is_closed"] & (table["order"] < last_open), "name"].tolist()
    if early:
        raise ParameterError(
            f"closed stages {early} are ordered before open stage(s); closed stages must come "
            f"after every open stage; {_HINT}."
        )
    if (is_open & (table["category"] == "Closed")).any():
        raise ParameterError(
            f"open stages {table.loc[is_open & (table['category'] == 'Closed'), 'name'].tolist()} have "
            f"category Closed; only won stages are Closed; {_HINT}."
        )
    # open stages move towards certainty; an open stage set aside (Omitted, e.g. "On Hold") may sit anywhere
    progressing = table.loc[is_open & (table["category"] != "Omitted")].sort_values("order")
    ranks = progressing["category"].map(CATEGORIES.index)
    if (ranks.diff().dropna() < 0).any():
        raise ParameterError(
            "open stages are mis-ordered: a later stage has a less certain forecast category "
            f"({' → '.join(progressing['category'])}); {_HINT}."
        )
    closed_categories = table.loc[table["is_closed"]].apply(
        lambda row: row["category"] == ("Closed" if row["is_won"] else "Omitted"), axis=1
    )
    if not closed_categories.all():
        raise ParameterError(
            f"won stages must have category Closed and lost stages Omitted; {_HINT}."
        )


def stage_table(stages: Iterable[Mapping]) -> pd.DataFrame:
    """The validated stage mapping as a table sorted by ``order``.

    Parameters
    ----------
    stages
        The ``pipeline.stages`` parameter (the demo's and Salesforce's default process is
        the default in ``parameters/default.yaml``).

    Returns
    -------
    pandas.DataFrame
        Columns ``name, order, category, is_closed, is_won, probability`` (NaN where the
        mapping gives no static probability).

    Raises
    ------
    compass_nb.errors.ParameterError
        When an entry lacks a key, names an unknown category, repeats a name or an order,
        puts a closed stage before an open one or has a later open stage in a less certain
        category than an earlier one.
    """
    entries = [_entry(raw, i) for i, raw in enumerate(stages)]
    if not entries:
        raise ParameterError(f"pipeline.stages is empty; {_HINT}.")
    table = pd.DataFrame(entries, columns=STAGE_COLUMNS + OPTIONAL)
    table["name"] = table["name"].astype(str)
    try:
        table["order"] = table["order"].astype(int)
    except (TypeError, ValueError) as exc:
        raise ParameterError(f"every stage order must be a whole number; {_HINT}.") from exc
    table["is_closed"] = table["is_closed"].astype(bool)
    table["is_won"] = table["is_won"].astype(bool)
    _check_order(table)
    return table.sort_values("order").reset_index(drop=True)


def open_stages(stages: pd.DataFrame) -> pd.DataFrame:
    """The open stages a deal progresses through, in order (open stages set aside in the
    ``Omitted`` category, such as "On Hold", are not steps of the funnel)."""
    progressing = ~stages["is_closed"] & (stages["category"] != "Omitted")
    return stages.loc[progressing].sort_values("order").reset_index(drop=True)


def unknown_stages(tables: Mapping[str, pd.DataFrame], stages: pd.DataFrame) -> pd.DataFrame:
    """Stage names found in the data that the mapping does not know.

    Parameters
    ----------
    tables
        Tables with a ``stage`` column, by name (``opportunities``, ``opportunity_history``).
    stages
        The stage table (:func:`stage_table`).

    Returns
    -------
    pandas.DataFrame
        Columns ``table, stage, rows, opportunities``; empty when every stage is known.
    """
    known = set(stages["name"])
    parts = []
    for name, frame in tables.items():
        bad = frame.loc[~frame["stage"].isin(known)]
        if len(bad):
            counts = bad.groupby("stage", dropna=False).agg(
                rows=("stage", "size"), opportunities=("opportunity_id", "nunique")
            )
            parts.append(counts.reset_index().assign(table=name))
    if not parts:
        return pd.DataFrame(columns=["table", "stage", "rows", "opportunities"])
    out = pd.concat(parts, ignore_index=True)
    return out.loc[:, ["table", "stage", "rows", "opportunities"]]


def static_probabilities(stages: pd.DataFrame) -> pd.Series | None:
    """The CRM's static probability of each open stage (``None`` when the mapping gives none)."""
    given = stages.loc[~stages["is_closed"]].set_index("name")["probability"].dropna()
    return given if len(given) else None


def with_stage(frame: pd.DataFrame, stages: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with the mapped ``order``, ``stage_category``, ``is_closed_stage`` and
    ``is_won_stage`` of its ``stage``; rows with an unknown stage are dropped (report them
    with :func:`unknown_stages`)."""
    mapped = stages.drop(columns=OPTIONAL, errors="ignore").rename(
        columns={
            "name": "stage",
            "category": "stage_category",
            "is_closed": "is_closed_stage",
            "is_won": "is_won_stage",
        }
    )
    return frame.merge(mapped, on="stage", how="inner")


def flag_mismatches(opportunities: pd.DataFrame, stages: pd.DataFrame) -> pd.DataFrame:
    """Stages whose exported ``is_closed`` / ``is_won`` flags disagree with the mapping.

    The mapping decides (and so attainment may differ from compensation, which reads the
    flags, until the mapping or the export is fixed).

    Returns
    -------
    pandas.DataFrame
        ``stage, is_closed, is_won`` (as exported), ``mapped_closed, mapped_won, opportunities``.
    """
    mapped = stages.set_index("name")
    known = opportunities.loc[opportunities["stage"].isin(mapped.index)]
    closed = known["is_closed"].astype(bool)
    won = known["is_won"].astype(bool)
    off = (closed != known["stage"].map(mapped["is_closed"]).astype(bool)) | (
        won != known["stage"].map(mapped["is_won"]).astype(bool)
    )
    rows = known.loc[off].assign(is_closed=closed[off], is_won=won[off])
    out = (
        rows.groupby(["stage", "is_closed", "is_won"]).size().rename("opportunities").reset_index()
    )
    out.insert(3, "mapped_closed", out["stage"].map(mapped["is_closed"]).astype(bool))
    out.insert(4, "mapped_won", out["stage"].map(mapped["is_won"]).astype(bool))
    return out
