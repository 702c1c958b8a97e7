"""Work made once per test session and shared by every xdist worker.

The first worker that asks builds it under a file lock in the session's shared temporary
folder (the parent of each worker's own); the others wait on the lock and reuse what it
left. A build that raises leaves nothing, so the next worker that asks builds again.
"""

from __future__ import annotations

import fcntl
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest


def shared_folder(config: pytest.Config) -> Path:
    """The temporary folder every worker of this session sees (one run's own without xdist)."""
    base = config._tmp_path_factory.getbasetemp()
    return base.parent if hasattr(config, "workerinput") else base


def build_once(base: Path, name: str, build: Callable[[Path], Any]) -> Any:
    """``build(base / name)``'s value, built by the first worker that asks, pickled for the rest."""
    done = base / f"{name}.pickle"
    with open(base / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            value = build(base / name)
            done.write_bytes(pickle.dumps(value))
    return pickle.loads(done.read_bytes())
