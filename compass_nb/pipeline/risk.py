"""Teams at risk: too little pipeline for the quarter, or too few sellers at quota.

A team is at risk when its coverage of the quarter (open pipeline due ÷ quota still to
close) is below ``min_coverage``, or when, among its ramped sellers (those past their ramp,
and only when there are at least ``min_group_size`` of them), the share at or above quota
fiscal year to date is below ``min_at_quota``. A team whose quota is already met has no
coverage to judge and is not at risk for it.
"""

from __future__ import annotations

import pandas as pd

RISK_COLUMNS = [
    "team",
    "coverage",
    "ramped_sellers",
    "share_at_quota",
    "low_coverage",
    "few_at_quota",
    "at_risk",
]


def teams_at_risk(
    coverage: pd.DataFrame,
    attained: pd.DataFrame,
    *,
    min_coverage: float,
    min_at_quota: float,
    min_group_size: int,
) -> pd.DataFrame:
    """One row per team with its coverage, ramped sellers, share of them at quota and flags.

    Parameters
    ----------
    coverage
        :func:`compass_nb.pipeline.coverage.coverage` (``team, coverage``; the ``All teams``
        row is ignored).
    attained
        :func:`compass_nb.pipeline.performance.attainment` (``team, attainment, in_ramp``).
    min_coverage, min_at_quota, min_group_size
        The thresholds (``pipeline.risk_coverage``, ``pipeline.risk_at_quota``,
        ``pipeline.min_group_size``).

    Returns
    -------
    pandas.DataFrame
        ``RISK_COLUMNS``, teams at risk first; ``share_at_quota`` is NaN for a team of fewer
        than ``min_group_size`` ramped sellers (not shown, not judged).
    """
    cov = coverage.loc[coverage["team"] != "All teams"].set_index("team")["coverage"]
    ramped = attained.loc[~attained["in_ramp"]]
    heads = ramped.groupby("team").size()
    share = ramped.groupby("team")["attainment"].apply(lambda a: float((a >= 1.0).mean()))
    teams = sorted(set(cov.index) | set(heads.index))
    out = pd.DataFrame({"team": teams})
    out["coverage"] = out["team"].map(cov).astype(float)
    out["ramped_sellers"] = out["team"].map(heads).fillna(0).astype(int)
    out["share_at_quota"] = out["team"].map(share).where(out["ramped_sellers"] >= min_group_size)
    out["low_coverage"] = out["coverage"].lt(min_coverage).fillna(False).astype(bool)
    out["few_at_quota"] = out["share_at_quota"].lt(min_at_quota).fillna(False).astype(bool)
    out["at_risk"] = out["low_coverage"] | out["few_at_quota"]
    out = out.sort_values(["at_risk", "coverage"], ascending=[False, True], kind="stable")
    return out.loc[:, RISK_COLUMNS].reset_index(drop=True)
