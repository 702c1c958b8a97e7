"""Benchmark: wall time of the demo pack beside its floor, measured in the same run.

The floor is the same runner rendering the same number of notebooks, with the same
dependency order, each of which only imports the stack (pandas, statsmodels, seaborn,
DuckDB, compass_nb) — the cost of kernels, papermill and nbconvert alone. The ratio says
what Compass's analyses cost on top of that.

    python benchmarks/pack.py [--source demo] [--backfill 0] [--jobs 0]
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

from compass_nb.runner import NEEDS  # noqa: E402

IMPORTS = (
    "import pandas, numpy, statsmodels.api, seaborn, matplotlib.pyplot, duckdb\n"
    "from compass_nb import nb\n"
    "nb.summary(['imports only'])"
)


def floor_notebooks(folder: Path) -> Path:
    """Notebooks named like Compass's, each only importing the stack."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in NEEDS:
        book = nbformat.v4.new_notebook()
        book.metadata["kernelspec"] = {
            "name": "python3",
            "display_name": "Python 3",
            "language": "python",
        }
        book.cells = [
            nbformat.v4.new_markdown_cell(f"# {name} (floor)"),
            nbformat.v4.new_code_cell("period = None", metadata={"tags": ["parameters"]}),
            nbformat.v4.new_code_cell(IMPORTS),
        ]
        nbformat.write(book, folder / f"{name}.ipynb")
    return folder


def timed_run(out: Path, args: list[str], env: dict | None = None) -> float:
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "compass_nb.cli", "run", "--out", str(out), *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
    )
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        print(result.stdout[-3000:], result.stderr[-3000:])
        raise SystemExit(f"run failed with exit code {result.returncode}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", default="demo")
    parser.add_argument("--backfill", type=int, default=0)
    parser.add_argument("--jobs", type=int, default=0)
    options = parser.parse_args()
    args = [
        "--set",
        f"source={options.source}",
        "--backfill",
        str(options.backfill),
        "--jobs",
        str(options.jobs),
    ]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        floor = timed_run(
            tmp / "floor", args, env={"COMPASS_NOTEBOOKS": str(floor_notebooks(tmp / "nb"))}
        )
        compass = timed_run(tmp / "pack", args)
    cycles = options.backfill + 1
    print(
        f"\nDemo pack ({options.source}, {len(NEEDS)} notebooks × {cycles} cycle(s), {os.cpu_count()} cores)"
    )
    print(f"{'':<28}{'wall time':>12}")
    print(f"{'floor (imports only)':<28}{floor:>10.1f} s")
    print(f"{'Compass pack':<28}{compass:>10.1f} s")
    print(f"{'ratio':<28}{compass / floor:>11.2f}×")


if __name__ == "__main__":
    main()
