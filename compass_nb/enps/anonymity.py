"""Anonymity: which groups may be shown, and a log of what was hidden and why.

A group is a team of `org_units` together with every team below it. A group with
fewer than ``min_size`` respondents is hidden (primary suppression). Hiding it is
not enough: a parent shown beside its shown sub-teams lets a reader subtract, so
for every shown group the part not covered by its nearest shown sub-groups (its
*remainder*) must be empty or hold at least ``min_size`` people. When it does not,
one more group is hidden (complementary suppression: the smallest one that
closes the gap) until every remainder is safe. Hiding more never breaks this, so
the patterns of different measures may be combined freely.

A safe remainder holding hidden teams is shown as ``"<team> · other"``: it can be
derived anyway, and it is large enough. Across two periods: a change between two
surveys is shown only when the group is shown in both, otherwise it would reveal the
hidden one; and a survey still collecting answers at an earlier cycle's cut-off hides,
in the later report, any group whose late answers could be had by subtracting the
earlier report (`hide_late_answers`).
"""

from __future__ import annotations

import pandas as pd

from compass_nb.enps._tree import OrgTree

OTHER = " · other"
LOG_COLUMNS = ["survey_id", "measure", "group", "reason"]


def suppression_pattern(direct: pd.Series, tree: OrgTree, min_size: int) -> pd.DataFrame:
    """Which groups may be shown, given per-team respondent counts.

    Parameters
    ----------
    direct
        Respondents (or answers) per team, counting only people placed directly
        in that team; indexed by team.
    tree
        The organisation tree.
    min_size
        The smallest group that may be shown (``enps.min_group_size``).

    Returns
    -------
    DataFrame
        One row per team: ``group``, ``n`` (respondents in its subtree), ``shown``,
        ``reason`` (why hidden; empty when shown), ``remainder`` (respondents of a
        shown group outside its nearest shown sub-groups).
    """
    n = tree.subtree_totals(direct).to_dict()
    shown = {team: bool(n[team] >= min_size) for team in tree.parent}
    reason = {
        team: ("no responses" if n[team] == 0 else f"fewer than {min_size} respondents")
        for team in tree.parent
        if not shown[team]
    }
    while (gap := _first_unsafe_remainder(n, shown, tree, min_size)) is not None:
        group, covered = gap
        victim = _complement_to_hide(group, covered, n, shown, tree, min_size)
        shown[victim] = False
        revealed = _hidden_in_remainder(group, covered, n, shown, tree, skip=victim)
        reason[victim] = (
            f"hidden as well: shown together with {', '.join(_nearby(victim, group, covered))} "
            f"it would let {', '.join(revealed) or 'a hidden group'} be derived by subtraction"
        )
    table = pd.DataFrame(
        {
            "group": list(tree.parent),
            "n": [int(n[t]) for t in tree.parent],
            "shown": [shown[t] for t in tree.parent],
            "reason": [reason.get(t, "") for t in tree.parent],
        }
    )
    table["remainder"] = [remainder(t, n, shown, tree) if shown[t] else 0 for t in table["group"]]
    return table


def nearest_shown_below(group: str, shown: dict, tree: OrgTree) -> list:
    """Shown groups under ``group`` with no shown group between them and it."""
    out, stack = [], list(tree.children[group])
    while stack:
        team = stack.pop()
        if shown.get(team, False):
            out.append(team)
        else:
            stack.extend(tree.children[team])
    return out


def remainder(group: str, n: pd.Series, shown: dict, tree: OrgTree) -> int:
    """Respondents of a group outside its nearest shown sub-groups."""
    return int(n[group] - sum(n[t] for t in nearest_shown_below(group, shown, tree)))


def _first_unsafe_remainder(n, shown, tree, min_size):
    for group in tree.bottom_up:
        if not shown[group]:
            continue
        covered = nearest_shown_below(group, shown, tree)
        rest = n[group] - sum(n[t] for t in covered)
        if 0 < rest < min_size:
            return group, covered
    return None


