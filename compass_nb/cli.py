"""The ``compass-nb`` command: ``run`` (the pack), ``check`` (a source, without running),
``demo`` (the demo as files), ``close``."""

from __future__ import annotations

import argparse
import errno
import sys
from pathlib import Path

from compass_nb.errors import CompassError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="compass-nb", description="Compass: the sales-operations workbench."
    )
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="render the monthly pack")
    run.add_argument(
        "--period", help="month under review, YYYY-MM (default: latest complete month)"
    )
    run.add_argument(
        "-p", "--parameters", help="a parameters YAML file (overrides parameters/default.yaml)"
    )
    run.add_argument(
        "--set",
        dest="sets",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override one parameter (dotted for sections: enps.min_group_size=7)",
    )
    run.add_argument("--only", nargs="+", metavar="NAME", help="re-run only these notebooks")
    run.add_argument("--backfill", type=int, help="first run the N cycles before the period")
    run.add_argument(
        "--packs",
        choices=["latest", "all", "none"],
        help="latest (default): only the period gets a pack; all: every backfilled cycle too; "
        "none: store only",
    )
    run.add_argument("--jobs", type=int, help="notebooks run side by side (default: the cores)")
    run.add_argument("--out", help="reports root (default reports/)")
    run.add_argument("--strict", action="store_true", help="any quarantined row fails the run")

    check = commands.add_parser(
        "check",
        help="what a source holds, how it maps, what would be quarantined, which notebooks can run",
    )
    check.add_argument("source", help="a folder, a DuckDB file, a SQLAlchemy URL or demo")
    check.add_argument("-p", "--parameters", help="a parameters YAML file (inputs, stages, …)")
    check.add_argument("--set", dest="sets", action="append", default=[], metavar="KEY=VALUE")
    check.add_argument("--period", help="the month to check (default: the one a run would pick)")

    demo = commands.add_parser("demo", help="write the demo company as CSV files")
    demo.add_argument("--out", required=True, help="folder to write the tables into")
    demo.add_argument("--profile", default="full", choices=["full", "small"])
    demo.add_argument("--scale", type=int, help="write exactly N order lines")
    demo.add_argument("--format", default="csv", choices=["csv", "parquet"])

    close = commands.add_parser("close", help="close a compensation period (locks its payouts)")
    close.add_argument("--period", required=True)
    close.add_argument("--by", default=None, help="who closes it (default: $USER)")
    close.add_argument("--reason", default="period close")
    close.add_argument("--out", help="reports root (default reports/)")
    close.add_argument("-p", "--parameters")
    close.add_argument("--set", dest="sets", action="append", default=[])
    return parser


def _run(args) -> int:
    from compass_nb import params, runner

    sets = list(args.sets)
    for key in ("period", "backfill", "jobs", "packs"):
        value = getattr(args, key)
        if value is not None:
            sets.append(f"{key}={value}")
    if args.strict:
        sets.append("strict=true")
    merged = params.load(args.parameters, sets)
    return runner.run(merged, out=args.out, only=args.only)


def _check(args) -> int:
    from compass_nb import data, params, steps
    from compass_nb.context import resolve_source
    from compass_nb.data.check import check_source

    merged = params.load(args.parameters, args.sets)
    merged["source"] = args.source  # as given: a URL is no YAML
    params._check_no_credentials(merged, "the command line")
    report = check_source(
        resolve_source(str(merged["source"])),
        [(s.notebook, s.inputs, s.optional_inputs) for s in steps.STEPS],
        period=args.period,
        **data.load_options(merged),
    )
    print(report.text())
    return 0


def _demo(args) -> int:
    from compass_nb.data.demo import write_demo
    from compass_nb.errors import InputError

    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise InputError(
            f"--out {out} is a file: give a folder to write the demo tables into (it is "
            "created if missing; table files already in it are replaced)."
        )
    try:
        write_demo(out, profile=args.profile, scale=args.scale, fmt=args.format)
    except OSError as error:
        raise InputError(
            f"Cannot write the demo into {out}: {error.strerror or error}. Choose a folder you "
            "can write to."
        ) from None
    print(f"Demo company ({args.profile}) written to {out}")
    return 0


def _close(args) -> int:
    import getpass

    from compass_nb import params, runner
    from compass_nb.calendar import check_period
    from compass_nb.steps.compensation import close_period

    args.period = check_period(args.period)
    merged = params.load(args.parameters, args.sets)
    _, store = runner.resolve(merged, args.out)
    result = close_period(store, args.period, by=args.by or getpass.getuser(), reason=args.reason)
    print(f"Compensation period {args.period} closed: {result}")
    return 0


_REMEDY = {
    errno.ENOSPC: "free some space on that disk, or choose another --out (and store)",
    errno.EDQUOT: "free some space within your quota, or choose another --out (and store)",
    errno.EACCES: "give yourself write access to it, or choose another --out (and store)",
    errno.EPERM: "give yourself write access to it, or choose another --out (and store)",
    errno.EROFS: "choose a folder on a writable disk with --out (and the store parameter)",
}


def environment_fault(error: OSError) -> str:
    """One line for a fault of the machine (permissions, a full or read-only disk): what
    failed, where, and what to do. The store and the previous pack are unchanged (a run
    commits in one transaction and swaps its pack in last)."""
    where = f" {error.filename}" if getattr(error, "filename", None) else ""
    what = error.strerror or str(error).splitlines()[0]
    remedy = _REMEDY.get(error.errno, "check that the folder exists and can be written")
    return (
        f"cannot write{where}: {what}. {remedy[0].upper()}{remedy[1:]}; the store and the "
        "previous pack are unchanged."
    )


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``compass-nb``; errors a user can cause print one message, exit 2."""
    args = _parser().parse_args(argv)
    handlers = {"run": _run, "check": _check, "demo": _demo, "close": _close}
    try:
        return handlers[args.command](args)
    except CompassError as error:
        print(f"compass-nb: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"compass-nb: {environment_fault(error)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(
            "compass-nb: interrupted; the store and the previous pack are unchanged.",
            file=sys.stderr,
        )
        return 130


if __name__ == "__main__":
    sys.exit(main())
