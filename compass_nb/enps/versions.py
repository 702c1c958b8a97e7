"""Across reports: a survey's shown figures never change once published, unless the change is safe.

Every cycle reports every survey up to its cut-off again. When a survey's answers change
between two reports — a late export, a quarantined row fixed, a duplicate set aside — the
two reports differ by exactly the changed answers, and a reader who keeps both can isolate
them (n 57 → 58 and a detractor share that moves says the added person is a detractor).

So each report records what it showed: the cells (``enps_results``: each group with its
member teams, and the *version* of the survey's answers its figures come from) and the
answers of each version (``enps_answers``, private like every clean input in the store).
When a survey is reported again, the cells it would show now are tested together with all
the cells already published for it, by the rule of :mod:`compass_nb.enps.anonymity` (no
atom of 1 to k − 1 people; for comments, no atom holding the author of a comment shown in
either report with fewer than ``min_comment_group`` people). If they pass, the updated survey is shown: what changed covers
at least k people in every cell. If not, the survey is shown **as published** — its latest
published version, recomputed from the stored answers, so every shown count is what the
earlier report showed — and the held-back change is logged (without saying how many answers).

Why the stored history rather than recomputing what each earlier cut-off would have shown
from today's data: a late export or a fixed quarantined row carries an answer date inside
the survey, so answer dates cannot tell what an earlier report held, and the parameters
(``min_group_size`` …) may have changed since. Only the store knows what was shown.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from compass_nb.calendar import to_datetime
from compass_nb.enps import anonymity

ANSWER_COLUMNS = [
    "version",
    "survey_id",
    "survey_date",
    "question_id",
    "respondent_id",
    "team",
    "score",
    "comment",
]
CELL_COLUMNS = ["survey_id", "version", "measure", "group", "teams", "period"]
TEAM_SEPARATOR = "; "


def version_of(answers: pd.DataFrame) -> str:
    """A content id of one survey's answers: the same answers give the same id."""
    rows = answers[["question_id", "respondent_id", "team", "score", "comment"]].astype(str)
    text = "\n".join(sorted("\x1f".join(r) for r in rows.itertuples(index=False)))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass
