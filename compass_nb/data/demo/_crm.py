"""The sales organisation: reps, quotas, CRM opportunities with their history, credit splits.

Opportunities are simulated one by one as a timeline of events (stage changes, close
dates pushed, amounts revised, the close itself); the history table is that timeline
up to the end of the data, and the opportunity row is the state at the end of it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from compass_nb.calendar import to_datetime

from ._profile import END, PLAN_IDS, STAGES, START, Profile, stream

VP_ID = "R-0001"
FIRST = (
    "Aisha Ben Carla Dmitri Elena Farid Grace Hiro Ines Jonas Kemi Luca Maya Nils Olga "
    "Pavel Quinn Rosa Sami Tara Umar Vera Wei Ximena Yusuf Zoe Amara Bruno Chloé Diego"
).split()
LAST = (
    "Abbott Brennan Costa Dubois Eriksen Fontaine Gupta Haddad Ivanova Jensen Kowalski "
    "Lindqvist Mensah Nakamura O'Neill Petrov Quintero Rossi Schmidt Tanaka Usman Varga "
    "Walsh Yilmaz Zhou"
).split()
ACCOUNT_WORDS = (
    "Northwind Bluebird Harbor Summit Cedar Pioneer Atlas Meridian Redwood Lakeside "
    "Granite Silverline Beacon Juniper Evergreen Falcon"
).split()
ACCOUNT_KINDS = ("Retail", "Stores", "Supply", "Home & Garden", "Outfitters", "Trading", "Group")
SEGMENT_AMOUNT = {"SMB": 40_000, "Mid-Market": 140_000, "Enterprise": 450_000}
SEGMENT_CYCLE_DAYS = {"SMB": 40, "Mid-Market": 85, "Enterprise": 160}
TYPE_AMOUNT = {"new": 1.0, "renewal": 0.8, "expansion": 0.5}
WIN_RATE = {"new": 0.27, "renewal": 0.8, "expansion": 0.45}
QUOTA_SEASON = np.array([7, 7, 9, 8, 8, 9, 7, 7, 9, 9, 9, 11]) / 100  # Q4 heavier
QUOTA_STRETCH = 1.1
QUOTA_UNTIL = pd.Period("2026-12", "M")


def reps(profile: Profile) -> pd.DataFrame:
    """Sellers: a head of sales, a manager per team, AEs / AMs / SEs, leavers and 2026 hires,
    and the SDR team (sales development reps paid per qualified meeting, reporting to the
    head of sales; drawn from their own random stream, after everyone else, so that adding
    them changed no other seller).

    Besides the ``reps`` columns, ``skill`` (0.8–1.2) scales the seller's win rate (for an
    SDR, their meeting rate).
    """
    rng = stream(profile, "reps")
    rows = [_rep(rng, "Sales", "Global", "Manager", pd.Timestamp("2015-03-02"), head=True)]
    for team, region, role, seats in profile.sales_teams:
        if role == SDR:
            continue
        rows.append(_rep(rng, team, region, "Manager", _day(rng, "2014-01-01", "2020-12-31")))
        rows += [
            _rep(rng, team, region, role, _day(rng, "2016-01-01", "2023-12-31"))
            for _ in range(seats)
        ]
    frame = _leavers_and_hires(pd.DataFrame(rows), profile, rng)
    frame.insert(0, "rep_id", [f"R-{i + 1:04d}" for i in range(len(frame))])
    frame["manager_id"] = _manager_ids(frame)
    frame["plan_id"] = frame["role"].map(PLAN_IDS)
    frame["skill"] = rng.uniform(0.8, 1.2, len(frame))
    return pd.concat([frame, _sdr_team(profile, len(frame))], ignore_index=True)


SDR = "SDR"


def _sdr_team(profile: Profile, first: int) -> pd.DataFrame:
    """The SDR team: all but one hired in 2023–2024, one in April 2026 (still ramping)."""
    rng = stream(profile, "sdr")
    rows = []
    for team, region, role, seats in profile.sales_teams:
        if role != SDR:
            continue
        hires = [_day(rng, "2023-01-09", "2024-12-16") for _ in range(seats - 1)]
        hires.append(_day(rng, "2026-04-01", "2026-04-30"))
        rows += [_rep(rng, team, region, role, hire) for hire in hires]
    frame = pd.DataFrame(rows)
    frame.insert(0, "rep_id", [f"R-{first + i + 1:04d}" for i in range(len(frame))])
    frame["manager_id"] = VP_ID
    frame["plan_id"] = frame["role"].map(PLAN_IDS)
    frame["skill"] = rng.uniform(0.8, 1.2, len(frame))
    return frame


PAY = {  # role: (base salary range, variable share of OTE)
    "AE": ((75_000, 95_000), 0.5),
    "AM": ((68_000, 85_000), 0.3),
    "SE": ((95_000, 120_000), 0.2),
    "SDR": ((48_000, 58_000), 0.3),
    "Manager": ((125_000, 155_000), 0.35),
}


def _rep(rng, team, region, role, hire, head=False) -> dict:
    """One seller's row: a drawn name, base salary rounded to 500, OTE from the role's pay mix."""
    base_range, variable_share = PAY[role]
    base = 185_000.0 if head else round(rng.uniform(*base_range) / 500) * 500
    return {
        "name": f"{FIRST[rng.integers(len(FIRST))]} {LAST[rng.integers(len(LAST))]}",
        "team": team,
        "region": region,
        "role": role,
        "hire_date": hire,
        "termination_date": pd.NaT,
        "base_salary": float(base),
        "ote": float(round(base / (1 - variable_share) / 500) * 500),
    }


def _day(rng: np.random.Generator, first: str, last: str) -> pd.Timestamp:
    lo, hi = pd.Timestamp(first), pd.Timestamp(last)
    return lo + pd.Timedelta(days=int(rng.integers(0, (hi - lo).days + 1)))


def _leavers_and_hires(
    frame: pd.DataFrame, profile: Profile, rng: np.random.Generator
) -> pd.DataFrame:
    """A few sellers leave (and are replaced); a few join in 2026 and ramp up."""
    sellers = frame.index[frame["role"].isin(["AE", "AM"])]
    leavers = rng.choice(sellers, size=profile.n_terminated, replace=False)
    extra = []
    for i in sorted(leavers):
        left = _day(rng, "2024-03-01", "2026-06-30")
        frame.loc[i, "termination_date"] = left
        hire = left + pd.Timedelta(days=int(rng.integers(30, 90)))
        extra.append(
            _rep(rng, frame.at[i, "team"], frame.at[i, "region"], frame.at[i, "role"], hire)
        )
    ae_teams = [t for t, _, role, _ in profile.sales_teams if role == "AE"]
    for k in range(profile.n_hires_2026):
        team = ae_teams[k % len(ae_teams)]
        region = frame.loc[frame["team"] == team, "region"].iloc[0]
        extra.append(_rep(rng, team, region, "AE", _day(rng, "2026-01-05", "2026-07-31")))
    return pd.concat([frame, pd.DataFrame(extra)], ignore_index=True)


def _manager_ids(frame: pd.DataFrame) -> pd.Series:
    managers = frame.loc[(frame["role"] == "Manager") & (frame["team"] != "Sales")]
    by_team = dict(zip(managers["team"], managers["rep_id"], strict=True))
    ids = frame["team"].map(by_team).where(frame["role"] != "Manager", VP_ID)
    return ids.where(frame["rep_id"] != VP_ID, None)


def rep_table(staff: pd.DataFrame) -> pd.DataFrame:
    """The ``reps`` contract's columns."""
    columns = [
        "rep_id",
        "name",
        "team",
        "manager_id",
        "region",
        "role",
        "hire_date",
        "termination_date",
        "base_salary",
        "ote",
        "plan_id",
    ]
    frame = staff.loc[:, columns].copy()
    frame["hire_date"] = to_datetime(frame["hire_date"])
    frame["termination_date"] = to_datetime(frame["termination_date"])
    return frame


