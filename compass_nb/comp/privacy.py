"""Privacy of pay in shared output: no names or ids, no total for fewer than 5 sellers.

Per-seller pay is confidential. The shareable pack shows distributions and totals of
groups of at least ``min_sellers`` (default 5) sellers. Teams smaller than that are
merged into "Other teams"; if the merged group is still too small it is folded into the
smallest shown team, so no group total (and no difference of shown totals) describes
fewer than ``min_sellers`` people. The grouping is decided once for the whole window
shown, on each team's smallest monthly head-count, so every month uses the same groups.
"""

from __future__ import annotations

import pandas as pd

MIN_SELLERS = 5
ATTAINMENT_EDGES = (0.5, 0.8, 1.0, 1.2, 1.5, 2.0)
IDENTIFYING = ("rep_id", "name", "manager_id", "opportunity_id", "account", "owner_id")


def without_identifiers(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` without columns that name or identify a person or a deal."""
    return frame.drop(columns=[c for c in IDENTIFYING if c in frame], errors="ignore")


def safe_groups(
    sellers: pd.DataFrame,
    by: str = "team",
    *,
    min_sellers: int = MIN_SELLERS,
    other: str = "Other teams",
) -> dict[str, str | None]:
    """Map each value of ``by`` to the group label it is shown under (``None`` = hidden).

    Parameters
    ----------
    sellers
        One row per seller and period, with ``rep_id``, ``period`` and ``by``.
    """
    heads = sellers.groupby([by, "period"])["rep_id"].nunique().groupby(level=0).min()
    big = heads[heads >= min_sellers].sort_values()
    small = heads[heads < min_sellers]
    mapping = {team: team for team in big.index}
    if small.empty:
        return mapping
    if small.sum() >= min_sellers:
        return mapping | {team: other for team in small.index}
    if big.empty:
        return {team: None for team in heads.index}
    host = big.index[0]
    label = f"{host} + {other.lower()}"
    return {team: (label if team == host else mapping[team]) for team in big.index} | {
        team: label for team in small.index
    }


def group_totals(
    sellers: pd.DataFrame,
    values: list[str],
    *,
    by: str = "team",
    min_sellers: int = MIN_SELLERS,
    extra: list[str] | None = None,
) -> pd.DataFrame:
    """Sums of ``values`` per safe group of ``by`` (and ``extra`` keys such as ``period``),
    with the number of sellers in each; groups under ``min_sellers`` never appear."""
    mapping = safe_groups(sellers, by, min_sellers=min_sellers)
    keyed = sellers.assign(group=sellers[by].map(mapping)).dropna(subset=["group"])
    keys = ["group", *(extra or [])]
    out = (
        keyed.groupby(keys)
        .agg(sellers=("rep_id", "nunique"), **{v: (v, "sum") for v in values})
        .reset_index()
    )
    return out.loc[out["sellers"] >= min_sellers].reset_index(drop=True)


def leaks(text: str, reps: pd.DataFrame) -> list[str]:
    """Seller names and ids that appear in ``text`` (for checking shared output)."""
    found = []
    for column in ("name", "rep_id"):
        if column in reps:
            found += [
                value for value in reps[column].dropna().astype(str) if value and value in text
            ]
    return found
