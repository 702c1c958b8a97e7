"""Everything the eNPS notebook shows, computed only for groups that may be shown.

`engagement` is the one entry point: it checks the survey tables, works out a
suppression pattern per measure (respondents, eNPS answers, each pulse question,
comments), computes every figure on the shown groups alone, and returns them with
the suppression log. Nothing in `Engagement` describes a hidden group except the log.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from compass_nb.enps import anonymity, comments, drivers, pulse
from compass_nb.enps.scores import Buckets, enps_table, signed_bucket
from compass_nb.enps.uncertainty import bootstrap_interval, change_between, with_intervals
from compass_nb.enps.validate import clean_survey
from compass_nb.errors import ParameterError


@dataclass(frozen=True)
class Settings:
    """The ``enps`` parameters section (defaults and meanings: ``parameters/default.yaml``).

    Build it with :func:`compass_nb.params.build` from the merged parameters, or with
    :func:`compass_nb.params.section_settings` (the defaults, some keys changed).
    """

    min_group_size: int
    min_comment_group: int
    min_driver_responses: int
    participation_flag: float
    confidence: float
    bootstrap_samples: int
    seed: int
    scale_min: int
    scale_max: int
    promoter_min: int
    detractor_max: int
    favourable_min: int

    def __post_init__(self) -> None:
        if int(self.min_group_size) < 3:
            raise ParameterError(
                f"enps.min_group_size is {self.min_group_size}; groups of fewer than 3 cannot be"
                " anonymous. Set it to 3 or more (5 is the default)."
            )
        if not 0 < self.confidence < 1:
            raise ParameterError(
                f"enps.confidence must be between 0 and 1, e.g. 0.95; got {self.confidence}."
            )
        if not 0 <= self.participation_flag <= 1:
            raise ParameterError(
                f"enps.participation_flag is a share between 0 and 1 (e.g. 0.6); got {self.participation_flag}."
            )

    @property
    def buckets(self) -> Buckets:
        """The answer scale and its promoter / detractor limits."""
        return Buckets(self.scale_min, self.scale_max, self.promoter_min, self.detractor_max)

    @property
    def comment_group_size(self) -> int:
        return max(self.min_comment_group, self.min_group_size)


@dataclass
class Engagement:
    """Shown results of every survey up to the cut-off, and what was hidden."""

    settings: Settings
    surveys: pd.DataFrame  # survey_id, survey_date, previous_survey_id (ordered)
    scores: pd.DataFrame  # eNPS per survey and shown group, with intervals
    changes: pd.DataFrame  # change since the previous survey, where both are shown
    participation: pd.DataFrame
    favourability: pd.DataFrame
    drivers: pd.DataFrame
    comments: pd.DataFrame
    themes: pd.DataFrame
    questions: pd.DataFrame
    log: pd.DataFrame  # survey_id, group, hidden (measures), reason
    quarantine: pd.DataFrame
    patterns: dict  # measure → suppression pattern (internal: includes hidden sizes; never show)
    root: str | None = None  # the top of the org tree (the company)

    @property
    def latest(self) -> str | None:
        """The latest survey up to the cut-off."""
        return None if self.surveys.empty else str(self.surveys["survey_id"].iloc[-1])


def engagement(
    questions: pd.DataFrame,
    responses: pd.DataFrame,
    invites: pd.DataFrame,
    org_units: pd.DataFrame,
    settings: Settings,
    strict: bool = False,
) -> Engagement:
    """Check the survey tables and compute every shown result, suppressed, with its log.

    Parameters
    ----------
    questions, responses, invites, org_units
        The survey tables of DESIGN.md, already cut off at the period.
    settings
        The ``enps`` parameters.
    strict
        Fail instead of quarantining bad rows.
    """
    clean = clean_survey(questions, responses, invites, org_units, settings.buckets, strict=strict)
    tree, r = clean.tree, clean.responses
    k = settings.min_group_size
    surveys = survey_order(r)
    previous = dict(zip(surveys["survey_id"], surveys["previous_survey_id"], strict=True))
    previous = {s: p for s, p in previous.items() if isinstance(p, str)}

    enps_answers = r[r["kind"] == "enps"]
    likert = r[r["kind"] == "likert5"]
    people = r.sort_values("survey_date").drop_duplicates(["survey_id", "respondent_id"])
    patterns = {
        "participation": _pattern(people, ["survey_id"], tree, k),
        "enps": _pattern(enps_answers, ["survey_id"], tree, k),
        "questions": _pattern(likert, ["survey_id", "question_id"], tree, k),
        "comments": _pattern(people, ["survey_id"], tree, settings.comment_group_size),
    }
    members = {
        name: anonymity.reporting_groups(
            p, ["survey_id", "question_id"] if name == "questions" else ["survey_id"], tree
        )
        for name, p in patterns.items()
    }

    scores = _scores(enps_answers, clean.invites, members["enps"], surveys, settings)
    allowed = anonymity.changes_allowed(patterns["enps"], previous)
    invited = scores.set_index(["survey_id", "group"])["invited"].to_dict()
    changes = _changes(enps_answers, members["enps"], allowed, settings, invited)
    found_drivers, too_few = drivers.driver_correlations(
        r, members["enps"], clean.questions, settings.min_driver_responses, settings.confidence
    )
    listed = comments.comments_by_group(r, members["comments"])
    result = Engagement(
        settings=settings,
        surveys=surveys,
        scores=scores,
        changes=changes,
        participation=pulse.participation(
            r, clean.invites, members["participation"], settings.participation_flag
        ),
        favourability=_with_questions(
            pulse.favourability(likert, members["questions"], settings.favourable_min),
            clean.questions,
        ),
        drivers=found_drivers,
        comments=listed,
        themes=comments.theme_counts(listed, members["comments"]),
        questions=clean.questions,
        log=_log(patterns, allowed, too_few, settings),
        quarantine=clean.quarantine,
        patterns=patterns,
        root=tree.root,
    )
    assert_nothing_derivable(result, tree)
    return result


def survey_order(responses: pd.DataFrame) -> pd.DataFrame:
    """Surveys by date (earliest answer), each with the survey before it."""
    surveys = (
        responses.groupby("survey_id", as_index=False)["survey_date"]
        .min()
        .sort_values(["survey_date", "survey_id"])
    )
    surveys["previous_survey_id"] = surveys["survey_id"].shift(1)
    return surveys.reset_index(drop=True)


def _pattern(rows: pd.DataFrame, keys: list, tree, min_size: int) -> pd.DataFrame:
    """Suppression pattern per ``keys``, also safe against the reports of earlier cycles."""
    counts = rows.groupby([*keys, "team"])["respondent_id"].nunique().rename("n").reset_index()
    pattern = anonymity.patterns_by(counts, keys, tree, min_size)
    parts = []
    for key, now in pattern.groupby(keys, sort=False):
        key = key if isinstance(key, tuple) else (key,)
        mask = np.logical_and.reduce([rows[k] == v for k, v in zip(keys, key, strict=True)])
        parts.append(_safe_against_earlier_cycles(now, rows[mask], tree, min_size))
    return pd.concat(parts, ignore_index=True) if parts else pattern


def _safe_against_earlier_cycles(
    now: pd.DataFrame, rows: pd.DataFrame, tree, min_size: int
) -> pd.DataFrame:
    """Apply `anonymity.hide_late_answers` for every month end the answers straddle."""
    dates = pd.to_datetime(rows["survey_date"])
    first, last = dates.min(), dates.max()
    for cutoff in pd.date_range(first.normalize(), last, freq="ME"):
        if not first <= cutoff < last:
            continue
        early = rows[dates <= cutoff].groupby("team")["respondent_id"].nunique()
        late = rows[dates > cutoff].groupby("team")["respondent_id"].nunique()
        earlier = anonymity.suppression_pattern(early, tree, min_size)
        now = anonymity.hide_late_answers(
            now, earlier, late, tree, min_size, cutoff.strftime("%Y-%m")
        )
    return now


def _scores(answers, invites, members, surveys, settings) -> pd.DataFrame:
    joined = members.merge(
        answers[["survey_id", "team", "respondent_id", "score"]], on=["survey_id", "team"]
    )
    table = enps_table(joined, ["survey_id", "group", "kind"], settings.buckets)
    parents = members.drop_duplicates(["survey_id", "group"]).set_index(["survey_id", "group"])[
        "parent"
    ]
    table["parent"] = parents.reindex(
        pd.MultiIndex.from_frame(table[["survey_id", "group"]])
    ).to_numpy()
    invited = pulse.participation(answers, invites, members)[["survey_id", "group", "invited"]]
    table = table.merge(invited, on=["survey_id", "group"], how="left")
    table = with_intervals(table, settings.confidence)
    boot = joined.assign(signed=signed_bucket(joined["score"], settings.buckets))
    invited_of = table.set_index(["survey_id", "group"])["invited"]
    bounds = {
        key: bootstrap_interval(
            part["signed"].to_numpy(),
            settings.bootstrap_samples,
            settings.confidence,
            settings.seed,
            population=invited_of.get(key),
        )
        for key, part in boot.groupby(["survey_id", "group"])
    }
    keys = list(zip(table["survey_id"], table["group"], strict=True))
    table["boot_low"] = [bounds[key][0] for key in keys]
    table["boot_high"] = [bounds[key][1] for key in keys]
    table = table.merge(surveys[["survey_id", "survey_date"]], on="survey_id", how="left")
    order = [
        "survey_id",
        "survey_date",
        "group",
        "kind",
        "parent",
        "n",
        "invited",
        "promoters",
        "passives",
        "detractors",
        "pct_promoters",
        "pct_passives",
        "pct_detractors",
        "enps",
        "se",
        "low",
        "high",
        "boot_low",
        "boot_high",
    ]
    return (
        table[order]
        .sort_values(["survey_date", "kind", "group"], ascending=[True, False, True])
        .reset_index(drop=True)
    )


def _changes(answers, members, allowed, settings, invited: dict) -> pd.DataFrame:
    columns = [
        "survey_id",
        "previous_survey_id",
        "group",
        "delta",
        "se",
        "low",
        "high",
        "paired_n",
        "paired",
        "verdict",
        "boot_low",
        "boot_high",
    ]
    teams = members.loc[members["kind"] == "team", ["survey_id", "group", "team"]]
    signed = teams.merge(
        answers[["survey_id", "team", "respondent_id", "score"]], on=["survey_id", "team"]
    )
    signed["signed"] = signed_bucket(signed["score"], settings.buckets)
    by_group = {
        key: part.set_index("respondent_id")["signed"]
        for key, part in signed.groupby(["survey_id", "group"])
    }
    rows = []
    for row in allowed[allowed["allowed"].astype(bool)].itertuples():
        now = by_group[(row.survey_id, row.group)]
        before = by_group[(row.previous_survey_id, row.group)]
        populations = (
            invited.get((row.previous_survey_id, row.group)),
            invited.get((row.survey_id, row.group)),
        )
        result = change_between(
            before,
            now,
            settings.confidence,
            settings.min_group_size,
            settings.bootstrap_samples,
            settings.seed,
            populations,
        )
        rows.append(
            {
                "survey_id": row.survey_id,
                "previous_survey_id": row.previous_survey_id,
                "group": row.group,
                **result,
            }
        )
    return pd.DataFrame(rows, columns=columns)


def _with_questions(table: pd.DataFrame, questions: pd.DataFrame) -> pd.DataFrame:
    return table.merge(
        questions[["survey_id", "question_id", "text", "driver"]],
        on=["survey_id", "question_id"],
        how="left",
    )


MEASURE_LABELS = {"participation": "participation", "enps": "eNPS", "comments": "comments"}


def _log(patterns, allowed, too_few, settings) -> pd.DataFrame:
    parts = []
    for name, pattern in patterns.items():
        if name == "questions":
            for question, part in pattern.groupby("question_id"):
                parts.append(anonymity.suppression_log(part, str(question)))
        else:
            parts.append(anonymity.suppression_log(pattern, MEASURE_LABELS[name]))
    refused = allowed[~allowed["allowed"].astype(bool)]
    parts.append(
        pd.DataFrame(
            {
                "survey_id": refused["survey_id"],
                "measure": "change",
                "group": refused["group"],
                "reason": refused["reason"],
            }
        )
    )
    if len(too_few):
        few = too_few.drop_duplicates(["survey_id", "group"])
        parts.append(
            pd.DataFrame(
                {
                    "survey_id": few["survey_id"],
                    "measure": "drivers",
                    "group": few["group"],
                    "reason": f"driver analysis needs at least {settings.min_driver_responses} answers",
                }
            )
        )
    log = (
        pd.concat([p for p in parts if len(p)], ignore_index=True)
        if any(len(p) for p in parts)
        else (pd.DataFrame(columns=anonymity.LOG_COLUMNS))
    )
    grouped = log.groupby(["survey_id", "group", "reason"], as_index=False, sort=False)[
        "measure"
    ].agg(lambda m: ", ".join(dict.fromkeys(m)))
    grouped = grouped.rename(columns={"measure": "hidden"})
    return (
        grouped[["survey_id", "group", "hidden", "reason"]]
        .sort_values(["survey_id", "group"])
        .reset_index(drop=True)
    )


def assert_nothing_derivable(result: Engagement, tree) -> None:
    """Internal invariant: every shown team-group set is safe for its measure and survey."""
    checks = [
        (result.scores, ["survey_id"], "n", result.settings.min_group_size),
        (result.participation, ["survey_id"], "respondents", result.settings.min_group_size),
        (result.favourability, ["survey_id", "question_id"], "n", result.settings.min_group_size),
    ]
    for table, keys, size, k in checks:
        if table.empty:
            continue
        assert (table[size] >= k).all(), "a shown group is below min_group_size"
        teams = table[table["kind"] == "team"]
        for _, part in teams.groupby(keys):
            bad = anonymity.unsafe_groups(part.set_index("group")[size], tree, k)
            assert not bad, f"groups {bad} would let a hidden group be derived"
    pattern = result.patterns["comments"]
    allowed = pattern.loc[pattern["shown"], ["survey_id", "group"]]
    allowed = set(zip(allowed["survey_id"], allowed["group"], strict=True))
    for survey, group in zip(result.comments["survey_id"], result.comments["group"], strict=True):
        base = group.removesuffix(anonymity.OTHER)
        assert (survey, base) in allowed, "a comment is listed under a group too small for comments"


@dataclass
class GroupView:
    """One group in one survey, as the widget shows it (all from suppressed results)."""

    group: str
    survey_id: str
    score: pd.Series | None
    change: pd.Series | None
    participation: pd.Series | None
    favourability: pd.DataFrame
    hidden: pd.DataFrame  # the log rows for this group and survey


def group_view(result: Engagement, group: str, survey_id: str) -> GroupView:
    """Everything shown about ``group`` in ``survey_id``; hidden parts appear only in ``hidden``."""

    def row(table: pd.DataFrame) -> pd.Series | None:
        part = table[(table["survey_id"] == survey_id) & (table["group"] == group)]
        return None if part.empty else part.iloc[0]

    fav = result.favourability
    fav = fav[(fav["survey_id"] == survey_id) & (fav["group"] == group)]
    log = result.log[(result.log["survey_id"] == survey_id) & (result.log["group"] == group)]
    return GroupView(
        group,
        survey_id,
        row(result.scores),
        row(result.changes),
        row(result.participation),
        fav[["question_id", "text", "n", "pct_favourable", "pct_neutral", "pct_unfavourable"]],
        log[["hidden", "reason"]],
    )


def headline(result: Engagement) -> dict:
    """Company eNPS, its interval, participation and change for the latest survey (None when hidden)."""
    survey, root = result.latest, result.root
    view = group_view(result, root, survey) if survey else None
    score, change, part = (
        (view.score, view.change, view.participation) if view else (None, None, None)
    )
    return {
        "survey_id": survey,
        "enps": None if score is None else float(score["enps"]),
        "low": None if score is None else float(score["low"]),
        "high": None if score is None else float(score["high"]),
        "n": None if score is None else int(score["n"]),
        "participation": None
        if part is None or pd.isna(part["participation"])
        else float(part["participation"]),
        "change": None if change is None else float(change["delta"]),
        "change_low": None if change is None else float(change["low"]),
        "change_high": None if change is None else float(change["high"]),
        "verdict": None if change is None else str(change["verdict"]),
        "previous_survey_id": None if change is None else str(change["previous_survey_id"]),
    }


def summary_lines(result: Engagement) -> list[str]:
    """Headline sentences for the summary box, from shown results only."""
    h = headline(result)
    if h["survey_id"] is None:
        return ["No survey answers up to the cut-off."]
    if h["enps"] is None:
        return [
            f"{h['survey_id']}: the company-wide result is hidden to keep answers anonymous"
            " (see the suppression log)."
        ]
    k = result.settings.min_group_size
    lines = [
        f"Company eNPS {h['enps']:+.0f} in {h['survey_id']} (95 % interval {h['low']:+.0f} to"
        f" {h['high']:+.0f}, {h['n']} answers)."
    ]
    if h["change"] is not None:
        noise = {"up": "a real rise", "down": "a real fall", "within noise": "within the noise"}[
            h["verdict"]
        ]
        lines.append(
            f"Change since {h['previous_survey_id']}: {h['change']:+.0f} points"
            f" ({h['change_low']:+.0f} to {h['change_high']:+.0f}) — {noise}."
        )
    if h["participation"] is not None:
        lines.append(f"Participation {h['participation']:.0%}.")
    latest = result.changes[result.changes["survey_id"] == h["survey_id"]]
    falls = latest[(latest["verdict"] == "down") & (latest["group"] != result.root)]
    if len(falls):
        lines.append(
            "Clear falls since the previous survey: "
            + ", ".join(
                f"{g} ({d:+.0f})" for g, d in zip(falls["group"], falls["delta"], strict=True)
            )
            + "."
        )
    rises = latest[(latest["verdict"] == "up") & (latest["group"] != result.root)]
    if len(rises):
        lines.append(
            "Clear rises: "
            + ", ".join(
                f"{g} ({d:+.0f})" for g, d in zip(rises["group"], rises["delta"], strict=True)
            )
            + "."
        )
    top = result.drivers[
        (result.drivers["survey_id"] == h["survey_id"]) & (result.drivers["group"] == result.root)
    ]
    if len(top):
        best = top.iloc[0]
        lines.append(
            f"Moves most with eNPS: {best['driver'] if isinstance(best['driver'], str) else best['question_id']}"
            f" (r = {best['r']:.2f}, n = {best['n']})."
        )
    hidden = result.log[
        (result.log["survey_id"] == h["survey_id"]) & result.log["hidden"].str.contains("eNPS")
    ]
    lines.append(
        f"{hidden['group'].nunique()} groups hidden this survey to keep answers anonymous"
        f" (fewer than {k} respondents, or derivable from shown groups)."
    )
    return lines


@dataclass
class LatestView:
    """What the engagement notebook shows of the latest survey (every table already
    suppressed: only groups the anonymity rule lets through appear)."""

    survey_id: str
    company: str
    company_trend: pd.DataFrame
    latest_scores: pd.DataFrame
    changes: pd.DataFrame
    heatmap: pd.DataFrame
    driver_labels: dict
    drivers: pd.DataFrame
    participation: pd.DataFrame
    themes: pd.DataFrame
    comments: pd.DataFrame
    log: pd.DataFrame
    quarantine_note: str


_TREND_COLUMNS = [
    "survey_id",
    "n",
    "invited",
    "pct_promoters",
    "pct_passives",
    "pct_detractors",
    "enps",
    "low",
    "high",
    "boot_low",
    "boot_high",
]


def latest_view(result: Engagement) -> LatestView:
    """The latest survey's tables, and the company's trend, as the notebook shows them."""
    latest, company = result.latest, result.root

    def of_latest(frame: pd.DataFrame) -> pd.DataFrame:
        return frame.loc[frame["survey_id"] == latest] if not frame.empty else frame

    def of_company(frame: pd.DataFrame) -> pd.DataFrame:
        return frame.loc[frame["group"] == company] if not frame.empty else frame

    scores = result.scores
    return LatestView(
        survey_id=latest,
        company=company,
        company_trend=of_company(scores)[_TREND_COLUMNS].iloc[::-1],
        latest_scores=of_latest(scores),
        changes=of_latest(result.changes).loc[
            :, ["group", "previous_survey_id", "delta", "low", "high", "paired_n", "verdict"]
        ],
        heatmap=pulse.heatmap_data(result.favourability, latest, result.questions, first=company),
        driver_labels=result.questions.set_index("question_id")["driver"].dropna().to_dict(),
        drivers=of_company(of_latest(result.drivers)),
        participation=of_latest(result.participation),
        themes=of_company(of_latest(result.themes)),
        comments=of_latest(result.comments).loc[:, ["group", "themes", "comment"]],
        log=of_latest(result.log).loc[:, ["group", "hidden", "reason"]],
        quarantine_note=(
            "Survey answers that break their contract (a score off the scale, an unknown "
            "question or team) are quarantined with the other inputs: 01 data collection "
            "counts them, and the rows are in the private folder."
        ),
    )
