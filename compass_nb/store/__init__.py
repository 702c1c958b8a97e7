"""The cycle store: an embedded DuckDB database of every cycle's outputs (:mod:`.db`), and
the registry of the tables it holds, with their columns (:mod:`.tables`)."""

from compass_nb.store.db import (
    append,
    check_table_name,
    commit,
    connect,
    dump,
    next_run_id,
    read,
    read_all_runs,
    runs,
    stage,
    staged,
    wait_limit,
)
from compass_nb.store.tables import TABLES, StoreTable, check_frame, declared

__all__ = [
    "TABLES",
    "StoreTable",
    "append",
    "check_frame",
    "check_table_name",
    "commit",
    "connect",
    "declared",
    "dump",
    "next_run_id",
    "read",
    "read_all_runs",
    "runs",
    "stage",
    "staged",
    "wait_limit",
]