def _complement_to_hide(group, covered, n, shown, tree, min_size) -> str:
    """The smallest group whose hiding closes the gap (a sub-group, or the group itself)."""
    rest = n[group] - sum(n[t] for t in covered)
    candidates = list(covered) + ([group] if tree.parent[group] is not None else [])

    def closes(team):
        return team == group or rest + remainder(team, n, shown, tree) >= min_size

    fixing = [t for t in candidates if closes(t)]
    pool = fixing or candidates
    return min(pool, key=lambda t: (n[t], t))


def _hidden_in_remainder(group, covered, n, shown, tree, skip) -> list:
    inside = set(tree.subtree(group)) - {group}
    for team in covered:
        inside -= set(tree.subtree(team))
    hidden = [t for t in inside if t != skip and n[t] > 0 and not shown[t]]
    top = [t for t in hidden if not any(a in hidden for a in tree.ancestors(t))]
    return sorted(top)


def _nearby(victim, group, covered) -> list:
    if victim == group:
        return [f"its sub-teams {', '.join(sorted(covered))}"] if covered else ["its sub-teams"]
    return [group] + [t for t in sorted(covered) if t != victim]


def patterns_by(counts: pd.DataFrame, keys: list, tree: OrgTree, min_size: int) -> pd.DataFrame:
    """`suppression_pattern` for every combination of ``keys`` (e.g. survey, question).

    ``counts`` holds ``keys``, ``team`` and ``n`` (respondents placed directly in the team).
    """
    parts = []
    for key, part in counts.groupby(keys, sort=True):
        key = key if isinstance(key, tuple) else (key,)
        pattern = suppression_pattern(part.set_index("team")["n"], tree, min_size)
        parts.append(pattern.assign(**dict(zip(keys, key, strict=True))))
    if not parts:
        return pd.DataFrame(columns=[*keys, "group", "n", "shown", "reason", "remainder"])
    table = pd.concat(parts, ignore_index=True)
    return table[[*keys, "group", "n", "shown", "reason", "remainder"]]


def hide_late_answers(
    pattern: pd.DataFrame,
    earlier: pd.DataFrame,
    late: pd.Series,
    tree: OrgTree,
    min_size: int,
    cutoff: str,
) -> pd.DataFrame:
    """Hide more groups so that an earlier cycle's report cannot be subtracted from this one.

    A survey still collecting answers at an earlier cycle's cut-off was shown then with
    fewer answers. Any group shown in both reports reveals the answers that arrived in
    between; those late answers must, like any group, be none or at least ``min_size``,
    also after subtracting the late answers of its sub-groups shown in both. Groups are
    hidden from *this* report (the earlier one is already out) until that holds; hiding
    more never makes this report's own pattern unsafe.

    Parameters
    ----------
    pattern
        This report's `suppression_pattern` for one survey and measure.
    earlier
        The pattern the cycle ending at ``cutoff`` showed for the same survey and measure.
    late
        Respondents per team (placed directly) whose answers are dated after ``cutoff``.
    cutoff
        The earlier cycle, for the log (e.g. ``"2026-09"``).
    """
    shown = dict(zip(pattern["group"], pattern["shown"], strict=True))
    reason = dict(zip(pattern["group"], pattern["reason"], strict=True))
    n_now = dict(zip(pattern["group"], pattern["n"], strict=True))
    before = set(earlier.loc[earlier["shown"], "group"])
    n_late = tree.subtree_totals(late).to_dict()
    while True:
        both = {team: shown[team] and team in before for team in tree.parent}
        gap = _first_unsafe_remainder(n_late, both, tree, min_size)
        if gap is None:
            break
        group, covered = gap
        rest = n_late[group] - sum(n_late[t] for t in covered)
        candidates = [*covered, group]
        fixing = [
            t
            for t in candidates
            if t == group or rest + remainder(t, n_late, both, tree) >= min_size
        ]
        victim = min(fixing or candidates, key=lambda t: (n_now[t], t))
        shown[victim] = False
        reason[victim] = (
            f"hidden as well: some of its answers arrived after the {cutoff} cut-off, and comparing"
            f" with the {cutoff} report would reveal them"
        )
    out = pattern.assign(shown=pattern["group"].map(shown), reason=pattern["group"].map(reason))
    out["remainder"] = [remainder(t, n_now, shown, tree) if shown[t] else 0 for t in out["group"]]
    return out


