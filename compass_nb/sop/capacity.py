"""Rough-cut capacity and the capacity-constrained production plan.

Capacity model: a row of the ``capacity`` table gives resource *R*'s capacity for
family *F* in a month (the units of *F* it can make). A family's production passes
through every resource the table gives it (a line, then packing), so its capacity is the
smallest of them, and each unit it makes loads each of those resources. Families with no
capacity row are not capacity-managed (bought-in items): their requirement is taken as
feasible.

Constrained plan, family by family: requirements above a month's capacity are first
built ahead in the latest earlier months with spare capacity; what still does not fit
is made late, in the first later months with spare capacity (the backlog is carried),
or not at all within the horizon. Within a family and due month, the supply is
allocated to SKU × location requirements by a priority rule: ``margin`` (highest unit
margin at net price first, the default), ``revenue`` (highest net price first) or
``proportional``. No item is made in a month outside its life cycle.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from compass_nb.calendar import period_month, period_months
from compass_nb.errors import ParameterError

PRIORITY_RULES = ("margin", "revenue", "proportional")


def capacity_by_month(capacity: pd.DataFrame, months: pd.DatetimeIndex) -> pd.DataFrame:
    """Capacity of every resource × family for each plan month.

    Months the table does not cover take the latest earlier period's capacity (or, before
    the first period, the first one). Returns ``resource``, ``family``, ``month``,
    ``capacity_units``.
    """
    if capacity.empty:
        return pd.DataFrame(columns=["resource", "family", "month", "capacity_units"])
    cap = capacity.assign(month=period_months(capacity["period"]).to_numpy())
    cap = cap.groupby(["resource", "family", "month"], as_index=False)["capacity_units"].sum()
    pairs = cap[["resource", "family"]].drop_duplicates()
    grid = pairs.merge(pd.DataFrame({"month": months}), how="cross")
    both = pd.concat([cap, grid.assign(capacity_units=np.nan)]).sort_values(
        ["resource", "family", "month", "capacity_units"], na_position="last"
    )
    both = both.drop_duplicates(["resource", "family", "month"], keep="first")
    both["capacity_units"] = both.groupby(["resource", "family"])["capacity_units"].transform(
        lambda s: s.ffill().bfill()
    )
    out = grid.merge(both, on=["resource", "family", "month"], how="left")
    return out.astype({"capacity_units": float})


def apply_capacity_changes(capacity: pd.DataFrame, changes: list[dict] | None) -> pd.DataFrame:
    """Capacity (by month) after changes like ``{resource: Line-A, change: 0.15, from: 2027-01}``.

    ``change`` is a fraction (+0.15 = 15 % more); ``from``/``to`` (``YYYY-MM``, optional)
    bound the months. An unknown resource raises ``ParameterError``.
    """
    out = capacity.copy()
    for change in changes or []:
        resource = change.get("resource")
        if resource not in set(out["resource"]):
            known = ", ".join(sorted(map(str, set(out["resource"])))) or "none"
            raise ParameterError(
                f"capacity change names resource {resource!r}, which the capacity table does not "
                f"have; use one of: {known}."
            )
        mask = out["resource"] == resource
        if change.get("from"):
            mask &= out["month"] >= period_month(change["from"])
        if change.get("to"):
            mask &= out["month"] <= period_month(change["to"])
        out.loc[mask, "capacity_units"] *= 1.0 + float(change.get("change", 0.0))
    return out


def family_capacity(capacity: pd.DataFrame) -> pd.DataFrame:
    """Units each family can make per month: the smallest capacity along its resources.

    ``capacity`` is :func:`capacity_by_month`. Returns ``family``, ``month``, ``capacity``
    and ``bottleneck`` (the resource that sets it).
    """
    if capacity.empty:
        return pd.DataFrame(columns=["family", "month", "capacity", "bottleneck"])
    rows = capacity.sort_values(["family", "month", "capacity_units", "resource"])
    first = rows.groupby(["family", "month"], as_index=False).first()
    return first.rename(columns={"capacity_units": "capacity", "resource": "bottleneck"})[
        ["family", "month", "capacity", "bottleneck"]
    ]


def level_family(requirement: np.ndarray, capacity: np.ndarray) -> np.ndarray:
    """Production schedule ``X[k, m]``: units made in month ``k`` for the requirement due in ``m``.

    Backward pass: each month serves its own requirement, then the latest carried
    requirements (build ahead). Forward pass: what could not be made on time is made in
    the first later months with spare capacity. Never exceeds capacity in any month.
    """
    n = len(requirement)
    x = np.zeros((n, n))
    spare = np.asarray(capacity, dtype=float).copy()
    carry: list[list[float]] = []  # [due month, quantity], nearest due first
    for m in range(n - 1, -1, -1):
        own = min(spare[m], requirement[m])
        x[m, m] = own
        spare[m] -= own
        if requirement[m] - own > 0:
            carry.insert(0, [m, requirement[m] - own])
        for item in carry:
            if spare[m] <= 0:
                break
            if item[0] <= m:
                continue
            take = min(spare[m], item[1])
            x[m, item[0]] += take
            item[1] -= take
            spare[m] -= take
        carry = [item for item in carry if item[1] > 1e-9]
    late = sorted(carry)
    for k in range(n):
        for item in late:
            if spare[k] <= 0:
                break
            if item[0] >= k:
                continue
            take = min(spare[k], item[1])
            x[k, item[0]] += take
            item[1] -= take
            spare[k] -= take
    return x


def _priority(rows: pd.DataFrame, rule: str) -> pd.DataFrame:
    price = rows["net_price"] if "net_price" in rows else rows["unit_price"]
    if rule == "margin":
        key = -(price - rows["unit_cost"])
    elif rule == "revenue":
        key = -price
    else:
        key = pd.Series(0.0, index=rows.index)
    return rows.assign(_key=key.to_numpy()).sort_values(
        ["family", "month", "_key", "sku", "location"], kind="stable"
    )


def _allocate(requirement: np.ndarray, supply: float, rule: str) -> np.ndarray:
    """Split ``supply`` over requirements (already in priority order)."""
    if rule == "proportional":
        total = requirement.sum()
        return requirement * min(1.0, supply / total) if total > 0 else requirement * 0
    cum = np.cumsum(requirement)
    return np.clip(supply - (cum - requirement), 0.0, requirement)


def _allocate_due_month(
    skus: np.ndarray,
    need: np.ndarray,
    sources: list[tuple[int, float, bool]],
    rule: str,
    blocked: set | frozenset = frozenset(),
) -> tuple[list[tuple[int, int, float]], np.ndarray]:
    """Spread one family's supply for one due month over its SKU rows, by priority.

    ``blocked`` holds ``(sku, month index)`` pairs in which an item may not be made (outside
    its life cycle); supply from those months is not given to it. Returns the production
    as ``(row, month index, units)`` and, per row, the units made in time.
    """
    out = []
    on_time = sum(q for _, q, ontime in sources if ontime)
    late = sum(q for _, q, ontime in sources if not ontime)
    first = _allocate(need, on_time, rule)
    second = _allocate(need - first, late, rule)
    covered = np.zeros(len(need))
    for take, is_on_time in ((first, True), (second, False)):
        pool = [[k, q] for k, q, ot in sources if ot == is_on_time]
        for i, qty in enumerate(take):
            for item in pool:
                if qty <= 1e-9:
                    break
                if item[1] <= 1e-9 or (skus[i], item[0]) in blocked:
                    continue
                use = min(item[1], qty)
                out.append((i, item[0], use))
                item[1] -= use
                qty -= use
                if is_on_time:
                    covered[i] += use
    return out, covered


def constrained_production(
    requirements: pd.DataFrame,
    family_cap: pd.DataFrame,
    months: pd.DatetimeIndex,
    *,
    priority: str = "margin",
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Capacity-constrained production per SKU × location × month.

    Parameters
    ----------
    requirements
        ``family``, ``sku``, ``location``, ``month``, ``requirement``, ``net_price``,
        ``unit_cost`` and optionally ``producible`` (false: the item may not be made that
        month, outside its life cycle).
    family_cap
        ``family``, ``month``, ``capacity`` (from :func:`family_capacity`); families absent
        from it are unconstrained.
    months
        The plan months, in order.
    priority
        ``margin``, ``revenue`` or ``proportional``.

    Returns
    -------
    (production, on_time)
        ``production``: ``sku``, ``location``, ``month``, ``production`` (month made);
        ``on_time``: ``sku``, ``location``, ``month``, ``on_time`` (requirement of the
        month covered by production made in or before it).
    """
    if priority not in PRIORITY_RULES:
        raise ParameterError(
            f"supply_planning.priority must be one of {', '.join(PRIORITY_RULES)}; got {priority!r}."
        )
    months = pd.DatetimeIndex(months)
    index = {m: i for i, m in enumerate(months)}
    caps = family_cap.pivot_table(index="family", columns="month", values="capacity", aggfunc="sum")
    requirements = _priority(requirements, priority).reset_index(drop=True)
    skus = requirements["sku"].to_numpy()
    need = requirements["requirement"].to_numpy(dtype=float)
    blocked: set = set()
    if "producible" in requirements:
        closed = requirements.loc[~requirements["producible"].astype(bool), ["sku", "month"]]
        blocked = {(s, index[m]) for s, m in zip(closed["sku"], closed["month"], strict=True)}
    # Rows are kept as positions in ``requirements`` and the two frames built once at the
    # end, in the order the families and due months are planned.
    made_rows, made_in, made_units = [], [], []  # production: row, month index made, units
    planned_rows, on_time_units = [], []  # per requirement row, the units made in time
    for family, rows in requirements.groupby("family", sort=True):
        if family not in caps.index:  # unconstrained: made as required, in its month
            at = rows.index.to_numpy()
            made_rows.append(at)
            made_in.append(months.get_indexer(rows["month"]))
            made_units.append(need[at])
            planned_rows.append(at)
            on_time_units.append(need[at])
            continue
        load = rows.groupby("month")["requirement"].sum().reindex(months, fill_value=0.0).to_numpy()
        cap = caps.loc[family].reindex(months).fillna(0.0).to_numpy()
        x = level_family(load, cap)
        for due, ordered in rows.groupby("month", sort=True):
            m = index[due]
            sources = [(m, x[m, m], True)] + [(k, x[k, m], True) for k in range(m - 1, -1, -1)]
            sources += [(k, x[k, m], False) for k in range(m + 1, len(months))]
            sources = [s for s in sources if s[1] > 1e-9]
            at = ordered.index.to_numpy()
            made, on_time = _allocate_due_month(
                skus[at], need[at].copy(), sources, priority, blocked
            )
            made_rows.append(at[[i for i, _, _ in made]])
            made_in.append(np.array([k for _, k, _ in made], dtype=int))
            made_units.append(np.array([q for _, _, q in made], dtype=float))
            planned_rows.append(at)
            on_time_units.append(on_time)
    production = _rows_of(
        requirements,
        made_rows,
        month=months[np.concatenate(made_in or [np.array([], dtype=int)])],
        production=_joined(made_units),
    )
    production = production.groupby(["sku", "location", "month"], as_index=False)[
        "production"
    ].sum()
    return production, _rows_of(requirements, planned_rows, on_time=_joined(on_time_units))


