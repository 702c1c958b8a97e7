"""Benchmark: wall time of the demo pack beside its floor, measured in the same run.

Three runs of the same cycles (the period after ``--backfill`` earlier ones), one after
the other on the same machine:

* **floor** — the same runner rendering the same notebooks, every cycle, in kernels that
  only import the stack (pandas, statsmodels, seaborn, DuckDB, compass_nb): the cost of
  kernels, papermill and nbconvert alone, as the pack was made before steps existed;
* **kernel backfill** — every cycle computed inside its notebooks' kernels and rendered
  (``COMPASS_COMPUTE=kernel --packs all``): how the pack was made before steps existed;
* **in-process backfill** — the default: earlier cycles as in-process step calls, store
  only; the period computed in process and rendered.

``--before REV`` adds a run of the code at git revision ``REV`` (checked out in a temporary
worktree, run with this environment), e.g. the commit before steps existed (``67a8feb``),
so that the redesign is measured against the code it replaced in the same sitting.

    python benchmarks/pack.py [--source demo] [--backfill 12] [--jobs 0] [--skip-kernel]
                              [--skip-floor] [--before REV]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from compass_nb.steps import NOTEBOOKS  # noqa: E402

IMPORTS = (
    "import pandas, numpy, statsmodels.api, seaborn, matplotlib.pyplot, duckdb\n"
    "from compass_nb import nb\n"
    "nb.summary(['imports only'])"
)


def floor_notebooks(folder: Path) -> Path:
    """Notebooks named like Compass's, each only importing the stack."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in NOTEBOOKS:
        book = nbformat.v4.new_notebook()
        book.metadata["kernelspec"] = {
            "name": "python3",
            "display_name": "Python 3",
            "language": "python",
        }
        book.cells = [
            nbformat.v4.new_markdown_cell(f"# {name} (floor)"),
            nbformat.v4.new_code_cell("run_dir = None", metadata={"tags": ["parameters"]}),
            nbformat.v4.new_code_cell(IMPORTS),
        ]
        nbformat.write(book, folder / f"{name}.ipynb")
    return folder


def timed_run(
    out: Path, args: list[str], env: dict | None = None, cwd: Path | None = None
) -> float:
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "compass_nb.cli", "run", "--out", str(out), *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        cwd=cwd,
    )
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        print(result.stdout[-3000:], result.stderr[-3000:])
        raise SystemExit(f"run failed with exit code {result.returncode}")
    return elapsed


def timed_revision(revision: str, out: Path, args: list[str]) -> float:
    """Wall time of the same run by the code at ``revision``, in a temporary worktree whose
    package (and notebooks) come first on the path of the run and of its kernels."""
    tree = out.parent / f"tree-{revision}"
    subprocess.run(
        ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tree), revision],
        check=True,
        capture_output=True,
    )
    try:
        return timed_run(out, args, env={"PYTHONPATH": str(tree)}, cwd=tree)
    finally:
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)],
            capture_output=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", default="demo")
    parser.add_argument("--backfill", type=int, default=0)
    parser.add_argument("--jobs", type=int, default=0)
    parser.add_argument("--skip-kernel", action="store_true", help="leave out the kernel backfill")
    parser.add_argument("--skip-floor", action="store_true", help="leave out the floor")
    parser.add_argument("--before", metavar="REV", help="also time the code at git revision REV")
    options = parser.parse_args()
    args = ["--set", f"source={options.source}", "--backfill", str(options.backfill)]
    args += ["--jobs", str(options.jobs)]
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        before = timed_revision(options.before, tmp / "before", args) if options.before else None
        floor = (
            None
            if options.skip_floor
            else timed_run(
                tmp / "floor",
                [*args, "--packs", "all"],
                env={
                    "COMPASS_NOTEBOOKS": str(floor_notebooks(tmp / "nb")),
                    "COMPASS_COMPUTE": "kernel",
                },
            )
        )
        kernel = (
            None
            if options.skip_kernel
            else timed_run(tmp / "kernel", [*args, "--packs", "all"], {"COMPASS_COMPUTE": "kernel"})
        )
        steps = timed_run(tmp / "steps", args)
    cycles = options.backfill + 1
    print(
        f"\nDemo pack ({options.source}, {len(NOTEBOOKS)} notebooks, {cycles} cycle(s), "
        f"{os.cpu_count()} cores, load average {load:.1f} at the start)"
    )
    rows = [
        ("floor (kernels that only import, every cycle)", floor),
        ("kernel backfill (compute in kernels, packs all)", kernel),
        (f"code at {options.before} (before steps)", before),
        ("in-process backfill (steps; one pack)", steps),
    ]
    print(f"{'':<46}{'wall time':>10}{'vs floor':>10}")
    for label, seconds in rows:
        if seconds is not None:
            ratio = f"{seconds / floor:>9.2f}×" if floor else f"{'–':>10}"
            print(f"{label:<46}{seconds:>8.1f} s{ratio}")
    if kernel is not None:
        print(f"{'in-process ÷ kernel backfill':<46}{steps / kernel:>10.2f}")
    if before is not None:
        print(f"{f'in-process ÷ code at {options.before}':<46}{steps / before:>10.2f}")


if __name__ == "__main__":
    main()
