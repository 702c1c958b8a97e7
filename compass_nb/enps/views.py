"""What the eNPS notebook shows of an `Engagement`: the summary, the latest survey's view,
one group in one survey (the widget), all from shown results only."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from compass_nb import formatting
from compass_nb.enps import pulse
from compass_nb.enps.results import Engagement
from compass_nb.enps.uncertainty import VERDICT_DOWN, VERDICT_UNTESTED, VERDICT_UP


def _points(value: float) -> str:
    """An eNPS or a change in points, in a sentence: ``+12``, ``−3``, ``0``."""
    return formatting.no_negative_zero(f"{value:+.0f}").replace("-", "−")


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
        if table.empty:
            return None
        part = table[(table["survey_id"] == survey_id) & (table["group"] == group)]
        return None if part.empty else part.iloc[0]

    fav = result.favourability
    fav = fav[(fav["survey_id"] == survey_id) & (fav["group"] == group)]
    log = result.log[
        (result.log["survey_id"] == survey_id) & result.log["group"].isin([group, "all groups"])
    ]
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
    score, change, part = (view.score, view.change, view.participation) if view else (None,) * 3
    has_change = change is not None and change["verdict"] != VERDICT_UNTESTED
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
        "tested": has_change,
        "previous_survey_id": None if change is None else str(change["previous_survey_id"]),
    }


def summary_lines(result: Engagement) -> list[str]:
    """Headline sentences for the summary box, from shown results only; a sentence is
    produced only when its premise holds. What an absent optional table forces comes last
    (``Assumed: …``)."""
    return _result_lines(result) + formatting.assumed_lines(result.assumptions)


def _result_lines(result: Engagement) -> list[str]:
    h, s = headline(result), result.settings
    if h["survey_id"] is None:
        return ["No survey answers up to the cut-off."]
    if h["enps"] is None:
        return [
            f"{h['survey_id']}: the company-wide result is hidden to keep answers anonymous"
            " (see the suppression log)."
        ]
    lines = [
        f"Company eNPS {_points(h['enps'])} in {h['survey_id']} ({h['n']} answers;"
        f" {s.confidence:.0%} interval {_points(h['low'])} to {_points(h['high'])}, a respondent"
        " bootstrap" + (", finite-population corrected" if s.finite_population else "") + ")."
    ]
    latest = result.changes[result.changes["survey_id"] == h["survey_id"]]
    tested = latest[latest["verdict"] != VERDICT_UNTESTED]
    if h["change"] is not None and h["tested"]:
        lines.append(
            f"Change since {h['previous_survey_id']}: {_points(h['change'])} points"
            f" ({_points(h['change_low'])} to {_points(h['change_high'])} at the"
            f" {result.change_level[h['survey_id']]:.1%} level that false-discovery control"
            f" across the {len(tested)} groups tested implies) — {h['verdict']}."
        )
    if h["participation"] is not None:
        lines.append(f"Participation {formatting.pct(h['participation'], digits=0)}.")
    lines += _alert_lines(result)
    lines += _trend_lines(result)
    if len(tested):
        clear = tested[tested["verdict"].isin([VERDICT_UP, VERDICT_DOWN])]
        clear = clear[clear["group"] != result.root]
        if len(clear):
            lines.append(
                f"Clear changes since {tested['previous_survey_id'].iloc[0]} (false-discovery"
                f" rate {s.fdr:.0%} across {len(tested)} groups with at least"
                f" {s.min_change_pairs} people answering both): "
                + ", ".join(
                    f"{g} ({_points(d)})"
                    for g, d in zip(clear["group"], clear["delta"], strict=True)
                )
                + "."
            )
        else:
            lines.append(
                f"No group changed clearly since {tested['previous_survey_id'].iloc[0]} once"
                f" {len(tested)} groups are tested together (false-discovery rate {s.fdr:.0%})."
            )
    lines += _driver_lines(result)
    hidden = result.log[
        (result.log["survey_id"] == h["survey_id"])
        & result.log["hidden"].str.contains("all figures")
    ]
    held = hidden[hidden["group"] == "all groups"]
    for reason in held["reason"]:
        lines.append(f"{h['survey_id']}: {reason}.")
    earlier = result.log[
        (result.log["survey_id"] != h["survey_id"]) & (result.log["group"] == "all groups")
    ]
    for survey, reason in zip(earlier["survey_id"], earlier["reason"], strict=True):
        lines.append(f"{survey} {reason}.")
    groups = hidden.loc[hidden["group"] != "all groups", "group"].nunique()
    if groups:
        lines.append(
            f"{groups} groups hidden this survey to keep answers anonymous (fewer than"
            f" {s.min_group_size} respondents, or derivable from shown groups)."
        )
    return lines


def _alert_lines(result: Engagement) -> list[str]:
    s = result.settings
    latest = result.scores[
        (result.scores["survey_id"] == result.latest) & (result.scores["kind"] == "team")
    ]
    low = latest[latest["enps"] < s.alert_below].sort_values("enps")
    if low.empty:
        return []
    return [
        f"Below {_points(s.alert_below)} in {result.latest}: "
        + "; ".join(
            f"{r.group} {_points(r.enps)} ({r.n} answers, {_points(r.low)} to {_points(r.high)})"
            for r in low.itertuples()
        )
        + "."
    ]


def _trend_lines(result: Engagement) -> list[str]:
    t = result.trends
    falling = t[t["declining"].astype(bool)] if len(t) else t
    if falling.empty:
        return []
    s = result.settings
    return [
        f"Sustained decline over the last {s.trend_surveys} surveys (slope interval below 0"
        f" after false-discovery control across {len(t)} groups): "
        + "; ".join(
            f"{r.group} from {_points(r.first)} to {_points(r.last)}, {_points(r.slope)} points a"
            f" survey ({_points(r.low)} to {_points(r.high)})"
            for r in falling.itertuples()
        )
        + "."
    ]


def _driver_lines(result: Engagement) -> list[str]:
    top = result.drivers[
        (result.drivers["survey_id"] == result.latest) & (result.drivers["group"] == result.root)
    ].sort_values("rank")
    if top.empty:
        return []
    names = [
        d if isinstance(d, str) else q
        for d, q in zip(top["driver"], top["question_id"], strict=True)
    ]
    first = top.iloc[0]
    share = (
        f"{first['weight']:.0%} of the variance of eNPS answers, of the {first['r2']:.0%} all"
        " items explain together"
    )
    if bool(first["clear"]):
        return [
            f"Clearest driver: {names[0]}, accounting for {share}; its interval lies above"
            " every other item's (relative weights)."
        ]
    lead = names[0] if len(names) == 1 else f"{names[0]} and {names[1]}"
    return [
        f"No clear driver: {lead} lead ({names[0]} accounts for {share}), but the intervals"
        " of the relative weights overlap."
    ]


@dataclass
class LatestView:
    """What the engagement notebook shows of the latest survey (every table already
    suppressed: only cells the anonymity rule lets through appear)."""

    survey_id: str | None
    company: str | None
    interval_label: str
    company_trend: pd.DataFrame
    latest_scores: pd.DataFrame
    changes: pd.DataFrame
    trends: pd.DataFrame
    enps_grid: pd.DataFrame
    heatmap: pd.DataFrame
    driver_labels: dict
    drivers: pd.DataFrame
    participation: pd.DataFrame
    themes: pd.DataFrame
    comments: pd.DataFrame
    log: pd.DataFrame
    quarantine_note: str
    participation_missing: str | None = None  # why participation is not measured, if it is not


def _shares_or_withheld(scores: pd.DataFrame) -> pd.DataFrame:
    """Survey, n, invited, shares and eNPS with its interval; shares say "withheld" where
    the split is."""
    shares = ["pct_promoters", "pct_passives", "pct_detractors"]
    out = scores[["survey_id", "n", "invited", *shares, "enps", "low", "high"]].copy()
    withheld = ~scores["split"].astype(bool)
    for column in shares:
        out[column] = out[column].astype(object).where(~withheld, "withheld")
    return out


def latest_view(result: Engagement, grid_surveys: int = 12) -> LatestView:
    """The latest survey's tables, and the company's trend, as the notebook shows them."""
    latest, company = result.latest, result.root

    def of_latest(frame: pd.DataFrame) -> pd.DataFrame:
        return frame.loc[frame["survey_id"] == latest] if not frame.empty else frame

    def of_company(frame: pd.DataFrame) -> pd.DataFrame:
        return frame.loc[frame["group"] == company] if not frame.empty else frame

    scores = result.scores
    window = [s for s in result.surveys["survey_id"] if s in set(scores["survey_id"])][
        -grid_surveys:
    ]
    return LatestView(
        survey_id=latest,
        company=company,
        interval_label=result.settings.interval_label,
        company_trend=_shares_or_withheld(of_company(scores)).iloc[::-1],
        latest_scores=of_latest(scores),
        changes=of_latest(result.changes).loc[
            :,
            [
                "group",
                "previous_survey_id",
                "delta",
                "low",
                "high",
                "level",
                "paired_n",
                "p_adjusted",
                "verdict",
            ],
        ],
        trends=result.trends.loc[
            :, ["group", "first", "last", "slope", "low", "high", "p_adjusted", "declining"]
        ],
        enps_grid=pulse.enps_grid(scores, window, company),
        heatmap=pulse.favourability_grid(result.favourability, latest, result.questions, company)
        if latest
        else pd.DataFrame(),
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
        participation_missing=None
        if result.has_invites
        else "not measured: the source holds no invitation counts (survey_invites)",
    )


# -- what the store keeps -----------------------------------------------------------------------
