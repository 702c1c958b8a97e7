"""The SDR team's logged activities: calls and meetings, some qualified, some tied to a deal.

Each sales development rep books meetings at a monthly rate that grows over their first two
months (40 %, 70 %, then 100 %), scales with their skill, follows the season of deal creation
(quiet in August and December) and moves with a shared monthly factor (campaigns, the
market) that every SDR feels at once. About 60 % of meetings are qualified (held, and
accepted by an AE); half of the qualified ones name the new-business deal they led to,
created in the fortnight before the meeting. Calls are logged too; they are never qualified.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from compass_nb.calendar import to_datetime

from ._profile import END, Profile, stream

MEETINGS_PER_MONTH = 15.0  # a fully ramped SDR of average skill, in an average month
CALLS_PER_MONTH = 25.0
QUALIFIED_SHARE = 0.6
LINKED_SHARE = 0.5
RAMP = (0.4, 0.7)  # share of the full meeting rate in months 1 and 2 from hire
SEASON = np.array([0.9, 1.0, 1.1, 1.0, 1.0, 1.05, 0.9, 0.8, 1.1, 1.1, 1.05, 0.7])
MARKET_SD = 0.15  # log-sd of the shared monthly factor
LINK_DAYS = 14
COLUMNS = ["activity_id", "rep_id", "activity_date", "kind", "opportunity_id", "qualified"]


def activities(profile: Profile, staff: pd.DataFrame, deals: pd.DataFrame) -> pd.DataFrame:
    """The ``activities`` table of the SDRs in ``staff`` up to END, in date order."""
    rng = stream(profile, "activities")
    sdrs = staff.loc[staff["role"] == "SDR"]
    first = pd.Timestamp(sdrs["hire_date"].min()).to_period("M") if len(sdrs) else None
    if first is None:
        return pd.DataFrame(columns=COLUMNS)
    months = pd.period_range(first, END.to_period("M"), freq="M")
    market = rng.lognormal(-(MARKET_SD**2) / 2, MARKET_SD, len(months))
    new = deals.loc[deals["type"] == "new"].sort_values("created_date", kind="stable")
    created = new["created_date"].to_numpy().astype("datetime64[D]")
    deal_ids = new["opportunity_id"].to_numpy()
    parts = []
    for rep in sdrs.itertuples():
        for k, month in enumerate(months):
            span = _active_days(month, rep.hire_date)
            if span is None:
                continue
            days, share = span
            tenure = (month - pd.Timestamp(rep.hire_date).to_period("M")).n
            ramp = RAMP[tenure] if tenure < len(RAMP) else 1.0
            rate = MEETINGS_PER_MONTH * rep.skill * ramp * SEASON[month.month - 1] * market[k]
            meetings = rng.choice(days, size=rng.poisson(rate * share))
            calls = rng.choice(days, size=rng.poisson(CALLS_PER_MONTH * share))
            qualified = rng.random(len(meetings)) < QUALIFIED_SHARE
            linked = qualified & (rng.random(len(meetings)) < LINKED_SHARE)
            deal = _linked_deals(meetings, linked, created, deal_ids, rng)
            parts.append(_frame(rep.rep_id, meetings, "meeting", deal, qualified))
            parts.append(_frame(rep.rep_id, calls, "call", np.full(len(calls), None), None))
    out = pd.concat(parts, ignore_index=True)
    out = out.sort_values(["activity_date", "rep_id", "kind"], kind="stable").reset_index(drop=True)
    out.insert(0, "activity_id", [f"ACT-{i + 1:06d}" for i in range(len(out))])
    out["activity_date"] = to_datetime(out["activity_date"])
    out["qualified"] = out["qualified"].astype("boolean")
    return out.loc[:, COLUMNS]


def _active_days(month: pd.Period, hire) -> tuple[np.ndarray, float] | None:
    """Business days of ``month`` the SDR worked (from hire, up to END) and their share of it."""
    start = max(month.start_time.normalize(), pd.Timestamp(hire))
    end = min(month.end_time.normalize(), END)
    if start > end:
        return None
    days = pd.bdate_range(start, end)
    if len(days) == 0:
        return None
    full = pd.bdate_range(month.start_time, month.end_time)
    return days.to_numpy().astype("datetime64[D]"), len(days) / len(full)


def _linked_deals(
    meetings: np.ndarray,
    linked: np.ndarray,
    created: np.ndarray,
    deal_ids: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """The new-business deal each linked meeting led to: one created in the fortnight before
    it (none when no deal was created then)."""
    out = np.full(len(meetings), None, dtype=object)
    lo = np.searchsorted(created, meetings - np.timedelta64(LINK_DAYS, "D"), side="left")
    hi = np.searchsorted(created, meetings, side="right")
    for i in np.flatnonzero(linked & (hi > lo)):
        out[i] = deal_ids[lo[i] + rng.integers(hi[i] - lo[i])]
    return out


def _frame(rep_id: str, days: np.ndarray, kind: str, deal: np.ndarray, qualified) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "rep_id": rep_id,
            "activity_date": days.astype("datetime64[ns]"),
            "kind": kind,
            "opportunity_id": deal,
            "qualified": pd.array(
                qualified if qualified is not None else [pd.NA] * len(days), dtype="boolean"
            ),
        }
    )
