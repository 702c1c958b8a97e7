"""Execute one notebook with papermill and render it; run by the runner in its own process.

Usage: ``python -m compass_nb._worker SPEC.json``. The spec names the input notebook, the
executed output, the HTML target, the parameters and the run header. The result (status,
error, duration) is written next to the spec as ``<spec>.result.json``.
"""

from __future__ import annotations

import json
import sys
import time
import traceback
from pathlib import Path


def _error_text(error: BaseException) -> str:
    name = getattr(error, "ename", type(error).__name__)
    value = getattr(error, "evalue", str(error))
    return f"{name}: {value}".strip()


def die_with_parent() -> None:
    """Ask Linux to kill this process when the runner dies (a killed run leaves no orphans;
    the kernel, in turn, exits when its parent goes)."""
    try:
        import ctypes
        import signal

        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: orphans end when their notebook does
        pass


def main(spec_path: str) -> int:
    die_with_parent()
    spec = json.loads(Path(spec_path).read_text())
    started = time.monotonic()
    status, error = "ok", ""
    try:
        from compass_nb.execute import execute_notebook

        execute_notebook(spec["input"], spec["output"], spec["parameters"], cwd=spec["cwd"])
    except Exception as failure:  # noqa: BLE001 - any failure is reported, not raised
        status, error = "failed", _error_text(failure)
    duration = time.monotonic() - started
    result = {"status": status, "error": error, "duration": round(duration, 2)}
    try:
        render(spec, result)
    except Exception:  # noqa: BLE001
        result.update(
            status="failed",
            error=(error + " | rendering failed: " + traceback.format_exc(limit=2)).strip(" |"),
        )
    Path(spec_path + ".result.json").write_text(json.dumps(result))
    return 0


def render(spec: dict, result: dict) -> None:
    """Render the executed notebook (or what exists of it) to the pack."""
    from compass_nb.report.html import render_file

    output = Path(spec["output"])
    if not output.exists():
        output = Path(spec["input"])
    info = dict(spec["header"], status=result["status"], error=result["error"])
    render_file(output, Path(spec["html"]), info)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
