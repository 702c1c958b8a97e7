"""Comments: themes by keyword rules, and their counts per group."""

from __future__ import annotations

import re

import pandas as pd

THEMES: dict[str, tuple[str, ...]] = {
    "workload": (
        "workload",
        "overtime",
        "burnout",
        "busy",
        "stress",
        "hours",
        "overwhelm",
        "too much",
        "understaff",
        "more people",
        "rota",
        "weekend",
    ),
    "management": ("manager", "management", "leadership", "boss", "lead ", "director"),
    "pay & benefits": ("pay", "salary", "bonus", "compensation", "commission", "benefit", "raise"),
    "growth": (
        "career",
        "growth",
        "promotion",
        "training",
        "learn",
        "develop",
        "onboarding",
        "mentor",
        "buddy",
    ),
    "tools & process": (
        "tool",
        "crm",
        "system",
        "process",
        "software",
        "laptop",
        "salesforce",
        "app",
        "vpn",
        "freez",
        "slow",
        "scanner",
    ),
    "team & culture": ("team", "colleague", "culture", "collaborat", "support", "respect"),
    "recognition": ("recogni", "appreciat", "thank", "valued"),
    "communication": ("communicat", "transparen", "inform", "meeting", "update", "announce"),
}
NO_THEME = "other"


def comment_themes(
    comments: pd.Series, rules: dict[str, tuple[str, ...]] | None = None
) -> pd.DataFrame:
    """The themes of each comment: a theme applies when one of its keywords occurs.

    Matching is case-insensitive on word starts ("recogni" matches "recognition").
    A comment matching no rule gets the theme ``"other"``.

    Returns
    -------
    DataFrame
        ``index`` (the comment's index) and ``theme``: one row per comment and theme.
    """
    rules = THEMES if rules is None else rules
    text = comments.fillna("").astype(str).str.lower()
    rows = []
    for theme, words in rules.items():
        pattern = "|".join(r"\b" + re.escape(w.strip()) for w in words)
        hit = text.str.contains(pattern, regex=True)
        rows.append(pd.DataFrame({"index": text.index[hit], "theme": theme}))
    found = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=["index", "theme"])
    untagged = text.index.difference(found["index"])
    found = pd.concat(
        [found, pd.DataFrame({"index": untagged, "theme": NO_THEME})], ignore_index=True
    )
    order = {t: i for i, t in enumerate([*rules, NO_THEME])}
    return found.sort_values(
        ["index", "theme"], key=lambda s: s.map(order) if s.name == "theme" else s
    )


def comments_by_group(
    responses: pd.DataFrame, cells: pd.DataFrame, rules: dict[str, tuple[str, ...]] | None = None
) -> pd.DataFrame:
    """Each non-empty comment under the comment group of its author, with its themes.

    ``cells`` maps ``survey_id`` and ``team`` to the smallest comment group holding the
    team's people (`anonymity.comment_cells`: groups of at least ``min_comment_group``
    respondents, remainders included), so a comment is listed once and no two listings
    can be differenced. Comments of teams in no comment group are not listed.

    Returns
    -------
    DataFrame
        ``survey_id``, ``group``, ``teams``, ``comment``, ``themes`` (comma-separated).
    """
    said = responses[
        responses["comment"].notna() & responses["comment"].astype(str).str.strip().ne("")
    ]
    said = said[["survey_id", "team", "respondent_id", "question_id", "comment"]]
    placed = said.merge(cells[["survey_id", "team", "group", "teams"]], on=["survey_id", "team"])
    placed = placed.reset_index(drop=True)
    themes = comment_themes(placed["comment"], rules)
    joined = themes.groupby("index")["theme"].agg(", ".join)
    placed = placed.assign(themes=joined.reindex(placed.index).to_numpy())
    return (
        placed[["survey_id", "group", "teams", "comment", "themes"]]
        .sort_values(["survey_id", "group", "comment"], kind="stable")
        .reset_index(drop=True)
    )


def theme_counts(
    responses: pd.DataFrame, groups: pd.DataFrame, rules: dict[str, tuple[str, ...]] | None = None
) -> pd.DataFrame:
    """Comments per theme for every whole comment group (a group counts its sub-teams').

    Parameters
    ----------
    responses
        Clean answers (``survey_id``, ``team``, ``comment``) of the shown versions.
    groups
        ``survey_id``, ``group``, ``team``: the comment groups of at least
        ``min_comment_group`` respondents, one row per member team.
    """
    listed = comments_by_group(responses, groups.assign(teams=""), rules)
    tagged = listed.assign(theme=listed["themes"].str.split(", ")).explode("theme")
    counts = tagged.groupby(["survey_id", "group", "theme"]).size().rename("comments")
    return (
        counts.reset_index()
        .sort_values(["survey_id", "group", "comments"], ascending=[True, True, False])
        .reset_index(drop=True)
    )
