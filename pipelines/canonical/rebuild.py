"""A rebuild is all or nothing, as far as anyone downstream can tell.

`rapport rebuild` empties the canonical tables and replays raw, then rebuilds every
model from scratch. Killed halfway, the warehouse holds part of the history, and an
ordinary incremental build would publish it as if it were whole (and keep rows whose
source is gone). So a rebuild first records itself in ops.rebuilds, in the same
transaction that empties the tables, and only its own successful build marks it done.
Until then:

* every build, scheduled or from the CLI, refuses to run (the dbt asset and the
  canonical import check here first);
* the analyst copy is never published (pipelines/canonical/publish.py checks here);
* `rapport rebuild` resumes it: from the start while raw was still being replayed,
  or straight to the build when the replay had finished.

The marker is a row in the warehouse file itself, so it is exactly as durable as the
emptying it guards: both commit together or neither does."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import duckdb

REPLAYING = "replaying"  # raw is being replayed into emptied canonical tables
REPLAYED = "replayed"  # every raw file is back; the from-scratch build is still due
COMPLETE = "complete"
SUPERSEDED = "superseded"  # unfinished, then started over by a later rebuild


class RebuildUnfinished(RuntimeError):
    """A rebuild was interrupted: the warehouse holds part of its history."""


@dataclass(frozen=True)
class Rebuild:
    rebuild_id: str
    status: str
    started_at: datetime
    files_total: int
    files_replayed: int

    def describe(self) -> str:
        if self.status == REPLAYING:
            what = (
                f"while replaying raw file {self.files_replayed + 1} of {self.files_total}, "
                "so the warehouse holds only part of its history"
            )
        else:
            what = (
                f"after replaying all {self.files_total} raw files but before its build "
                "finished, so the models are not yet rebuilt from them"
            )
        return (
            f"the rebuild started at {self.started_at:%Y-%m-%d %H:%M:%S %Z} stopped {what}; "
            "run `rapport rebuild` to finish it (no build or analyst copy is made until then)"
        )


def unfinished(con: duckdb.DuckDBPyConnection) -> Rebuild | None:
    row = con.execute(
        "SELECT rebuild_id, status, started_at, files_total, files_replayed FROM ops.rebuilds "
        "WHERE status IN (?, ?) ORDER BY started_at DESC LIMIT 1",
        [REPLAYING, REPLAYED],
    ).fetchone()
    return Rebuild(*row) if row else None


def refuse_if_unfinished(con: duckdb.DuckDBPyConnection, allowed: str | None = None) -> None:
    """Raise RebuildUnfinished unless no rebuild is unfinished, or the unfinished one is
    `allowed` (the rebuild's own build)."""
    rebuild = unfinished(con)
    if rebuild is not None and rebuild.rebuild_id != allowed:
        raise RebuildUnfinished(rebuild.describe())


def start(con: duckdb.DuckDBPyConnection, files_total: int) -> str:
    """Record a new rebuild; call inside the transaction that empties the tables. Any
    earlier unfinished one is superseded by this one."""
    rebuild_id = f"rebuild-{uuid.uuid4()}"
    con.execute(
        "UPDATE ops.rebuilds SET status = ?, updated_at = now() WHERE status IN (?, ?)",
        [SUPERSEDED, REPLAYING, REPLAYED],
    )
    con.execute(
        "INSERT INTO ops.rebuilds VALUES (?, ?, now(), ?, 0, now(), NULL)",
        [rebuild_id, REPLAYING, files_total],
    )
    return rebuild_id


def replayed_file(con: duckdb.DuckDBPyConnection, rebuild_id: str, n: int) -> None:
    con.execute(
        "UPDATE ops.rebuilds SET files_replayed = ?, updated_at = now() WHERE rebuild_id = ?",
        [n, rebuild_id],
    )


def mark(con: duckdb.DuckDBPyConnection, rebuild_id: str, status: str) -> None:
    finished = "now()" if status == COMPLETE else "NULL"
    con.execute(
        f"UPDATE ops.rebuilds SET status = ?, updated_at = now(), finished_at = {finished} "
        "WHERE rebuild_id = ?",
        [status, rebuild_id],
    )
