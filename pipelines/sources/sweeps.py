"""The Bluesky and Mastodon live ingests' bookkeeping in the ops schema (tables in
pipelines/canonical/tables.py: ops.network_accounts, ops.network_sweeps,
ops.network_threads, ops.network_runs, ops.inbound_sources): what each account's last
profile read said, where each sweep stops, which reply threads were read when, and
what each run read. The pages that move them: pipelines/sources/live.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import duckdb

from pipelines.core.secrets import scrub

# ------------------------------------------------------------------------- accounts


@dataclass(frozen=True)
class Account:
    handle: str
    account_id: str | None
    status: str  # ok | not_found | suspended | deactivated | gone | unavailable
    reason: str | None
    checked_on: date | None


def account(con: duckdb.DuckDBPyConnection, platform: str, handle: str) -> Account | None:
    row = con.execute(
        "SELECT handle, account_id, status, reason, checked_on FROM ops.network_accounts "
        "WHERE platform = ? AND handle_lower = ?",
        [platform, handle.lower()],
    ).fetchone()
    return Account(*row) if row else None


def save_account(
    con: duckdb.DuckDBPyConnection,
    platform: str,
    handle: str,
    account_id: str | None,
    status: str,
    reason: str | None,
    checked_on: date,
    now: datetime,
) -> None:
    reason = None if reason is None else scrub(reason)[:300]  # scrubbed before the cut
    con.execute(
        "INSERT INTO ops.network_accounts VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (platform, handle_lower) DO UPDATE SET handle = EXCLUDED.handle, "
        "account_id = COALESCE(EXCLUDED.account_id, account_id), status = EXCLUDED.status, "
        "reason = EXCLUDED.reason, checked_on = EXCLUDED.checked_on, "
        "updated_at = EXCLUDED.updated_at",
        [platform, handle.lower(), handle, account_id, status, reason, checked_on, now],
    )


# --------------------------------------------------------------------------- sweeps


@dataclass(frozen=True)
class Sweep:
    stop_key: str | None = None  # newest post of the last complete sweep
    in_progress: bool = False
    cursor: str | None = None  # where the unfinished sweep carries on
    sweep_newest: str | None = None  # newest post the unfinished sweep has read
    next_limit: int | None = None  # the unfinished sweep's next page size


def sweep(con: duckdb.DuckDBPyConnection, platform: str, handle: str, endpoint: str) -> Sweep:
    row = con.execute(
        "SELECT stop_key, in_progress, cursor, sweep_newest, next_limit FROM ops.network_sweeps "
        "WHERE platform = ? AND handle_lower = ? AND endpoint = ?",
        [platform, handle.lower(), endpoint],
    ).fetchone()
    return Sweep(*row) if row else Sweep()


def save_sweep(
    con: duckdb.DuckDBPyConnection,
    platform: str,
    handle: str,
    endpoint: str,
    s: Sweep,
    now: datetime,
) -> None:
    con.execute(
        "INSERT OR REPLACE INTO ops.network_sweeps VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            platform,
            handle.lower(),
            endpoint,
            s.stop_key,
            s.in_progress,
            s.cursor,
            s.sweep_newest,
            s.next_limit,
            now,
        ],
    )


# -------------------------------------------------------------------------- threads


def add_threads(
    con: duckdb.DuckDBPyConnection, platform: str, handle: str, posts: list[tuple[str, datetime]]
) -> None:
    """The account's own posts (id, posted_at) whose reply threads are to be read."""
    for post_id, posted_at in posts:
        con.execute(
            "INSERT INTO ops.network_threads VALUES (?, ?, ?, ?, NULL, NULL) "
            "ON CONFLICT DO NOTHING",
            [platform, post_id, handle.lower(), posted_at],
        )


def due_threads(
    con: duckdb.DuckDBPyConnection,
    platform: str,
    handle: str,
    now: datetime,
    window_days: int,
    refresh_hours: float,
    limit: int,
) -> list[str]:
    """The account's posts inside the window whose thread was not read in the last
    refresh_hours, newest first, at most `limit`."""
    rows = con.execute(
        "SELECT post_id FROM ops.network_threads WHERE platform = ? AND handle_lower = ? "
        "AND posted_at >= ? AND (last_read_at IS NULL OR last_read_at <= ?) "
        "ORDER BY posted_at DESC, post_id LIMIT ?",
        [
            platform,
            handle.lower(),
            now - timedelta(days=window_days),
            now - timedelta(hours=refresh_hours),
            limit,
        ],
    ).fetchall()
    return [r[0] for r in rows]


def thread_read(
    con: duckdb.DuckDBPyConnection, platform: str, post_id: str, at: datetime, replies: int
) -> None:
    con.execute(
        "UPDATE ops.network_threads SET last_read_at = ?, replies = ? "
        "WHERE platform = ? AND post_id = ?",
        [at, replies, platform, post_id],
    )


def inbound_read(
    con: duckdb.DuckDBPyConnection, platform: str, account_id: str, source: str, at: datetime
) -> None:
    """ops.inbound_sources: the account's inbound messages were read from `source`
    (replies: its reply threads; mentions: a mention search) at `at`."""
    con.execute(
        "INSERT INTO ops.inbound_sources VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (platform, account_id, source) DO UPDATE SET "
        "last_read_at = greatest(last_read_at, EXCLUDED.last_read_at)",
        [platform, account_id, source, at, at],
    )


# ----------------------------------------------------------------------------- runs

RUN_COUNTERS = ("requests", "pages", "posts_read", "threads_read", "accounts_skipped")


def start_run(con: duckdb.DuckDBPyConnection, run_id: str, platform: str, now: datetime) -> None:
    con.execute(
        "INSERT INTO ops.network_runs (run_id, platform, started_at, status) "
        "VALUES (?, ?, ?, 'running') ON CONFLICT DO NOTHING",
        [run_id, platform, now],
    )


def add_to_run(con: duckdb.DuckDBPyConnection, run_id: str, platform: str, **counts: int) -> None:
    sets = ", ".join(f"{k} = {k} + ?" for k in counts)
    con.execute(
        f"UPDATE ops.network_runs SET {sets} WHERE run_id = ? AND platform = ?",  # noqa: S608
        [*counts.values(), run_id, platform],
    )


def finish_run(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    platform: str,
    status: str,
    reason: str | None,
    now: datetime,
) -> None:
    con.execute(
        "UPDATE ops.network_runs SET status = ?, stop_reason = ?, finished_at = ? "
        "WHERE run_id = ? AND platform = ?",
        [status, None if reason is None else scrub(reason)[:300], now, run_id, platform],
    )


def run_totals(con: duckdb.DuckDBPyConnection, run_id: str, platform: str) -> dict[str, int]:
    row = con.execute(
        f"SELECT {', '.join(RUN_COUNTERS)} FROM ops.network_runs "  # noqa: S608
        "WHERE run_id = ? AND platform = ?",
        [run_id, platform],
    ).fetchone()
    return dict(zip(RUN_COUNTERS, row or (0,) * len(RUN_COUNTERS), strict=True))
