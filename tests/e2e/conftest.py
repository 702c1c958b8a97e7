"""End-to-end fixtures: real `compass-nb` processes on the small demo.

Three runs are made once per test session and shared by every xdist worker (a file lock
makes the first worker build each, the others wait and reuse it): the whole pack of
2026-10 after a backfilled 2026-09; the same two cycles computed in kernels, each with its
pack; and a quick pack of 01 alone that fault tests copy and run on top of.
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

from tests.shared import build_once, shared_folder

PERIOD = "2026-10"
#: A run of the period on the small demo (add --out and --only).
QUICK = ["--period", PERIOD, "--set", "source=demo:small"]
#: 01 alone and no pack: for runs whose test looks at the store (recovery, locks, readers).
STORE_ONLY = ["--only", "01_data_collection", "--packs", "none"]


#: Debian's Chromium, driven by Playwright through its executable path (never a download),
#: with background networking off: the browser tests' one way to start it.
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


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


def wait_for(process, marker: str) -> None:
    """Read the process's output until ``marker`` appears (fail if it ends first)."""
    seen = ""
    while marker not in seen:
        line = process.stdout.readline()
        assert line, f"the run ended before {marker!r}: {seen}"
        seen += line


def tree_digest(folder: Path) -> dict[str, str]:
    """sha256 of every file under ``folder`` (the pack's exact content)."""
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def _shared_run(base: Path, name: str, *args: str, env: dict | None = None) -> Pack:
    """Run ``compass-nb run ARGS`` once per session, whichever worker asks first."""

    def run(root: Path) -> Pack:
        result = compass("run", *args, "--out", str(root), env=env)
        return Pack(root, result.returncode, result.stdout + result.stderr)

    return build_once(base, name, run)


@pytest.fixture(scope="session")
def shared_base(pytestconfig) -> Path:
    return shared_folder(pytestconfig)


@pytest.fixture(scope="session")
def pack(shared_base) -> Pack:
    """The whole pack of 2026-10 on the small demo, after one backfilled cycle (2026-09,
    computed in process, store only); or the finished run whose ``--out`` folder
    ``COMPASS_E2E_PACK`` names (e.g. the full demo's ``make report``: the invariants then
    check that pack)."""
    if os.environ.get("COMPASS_E2E_PACK"):
        return Pack(Path(os.environ["COMPASS_E2E_PACK"]), 0, "")
    return _shared_run(
        shared_base, "pack", "--period", PERIOD, "--backfill", "1", "--set", "source=demo:small"
    )


@pytest.fixture(scope="session")
def kernel_pack(shared_base) -> Pack:
    """The same two cycles computed inside the notebooks' kernels, each with its pack (the
    behaviour before steps: every figure must agree with :func:`pack`)."""
    return _shared_run(
        shared_base,
        "kernel",
        "--period",
        PERIOD,
        "--backfill",
        "1",
        "--packs",
        "all",
        "--set",
        "source=demo:small",
        env={"COMPASS_COMPUTE": "kernel"},
    )


@pytest.fixture(scope="session")
def quick_pack(shared_base) -> Pack:
    """A pack of 01 data collection only: the base of the fault tests."""
    return _shared_run(shared_base, "quick", *QUICK, "--only", "01_data_collection")


def copy_pack(pack: Pack, target: Path) -> Pack:
    shutil.copytree(pack.root, target)
    return Pack(target, pack.returncode, pack.output)


@pytest.fixture
def pack_copy(quick_pack, tmp_path) -> Pack:
    """A private copy of the quick pack, for tests that run again on top of it."""
    assert quick_pack.returncode == 0, quick_pack.output
    return copy_pack(quick_pack, tmp_path / "reports")
