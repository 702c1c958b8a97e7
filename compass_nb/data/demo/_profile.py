"""The demo company's calendar, profiles and random streams."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from compass_nb.errors import ParameterError

#: Changes whenever the generated data changes (part of the demo's input fingerprint).
GENERATOR_VERSION = "2026.12.1"
SEED = 20261115
START = pd.Timestamp("2022-01-01")
END = pd.Timestamp("2026-11-15")  # last day of history, whatever today's date
HORIZON_END = pd.Timestamp("2028-06-30")  # last month of forward-looking tables
SHIFT_DATE = pd.Timestamp("2026-03-01")  # level shifts of some SKUs start here

LOCATIONS = ("DC-North", "DC-South", "DC-West")
FAMILIES = ("Outdoor", "Kitchen", "Garden", "Lighting", "Storage", "Tools", "Textiles", "Office")
STAGES = (
    "Prospecting",
    "Qualification",
    "Discovery",
    "Proposal",
    "Negotiation",
    "Closed Won",
    "Closed Lost",
)
OPEN_STAGES = STAGES[:5]
FORECAST_CATEGORIES = ("Pipeline", "Best Case", "Commit", "Closed", "Omitted")
OPPORTUNITY_TYPES = ("new", "renewal", "expansion")
SEGMENTS = ("SMB", "Mid-Market", "Enterprise")
ROLES = ("AE", "AM", "SE", "SDR", "Manager")
PLAN_IDS = {"AE": "ae", "AM": "am", "SE": "se_overlay", "SDR": "sdr", "Manager": "mgr"}


@dataclass(frozen=True)
class Profile:
    """Sizes of one demo profile; the shapes are the same in every profile."""

    name: str
    families: tuple[str, ...]
    n_skus: int
    rate_scale: float
    n_shifted: int
    n_opportunities: int
    sales_teams: tuple[
        tuple[str, str, str, int], ...
    ]  # (team, region, role, seats); an SDR team has no manager of its own
    departments: tuple[tuple[str, tuple[tuple[str, int], ...]], ...]  # (dept, ((team, size), ...))
    declining_team: str
    n_hires_2026: int
    n_terminated: int


FULL = Profile(
    name="full",
    families=FAMILIES,
    n_skus=200,
    rate_scale=1.0,
    n_shifted=10,
    n_opportunities=4000,
    sales_teams=(
        ("New Business North", "North", "AE", 7),
        ("New Business South", "South", "AE", 6),
        ("New Business West", "West", "AE", 6),
        ("Mid-Market", "National", "AE", 6),
        ("Enterprise", "National", "AE", 5),
        ("Account Management North", "North", "AM", 6),
        ("Account Management South", "South", "AM", 6),
        ("Solutions Engineering", "National", "SE", 5),
        (
            "Sales Development",
            "National",
            "SDR",
            6,
        ),  # paid per qualified meeting; report to the head of sales
    ),
    departments=(
        ("Leadership", ()),
        (
            "Operations",
            (
                ("Planning", 7),
                ("Procurement", 4),
                ("Warehouse North", 42),
                ("Warehouse South", 34),
                ("Warehouse West", 24),
            ),
        ),
        ("Marketing", (("Brand", 3), ("Demand Generation", 9))),
        ("Finance", (("FP&A", 4), ("Accounting", 9))),
        ("Engineering", (("Platform", 16), ("Data", 7), ("Product", 10))),
        ("Customer Success", (("Support", 28), ("Onboarding", 8))),
        ("People", (("HR", 4),)),
    ),
    declining_team="Warehouse South",
    n_hires_2026=4,
    n_terminated=3,
)

SMALL = Profile(
    name="small",
    families=FAMILIES[:4],
    n_skus=30,
    rate_scale=0.25,
    n_shifted=3,
    n_opportunities=600,
    sales_teams=(
        ("New Business", "National", "AE", 7),
        ("Account Management", "National", "AM", 5),
        ("Solutions Engineering", "National", "SE", 3),
        ("Sales Development", "National", "SDR", 5),
    ),
    departments=(
        ("Leadership", ()),
        ("Operations", (("Planning", 5), ("Warehouse", 16))),
        ("Finance", (("FP&A", 3), ("Accounting", 6))),
        ("Engineering", (("Platform", 10), ("Data", 4))),
        ("People", (("HR", 3),)),
        ("Marketing", (("Brand", 8),)),
    ),
    declining_team="Warehouse",
    n_hires_2026=1,
    n_terminated=1,
)

PROFILES = {"full": FULL, "small": SMALL}
LEADERSHIP_SIZE = 5


def profile_named(name: str) -> Profile:
    """The profile called ``name`` (``"full"`` or ``"small"``)."""
    try:
        return PROFILES[name]
    except KeyError:
        raise ParameterError(
            f"unknown demo profile {name!r}: use one of {', '.join(sorted(PROFILES))} "
            "(e.g. source: demo or source: demo:small)"
        ) from None


def stream(profile: Profile, part: str) -> np.random.Generator:
    """An independent, seeded random generator for one part of the company."""
    tag = sum((i + 1) * ord(c) for i, c in enumerate(f"{profile.name}/{part}"))
    return np.random.default_rng([SEED, tag])


def model_days() -> pd.DatetimeIndex:
    """Every day the demand model is evaluated on (history and the forward horizon)."""
    return pd.date_range(START, HORIZON_END, freq="D")