def opportunities(profile: Profile, staff: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The ``opportunities`` table (state at END) and ``opportunity_history`` (every change).

    Random draws are made up front (``_deal_draws``), so that the per-deal loop is plain
    integer arithmetic on day numbers.
    """
    rng = stream(profile, "opportunities")
    draws, uniforms = _deal_draws(profile, staff, rng)
    end = _day_number(END)
    finals, history = [], []
    for i, deal in enumerate(draws.itertuples()):
        u = uniforms[i]
        path = _stage_path(deal.type, deal.won, u)
        events = _timeline(deal.created, deal.close, path, deal.amount, u, deal.planned)
        state, rows = _replay(i, events, deal.amount, end)
        if state["stage"] < 5 and state["close_date"] <= end:
            rows.append(_slip(i, state, end, u))
        history += rows
        finals.append((state["stage"], state["amount"], state["close_date"], path[-2]))
    stage, amount, close, reached = (np.array(c) for c in zip(*finals, strict=True))
    owner = _owners_at_end(staff, draws["owner"].to_numpy(), np.minimum(close, end), rng)
    frame = pd.DataFrame(
        {
            "opportunity_id": draws["opportunity_id"],
            "account": _account_names(draws["segment"].to_numpy(), uniforms[:, 17], rng),
            "owner_id": staff["rep_id"].to_numpy()[owner],
            "created_date": _dates(draws["created"]),
            "close_date": _dates(close),
            "stage": np.array(STAGES)[stage],
            "amount": amount.astype(float),
            "type": draws["type"],
            "segment": draws["segment"],
            "forecast_category": _forecast_categories(stage, uniforms[:, 16]),
            "product_family": rng.choice(np.array(profile.families), size=len(draws)),
            "is_closed": stage >= 5,
            "is_won": stage == 5,
            "cancelled_date": _dates(
                _cancellations(draws["type"].to_numpy(), stage, close, uniforms[:, 15], end)
            ),
        }
    )
    frame["loss_reason"] = _loss_reasons(profile, stage, reached, draws["segment"].to_numpy())
    return frame, _history_frame(history, draws["opportunity_id"].to_numpy())


LOSS_REASONS = ("No decision", "Timing", "Budget", "Price", "Competitor", "Product fit")
#: Weights of each reason for a deal lost at an early (Prospecting–Discovery) or a late stage.
LOSS_WEIGHTS = {
    "early": np.array([0.34, 0.22, 0.16, 0.08, 0.08, 0.12]),
    "late": np.array([0.12, 0.10, 0.10, 0.30, 0.30, 0.08]),
}


def _loss_reasons(
    profile: Profile, stage: np.ndarray, reached: np.ndarray, segment: np.ndarray
) -> np.ndarray:
    """Why each lost deal was lost: early losses mostly stall (no decision, timing), late
    ones go to price and competitors; SMB deals lean to price, Enterprise to no decision.
    Drawn from their own stream, so the other columns do not change."""
    rng = stream(profile, "loss_reasons")
    u = rng.random(len(stage))
    out = np.full(len(stage), None, dtype=object)
    for k in np.flatnonzero(stage == 6):
        weights = LOSS_WEIGHTS["late" if reached[k] >= 3 else "early"].copy()
        weights[3] *= 1.5 if segment[k] == "SMB" else 1.0
        weights[0] *= 1.5 if segment[k] == "Enterprise" else 1.0
        cumulative = np.cumsum(weights / weights.sum())
        out[k] = LOSS_REASONS[min(int(np.searchsorted(cumulative, u[k])), len(LOSS_REASONS) - 1)]
    return out


def _deal_draws(
    profile: Profile, staff: pd.DataFrame, rng: np.random.Generator
) -> tuple[pd.DataFrame, np.ndarray]:
    """Type, owner, segment, amount, creation and close day and outcome of every deal.

    Also returns one row of 18 uniforms per deal for the decisions made along its timeline.
    """
    n = profile.n_opportunities
    created = _creation_days(n, rng)
    kind = rng.choice(np.array(["new", "renewal", "expansion"]), size=n, p=[0.55, 0.25, 0.20])
    owner = _owners(staff, np.where(kind == "new", "AE", "AM"), created, rng)
    segment = _segments(staff["team"].to_numpy()[owner], staff["role"].to_numpy()[owner], rng)
    base = _lookup(SEGMENT_AMOUNT, segment) * _lookup(TYPE_AMOUNT, kind)
    amount = np.maximum(np.round(base * rng.lognormal(0, 0.5, n) / 100) * 100, 500.0)
    cycle = _lookup(SEGMENT_CYCLE_DAYS, segment) * np.where(kind == "renewal", 0.6, 1.0)
    cycle = cycle * rng.lognormal(0, 0.35, n)
    chance = np.minimum(_lookup(WIN_RATE, kind) * staff["skill"].to_numpy()[owner], 0.95)
    won = rng.random(n) < chance
    cycle = np.where(won, cycle, cycle * rng.uniform(0.3, 1.0, n))
    planned = created + np.maximum(cycle.astype(np.int64), 3)
    close = _quarter_end_push(created, planned, won, rng)
    draws = pd.DataFrame(
        {
            "opportunity_id": [f"OPP-{k + 1:05d}" for k in range(n)],
            "created": created,
            "close": close,
            "planned": np.where(close != planned, planned, -1),
            "type": kind,
            "owner": owner,
            "segment": segment,
            "amount": amount,
            "won": won,
        }
    )
    return draws, rng.random((n, 18))


def _lookup(table: dict, keys: np.ndarray) -> np.ndarray:
    return np.array([table[k] for k in keys], dtype=float)


def _quarter_end_push(
    created: np.ndarray, close: np.ndarray, won: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Sellers pull wins forward: 40 % of those due in a quarter's first two weeks sign in the last days of the one before."""
    quarter_start = _dates(close).to_period("Q").start_time
    days_in = close - _day_numbers(quarter_start)
    signed = _day_numbers(quarter_start) - 1 - rng.integers(0, 3, len(close))
    pulled = won & (days_in < 14) & (rng.random(len(close)) < 0.4) & (signed >= created + 3)
    return np.where(pulled, signed, close)


def _day_numbers(days: pd.DatetimeIndex) -> np.ndarray:
    return days.to_numpy().astype("datetime64[D]").astype(np.int64)


def _history_frame(history: list[tuple], ids: np.ndarray) -> pd.DataFrame:
    """History rows (deal index, day numbers, stage index) as the contract's table."""
    frame = pd.DataFrame(
        history, columns=["opportunity_id", "changed_at", "stage", "amount", "close_date"]
    )
    frame["opportunity_id"] = ids[frame["opportunity_id"].to_numpy()]
    frame["changed_at"] = _dates(frame["changed_at"].to_numpy())
    frame["stage"] = np.array(STAGES)[frame["stage"].to_numpy()]
    frame["amount"] = frame["amount"].astype(float)
    frame["close_date"] = _dates(frame["close_date"].to_numpy())
    frame = frame.sort_values(["opportunity_id", "changed_at"], kind="stable")
    return frame.reset_index(drop=True)


def _day_number(day: pd.Timestamp) -> int:
    return int((day - pd.Timestamp("1970-01-01")).days)


def _dates(days: np.ndarray) -> pd.DatetimeIndex:
    """Day numbers (days since 1970-01-01, -1 for none) as dates."""
    days = np.asarray(days, dtype=np.int64)
    out = days.astype("datetime64[D]").astype("datetime64[ns]")
    return pd.DatetimeIndex(np.where(days < 0, np.datetime64("NaT"), out))


def _creation_days(n: int, rng: np.random.Generator) -> np.ndarray:
    """Creation day numbers on business days, growing 8 % a year, quieter in August and December."""
    days = pd.bdate_range(START, END)
    years = (days - START).days.to_numpy() / 365.25
    month = np.array([0.9, 1.0, 1.1, 1.0, 1.0, 1.05, 0.9, 0.8, 1.1, 1.1, 1.05, 0.7])
    weight = 1.08**years * month[days.month.to_numpy() - 1]
    picked = np.sort(rng.choice(len(days), size=n, p=weight / weight.sum()))
    return (days[picked] - pd.Timestamp("1970-01-01")).days.to_numpy().astype(np.int64)


def _owners(
    staff: pd.DataFrame, role: np.ndarray, created: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Per deal, a seller of the role employed on its creation day; new hires get fewer while they ramp."""
    hired = _staff_days(staff["hire_date"])
    left = _staff_days(staff["termination_date"], missing=10**6)
    tenure = (created[:, None] - hired[None, :]) / 30.4
    weight = np.clip(tenure / 4, 0.15, 1.0) * (tenure >= 0) * (created[:, None] <= left[None, :])
    weight = weight * (role[:, None] == staff["role"].to_numpy()[None, :])
    cumulative = np.cumsum(weight, axis=1)
    draw = rng.random(len(created))[:, None] * cumulative[:, -1:]
    return (cumulative <= draw).sum(axis=1)


def _staff_days(column: pd.Series, missing: int = -1) -> np.ndarray:
    days = (to_datetime(column) - pd.Timestamp("1970-01-01")).dt.days
    return days.fillna(missing).to_numpy().astype(np.int64)


def _segments(team: np.ndarray, role: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Enterprise and Mid-Market teams sell their segment; others mostly SMB, AMs a mix."""
    u = rng.random(len(team))
    am = role == "AM"
    mixed = np.where(
        u < np.where(am, 0.45, 0.65),
        "SMB",
        np.where(u < np.where(am, 0.80, 0.95), "Mid-Market", "Enterprise"),
    )
    return np.where(np.isin(team, ["Enterprise", "Mid-Market"]), team, mixed).astype(object)


def _stage_path(kind: str, won: bool, u: np.ndarray) -> list[int]:
    """Stages (indices into STAGES) a deal passes through: renewals start later and often skip discovery."""
    path = [0, 1, 2, 3, 4] if kind == "new" else [1, 2, 3, 4]
    if kind != "new" and u[0] < 0.5:
        path.remove(2)
    elif kind == "new" and u[0] < 0.1:
        path.pop(1 + int(u[1] * 3))
    if not won:
        reach = np.arange(len(path), 0, -1, dtype=float)
        path = path[: 1 + int(np.searchsorted(np.cumsum(reach / reach.sum()), u[2]))]
    return path + [5 if won else 6]


def _timeline(
    created: int, close: int, path: list[int], amount: float, u: np.ndarray, planned: int = -1
) -> list[tuple]:
    """(day, field, value) events from creation to close; a third of deals slip 1–3 times.

    A win pulled forward to a quarter end (``planned`` ≥ 0: the day it was due, in the next
    quarter) keeps that close date until a few days before it signs, when the seller pulls
    it into the quarter.
    """
    span = close - created
    cuts = np.sort(0.02 + 0.96 * u[3 : 3 + len(path) - 2])
    events = [(created, 0, path[0])]
    events += [
        (created + int(c * span), 0, stage) for c, stage in zip(cuts, path[1:-1], strict=True)
    ]
    if planned >= 0:
        events.append((created, 1, planned))
        events.append((max(close - 2 - int(u[8] * 8), created), 1, close))
    elif u[7] < (0.5 if span > 60 else 0.3):
        planned = created + int(span * (0.45 + 0.35 * u[8]))
        events.append((created, 1, planned))
        pushes = 1 + int(u[9] * 3)
        for k in range(pushes):
            at = max(planned - 2, created)
            planned = planned + (close - planned) // (pushes - k)
            events.append((at, 1, planned))
    else:
        events.append((created, 1, close))
    if u[10] < 0.25:
        new_amount = max(round(amount * (0.75 + 0.5 * u[12]) / 100) * 100, 500.0)
        events.append((created + int((0.2 + 0.7 * u[11]) * span), 2, new_amount))
    events += [(close, 0, path[-1]), (close, 1, close)]
    return sorted(events, key=lambda e: (e[0], e[1]))


FIELDS = ("stage", "close_date", "amount")


def _replay(i: int, events: list[tuple], amount: float, end: int) -> tuple[dict, list[tuple]]:
    """State at ``end`` and one history row per day something changed, up to ``end``."""
    state = {"stage": None, "amount": float(amount), "close_date": None}
    rows: dict[int, tuple] = {}
    for day, field, value in events:
        if day > end:
            break
        state[FIELDS[field]] = value
        rows[day] = (i, day, state["stage"], state["amount"], state["close_date"])
    return state, list(rows.values())


def _slip(i: int, state: dict, end: int, u: np.ndarray) -> tuple:
    """An open deal whose close date has passed is pushed into the future."""
    at = min(state["close_date"] + 1 + int(u[13] * 5), end)
    state["close_date"] = end + 7 + int(u[14] * 83)
    return (i, at, state["stage"], state["amount"], state["close_date"])


def _owners_at_end(
    staff: pd.DataFrame, owner: np.ndarray, day: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """A deal whose owner left passes to an active teammate of the same role."""
    left = _staff_days(staff["termination_date"], missing=10**6)
    hired = _staff_days(staff["hire_date"])
    role, team = staff["role"].to_numpy(), staff["team"].to_numpy()
    owner = owner.copy()
    for i in np.flatnonzero(left[owner] < day):
        active = (hired <= day[i]) & (left >= day[i]) & (role == role[owner[i]])
        pool = np.flatnonzero(active & (team == team[owner[i]]))
        pool = pool if len(pool) else np.flatnonzero(active)
        owner[i] = pool[rng.integers(len(pool))]
    return owner


def _accounts(rng: np.random.Generator, n: int) -> dict[str, list[str]]:
    """Account names per segment (a few with '&' in them)."""
    names = {f"{rng.choice(ACCOUNT_WORDS)} {rng.choice(ACCOUNT_KINDS)}" for _ in range(n)}
    names |= {f"{a} {b}" for a in ACCOUNT_WORDS[:3] for b in ("& Sons", "Co.")}
    names = [str(name) for name in rng.permutation(sorted(names))]
    cut = len(names) // 6, len(names) // 2
    return {
        "Enterprise": names[: cut[0]],
        "Mid-Market": names[cut[0] : cut[1]],
        "SMB": names[cut[1] :],
    }


def _account_names(segment: np.ndarray, u: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    accounts = _accounts(rng, 400)
    out = np.empty(len(segment), dtype=object)
    for name, pool in accounts.items():
        rows = segment == name
        out[rows] = np.array(pool, dtype=object)[(u[rows] * len(pool)).astype(int)]
    return out


def _forecast_categories(stage: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Forecast category implied by the stage (a minority of late deals held one notch lower)."""
    table = np.array(
        ["Pipeline", "Pipeline", "Pipeline", "Best Case", "Commit", "Closed", "Omitted"],
        dtype=object,
    )
    out = table[stage]
    out[(stage == 3) & (u >= 0.85)] = "Pipeline"
    out[(stage == 4) & (u >= 0.8)] = "Best Case"
    return out


def _cancellations(
    kind: np.ndarray, stage: np.ndarray, close: np.ndarray, u: np.ndarray, end: int
) -> np.ndarray:
    """About 4 % of won new and expansion deals are cancelled 10–90 days after closing."""
    day = close + 10 + (u * 2000).astype(np.int64) % 80
    cancelled = (stage == 5) & (kind != "renewal") & (u < 0.04) & (day <= end)
    return np.where(cancelled, day, -1)


def credit_splits(profile: Profile, staff: pd.DataFrame, deals: pd.DataFrame) -> pd.DataFrame:
    """Splits for ~15 % of won deals: 60/40 between two AEs, or an SE overlay at 100 %.

    The second seller is employed on the close date: an AE of the owner's team for a
    split, any SE for an overlay.
    """
    rng = stream(profile, "credit_splits")
    won = deals.loc[deals["is_won"]]
    picked = won.loc[rng.random(len(won)) < 0.15]
    rep_ids, role, team = (staff[c].to_numpy() for c in ("rep_id", "role", "team"))
    hired = _staff_days(staff["hire_date"])
    left = _staff_days(staff["termination_date"], missing=10**6)
    index = {rep: k for k, rep in enumerate(rep_ids)}
    rows = []
    for deal, owner_id, closed in zip(
        picked["opportunity_id"], picked["owner_id"], picked["close_date"], strict=True
    ):
        day = _day_number(closed)
        owner = index[owner_id]
        active = (hired <= day) & (left >= day)
        peers = np.flatnonzero(
            active & (team == team[owner]) & (role == "AE") & (rep_ids != owner_id)
        )
        engineers = np.flatnonzero(active & (role == "SE"))
        if role[owner] == "AE" and len(peers) and (rng.random() < 0.55 or not len(engineers)):
            other = rep_ids[peers[rng.integers(len(peers))]]
            rows += [(deal, owner_id, 60.0), (deal, other, 40.0)]
        elif len(engineers):
            se = rep_ids[engineers[rng.integers(len(engineers))]]
            rows += [(deal, owner_id, 100.0), (deal, se, 100.0)]
    return pd.DataFrame(rows, columns=["opportunity_id", "rep_id", "split_pct"])


def quotas(
    profile: Profile, staff: pd.DataFrame, deals: pd.DataFrame, splits: pd.DataFrame
) -> pd.DataFrame:
    """Monthly quota per seller, 2022-01 to 2026-12, heavier in Q4, ramped for new hires
    (SDRs carry none: they are paid per qualified meeting, not on bookings).

    A seller's quota is 10 % above what an average fully ramped seller of the same team
    was credited in the year (2026 extrapolated from 2025 at +8 %), times a personal factor;
    a manager's quota is the sum of the team's, the head of sales' the sum of the managers'.
    """
    rng = stream(profile, "quotas")
    months = pd.period_range(START, QUOTA_UNTIL, freq="M")
    seats = _seat_months(staff.loc[staff["role"] != SDR], months)
    credit = _credited(deals, splits).merge(staff[["rep_id", "team"]], on="rep_id")
    per_year = credit.groupby(["team", "year"])["credit"].sum()
    capacity = seats.loc[seats["role"] != "Manager"].groupby(["team", "year"])["ramp"].sum()
    monthly = (per_year / capacity).unstack("year").reindex(columns=sorted(seats["year"].unique()))
    monthly[2026] = monthly[2025] * 1.08
    seats["personal"] = rng.uniform(0.9, 1.1, len(seats))
    target = monthly.stack().rename("target").reset_index()
    seats = seats.merge(target, on=["team", "year"], how="left")
    seats["quota"] = (
        seats["target"]
        * 12
        * QUOTA_SEASON[seats["month"].dt.month - 1]
        * QUOTA_STRETCH
        * seats["personal"]
        * seats["ramp"]
    ).fillna(0.0)
    sellers = seats.loc[seats["role"] != "Manager", ["rep_id", "month", "quota", "team"]]
    team_sum = sellers.groupby(["team", "month"])["quota"].sum()
    managers = seats.loc[seats["role"] == "Manager", ["rep_id", "month", "team"]].copy()
    managers["quota"] = [
        team_sum.get((t, m), 0.0) for t, m in zip(managers["team"], managers["month"], strict=True)
    ]
    head = managers["team"] == "Sales"
    managers.loc[head, "quota"] = managers.loc[head, "month"].map(
        managers.loc[~head].groupby("month")["quota"].sum()
    )
    frame = pd.concat([sellers, managers], ignore_index=True)
    frame["quota"] = (frame["quota"] / 100).round() * 100
    frame["period"] = frame["month"].dt.strftime("%Y-%m")
    return (
        frame.loc[:, ["rep_id", "period", "quota"]]
        .sort_values(["period", "rep_id"])
        .reset_index(drop=True)
    )


def _seat_months(staff: pd.DataFrame, months: pd.PeriodIndex) -> pd.DataFrame:
    """One row per rep and month employed, with the ramp factor (25/50/75/100 %)."""
    rows = []
    for rep in staff.itertuples():
        first = max(rep.hire_date.to_period("M"), months[0])
        last = (
            months[-1]
            if pd.isna(rep.termination_date)
            else min(rep.termination_date.to_period("M"), months[-1])
        )
        for month in pd.period_range(first, last, freq="M") if first <= last else []:
            tenure = (month - rep.hire_date.to_period("M")).n
            rows.append(
                (rep.rep_id, rep.role, rep.team, month, month.year, min(0.25 * (tenure + 1), 1.0))
            )
    return pd.DataFrame(rows, columns=["rep_id", "role", "team", "month", "year", "ramp"])


def _credited(deals: pd.DataFrame, splits: pd.DataFrame) -> pd.DataFrame:
    won = deals.loc[deals["is_won"], ["opportunity_id", "owner_id", "close_date", "amount"]]
    split = won.merge(splits, on="opportunity_id")
    whole = won.loc[~won["opportunity_id"].isin(splits["opportunity_id"])].assign(split_pct=100.0)
    whole = whole.rename(columns={"owner_id": "rep_id"})
    out = pd.concat([split.drop(columns="owner_id"), whole], ignore_index=True)
    return out.assign(credit=out["amount"] * out["split_pct"] / 100, year=out["close_date"].dt.year)


def opportunity_table(deals: pd.DataFrame) -> pd.DataFrame:
    """The ``opportunities`` contract's columns with their types."""
    frame = deals.copy()
    for column in ("created_date", "close_date", "cancelled_date"):
        frame[column] = to_datetime(frame[column])
    return frame.astype({"is_closed": bool, "is_won": bool, "amount": float})
