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
    responses: pd.DataFrame, members: pd.DataFrame, rules: dict[str, tuple[str, ...]] | None = None
) -> pd.DataFrame:
    """Each non-empty comment under the smallest shown group it belongs to, with its themes.

    ``members`` comes from the comment-level suppression pattern (groups of at least
    10 by default). A comment is listed once, under the most specific shown group
    (a team, or a safe ``"… · other"`` remainder), so no listing can be differenced.

    Returns
    -------
    DataFrame
        ``survey_id``, ``group``, ``comment``, ``themes`` (comma-separated).
    """
    said = responses[
        responses["comment"].notna() & responses["comment"].astype(str).str.strip().ne("")
    ]
    said = said[["survey_id", "team", "respondent_id", "question_id", "comment"]]
    finest = _finest_group(members)
    placed = said.merge(finest, on=["survey_id", "team"])
    themes = comment_themes(placed["comment"], rules)
    joined = themes.groupby("index")["theme"].agg(", ".join)
    placed = placed.assign(themes=joined.reindex(placed.index).to_numpy())
    return (
        placed[["survey_id", "group", "comment", "themes"]]
        .sort_values(["survey_id", "group"])
        .reset_index(drop=True)
    )


def theme_counts(comments: pd.DataFrame, members: pd.DataFrame) -> pd.DataFrame:
    """Comments per theme for every shown comment group (a group counts its sub-groups' comments).

    Parameters
    ----------
    comments
        The output of `comments_by_group`.
    members
        The comment-level membership (``survey_id``, ``group``, ``kind``, ``team``).
    """
    finest = _finest_group(members).rename(columns={"group": "finest"})
    # which finest groups roll up into each shown group
    rollup = members.merge(finest, on=["survey_id", "team"])[
        ["survey_id", "group", "finest"]
    ].drop_duplicates()
    tagged = comments.assign(theme=comments["themes"].str.split(", ")).explode("theme")
    tagged = tagged.rename(columns={"group": "finest"})
    joined = rollup.merge(tagged, on=["survey_id", "finest"])
    counts = joined.groupby(["survey_id", "group", "theme"]).size().rename("comments").reset_index()
    return counts.sort_values(
        ["survey_id", "group", "comments"], ascending=[True, True, False]
    ).reset_index(drop=True)


def _finest_group(members: pd.DataFrame) -> pd.DataFrame:
    """For each team, the smallest shown group containing it (an ``other`` remainder counts)."""
    size = members.groupby(["survey_id", "group"])["team"].transform("size")
    ranked = members.assign(size=size).sort_values(["survey_id", "team", "size"])
    return ranked.drop_duplicates(["survey_id", "team"])[["survey_id", "team", "group"]]
