"""Sales contests as YAML files (``parameters/contests/<contest_id>.yaml``), validated.

Every error names the file and the field, in one line, and says what to write instead
(the schema, field by field, is ``docs/incentives.md``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

import yaml

from compass_nb.errors import ParameterError

METRICS = ("bookings", "units", "new_logo", "qualified_meetings", "activities")
STRUCTURES = ("winner_take_all", "top_k", "threshold", "milestones", "team_vs_team")
HANDICAPS = ("none", "quota", "history")
#: The unit each metric is counted in (sentences and axis labels).
UNITS = {
    "bookings": "bookings",
    "units": "won deals",
    "new_logo": "new-logo deals",
    "qualified_meetings": "qualified meetings",
    "activities": "activities",
}
FIELDS = (
    "contest_id",
    "name",
    "metric",
    "family",
    "kinds",
    "window",
    "pay_period",
    "eligible",
    "comparison",
    "structure",
    "prizes",
    "prize",
    "threshold",
    "milestones",
    "budget",
    "handicap",
)


@dataclasses.dataclass(frozen=True)
class Milestone:
    """A step of a milestone contest: a seller whose score reaches ``at`` earns ``prize``."""

    at: float
    prize: float


@dataclasses.dataclass(frozen=True)
class Contest:
    """One contest, as its file describes it (see ``docs/incentives.md``)."""

    contest_id: str
    name: str
    metric: str
    family: str | None
    kinds: tuple[str, ...]
    start: dt.date
    end: dt.date
    pay_period: str
    teams: tuple[str, ...]
    sellers: tuple[str, ...]
    comparison: tuple[str, ...]
    structure: str
    prizes: tuple[float, ...]
    prize: float | None
    threshold: float | None
    milestones: tuple[Milestone, ...]
    budget: float | None
    handicap: str
    source: str = ""

    @property
    def unit(self) -> str:
        """What the metric counts, in words (``new-logo deals``, ``bookings``)."""
        family = f" of {self.family}" if self.family else ""
        return f"{UNITS[self.metric]}{family}"

    @property
    def is_money(self) -> bool:
        """Whether the metric is money (bookings) rather than a count."""
        return self.metric == "bookings"

    @property
    def months(self) -> float:
        """The window's length in months (days ÷ 30.4375)."""
        return ((self.end - self.start).days + 1) / 30.4375


class _Reader:
    """Reads the contest mapping, naming the file and the field in every error."""

    def __init__(self, data: Any, file: str) -> None:
        self.file = file
        if not isinstance(data, dict):
            self.fail("top level", f"expected a mapping of fields, got {type(data).__name__}")
        unknown = sorted(set(data) - set(FIELDS))
        if unknown:
            self.fail(unknown[0], f"unknown field; the fields are {', '.join(FIELDS)}")
        self.data = data

    def fail(self, field: str, message: str):
        raise ParameterError(f"{self.file}: {field}: {message}.")

    def text(self, field: str, required: bool = True) -> str | None:
        value = self.data.get(field)
        if value is None:
            if required:
                self.fail(field, "missing; it is required")
            return None
        if not isinstance(value, str) or not value.strip():
            self.fail(field, f"expected text, got {value!r}")
        return value.strip()

    def choice(self, field: str, allowed: tuple[str, ...], default: str | None = None) -> str:
        value = self.data.get(field, default)
        if value not in allowed:
            self.fail(field, f"{value!r} is not one of {', '.join(allowed)}")
        return value

    def number(self, value: Any, field: str, positive: bool = True) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(field, f"expected a number, got {value!r}")
        if positive and not value > 0:
            self.fail(field, f"must be above 0, got {value!r}")
        return float(value)

    def optional_number(self, field: str) -> float | None:
        value = self.data.get(field)
        return None if value is None else self.number(value, field)

    def names(self, value: Any, field: str) -> tuple[str, ...]:
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.fail(field, f"expected a list of names, got {value!r}")
        return tuple(value)

    def day(self, value: Any, field: str) -> dt.date:
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            self.fail(field, f"expected a date YYYY-MM-DD, got {value!r}")

    def mapping(self, field: str, keys: tuple[str, ...], required: bool = True) -> dict:
        value = self.data.get(field)
        if value is None and not required:
            return {}
        if not isinstance(value, dict):
            self.fail(field, f"expected a mapping with {', '.join(keys)}, got {value!r}")
        unknown = sorted(set(value) - set(keys))
        if unknown:
            self.fail(f"{field}.{unknown[0]}", f"unknown key; use {', '.join(keys)}")
        return value


