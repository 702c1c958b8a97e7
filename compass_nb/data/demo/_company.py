"""The whole demo company: every table of the data contracts, generated and cached."""

from __future__ import annotations

from functools import lru_cache

import pandas as pd

from . import _activities, _contests, _crm, _people, _supply
from ._cache import cached
from ._demand import Demand, build_demand
from ._profile import profile_named

TABLES = (
    "orders",
    "products",
    "inventory",
    "capacity",
    "receipts",
    "overrides",
    "budget",
    "opportunities",
    "opportunity_history",
    "reps",
    "quotas",
    "credit_splits",
    "activities",
    "org_units",
    "survey_questions",
    "survey_responses",
    "survey_invites",
)


def generate(profile: str = "full") -> dict[str, pd.DataFrame]:
    """Every table of the data contracts for the seeded demo company.

    Deterministic: the same profile gives the same tables on every call and machine,
    with history running to 2026-11-15 whatever today's date. The first call per
    profile builds the company (about a second for ``"small"``, a few for ``"full"``) or
    reads it from the user's cache folder, where an earlier process left it (see
    :mod:`._cache`); later calls return fresh copies, so callers may modify them.

    Parameters
    ----------
    profile
        ``"full"`` (~200 SKUs in 8 families, ~4,000 opportunities, ~60 sellers, ~300
        employees) or ``"small"`` (the tests' profile: ~30 SKUs in 4 families, ~600
        opportunities, ~20 sellers, ~80 employees; same shapes and span).

    Returns
    -------
    dict of str to pandas.DataFrame
        One frame per table name in ``TABLES``, with the contract's columns: dates as
        ``datetime64[ns]``, periods as ``YYYY-MM`` strings.

    Raises
    ------
    compass_nb.errors.ParameterError
        If the profile is unknown.

    Examples
    --------
    >>> tables = generate("small")
    >>> tables["orders"]["order_date"].max()
    Timestamp('2026-11-15 00:00:00')
    """
    return {name: frame.copy() for name, frame in _company(profile).items()}


@lru_cache(maxsize=2)
def _company(profile_name: str) -> dict[str, pd.DataFrame]:
    profile_named(profile_name)  # an unknown name is refused before the cache is looked at
    return cached(profile_name, build)


def build(profile_name: str) -> dict[str, pd.DataFrame]:
    """The demo company of ``profile_name`` built from its seeds (what the cache keeps)."""
    profile = profile_named(profile_name)
    demand = _demand(profile_name)
    staff = _crm.reps(profile)
    deals, history = _crm.opportunities(profile, staff)
    deals = _crm.opportunity_table(deals)
    splits = _crm.credit_splits(profile, staff, deals)
    quotas = _crm.quotas(profile, staff, deals, splits)
    activities = _activities.activities(profile, staff, deals)
    # the past contests' effect, after the tables drawn from the deals (they stay unchanged)
    deals, history = _contests.inject(profile, staff, deals, history)
    # the SDR team is not in the pulse surveys yet (adding them redraws every answer)
    people = _people.employees(profile, staff.loc[staff["role"] != _crm.SDR])
    calendar = _people.survey_calendar(profile)
    tables = {
        "orders": demand.orders,
        "products": demand.products,
        "inventory": _supply.inventory(demand, profile),
        "capacity": _supply.capacity(demand, profile),
        "receipts": _supply.receipts(demand, profile),
        "overrides": _supply.overrides(demand, profile),
        "budget": _supply.budget(demand),
        "opportunities": deals,
        "opportunity_history": history,
        "reps": _crm.rep_table(staff),
        "quotas": quotas,
        "credit_splits": splits,
        "activities": activities,
        "org_units": _people.org_units(profile),
        "survey_questions": _people.survey_questions(calendar),
        "survey_responses": _people.survey_responses(profile, people, calendar),
        "survey_invites": _people.survey_invites(people, calendar),
    }
    assert set(tables) == set(TABLES)
    return {name: tables[name] for name in TABLES}


@lru_cache(maxsize=2)
def _demand(profile_name: str) -> Demand:
    return build_demand(profile_named(profile_name))


def level_shifts(profile: str = "full") -> pd.DataFrame:
    """The SKUs whose demand level shifts: ground truth for tests and benchmarks.

    Returns ``sku``, ``factor`` (1.4 or 0.6: demand from ``start`` on is that multiple of
    what it would have been) and ``start`` (2026-03-01).
    """
    return _demand(profile).shifts.copy()


def promotions(profile: str = "full") -> pd.DataFrame:
    """The promotion calendar behind the orders (``sku``, ``start``, ``end``, ``uplift``), past and planned."""
    return _demand(profile).promotions.copy()
