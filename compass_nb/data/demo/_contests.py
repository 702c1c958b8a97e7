"""The demo's past sales contests and their ground truth (full profile).

Two contests ran (their files: ``parameters/contests/``):

* ``2025-q2-new-logo`` (New Business North and South, new-logo deals, May–June 2025) had
  a real effect: :data:`NEW_LOGO_EXTRA` extra won new deals in the window, and
  :data:`NEW_LOGO_PULLED` wins that were due in the two months after it were signed in its
  last five days instead (pull-forward). A few of the extra wins are a second deal at an
  account the seller had just won (splitting), and a few are cancelled after the contest.
  Its true lift net of pull-forward is therefore :data:`NEW_LOGO_EXTRA` deals.
* ``2026-06-am-bookings`` (Account Management North, bookings, June 2026) changed nothing:
  no deal is added or moved; its true lift is 0.

The ``small`` profile injects nothing (it has no comparison team for either contest).
The extra deals are appended after every other deal, drawn from their own random stream;
the moved wins change only their close date (and the history rows after it), so the other
tables (quotas, splits, activities) are generated from the deals before the contest.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from compass_nb.calendar import to_datetime

from ._profile import Profile, stream

NEW_LOGO_ID = "2025-q2-new-logo"
NEW_LOGO_TEAMS = ("New Business North", "New Business South")
NEW_LOGO_WINDOW = (pd.Timestamp("2025-05-01"), pd.Timestamp("2025-06-30"))
NEW_LOGO_POST = (pd.Timestamp("2025-07-01"), pd.Timestamp("2025-08-31"))
NEW_LOGO_EXTRA = 14  # extra won new deals in the window: the true net lift
NEW_LOGO_PULLED = 5  # wins due in the post window signed in the window's last five days
SPLIT_DEALS = 3  # of the extra deals: a second win at an account just won by the same seller
CANCELLED_DEALS = 3  # of the extra deals: cancelled 20–60 days after the window
NO_EFFECT_ID = "2026-06-am-bookings"


def truth(profile: str) -> dict[str, float]:
    """The true lift net of pull-forward of each demo contest, in units of its metric."""
    if profile != "full":
        return {}
    return {NEW_LOGO_ID: float(NEW_LOGO_EXTRA), NO_EFFECT_ID: 0.0}


def _eligible(staff: pd.DataFrame) -> np.ndarray:
    """AEs of the contest's teams employed from the window's start to the post window's end."""
    term = to_datetime(staff["termination_date"])
    here = (to_datetime(staff["hire_date"]) <= NEW_LOGO_WINDOW[0]) & (
        term.isna() | (term >= NEW_LOGO_POST[1])
    )
    chosen = staff["team"].isin(NEW_LOGO_TEAMS) & (staff["role"] == "AE") & here
    return staff.loc[chosen, "rep_id"].to_numpy()


def inject(
    profile: Profile, staff: pd.DataFrame, deals: pd.DataFrame, history: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The deals and history with the new-logo contest's effect (full profile only)."""
    if profile.name != "full":
        return deals, history
    rng = stream(profile, "contests")
    owners = _eligible(staff)
    deals, history = _pull_forward(deals, history, owners, rng)
    extra, rows = _extra_deals(deals, owners, rng)
    deals = pd.concat([deals, extra], ignore_index=True)
    history = pd.concat([history, rows], ignore_index=True)
    history = history.sort_values(["opportunity_id", "changed_at"], kind="stable")
    return deals, history.reset_index(drop=True)


def _pull_forward(deals, history, owners, rng):
    """Sign NEW_LOGO_PULLED wins due in the post window in the window's last five days."""
    due = deals.loc[
        deals["is_won"]
        & (deals["type"] == "new")
        & deals["owner_id"].isin(owners)
        & deals["close_date"].between(*NEW_LOGO_POST)
        & (deals["created_date"] < NEW_LOGO_WINDOW[1] - pd.Timedelta(days=10))
        & deals["cancelled_date"].isna()
    ]
    assert len(due) >= NEW_LOGO_PULLED, "the demo has too few wins to pull forward"
    picked = rng.choice(due.index.to_numpy(), size=NEW_LOGO_PULLED, replace=False)
    deals = deals.copy()
    signed = NEW_LOGO_WINDOW[1] - pd.to_timedelta(rng.integers(0, 5, NEW_LOGO_PULLED), unit="D")
    moved = dict(zip(deals.loc[picked, "opportunity_id"], signed, strict=True))
    deals.loc[picked, "close_date"] = signed
    keep = ~history["opportunity_id"].isin(moved) | (
        history["changed_at"] < history["opportunity_id"].map(moved)
    )
    history = history.loc[keep]
    closes = deals.loc[picked, ["opportunity_id", "close_date", "amount"]]
    closes = closes.assign(changed_at=closes["close_date"], stage="Closed Won")
    return deals, pd.concat([history, closes.loc[:, history.columns]], ignore_index=True)


def _extra_deals(deals, owners, rng):
    """NEW_LOGO_EXTRA won new SMB deals closed in the window by eligible AEs."""
    n, base = NEW_LOGO_EXTRA, NEW_LOGO_EXTRA - SPLIT_DEALS
    span = (NEW_LOGO_WINDOW[1] - NEW_LOGO_WINDOW[0]).days
    days = rng.integers(0, span - 10, base)
    owner = rng.choice(owners, size=base)
    smb = np.sort(deals.loc[deals["segment"] == "SMB", "account"].dropna().unique())
    account = rng.choice(smb, size=base)
    # the last deals repeat the first ones' seller and account a few days later (splitting)
    days = np.concatenate([days, days[:SPLIT_DEALS] + rng.integers(2, 8, SPLIT_DEALS)])
    owner = np.concatenate([owner, owner[:SPLIT_DEALS]])
    account = np.concatenate([account, account[:SPLIT_DEALS]])
    close = NEW_LOGO_WINDOW[0] + pd.to_timedelta(days, unit="D")
    created = close - pd.to_timedelta(rng.integers(25, 70, n), unit="D")
    amount = np.maximum(np.round(40_000 * rng.lognormal(0, 0.5, n) / 100) * 100, 500.0)
    cancelled = pd.Series(pd.NaT, index=range(n), dtype="datetime64[ns]")
    for k in range(CANCELLED_DEALS):
        cancelled[k + SPLIT_DEALS] = NEW_LOGO_WINDOW[1] + pd.Timedelta(
            days=int(rng.integers(20, 60))
        )
    first = len(deals) + 1
    ids = [f"OPP-{first + k:05d}" for k in range(n)]
    families = np.sort(deals["product_family"].unique())
    extra = pd.DataFrame(
        {
            "opportunity_id": ids,
            "account": account,
            "owner_id": owner,
            "created_date": created,
            "close_date": close,
            "stage": "Closed Won",
            "amount": amount,
            "type": "new",
            "segment": "SMB",
            "forecast_category": "Closed",
            "product_family": rng.choice(families, size=n),
            "is_closed": True,
            "is_won": True,
            "cancelled_date": cancelled.to_numpy(),
            "loss_reason": None,
        }
    )
    opened = extra.assign(changed_at=extra["created_date"], stage="Prospecting")
    won = extra.assign(changed_at=extra["close_date"])
    rows = pd.concat([opened, won], ignore_index=True).loc[
        :, ["opportunity_id", "changed_at", "stage", "amount", "close_date"]
    ]
    return extra.loc[:, deals.columns], rows