def _joined(parts: list[np.ndarray]) -> np.ndarray:
    return np.concatenate(parts).astype(float) if parts else np.array([], dtype=float)


def _rows_of(requirements: pd.DataFrame, positions: list[np.ndarray], **columns) -> pd.DataFrame:
    """The ``sku``, ``location`` and ``month`` of the requirement rows at ``positions`` (in
    order, a row as often as it appears), with ``columns`` set (``month`` replaced if given)."""
    at = np.concatenate(positions).astype(int) if positions else np.array([], dtype=int)
    keys = [c for c in ("sku", "location", "month") if c not in columns]
    return requirements.iloc[at][keys].reset_index(drop=True).assign(**columns)


def rough_cut_load(
    capacity: pd.DataFrame, family_load: pd.DataFrame, column: str = "load"
) -> pd.DataFrame:
    """Load against capacity per resource × family × month.

    Parameters
    ----------
    capacity
        :func:`capacity_by_month`.
    family_load
        ``family``, ``month`` and the units in ``column``; each unit loads every resource
        the family goes through.

    Returns
    -------
    pandas.DataFrame
        ``resource``, ``family``, ``month``, ``load_units``, ``capacity_units``, ``utilisation``.
    """
    df = capacity.merge(
        family_load[["family", "month", column]], on=["family", "month"], how="left"
    )
    df["load_units"] = df[column].fillna(0.0).astype(float)
    df["utilisation"] = df["load_units"] / df["capacity_units"].where(df["capacity_units"] > 0)
    return df[["resource", "family", "month", "load_units", "capacity_units", "utilisation"]]


def resource_load(load: pd.DataFrame) -> pd.DataFrame:
    """:func:`rough_cut_load` summed per resource × month (``utilisation`` = load / capacity)."""
    cols = [c for c in ("load_units", "capacity_units", "planned_units") if c in load]
    out = load.groupby(["resource", "month"], as_index=False)[cols].sum()
    out["utilisation"] = out["load_units"] / out["capacity_units"].where(out["capacity_units"] > 0)
    if "planned_units" in out:
        out["planned_utilisation"] = out["planned_units"] / out["capacity_units"].where(
            out["capacity_units"] > 0
        )
    return out


def utilisation_grid(resource_loads: pd.DataFrame, column: str = "utilisation") -> pd.DataFrame:
    """Resources as rows, months (``YYYY-MM``) as columns, utilisation as values."""
    grid = resource_loads.pivot_table(
        index="resource", columns="month", values=column, aggfunc="sum"
    )
    grid.columns = [m.strftime("%Y-%m") for m in grid.columns]
    return grid.reset_index()