def parse_contest(data: Any, file: str) -> Contest:
    """Validate one contest's mapping (as read from ``file``) into a :class:`Contest`."""
    r = _Reader(data, file)
    metric = r.choice("metric", METRICS)
    family = r.text("family", required=False)
    if metric == "units" and family is None:
        r.fail("family", "required for metric units (the product family whose deals count)")
    if family is not None and metric not in ("bookings", "units"):
        r.fail("family", f"only bookings and units are counted per family, not {metric}")
    kinds = r.names(r.data.get("kinds"), "kinds")
    if kinds and metric != "activities":
        r.fail("kinds", "only the activities metric is filtered by kinds")
    window = r.mapping("window", ("from", "to"))
    start, end = r.day(window.get("from"), "window.from"), r.day(window.get("to"), "window.to")
    if end < start:
        r.fail("window.to", f"{end} is before window.from {start}")
    pay_period = r.text("pay_period")
    try:
        paid = dt.date.fromisoformat(f"{pay_period}-01")
    except ValueError:
        r.fail("pay_period", f"expected a month YYYY-MM, got {pay_period!r}")
    if (paid.year, paid.month) < (end.year, end.month):
        r.fail("pay_period", f"{pay_period} is before the window ends ({end})")
    eligible = r.mapping("eligible", ("teams", "sellers"))
    teams = r.names(eligible.get("teams"), "eligible.teams")
    sellers = r.names(eligible.get("sellers"), "eligible.sellers")
    if not teams and not sellers:
        r.fail("eligible", "name the eligible teams or sellers")
    comparison = r.names(
        r.mapping("comparison", ("teams",), required=False).get("teams"), "comparison.teams"
    )
    if set(comparison) & set(teams):
        r.fail("comparison.teams", "a team cannot be both eligible and the comparison")
    structure = r.choice("structure", STRUCTURES)
    prizes = tuple(r.number(p, f"prizes[{i}]") for i, p in enumerate(r.data.get("prizes") or []))
    prize = r.optional_number("prize")
    threshold = r.optional_number("threshold")
    milestones = _milestones(r)
    _require_structure_fields(r, structure, prizes, prize, threshold, milestones, teams)
    return Contest(
        contest_id=r.text("contest_id"),
        name=r.text("name", required=False) or r.text("contest_id"),
        metric=metric,
        family=family,
        kinds=kinds,
        start=start,
        end=end,
        pay_period=pay_period,
        teams=teams,
        sellers=sellers,
        comparison=comparison,
        structure=structure,
        prizes=prizes,
        prize=prize,
        threshold=threshold,
        milestones=milestones,
        budget=r.optional_number("budget"),
        handicap=r.choice("handicap", HANDICAPS, default="none"),
        source=file,
    )


def _milestones(r: _Reader) -> tuple[Milestone, ...]:
    raw = r.data.get("milestones") or []
    if not isinstance(raw, list):
        r.fail("milestones", f"expected a list of {{at, prize}}, got {raw!r}")
    steps = []
    for i, step in enumerate(raw):
        if not isinstance(step, dict) or set(step) != {"at", "prize"}:
            r.fail(f"milestones[{i}]", f"expected {{at: <score>, prize: <money>}}, got {step!r}")
        steps.append(
            Milestone(
                r.number(step["at"], f"milestones[{i}].at"),
                r.number(step["prize"], f"milestones[{i}].prize"),
            )
        )
    ats = [s.at for s in steps]
    if ats != sorted(set(ats)):
        r.fail("milestones", "the steps' `at` must increase")
    return tuple(steps)


def _require_structure_fields(r, structure, prizes, prize, threshold, milestones, teams) -> None:
    """Each structure needs its own fields and takes no other structure's."""
    need = {
        "winner_take_all": ("prizes",),
        "top_k": ("prizes",),
        "threshold": ("prize", "threshold"),
        "milestones": ("milestones",),
        "team_vs_team": ("prize",),
    }[structure]
    given = {"prizes": prizes, "prize": prize, "threshold": threshold, "milestones": milestones}
    for field in need:
        if not given[field]:
            r.fail(field, f"required for structure {structure}")
    for field, value in given.items():
        if value and field not in need:
            r.fail(field, f"not used by structure {structure}; remove it")
    if structure == "winner_take_all" and len(prizes) != 1:
        r.fail("prizes", "winner_take_all has exactly one prize, e.g. prizes: [3000]")
    if structure == "team_vs_team" and len(teams) < 2:
        r.fail("eligible.teams", "team_vs_team needs at least two eligible teams")


def load_contest(path: str | Path) -> Contest:
    """Read and validate one contest file; its ``contest_id`` must be the file's name."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ParameterError(
            f"{path}: cannot be read ({error.strerror}); check the path."
        ) from None
    except yaml.YAMLError as error:
        raise ParameterError(f"{path}: is not valid YAML ({error}); fix the syntax.") from None
    contest = parse_contest(data, str(path))
    if contest.contest_id != path.stem:
        raise ParameterError(
            f"{path}: contest_id: {contest.contest_id!r} must match the file name ({path.stem!r})."
        )
    return contest


def load_contests(folder: str | Path) -> list[Contest]:
    """Every contest in ``folder`` (``<contest_id>.yaml``), by window start; none is no error
    (the notebook then says no contest is defined)."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    contests = [load_contest(p) for p in sorted(folder.glob("*.yaml"))]
    return sorted(contests, key=lambda c: (c.start, c.contest_id))
