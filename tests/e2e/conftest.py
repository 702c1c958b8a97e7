"""End-to-end fixtures: real `compass-nb` processes on the small demo.

The session's pack is rendered once (one backfilled cycle, then 2026-10) and shared by
the tests of the ``pack`` xdist group; tests that change a pack work on a copy.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

PERIOD = "2026-10"


@dataclass
class Pack:
    root: Path
    returncode: int
    output: str

    @property
    def period(self) -> Path:
        return self.root / PERIOD

    @property
    def store(self) -> Path:
        return self.root / "compass.duckdb"


def compass(
    *args: str, env: dict | None = None, timeout: float = 1500
) -> subprocess.CompletedProcess:
    """Run ``compass-nb`` in a subprocess, as a user would."""
    return subprocess.run(
        [sys.executable, "-m", "compass_nb.cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )


def start(*args: str, env: dict | None = None) -> subprocess.Popen:
    """Start ``compass-nb`` without waiting (for kill and concurrency tests)."""
    return subprocess.Popen(
        [sys.executable, "-m", "compass_nb.cli", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, **(env or {})},
    )


def tree_digest(folder: Path) -> dict[str, str]:
    """sha256 of every file under ``folder`` (the pack's exact content)."""
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


@pytest.fixture(scope="session")
def pack(tmp_path_factory) -> Pack:
    root = tmp_path_factory.mktemp("reports")
    result = compass(
        "run",
        "--period",
        PERIOD,
        "--backfill",
        "1",
        "--set",
        "source=demo:small",
        "--out",
        str(root),
    )
    return Pack(root, result.returncode, result.stdout + result.stderr)


@pytest.fixture
def pack_copy(pack, tmp_path) -> Pack:
    """A private copy of the session's pack, for tests that run again on top of it."""
    target = tmp_path / "reports"
    shutil.copytree(pack.root, target)
    return Pack(target, pack.returncode, pack.output)
