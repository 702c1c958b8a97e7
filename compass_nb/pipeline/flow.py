"""Pipeline flow: how the open pipeline due in a window changed over a period, and slippage.

The pipeline of a window (say the fiscal quarter) at a date is the open deals whose close
date falls in the window. Over a period ``(t0, t1]`` it changes by

``start + created + pulled_in + amount_change − won − lost − pushed_out = end``

*created*: deals created in the period straight into the window; *pulled in*: existing
deals whose close date moved into the window (or re-opened ones); *won* / *lost*: deals
that left by closing; *pushed out*: deals whose close date moved out of the window;
*amount change*: changes of amount while in the window (a change made together with a
close or a push is counted here, and the deal leaves at its new amount). A deal that
enters and closes in the same change (created or pulled in straight to won or lost with a
close date in the window) counts on both sides. The identity holds by construction.

A push that keeps the close date inside the window (October → November, both in the
quarter) does not change the window's pipeline, so the flow does not show it;
:func:`close_date_moves` counts every move of an open deal's close date in the period, by
where it went (out of the window, later within it, into it, earlier within it), so that
pushes never read 0 when deals push.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from compass_nb.pipeline._history import states_at

FLOW_STEPS = ["start", "created", "pulled_in", "amount_change", "won", "lost", "pushed_out", "end"]
SIGNS = {
    "start": 1,
    "created": 1,
    "pulled_in": 1,
    "amount_change": 1,
    "won": -1,
    "lost": -1,
    "pushed_out": -1,
    "end": 1,
}


def _in_window(states: pd.DataFrame, first, last) -> pd.Series:
    return ~states["is_closed_stage"] & states["close_date"].between(first, last)


def _events(states: pd.DataFrame, t0, t1, first, last) -> pd.DataFrame:
    start = states_at(states, t0).assign(is_start=True)
    during = states.loc[(states["at"] > t0) & (states["at"] <= t1)].assign(is_start=False)
    events = pd.concat([start, during], ignore_index=True).sort_values(
        ["opportunity_id", "at", "seq"], kind="stable"
    )
    events["inside"] = _in_window(events, first, last)
    events["closes_inside"] = events["is_closed_stage"] & events["close_date"].between(first, last)
    grouped = events.groupby("opportunity_id")
    events["prev_inside"] = grouped["inside"].shift().astype("boolean").fillna(False).astype(bool)
    events["prev_closed"] = (
        grouped["is_closed_stage"].shift().astype("boolean").fillna(False).astype(bool)
    )
    events["prev_amount"] = grouped["amount"].shift()
    return events.reset_index(drop=True)


def flow_movements(states: pd.DataFrame, t0, t1, window_start, window_end) -> pd.DataFrame:
    """Every movement of the window's pipeline over ``(t0, t1]``, one row per deal and step.

    Parameters
    ----------
    states
        The opportunities' states over time (``timeline``).
    t0, t1
        The period: the pipeline as it stood at ``t0`` and at ``t1``.
    window_start, window_end
        The close-date window whose pipeline is followed.

    Returns
    -------
    pandas.DataFrame
        ``opportunity_id, at, step, value`` where ``step`` is one of :data:`FLOW_STEPS`
        and ``value`` is positive (its sign is in :data:`SIGNS`; amount changes keep theirs).
    """
    t0, t1 = pd.Timestamp(t0).normalize(), pd.Timestamp(t1).normalize()
    first, last = pd.Timestamp(window_start).normalize(), pd.Timestamp(window_end).normalize()
    ev = _events(states, t0, t1, first, last)
    change = ~ev["is_start"]
    entry_step = np.where(ev["seq"] == 0, "created", "pulled_in")
    exit_step = np.where(
        ev["is_won_stage"], "won", np.where(ev["is_closed_stage"], "lost", "pushed_out")
    )
    stay = change & ev["prev_inside"] & ev["inside"]
    leave = change & ev["prev_inside"] & ~ev["inside"]
    enter = change & ~ev["prev_inside"] & ev["inside"]
    through = change & ~ev["prev_inside"] & ~ev["inside"] & ev["closes_inside"] & ~ev["prev_closed"]
    parts = [
        ev.loc[ev["is_start"] & ev["inside"]].assign(step="start", value=lambda d: d["amount"]),
        ev.loc[stay | leave].assign(
            step="amount_change", value=lambda d: d["amount"] - d["prev_amount"]
        ),
        ev.loc[leave].assign(step=exit_step[leave.to_numpy()], value=lambda d: d["amount"]),
        ev.loc[enter | through].assign(
            step=entry_step[(enter | through).to_numpy()], value=lambda d: d["amount"]
        ),
        ev.loc[through].assign(step=exit_step[through.to_numpy()], value=lambda d: d["amount"]),
        states_at(states, t1)
        .pipe(lambda d: d.loc[_in_window(d, first, last)])
        .assign(step="end", value=lambda d: d["amount"]),
    ]
    out = pd.concat(parts, ignore_index=True).loc[:, ["opportunity_id", "at", "step", "value"]]
    return out.loc[(out["step"] != "amount_change") | (out["value"] != 0)].reset_index(drop=True)


def pipeline_flow(movements: pd.DataFrame) -> pd.DataFrame:
    """The flow as one row per step, in waterfall order, with ``value`` (signed) and ``deals``.

    ``start + created + pulled_in + amount_change − won − lost − pushed_out = end``: the
    signed values of every step but ``end`` add up to ``end``.
    """
    totals = movements.groupby("step")["value"].agg(["sum", "size"]).reindex(FLOW_STEPS).fillna(0)
    signs = pd.Series(SIGNS).reindex(FLOW_STEPS)
    out = pd.DataFrame(
        {
            "step": FLOW_STEPS,
            "value": (totals["sum"] * signs).to_numpy() + 0.0,  # + 0.0: no negative zero
            "deals": totals["size"].astype(int).to_numpy(),
        }
    )
    return out


MOVES = (
    "pushed out of the window",
    "pushed later within the window",
    "pulled into the window",
    "pulled earlier within the window",
    "moved outside the window",
)


def close_date_moves(states: pd.DataFrame, t0, t1, window_start, window_end) -> pd.DataFrame:
    """Every change of an open deal's close date over ``(t0, t1]``, by where it went.

    Returns
    -------
    pandas.DataFrame
        One row per kind of move (:data:`MOVES`): ``move, changes, deals, amount`` (the
        deals' amounts at the change, each deal once per kind) and ``median_days`` (how far
        the dates moved; positive = later).
    """
    t0, t1 = pd.Timestamp(t0).normalize(), pd.Timestamp(t1).normalize()
    first, last = pd.Timestamp(window_start).normalize(), pd.Timestamp(window_end).normalize()
    changes = close_date_changes(states)
    changes = changes.loc[(changes["at"] > t0) & (changes["at"] <= t1)]
    amount = states.set_index(["opportunity_id", "at"])["amount"]
    amount = amount[~amount.index.duplicated(keep="last")]
    keys = pd.MultiIndex.from_frame(changes[["opportunity_id", "at"]])
    changes = changes.assign(amount=amount.reindex(keys).to_numpy())
    was = changes["old_close_date"].between(first, last)
    now = changes["new_close_date"].between(first, last)
    later = changes["days"] > 0
    kind = np.select(
        [was & ~now, was & now & later, ~was & now, was & now & ~later],
        MOVES[:4],
        default=MOVES[4],
    )
    changes = changes.assign(move=kind)
    rows = []
    for move in MOVES:
        mine = changes.loc[changes["move"] == move]
        per_deal = mine.drop_duplicates("opportunity_id", keep="last")
        rows.append(
            {
                "move": move,
                "changes": int(len(mine)),
                "deals": int(mine["opportunity_id"].nunique()),
                "amount": float(per_deal["amount"].sum()),
                "median_days": float(mine["days"].median()) if len(mine) else float("nan"),
            }
        )
    return pd.DataFrame(rows, columns=["move", "changes", "deals", "amount", "median_days"])


def close_date_changes(states: pd.DataFrame) -> pd.DataFrame:
    """Every change of close date made while a deal was open: ``days`` > 0 is a push.

    Returns
    -------
    pandas.DataFrame
        ``opportunity_id, at, old_close_date, new_close_date, days, pushed``.
    """
    grouped = states.groupby("opportunity_id")
    prev_close = grouped["close_date"].shift()
    prev_closed = grouped["is_closed_stage"].shift().astype("boolean")
    moved = prev_close.notna() & (prev_close != states["close_date"]) & (prev_closed == False)  # noqa: E712
    out = pd.DataFrame(
        {
            "opportunity_id": states["opportunity_id"],
            "at": states["at"],
            "old_close_date": prev_close,
            "new_close_date": states["close_date"],
        }
    ).loc[moved]
    out["days"] = (out["new_close_date"] - out["old_close_date"]).dt.days
    out["pushed"] = out["days"] > 0
    return out.reset_index(drop=True)


def slippage(changes: pd.DataFrame, deals: pd.DataFrame) -> dict:
    """How often and how far the given deals were pushed.

    Parameters
    ----------
    changes
        :func:`close_date_changes`.
    deals
        The deals to describe (e.g. those closed in a window), with ``opportunity_id``.

    Returns
    -------
    dict
        ``deals``, ``pushed_deals``, ``share_pushed``, ``pushes_per_pushed_deal``,
        ``median_push_days`` (per push) and ``median_total_push_days`` (per pushed deal).
    """
    pushes = changes.loc[
        changes["pushed"] & changes["opportunity_id"].isin(deals["opportunity_id"])
    ]
    per_deal = pushes.groupby("opportunity_id")["days"].agg(["size", "sum"])
    n = int(deals["opportunity_id"].nunique())
    return {
        "deals": n,
        "pushed_deals": int(len(per_deal)),
        "share_pushed": len(per_deal) / n if n else float("nan"),
        "pushes_per_pushed_deal": float(per_deal["size"].mean()) if len(per_deal) else 0.0,
        "median_push_days": float(pushes["days"].median()) if len(pushes) else 0.0,
        "median_total_push_days": float(per_deal["sum"].median()) if len(per_deal) else 0.0,
    }
