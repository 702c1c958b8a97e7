"""The demo company kept on disk between processes, so that a run does not build it again.

Building the small company takes about 1.5 s of CPU, the full one several; every run, kernel
and test process on the demo used to pay for it. The first process to build a profile
writes its tables to the user's cache folder (``$COMPASS_CACHE``, else
``$XDG_CACHE_HOME/compass-nb``, else ``~/.cache/compass-nb``); later ones read them back.

The file's name holds a digest of everything the tables depend on: the generator's source
files, the profile, and the versions of Python, NumPy and pandas. Editing the generator or
upgrading either library therefore builds afresh, and a stale file is never read. A cache
that cannot be read or written is ignored (the company is built in memory, as before);
``COMPASS_CACHE=off`` turns it off. The cache is not output: nothing under ``reports/``.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

GENERATOR = Path(__file__).resolve().parent


def cache_folder() -> Path | None:
    """Where the demo tables are kept (``None``: ``COMPASS_CACHE=off``)."""
    named = os.environ.get("COMPASS_CACHE")
    if named is not None:
        return None if named.strip().lower() in ("", "off", "0", "no") else Path(named)
    base = os.environ.get("XDG_CACHE_HOME")
    if not base:
        try:
            base = Path.home() / ".cache"
        except (KeyError, RuntimeError):  # no home folder known (a bare service account)
            return None
    return Path(base) / "compass-nb"


def key(profile: str) -> str:
    """The digest of what the tables of ``profile`` depend on (see the module docstring)."""
    digest = hashlib.sha256()
    for path in sorted(GENERATOR.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    versions = (profile, sys.version, np.__version__, pd.__version__)
    digest.update(repr(versions).encode())
    return digest.hexdigest()[:20]


def cached(profile: str, build: Callable[[str], dict[str, pd.DataFrame]]):
    """``build(profile)``, read from the cache folder when an earlier process wrote it."""
    folder = cache_folder()
    if folder is None:
        return build(profile)
    path = folder / f"demo-{profile}-{key(profile)}.pickle"
    try:
        return pickle.loads(path.read_bytes())
    except Exception:  # noqa: BLE001 - absent, unreadable or truncated: build it again
        pass
    tables = build(profile)
    _write(path, tables)
    return tables


def _write(path: Path, tables: dict[str, pd.DataFrame]) -> None:
    """Write atomically (a temporary file renamed into place): a process that reads at the
    same time sees the whole file or none; a folder that cannot be written is skipped."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    except OSError:
        return
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(pickle.dumps(tables, protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(temporary, path)
    except OSError:
        Path(temporary).unlink(missing_ok=True)