class Published:
    """What earlier reports showed: their cells and the answers behind each version.

    ``cells``: ``survey_id``, ``version``, ``measure`` (``groups`` or ``comments``),
    ``group``, ``teams`` (member teams, ``"; "``-joined) and ``period`` (the cycle that
    showed it). ``answers``: `ANSWER_COLUMNS`, one row per answer of each version.
    """

    cells: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=CELL_COLUMNS))
    answers: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=ANSWER_COLUMNS))

    @classmethod
    def from_store(cls, results: pd.DataFrame, answers: pd.DataFrame) -> Published:
        """From every committed run of ``enps_results`` and ``enps_answers`` (may be empty).

        Rows of reports made before versions were recorded (no ``version`` or ``teams``)
        carry no member sets and are left out: those reports cannot be checked against.
        """
        usable = results is not None and set(CELL_COLUMNS) <= set(results.columns)
        if not usable or answers is None or answers.empty:
            return cls()
        cells = results.dropna(subset=["version", "teams"])[CELL_COLUMNS]
        cells = cells.drop_duplicates(ignore_index=True)
        stored = answers[ANSWER_COLUMNS].drop_duplicates(
            ["version", "survey_id", "question_id", "respondent_id"], ignore_index=True
        )
        stored = stored.assign(
            respondent_id=stored["respondent_id"].astype(str),
            survey_date=to_datetime(stored["survey_date"]),
        )
        return cls(cells, stored)

    def of(self, survey: str) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The published cells and answers of one survey."""
        cells = self.cells.loc[self.cells["survey_id"] == survey]
        answers = self.answers.loc[self.answers["survey_id"] == survey]
        return cells, answers


@dataclass
class Choice:
    """Which answers of a survey this report shows, and why."""

    answers: pd.DataFrame | None  # None: nothing of the survey may be shown
    version: str
    status: str  # "first report", "as published", "updated", "hidden"
    note: str = ""  # for the log (empty when nothing to say)
    checked: bool = False  # the cells of these answers passed the rule beside published ones


def cell_sets(answers: pd.DataFrame, teams_of: dict) -> dict:
    """Member sets of cells (label → member teams) for each measure of a survey's answers.

    Returns
    -------
    dict
        measure (``"respondents"`` or a question id) → {label: frozenset of respondent ids}.
    """
    people: dict = {}
    by_question: dict = {}
    for question, team, person in zip(
        answers["question_id"], answers["team"], answers["respondent_id"], strict=True
    ):
        people.setdefault(team, set()).add(person)
        by_question.setdefault(question, {}).setdefault(team, set()).add(person)
    out = {}
    for measure, sets in [("respondents", people), *sorted(by_question.items())]:
        out[measure] = {
            label: frozenset().union(*(sets.get(t, ()) for t in teams))
            for label, teams in teams_of.items()
        }
    return out


def published_sets(cells: pd.DataFrame, answers: pd.DataFrame) -> dict:
    """Member sets of published cells: kind (``groups``/``comments``) → measure → label → set."""
    out: dict = {"groups": {}, "comments": {}}
    for (version, kind), part in cells.groupby(["version", "measure"]):
        teams_of = {
            (version, group, teams): teams.split(TEAM_SEPARATOR)
            for group, teams in zip(part["group"], part["teams"], strict=True)
        }
        sets = cell_sets(answers.loc[answers["version"] == version], teams_of)
        if kind == "comments":
            sets = {"respondents": sets["respondents"]}
        for measure, cells_of in sets.items():
            out[kind].setdefault(measure, {}).update(cells_of)
    return out


def commenters(answers: pd.DataFrame) -> set:
    """Respondents with a non-empty comment."""
    said = answers["comment"].notna() & answers["comment"].astype(str).str.strip().ne("")
    return set(answers.loc[said, "respondent_id"].astype(str))


def new_small_sets(shown: dict, before: dict, thresholds: dict, exposed: dict) -> int:
    """How many sets of fewer than the threshold showing ``shown`` beside ``before`` isolates.

    ``shown`` and ``before``: kind → measure → label → member set; ``thresholds``: kind → k;
    ``exposed``: kind → members whose atoms count (``None``: all), see `anonymity.unsafe_atoms`.
    """
    count = 0
    for kind, measures in shown.items():
        for measure, cells in measures.items():
            earlier = before.get(kind, {}).get(measure, {})
            count += len(
                anonymity.unsafe_atoms(cells, thresholds[kind], earlier, exposed.get(kind))
            )
    return count


def choose(
    survey: str,
    now: pd.DataFrame,
    published: Published,
    shown_cells: Callable[[pd.DataFrame], dict],
    thresholds: dict,
    period: str | None,
) -> Choice:
    """The version of ``survey`` this report may show (see the module docstring).

    Parameters
    ----------
    now
        The survey's clean answers as of this cycle.
    shown_cells
        answers → the cells this report would show for them (kind → measure → label → set).
    thresholds
        kind → threshold (``groups``: min_group_size, ``comments``: min_comment_group).
    period
        This cycle; only versions published in this cycle or earlier are fallbacks.
    """
    current = version_of(now)
    cells, stored = published.of(survey)
    if cells.empty:
        return Choice(now, current, "first report")
    before = published_sets(cells, stored)
    authors = commenters(now) | commenters(stored)

    def small(answers):
        exposed = {"comments": authors}
        return new_small_sets(shown_cells(answers), before, thresholds, exposed)

    shown_in = cells.groupby("version")["period"].max().sort_values(ascending=False)
    if current in shown_in.index:
        if not small(now):
            return Choice(now, current, "as published", checked=True)
    elif not small(now):
        last = cells["period"].max()
        return Choice(
            now,
            current,
            "updated",
            f"updated since the {last} report: the answers added or corrected since then"
            " cover enough people in every group shown",
            checked=True,
        )
    earlier = shown_in[shown_in.index != current]
    if period is not None:
        earlier = earlier[earlier <= period]
    for version, shown_then in earlier.items():
        answers = stored.loc[stored["version"] == version, now.columns.intersection(stored.columns)]
        answers = _with_question_kinds(answers, now)
        if not small(answers):
            return Choice(
                answers,
                version,
                "as published",
                f"shown as published in {shown_then}: answers received or corrected since"
                " then are held back, because next to that report they would identify"
                " the people who gave them",
                checked=True,
            )
    return Choice(
        None,
        current,
        "hidden",
        "hidden: neither the current answers nor an earlier report's can be shown beside"
        " the reports already published without isolating a few people",
    )


def _with_question_kinds(answers: pd.DataFrame, like: pd.DataFrame) -> pd.DataFrame:
    """The stored answers with each question's kind (questions no longer asked are dropped)."""
    kinds = like[["question_id", "kind"]].drop_duplicates("question_id")
    return answers.merge(kinds, on="question_id", how="inner").reset_index(drop=True)
