"""The demo company: a seeded, realistic sales-operations company generated on the fly.

``generate(profile)`` returns every table of the data contracts (DESIGN.md) as
DataFrames; ``write_demo(out, profile, scale, fmt)`` writes them as files. History runs
from 2022-01-01 to 2026-11-15 whatever today's date, so the latest complete month is
2026-10 and the nowcast has half a month. See ``docs/ARCHITECTURE.md`` for the fixed
vocabulary (locations, stages, roles, survey ids) other parts rely on.
"""

from ._company import TABLES, generate, level_shifts, promotions
from ._contests import truth as contest_truth
from ._profile import (
    END,
    FAMILIES,
    FORECAST_CATEGORIES,
    GENERATOR_VERSION,
    LOCATIONS,
    OPPORTUNITY_TYPES,
    PLAN_IDS,
    PROFILES,
    ROLES,
    SEGMENTS,
    SHIFT_DATE,
    STAGES,
    START,
)
from ._write import write_demo

__all__ = [
    "END",
    "FAMILIES",
    "FORECAST_CATEGORIES",
    "GENERATOR_VERSION",
    "LOCATIONS",
    "OPPORTUNITY_TYPES",
    "PLAN_IDS",
    "PROFILES",
    "ROLES",
    "SEGMENTS",
    "SHIFT_DATE",
    "STAGES",
    "START",
    "TABLES",
    "contest_truth",
    "generate",
    "level_shifts",
    "promotions",
    "write_demo",
]
