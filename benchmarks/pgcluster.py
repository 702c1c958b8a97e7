"""A throwaway PostgreSQL server for the tests and the ingest benchmark.

:func:`cluster` starts a server of Debian's ``postgresql`` package
(``/usr/lib/postgresql/*/bin``) in a temporary folder, listening only on a Unix socket in
that folder, and stops it and removes the folder on exit. PostgreSQL refuses to run as
root: as root, the server runs as the user ``compass_pg`` (created if missing, with no
login shell). :func:`unavailable` says why no server can be started, or ``None``.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

USER = "compass_pg"


def binaries() -> Path | None:
    """The folder of ``initdb`` and ``pg_ctl`` (the newest version installed), or ``None``."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_version)
    return Path(found[-1]).parent if found else None


def _version(path: str) -> tuple[int, ...]:
    part = Path(path).parent.parent.name
    return tuple(int(x) for x in part.split(".") if x.isdigit())


def unavailable() -> str | None:
    """Why no server can be started here (no binaries, no driver), or ``None``."""
    if binaries() is None:
        return "PostgreSQL is not installed (Debian's postgresql package: .ci/run installs it)"
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "the psycopg driver is not installed (pip install -e .)"
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        return "running as root without runuser, and PostgreSQL refuses to run as root"
    return None


def _as_server_user(cmd: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return cmd
    try:
        pwd.getpwnam(USER)
    except KeyError:
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", USER],
            check=True,
        )
    return ["runuser", "-u", USER, "--", *cmd]


@contextlib.contextmanager
def cluster(port: int = 54329) -> Iterator[str]:
    """A running server with an empty database ``compass``; yields its SQLAlchemy URL."""
    bin_dir = binaries()
    assert bin_dir is not None, unavailable()
    root = Path(tempfile.mkdtemp(prefix="compass-pg-"))
    data, sock = root / "data", root / "sock"
    sock.mkdir()
    os.chmod(root, 0o777)
    os.chmod(sock, 0o777)
    if os.geteuid() == 0:
        _as_server_user(["true"])  # creates the user
        shutil.chown(root, USER)
        shutil.chown(sock, USER)
    run = {"check": True, "capture_output": True, "text": True}
    subprocess.run(
        _as_server_user(
            [str(bin_dir / "initdb"), "-D", str(data), "-U", "compass", "-A", "trust", "-E", "UTF8"]
        ),
        **run,
    )
    options = f"-k {sock} -p {port} -c listen_addresses='' -c fsync=off -c synchronous_commit=off"
    log = root / "server.log"
    subprocess.run(
        _as_server_user(
            [str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(log), "-w", "start"]
        ),
        **run,
    )
    try:
        subprocess.run(
            _as_server_user(
                [
                    str(bin_dir / "createdb"),
                    "-h",
                    str(sock),
                    "-p",
                    str(port),
                    "-U",
                    "compass",
                    "compass",
                ]
            ),
            **run,
        )
        yield f"postgresql+psycopg://compass@/compass?host={sock}&port={port}"
    finally:
        subprocess.run(
            _as_server_user([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"]),
            capture_output=True,
        )
        shutil.rmtree(root, ignore_errors=True)


def copy_csv(url: str, table: str, columns: str, path: Path) -> None:
    """``CREATE TABLE table (columns)`` and ``COPY`` a CSV file (with a header) into it."""
    import psycopg
    import sqlalchemy as sa

    parsed = sa.engine.make_url(url)
    conninfo = f"dbname={parsed.database} user={parsed.username} host={parsed.query['host']} port={parsed.query['port']}"
    with psycopg.connect(conninfo, autocommit=True) as con:
        con.execute(f"DROP TABLE IF EXISTS {table}")
        con.execute(f"CREATE TABLE {table} ({columns})")
        with (
            open(path, "rb") as fh,
            con.cursor().copy(f"COPY {table} FROM STDIN WITH (FORMAT csv, HEADER true)") as copy,
        ):
            while chunk := fh.read(1 << 20):
                copy.write(chunk)
        con.execute(f"ANALYZE {table}")
