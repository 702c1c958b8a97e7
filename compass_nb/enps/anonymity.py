"""Anonymity: the one rule every engagement output obeys, and the suppression that keeps it.

**The rule.** Every figure shown is an aggregate (a count, a share, a score) of the answers
of a set of people: its *cell* — a team with every team below it, a ``"<team> · other"``
remainder, a survey as a report of an earlier cycle showed it. Aggregates add up, so a
reader may add and subtract the figures of cells; the smallest sets of people he can
isolate that way are the *atoms* of the shown cells: people grouped by exactly which cells
they belong to. The rule:

    for every measure of every survey (the eNPS answers, the answers to each pulse item,
    the respondents, the groups comments are listed under), each atom of the cells shown
    — in this report together with every report already published — holds no one, or at
    least the threshold (``min_group_size``; ``min_comment_group`` for comments).

Atoms are what subtraction across siblings, a parent and its children, remainder groups
and consecutive reports of one survey can reach, so no combination of shown figures
isolates fewer people than the threshold. (Atoms are a little stricter than needed: an
intersection of two overlapping cells is an atom even when no sum of figures gives it.)
:func:`unsafe_atoms` is the rule; :func:`assert_safe` applies it to finished outputs.

**Choosing what to show.** Inside one report the groups form a tree (a team contains its
sub-teams), and the atoms of a tree of shown groups are their *remainders*: a shown group
minus its nearest shown sub-groups. :func:`laminar_pattern` hides groups until every
remainder is safe — first the groups that are themselves too small (primary suppression),
then, while a remainder is unsafe, the smallest group whose hiding closes the gap
(complementary suppression). Hiding a group merges its remainder into its parent's, and a
union of safe remainders is safe, so hiding more never breaks the rule. The same engine,
with another safety test, keeps comments to groups of ``min_comment_group``
(:func:`comment_pattern`) and withholds category splits that would tell every member of a
small group how the others answered (:func:`split_pattern`). Across reports, the version of
a survey shown is chosen in :mod:`compass_nb.enps.versions`, with this same rule.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping

import numpy as np
import pandas as pd

from compass_nb.enps._tree import OrgTree

OTHER = " · other"
LOG_COLUMNS = ["survey_id", "measure", "group", "reason"]
PATTERN_COLUMNS = ["group", "n", "shown", "reason", "remainder"]


# -- the rule ---------------------------------------------------------------------------------
def atoms(cells: Mapping[Hashable, Iterable]) -> dict[frozenset, frozenset]:
    """The atoms of ``cells`` (label → member ids): members grouped by the cells holding them.

    Returns
    -------
    dict
        frozenset of cell labels → frozenset of the members in exactly those cells.
    """
    labels = list(cells)
    members = sorted({m for label in labels for m in cells[label]}, key=str)
    if not members:
        return {}
    code = {m: i for i, m in enumerate(members)}
    signature = np.zeros(len(members), dtype=object if len(labels) > 62 else np.int64)
    for bit, label in enumerate(labels):
        rows = np.fromiter((code[m] for m in set(cells[label])), dtype=np.int64)
        signature[rows] = signature[rows] | (1 << bit)
    out = {}
    for sig in np.unique(signature):
        chosen = frozenset(labels[i] for i in range(len(labels)) if int(sig) >> i & 1)
        out[chosen] = frozenset(members[i] for i in np.flatnonzero(signature == sig))
    return out


def unsafe_atoms(
    cells: Mapping[Hashable, Iterable],
    min_size: int,
    published: Mapping[Hashable, Iterable] | None = None,
    exposed: set | None = None,
) -> list[frozenset]:
    """The rule: atoms of 1 to ``min_size − 1`` people that showing ``cells`` creates.

    Parameters
    ----------
    cells
        The cells about to be shown: label → member ids.
    min_size
        The threshold.
    published
        Cells already shown in earlier reports (label → member ids; labels distinct from
        ``cells``'). Atoms that are small among these alone are not counted: this report
        cannot take them back, and only what it adds is its responsibility.
    exposed
        When given, only atoms holding one of these members count: for comments, an atom
        with no author of a listed comment in it has no comment attributed to it.

    Returns
    -------
    list
        Member sets of the small atoms (empty when ``cells`` may be shown).
    """
    published = dict(published or {})
    together = atoms({**{("published", k): v for k, v in published.items()}, **cells})
    small = [m for m in together.values() if 0 < len(m) < min_size]
    if exposed is not None:
        small = [m for m in small if m & exposed]
    if not small or not published:
        return small
    before = {m for m in atoms(published).values() if len(m) < min_size}
    return [m for m in small if m not in before]


def assert_safe(
    cells: Mapping[Hashable, Iterable], min_size: int, what: str, published=None, exposed=None
):
    """Internal invariant on finished outputs: the rule holds (raises AssertionError)."""
    bad = unsafe_atoms(cells, min_size, published, exposed)
    assert not bad, f"{what}: {len(bad)} set(s) of fewer than {min_size} people can be isolated"


# -- choosing the groups of one report ----------------------------------------------------------
def at_least(min_size: int) -> Callable[[np.ndarray], bool]:
    """Safety of a cell's counts (one per measure): each is 0 or at least ``min_size``."""

    def safe(counts: np.ndarray) -> bool:
        counts = np.asarray(counts)
        return bool(((counts == 0) | (counts >= min_size)).all())

    return safe


def laminar_pattern(
    direct: pd.DataFrame,
    tree: OrgTree,
    safe: Callable[[np.ndarray], bool],
    *,
    start: Mapping[str, bool] | None = None,
    small_reason: Callable[[np.ndarray], str],
    complement_reason: Callable[[str, list, list], str],
) -> pd.DataFrame:
    """Which groups of the tree may be shown so that every remainder is ``safe``.

    Parameters
    ----------
    direct
        Counts of people placed directly in each team, one column per measure (the
        first column is the group size that orders the choice); indexed by team.
    tree
        The organisation tree.
    safe
        Whether a cell with these counts may be isolated (e.g. :func:`at_least`); a
        union of safe cells must be safe.
    start
        Groups that may be shown at all (others start hidden, with an empty reason).
    small_reason, complement_reason
        Texts for the log: why a group is hidden by itself (its subtree counts), and why
        one is hidden to protect others (victim, its neighbours, the groups protected).

    Returns
    -------
    DataFrame
        One row per team: ``group``, ``n`` (first column, over the subtree), ``shown``,
        ``reason`` (empty when shown) and ``remainder`` (first column of a shown group's
        remainder).
    """
    teams = list(tree.parent)
    position = {t: i for i, t in enumerate(teams)}
    values = np.nan_to_num(direct.to_numpy(dtype=float))
    counts = np.zeros((len(teams), values.shape[1]))
    for row, team in enumerate(direct.index):
        if team in position:
            counts[position[team]] = values[row]
    totals = _subtree_totals(counts, tree, teams)
    n = dict(zip(teams, totals, strict=True))
    shown, reason = {}, {}
    for team in teams:
        allowed = True if start is None else bool(start.get(team, False))
        shown[team] = allowed and n[team][0] > 0 and safe(n[team])
        if allowed and not shown[team] and n[team][0] > 0:
            reason[team] = small_reason(n[team])
    while (gap := _first_unsafe_remainder(n, shown, tree, safe)) is not None:
        group, covered = gap
        victim = _complement_to_hide(group, covered, n, shown, tree, safe)
        shown[victim] = False
        protected = _hidden_in_remainder(group, covered, n, shown, tree, skip=victim)
        reason[victim] = complement_reason(victim, _nearby(victim, group, covered), protected)
    return pd.DataFrame(
        {
            "group": teams,
            "n": [int(n[t][0]) for t in teams],
            "shown": [shown[t] for t in teams],
            "reason": [reason.get(t, "") for t in teams],
            "remainder": [int(remainder(t, n, shown, tree)[0]) if shown[t] else 0 for t in teams],
        },
        columns=PATTERN_COLUMNS,
    )


def group_pattern(
    direct: pd.DataFrame,
    tree: OrgTree,
    min_size: int,
    start: Mapping[str, bool] | None = None,
) -> pd.DataFrame:
    """The groups of one survey that may be shown, for every measure at once.

    ``direct``: per team, respondents (first column) and the answers to each measure (the
    eNPS question, each pulse item). A group is shown only when its respondents and its
    answers to every measure are 0 or at least ``min_size``, and so is its remainder:
    one pattern per survey, so a group name means the same people in every table.
    ``start``: the groups that may be shown at all (e.g. after :func:`score_pattern`).
    """
    names = list(direct.columns)

    def small(counts):
        if counts[0] < min_size:
            return f"fewer than {min_size} respondents"
        short = [names[i] for i in range(1, len(counts)) if 0 < counts[i] < min_size]
        return f"fewer than {min_size} answers to {', '.join(short)}"

    def complement(victim, nearby, protected):
        return (
            f"hidden as well: shown together with {', '.join(nearby)} it would let"
            f" {', '.join(protected) or 'a hidden group'} be derived by subtraction"
        )

    return laminar_pattern(
        direct,
        tree,
        at_least(min_size),
        start=start,
        small_reason=small,
        complement_reason=complement,
    )


def score_pattern(
    categories: pd.DataFrame, tree: OrgTree, min_size: int, shown: Mapping[str, bool]
) -> pd.DataFrame:
    """Which shown groups may show their eNPS score at all.

    A score of +100 or −100 says that every member answered as a promoter (or as a
    detractor): in a group of fewer than ``min_size`` answers (the split minimum) it tells
    each respondent how every colleague answered, as a withheld split would. Such a group
    is hidden, and so is what subtraction would reach it by (its remainder beside a parent
    and siblings). ``categories``: promoters, passives, detractors per team.
    """

    def safe(counts):
        total, promoters, detractors = counts[0], counts[1], counts[3]
        return bool(total == 0 or total >= min_size or (promoters < total and detractors < total))

    def small(_counts):
        return (
            f"hidden: every answer was a promoter's or every one a detractor's, in a group of"
            f" fewer than {min_size}; its score (±100) would tell each respondent how every"
            " colleague answered"
        )

    def complement(victim, nearby, protected):
        return (
            f"hidden as well: beside {', '.join(nearby)} its score would let the score of"
            f" {', '.join(protected) or 'a hidden group'} (±100) be derived by subtraction"
        )

    return _category_pattern(categories, tree, safe, shown, small, complement)


def comment_pattern(
    respondents: pd.Series, tree: OrgTree, min_size: int, shown: Mapping[str, bool]
) -> pd.DataFrame:
    """The groups comments may be listed under: shown groups of at least ``min_size``
    respondents whose remainders are as large (a coarsening of the group pattern, so a
    comment group is a union of shown groups)."""

    def complement(victim, nearby, protected):
        return (
            f"comments pooled: listed apart beside {', '.join(nearby)}, they would narrow"
            f" {', '.join(protected) or 'a smaller group'}'s comments to fewer than"
            f" {min_size} people"
        )

    return laminar_pattern(
        respondents.to_frame("respondents"),
        tree,
        at_least(min_size),
        start=shown,
        small_reason=lambda _: f"comments need at least {min_size} respondents",
        complement_reason=complement,
    )


def split_pattern(
    categories: pd.DataFrame, tree: OrgTree, min_size: int, shown: Mapping[str, bool]
) -> pd.DataFrame:
    """Which shown groups may show their category split (e.g. promoters/passives/detractors).

    A split tells each member of a group something about the others: that no colleague is
    a detractor, or that all answered alike. It is shown for a group (and for what
    subtraction reaches: its remainder) only when the group has at least ``min_size``
    answers or an answer in every category; otherwise the score is shown without it
    (unless it is ±100: :func:`score_pattern` hides such a group whole).
    """

    def safe(counts):
        total, split = counts[0], counts[1:]
        return bool(total == 0 or total >= min_size or (split > 0).all())

    def small(counts):
        if (counts[1:] > 0).sum() == 1:
            return (
                f"split withheld: every answer fell in one category, in a group of fewer than"
                f" {min_size}; the split would tell each respondent how every colleague answered"
            )
        return (
            f"split withheld: a category has no answers, in a group of fewer than {min_size};"
            " the split would tell each respondent that no colleague answered that way"
        )

    def complement(victim, nearby, protected):
        return (
            f"split withheld as well: beside {', '.join(nearby)} it would let the withheld"
            f" split of {', '.join(protected) or 'a small group'} be derived"
        )

    return _category_pattern(categories, tree, safe, shown, small, complement)


def _category_pattern(categories, tree, safe, shown, small, complement) -> pd.DataFrame:
    """:func:`laminar_pattern` on answers per team and category (total first, then each
    category), among the ``shown`` groups."""
    counts = np.nan_to_num(categories.to_numpy(dtype=float))
    return laminar_pattern(
        pd.DataFrame(np.column_stack([counts.sum(axis=1), counts]), index=categories.index),
        tree,
        safe,
        start=shown,
        small_reason=small,
        complement_reason=complement,
    )


def nearest_shown_below(group: str, shown: Mapping[str, bool], tree: OrgTree) -> list:
    """Shown groups under ``group`` with no shown group between them and it."""
    out, stack = [], list(tree.children[group])
    while stack:
        team = stack.pop()
        if shown.get(team, False):
            out.append(team)
        else:
            stack.extend(tree.children[team])
    return sorted(out)


def remainder(group: str, n: Mapping, shown: Mapping[str, bool], tree: OrgTree) -> np.ndarray:
    """Counts of a group outside its nearest shown sub-groups (its atom)."""
    rest = np.array(n[group], dtype=float)
    for team in nearest_shown_below(group, shown, tree):
        rest = rest - np.asarray(n[team], dtype=float)
    return rest


def _subtree_totals(counts: np.ndarray, tree: OrgTree, teams: list) -> np.ndarray:
    index = {t: i for i, t in enumerate(teams)}
    totals = counts.copy()
    for team in tree.bottom_up:
        parent = tree.parent[team]
        if parent is not None:
            totals[index[parent]] += totals[index[team]]
    return totals


def _first_unsafe_remainder(n, shown, tree, safe):
    for group in tree.bottom_up:
        if shown[group] and not safe(remainder(group, n, shown, tree)):
            return group, nearest_shown_below(group, shown, tree)
    return None


def _complement_to_hide(group, covered, n, shown, tree, safe) -> str:
    """The smallest group whose hiding closes the gap (a sub-group, or the group itself)."""
    rest = remainder(group, n, shown, tree)
    candidates = list(covered) + ([group] if tree.parent[group] is not None else [])

    def closes(team):
        return team == group or safe(rest + remainder(team, n, shown, tree))

    fixing = [t for t in candidates if closes(t)]
    pool = fixing or candidates
    return min(pool, key=lambda t: (n[t][0], t))


def _hidden_in_remainder(group, covered, n, shown, tree, skip) -> list:
    inside = set(tree.subtree(group)) - {group}
    for team in covered:
        inside -= set(tree.subtree(team))
    hidden = [t for t in inside if t != skip and n[t][0] > 0 and not shown[t]]
    top = [t for t in hidden if not any(a in hidden for a in tree.ancestors(t))]
    return sorted(top)


def _nearby(victim, group, covered) -> list:
    if victim == group:
        return [f"its sub-teams {', '.join(sorted(covered))}"] if covered else ["its sub-teams"]
    return [group] + [t for t in sorted(covered) if t != victim]


# -- the cells of a pattern ---------------------------------------------------------------------
def reporting_groups(pattern: pd.DataFrame, tree: OrgTree) -> pd.DataFrame:
    """Team → shown group membership of one survey, plus the safe ``"<team> · other"`` cells.

    Returns
    -------
    DataFrame
        ``group``, ``kind`` (``team`` or ``other``), ``parent`` (the shown group a row sits
        under, for display) and ``team`` (a member team): one row per (group, member team).
        Only shown groups appear; a remainder appears when it holds anyone.
    """
    shown = dict(zip(pattern["group"], pattern["shown"], strict=True))
    rest = dict(zip(pattern["group"], pattern["remainder"], strict=True))
    rows = []
    for group in [t for t in tree.parent if shown[t]]:
        parent = next((a for a in tree.ancestors(group) if shown[a]), None)
        rows += [(group, "team", parent, team) for team in tree.subtree(group)]
        if nearest_shown_below(group, shown, tree) and rest[group] > 0:
            rows += [
                (group + OTHER, "other", group, t) for t in remainder_teams(group, shown, tree)
            ]
    return pd.DataFrame(rows, columns=["group", "kind", "parent", "team"])


def remainder_teams(group: str, shown: Mapping[str, bool], tree: OrgTree) -> list:
    """The teams of a group outside its nearest shown sub-groups."""
    outside = set(tree.subtree(group))
    for team in nearest_shown_below(group, shown, tree):
        outside -= set(tree.subtree(team))
    return sorted(outside)


def atom_of_team(shown: Mapping[str, bool], tree: OrgTree) -> dict:
    """Each team → the label of the atom its people are in (``None`` above every shown group).

    A team's atom is its deepest shown group: that group's name when nothing below it is
    shown, else its ``"· other"`` remainder.
    """
    out = {}
    for team in tree.parent:
        chain = [team, *tree.ancestors(team)]
        owner = next((g for g in chain if shown.get(g, False)), None)
        if owner is None:
            out[team] = None
        elif owner != team or nearest_shown_below(owner, shown, tree):
            below = nearest_shown_below(owner, shown, tree)
            out[team] = owner + OTHER if below else owner
        else:
            out[team] = owner
    return out


def comment_cells(
    comments: pd.DataFrame, groups: pd.DataFrame, respondents: pd.Series, tree: OrgTree
) -> pd.DataFrame:
    """Each team → the comment group its people's comments are listed under, and its label.

    A comment is listed once, under the atom of the comment pattern holding its author (the
    smallest comment group), so no two listings can be differenced. An atom that is not a
    whole shown group is named by the shown groups it pools (``"Operations · other +
    Warehouse West"``), so a name means the same people as in the score tables.

    Parameters
    ----------
    comments, groups
        The comment pattern and the group pattern of one survey.
    respondents
        Respondents placed directly in each team (teams with none are not named).

    Returns
    -------
    DataFrame
        ``team``, ``group`` (the label), ``kind`` (``team`` or ``other``), ``parent``.
    """
    in_comments = dict(zip(comments["group"], comments["shown"], strict=True))
    in_groups = dict(zip(groups["group"], groups["shown"], strict=True))
    comment_atom = atom_of_team(in_comments, tree)
    group_atom = atom_of_team(in_groups, tree)
    answered = {t for t, n in respondents.items() if n > 0}
    rows = []
    for atom in sorted({a for a in comment_atom.values() if a is not None}):
        teams = [t for t, a in comment_atom.items() if a == atom]
        if not atom.endswith(OTHER):
            parent = next((a for a in tree.ancestors(atom) if in_comments.get(a)), None)
            rows += [(t, atom, "team", parent) for t in teams]
            continue
        owner = atom.removesuffix(OTHER)
        pooled = [group_atom[t] for t in tree.subtree(owner) if t in teams and t in answered]
        pooled = sorted({p for p in pooled if p is not None}, key=lambda p: (p != atom, p))
        label = atom if pooled in ([atom], []) else " + ".join(pooled)
        rows += [(t, label, "other", owner) for t in teams]
    return pd.DataFrame(rows, columns=["team", "group", "kind", "parent"])


def changes_allowed(shown: pd.DataFrame, previous: dict) -> pd.DataFrame:
    """Whether a group's change since the previous survey may be shown (shown in both).

    Parameters
    ----------
    shown
        ``survey_id``, ``group`` of every shown cell.
    previous
        survey_id → the previous survey_id (absent for the first survey).

    Returns
    -------
    DataFrame
        ``survey_id``, ``previous_survey_id``, ``group``, ``allowed`` and ``reason``
        for every group shown in the later survey.
    """
    cells = set(zip(shown["survey_id"], shown["group"], strict=True))
    rows = []
    for survey, group in sorted(cells):
        before = previous.get(survey)
        if before is None:
            continue
        was = (before, group) in cells
        reason = (
            ""
            if was
            else f"change since {before} hidden: the group was hidden in {before}, and the"
            " change would reveal its result there"
        )
        rows.append((survey, before, group, was, reason))
    return pd.DataFrame(
        rows, columns=["survey_id", "previous_survey_id", "group", "allowed", "reason"]
    )


def suppression_log(pattern: pd.DataFrame, measure: str) -> pd.DataFrame:
    """What was hidden and why (never the hidden figures, nor the exact group size)."""
    hidden = pattern[~pattern["shown"] & (pattern["n"] > 0) & (pattern["reason"] != "")]
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