def reporting_groups(pattern: pd.DataFrame, keys: list, tree: OrgTree) -> pd.DataFrame:
    """Team → shown group membership, plus the safe ``"<team> · other"`` remainders.

    Returns
    -------
    DataFrame
        ``keys``, ``group``, ``kind`` (``team`` or ``other``), ``parent`` (the group a
        row sits under, for display) and ``team`` (a member team): one row per
        (group, member team). Only shown groups appear.
    """
    rows = []
    for key, part in pattern.groupby(keys, sort=True):
        key = key if isinstance(key, tuple) else (key,)
        shown = dict(zip(part["group"], part["shown"], strict=True))
        n = dict(zip(part["group"], part["n"], strict=True))
        base = dict(zip(keys, key, strict=True))
        for group in part.loc[part["shown"], "group"]:
            parent = next((a for a in tree.ancestors(group) if shown[a]), None)
            for team in tree.subtree(group):
                rows.append(
                    {**base, "group": group, "kind": "team", "parent": parent, "team": team}
                )
            covered = nearest_shown_below(group, shown, tree)
            rest = remainder(group, n, shown, tree)
            if covered and rest > 0:
                outside = set(tree.subtree(group))
                for team in covered:
                    outside -= set(tree.subtree(team))
                for team in sorted(outside):
                    rows.append(
                        {
                            **base,
                            "group": group + OTHER,
                            "kind": "other",
                            "parent": group,
                            "team": team,
                        }
                    )
    return pd.DataFrame(rows, columns=[*keys, "group", "kind", "parent", "team"])


def changes_allowed(pattern: pd.DataFrame, previous: dict) -> pd.DataFrame:
    """Whether a group's change since the previous survey may be shown.

    Parameters
    ----------
    pattern
        ``survey_id``, ``group``, ``shown`` for every survey.
    previous
        survey_id → the previous survey_id (absent for the first survey).

    Returns
    -------
    DataFrame
        ``survey_id``, ``previous_survey_id``, ``group``, ``allowed`` and ``reason``
        for every group shown in the later survey.
    """
    shown = pattern.set_index(["survey_id", "group"])["shown"]
    rows = []
    for (survey, group), is_shown in shown.items():
        before = previous.get(survey)
        if not is_shown or before is None:
            continue
        was_shown = bool(shown.get((before, group), False))
        rows.append(
            {
                "survey_id": survey,
                "previous_survey_id": before,
                "group": group,
                "allowed": was_shown,
                "reason": ""
                if was_shown
                else f"change since {before} hidden: the group was hidden in {before},"
                " and the change would reveal its result there",
            }
        )
    return pd.DataFrame(
        rows, columns=["survey_id", "previous_survey_id", "group", "allowed", "reason"]
    )


def suppression_log(pattern: pd.DataFrame, measure: str) -> pd.DataFrame:
    """What was hidden and why (never the hidden figures, nor the exact group size)."""
    hidden = pattern[~pattern["shown"] & (pattern["n"] > 0)]
    key = hidden["survey_id"] if "survey_id" in hidden else pd.Series("", index=hidden.index)
    return pd.DataFrame(
        {
            "survey_id": key.to_numpy(),
            "measure": measure,
            "group": hidden["group"].to_numpy(),
            "reason": hidden["reason"].to_numpy(),
        },
        columns=LOG_COLUMNS,
    )


def unsafe_groups(shown_sizes: pd.Series, tree: OrgTree, min_size: int) -> list:
    """Independent check: shown groups that are small, or whose remainder is derivable and small.

    ``shown_sizes`` maps each shown team-group to its respondent count. Returns the
    offending groups (empty when the shown set is safe).
    """
    shown = {t: t in shown_sizes.index for t in tree.parent}
    bad = [t for t, size in shown_sizes.items() if size < min_size]
    for group in shown_sizes.index:
        rest = shown_sizes[group] - sum(
            shown_sizes[t] for t in nearest_shown_below(group, shown, tree)
        )
        if 0 < rest < min_size:
            bad.append(group)
    return sorted(set(bad))
