"""The organisation tree and the monthly pulse surveys.

Every employee holds a seat in a team; people leave (about 10 % a year) and are
replaced, so the set of respondents changes slowly while each person keeps one
pseudonymous id. Answers come from a personal disposition, a team climate, a small
company-wide drift and, for one team, a decline through 2026.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from compass_nb.calendar import to_datetime

from ._profile import END, LEADERSHIP_SIZE, Profile, stream

SURVEY_START = pd.Period("2024-01", "M")
DECLINE_FROM = pd.Period("2025-12", "M")  # engagement of the declining team falls from 2026-01
QUESTIONS = (
    # question_id, driver, text, mean offset, weight of the decline
    ("q01", "Manager support", "My manager supports me when I need it.", 0.2, 1.3),
    ("q02", "Workload", "My workload is manageable.", -0.2, 1.4),
    ("q03", "Recognition", "I get recognition for good work.", -0.3, 1.0),
    ("q04", "Growth", "I see a path to grow here.", -0.4, 0.8),
    ("q05", "Tools", "I have the tools I need to do my job well.", -0.1, 0.6),
    ("q06", "Team collaboration", "People in my team help each other.", 0.4, 0.8),
    ("q07", "Alignment", "I understand how my work contributes to our goals.", 0.0, 0.7),
)
ENPS_TEXT = "How likely are you to recommend working here to a friend? (0–10)"
COMMENTS = (
    "Tools are slow & the VPN drops every afternoon.",
    "Workload has not been manageable most weeks since the new rota.",
    'My manager said "we\'ll see" about training again.',
    "Love the team's spirit, but we need more people.",
    'Shift changes are announced late; "flexible" means weekends.',
    "Recognition is rare; thanks for asking though.",
    "Is our pay still fair against the market? Not sure anymore.",
    "Great onboarding & buddy system.",
)


def org_units(profile: Profile) -> pd.DataFrame:
    """One tree rooted at ``Company``: departments, Sales with its teams, and teams below."""
    rows = [("Company", None), ("Sales", "Company")]
    rows += [(team, "Sales") for team, *_ in profile.sales_teams]
    for department, teams in profile.departments:
        rows.append((department, "Company"))
        rows += [(team, department) for team, _ in teams]
    return pd.DataFrame(rows, columns=["team", "parent_team"])


def employees(profile: Profile, staff: pd.DataFrame) -> pd.DataFrame:
    """Everyone who worked here since 2023: sellers from ``reps``, the rest by seat.

    Columns: ``respondent_id`` (pseudonym ``r-xxxxxx``), ``team``, ``start``, ``end`` (NaT if still here).
    """
    rng = stream(profile, "employees")
    seats = [("Leadership", LEADERSHIP_SIZE)] + [
        s for _, teams in profile.departments for s in teams
    ]
    rows = [(r.team, r.hire_date, r.termination_date) for r in staff.itertuples()]
    for team, size in seats:
        for _ in range(size):
            rows += _seat_occupants(team, rng)
    frame = pd.DataFrame(rows, columns=["team", "start", "end"])
    codes = rng.choice(16**6, size=len(frame), replace=False)
    frame.insert(0, "respondent_id", [f"r-{c:06x}" for c in codes])
    frame["start"] = to_datetime(frame["start"])
    frame["end"] = to_datetime(frame["end"])
    return frame


def _seat_occupants(team: str, rng: np.random.Generator) -> list[tuple]:
    """Successive holders of one seat from 2023 to END: leave after ~10 years on average."""
    start = pd.Timestamp("2023-01-01") - pd.Timedelta(days=int(rng.integers(30, 3000)))
    out = []
    while start <= END:
        stay = pd.Timedelta(days=int(rng.exponential(3650)))
        end = start + stay
        out.append((team, start, end if end <= END else pd.NaT))
        start = end + pd.Timedelta(days=int(rng.integers(20, 60)))
    return [o for o in out if pd.isna(o[2]) or o[2] >= pd.Timestamp("2023-01-01")]


def survey_calendar(profile: Profile) -> pd.DataFrame:
    """``survey_id`` and ``survey_date`` of each monthly pulse, 2024-01 to 2026-11 (before the 15th)."""
    rng = stream(profile, "surveys")
    months = pd.period_range(SURVEY_START, END.to_period("M"), freq="M")
    day = rng.integers(4, 12, len(months))
    day[-1] = 10
    dates = [m.start_time + pd.Timedelta(days=int(d)) for m, d in zip(months, day, strict=True)]
    return pd.DataFrame(
        {"survey_id": [f"pulse-{m}" for m in months], "survey_date": to_datetime(dates)}
    )


def survey_questions(calendar: pd.DataFrame) -> pd.DataFrame:
    """The same eNPS question and Likert items in every pulse."""
    items = [("enps", ENPS_TEXT, "enps", None)] + [
        (q, text, "likert5", driver) for q, driver, text, *_ in QUESTIONS
    ]
    rows = [
        (s, q, text, kind, driver) for s in calendar["survey_id"] for q, text, kind, driver in items
    ]
    return pd.DataFrame(rows, columns=["survey_id", "question_id", "text", "kind", "driver"])


def _invited(people: pd.DataFrame, calendar: pd.DataFrame) -> pd.DataFrame:
    """One row per survey and employee in post on the survey date."""
    pairs = calendar.merge(people, how="cross")
    here = (pairs["start"] <= pairs["survey_date"]) & (
        pairs["end"].isna() | (pairs["end"] >= pairs["survey_date"])
    )
    return pairs.loc[here].reset_index(drop=True)


def survey_invites(people: pd.DataFrame, calendar: pd.DataFrame) -> pd.DataFrame:
    """Headcount asked per survey and team."""
    invited = _invited(people, calendar)
    counts = invited.groupby(["survey_id", "team"], as_index=False).size()
    return counts.rename(columns={"size": "invited"})


def survey_responses(
    profile: Profile, people: pd.DataFrame, calendar: pd.DataFrame
) -> pd.DataFrame:
    """One row per answer: 60–90 % of each team answer each month, each answering every item."""
    rng = stream(profile, "responses")
    invited = _invited(people, calendar)
    teams = np.array(sorted(invited["team"].unique()))
    rate = dict(zip(teams, rng.uniform(0.6, 0.9, len(teams)), strict=True))
    climate = dict(zip(teams, rng.normal(0, 0.25, len(teams)), strict=True))
    disposition = dict(zip(people["respondent_id"], rng.normal(0, 0.5, len(people)), strict=True))
    chance = np.clip(invited["team"].map(rate) + rng.normal(0, 0.05, len(invited)), 0.5, 0.95)
    answered = invited.loc[rng.random(len(invited)) < chance].reset_index(drop=True)
    month = pd.PeriodIndex(answered["survey_date"], freq="M")
    months_in = np.asarray((month - DECLINE_FROM).map(lambda d: d.n))
    decline = np.where(
        answered["team"] == profile.declining_team, -0.15 * np.clip(months_in, 0, None), 0.0
    )
    drift = 0.1 * np.sin(2 * np.pi * month.month.to_numpy() / 12)
    mood = answered["respondent_id"].map(disposition) + answered["team"].map(climate) + drift
    frames = [_enps_answers(answered, mood + decline, rng)]
    for question_id, _, _, offset, weight in QUESTIONS:
        frames.append(_likert_answers(answered, question_id, mood + weight * decline + offset, rng))
    out = pd.concat(frames, ignore_index=True)
    out = out.sort_values(["survey_date", "team", "respondent_id", "question_id"], kind="stable")
    return out.reset_index(drop=True)


def _enps_answers(
    answered: pd.DataFrame, mood: pd.Series, rng: np.random.Generator
) -> pd.DataFrame:
    score = np.clip(np.rint(7.6 + 1.9 * mood + rng.normal(0, 1.1, len(mood))), 0, 10)
    comment = np.where(
        rng.random(len(mood)) < 0.05, rng.choice(np.array(COMMENTS, dtype=object), len(mood)), None
    )
    return _answers(answered, "enps", score, comment)


def _likert_answers(
    answered: pd.DataFrame, question_id: str, mood: pd.Series, rng: np.random.Generator
) -> pd.DataFrame:
    score = np.clip(np.rint(3.6 + 0.9 * mood + rng.normal(0, 0.6, len(mood))), 1, 5)
    keep = rng.random(len(mood)) >= 0.02  # a few items skipped
    return _answers(answered, question_id, score, None).loc[keep]


def _answers(answered: pd.DataFrame, question_id: str, score, comment) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "survey_id": answered["survey_id"],
            "survey_date": answered["survey_date"],
            "respondent_id": answered["respondent_id"],
            "team": answered["team"],
            "question_id": question_id,
            "score": np.asarray(score).astype("int64"),
            "comment": comment,
        }
    )
