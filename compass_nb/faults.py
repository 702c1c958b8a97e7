"""Fault injection for the kill-safety tests: a run pauses at a named point.

With ``COMPASS_PAUSE_AT=<point>`` (``pack``, ``swap`` or ``commit``) a run prints
``paused at <point>`` there and waits ``COMPASS_PAUSE_SECONDS`` (30 by default), or until
the file ``COMPASS_PAUSE_RELEASE`` names exists, so that a test can kill it, or start a
second run beside it, at a known moment. Without those variables nothing happens.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

#: How often a paused run looks for its release file, in seconds.
POLL = 0.05


def pause_point(name: str) -> None:
    """Pause here when ``COMPASS_PAUSE_AT`` names this point (see the module docstring)."""
    if os.environ.get("COMPASS_PAUSE_AT") != name:
        return
    print(f"paused at {name}", flush=True)
    until = time.monotonic() + float(os.environ.get("COMPASS_PAUSE_SECONDS", "30"))
    release = os.environ.get("COMPASS_PAUSE_RELEASE")
    while time.monotonic() < until and not (release and Path(release).exists()):
        time.sleep(min(POLL, max(until - time.monotonic(), 0.0)))
