"""The organisation tree of `org_units`: parents, subtrees, depth."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import pandas as pd

from compass_nb.errors import InputError


@dataclass(frozen=True)
class OrgTree:
    """A validated tree: ``parent[team]`` is the parent team, ``None`` for the root."""

    parent: dict

    @classmethod
    def from_org_units(cls, org_units: pd.DataFrame) -> OrgTree:
        """Read `org_units` (``team``, ``parent_team?``), checking it is one tree."""
        if "team" not in org_units:
            raise InputError("org_units has no 'team' column: add team and parent_team columns.")
        teams = org_units["team"].astype(str)
        duplicated = teams[teams.duplicated()].unique()
        if len(duplicated):
            raise InputError(
                f"org_units lists team {duplicated[0]!r} more than once: keep one row per team."
            )
        parents = (
            org_units["parent_team"]
            if "parent_team" in org_units
            else pd.Series(None, index=org_units.index)
        )
        parent = {
            t: (None if pd.isna(p) or str(p) == "" else str(p))
            for t, p in zip(teams, parents, strict=True)
        }
        unknown = sorted({p for p in parent.values() if p is not None and p not in parent})
        if unknown:
            raise InputError(
                f"org_units names parent team {unknown[0]!r}, which is not itself a team: add it"
                " as a row or correct the parent_team."
            )
        roots = [t for t, p in parent.items() if p is None]
        if len(roots) != 1:
            raise InputError(
                f"org_units must form one tree with one root team; found {len(roots)} roots"
                f" ({', '.join(map(repr, roots[:3]))}). Give every other team a parent_team."
            )
        tree = cls(parent)
        tree.depth  # noqa: B018 — detects cycles
        return tree

    @cached_property
    def root(self) -> str:
        return next(t for t, p in self.parent.items() if p is None)

    @cached_property
    def children(self) -> dict:
        kids: dict = {t: [] for t in self.parent}
        for team, parent in self.parent.items():
            if parent is not None:
                kids[parent].append(team)
        return kids

    @cached_property
    def depth(self) -> dict:
        depth = {self.root: 0}
        stack = [self.root]
        while stack:
            team = stack.pop()
            for kid in self.children[team]:
                depth[kid] = depth[team] + 1
                stack.append(kid)
        if len(depth) != len(self.parent):
            loop = sorted(set(self.parent) - set(depth))
            raise InputError(
                f"org_units has a cycle through team {loop[0]!r}: each team's parent_team chain"
                " must end at the root."
            )
        return depth

    def subtree(self, team: str) -> list:
        """The team and every team below it."""
        out, stack = [], [team]
        while stack:
            node = stack.pop()
            out.append(node)
            stack.extend(self.children[node])
        return out

    def ancestors(self, team: str) -> list:
        """Parents of the team, nearest first, up to the root."""
        out, node = [], self.parent[team]
        while node is not None:
            out.append(node)
            node = self.parent[node]
        return out

    def subtree_totals(self, direct: pd.Series) -> pd.Series:
        """Sum of a per-team count over each team's subtree."""
        totals = {team: int(direct.get(team, 0)) for team in self.parent}
        for team in self.bottom_up:
            parent = self.parent[team]
            if parent is not None:
                totals[parent] += totals[team]
        return pd.Series(totals, dtype="int64")

    @cached_property
    def bottom_up(self) -> list:
        """Teams ordered deepest first (children before their parents)."""
        return sorted(self.parent, key=self.depth.get, reverse=True)
