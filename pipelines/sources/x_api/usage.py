"""What the ingest spends: runs, per-account usage and the objects billed per UTC day
(ops.api_runs, ops.api_usage, ops.api_charges in pipelines/canonical/tables.py). Money is
counted in whole micro-dollars and stored as DECIMAL, so sums of $0.005 stay exact.

X bills every object a response returns, the same object at most once per UTC day;
``charge`` keeps that day's list, so a post read by two endpoints or two runs the same
day is priced once. Writers here run inside the caller's transaction except
``add_failed_requests``, which records requests that brought back no page. Error and
stop texts are scrubbed of secrets (pipelines/core/secrets.py) on their way in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import duckdb

from pipelines.core.secrets import scrub
from pipelines.sources.x_api.config import MICROS_PER_USD

PLATFORM = "x"


def usd(micros: int) -> Decimal:
    return Decimal(micros) / MICROS_PER_USD


@dataclass(frozen=True)
class PageCost:
    posts_read: int
    users_read: int
    posts_charged: int
    users_charged: int
    cost_micros: int


def start_run(con: duckdb.DuckDBPyConnection, run_id: str, budget_micros: int, now: datetime):
    """Record the run; a run still marked running was killed (the lock says no other
    writer is alive), so it is marked interrupted."""
    con.execute(
        "UPDATE ops.api_runs SET status = 'interrupted' WHERE status = 'running' AND run_id <> ?",
        [run_id],
    )
    con.execute(
        "INSERT INTO ops.api_runs (run_id, platform, started_at, status, max_cost_usd) "
        "VALUES (?, ?, ?, 'running', ?) ON CONFLICT (run_id) DO UPDATE SET status = 'running', "
        "max_cost_usd = EXCLUDED.max_cost_usd, finished_at = NULL, stop_reason = NULL",
        [run_id, PLATFORM, now, usd(budget_micros)],
    )


def finish_run(
    con: duckdb.DuckDBPyConnection, run_id: str, status: str, reason: str | None, now: datetime
) -> None:
    con.execute(
        "UPDATE ops.api_runs SET status = ?, stop_reason = ?, finished_at = ? WHERE run_id = ?",
        [status, None if reason is None else scrub(reason), now, run_id],
    )


def run_totals(con: duckdb.DuckDBPyConnection, run_id: str) -> dict:
    row = con.execute(
        "SELECT requests, posts_read, users_read, posts_charged, users_charged, "
        "estimated_cost_usd FROM ops.api_runs WHERE run_id = ?",
        [run_id],
    ).fetchone()
    keys = ("requests", "posts_read", "users_read", "posts_charged", "users_charged", "cost_usd")
    return dict(zip(keys, row or (0, 0, 0, 0, 0, Decimal(0)), strict=True))


def spent_micros(con: duckdb.DuckDBPyConnection, run_id: str) -> int:
    cost = run_totals(con, run_id)["cost_usd"]
    return int(Decimal(cost) * MICROS_PER_USD)


def charge(con, day: date, resource: str, ids: set[str]) -> set[str]:
    """Record today's first read of each object; returns the ones new today (billed)."""
    if not ids:
        return set()
    rows = con.execute(
        "INSERT OR IGNORE INTO ops.api_charges SELECT ?, ?, ?, unnest(?::VARCHAR[]) "
        "RETURNING resource_id",
        [PLATFORM, day, resource, sorted(ids)],
    ).fetchall()
    return {r[0] for r in rows}


def add_usage(
    con,
    run_id: str,
    handle: str,
    account_id: str | None,
    endpoint: str,
    day: date,
    now: datetime,
    *,
    requests: int = 0,
    posts_read: int = 0,
    users_read: int = 0,
    posts_charged: int = 0,
    users_charged: int = 0,
    cost_micros: int = 0,
    status: str,
    error: str | None = None,
) -> None:
    con.execute(
        "INSERT INTO ops.api_usage VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (run_id, platform, handle, endpoint) DO UPDATE SET "
        "account_id = COALESCE(EXCLUDED.account_id, account_id), "
        "requests = requests + EXCLUDED.requests, "
        "posts_read = posts_read + EXCLUDED.posts_read, "
        "users_read = users_read + EXCLUDED.users_read, "
        "posts_charged = posts_charged + EXCLUDED.posts_charged, "
        "users_charged = users_charged + EXCLUDED.users_charged, "
        "estimated_cost_usd = estimated_cost_usd + EXCLUDED.estimated_cost_usd, "
        "status = EXCLUDED.status, error = EXCLUDED.error, updated_at = EXCLUDED.updated_at",
        [
            run_id,
            PLATFORM,
            handle,
            account_id,
            endpoint,
            day,
            requests,
            posts_read,
            users_read,
            posts_charged,
            users_charged,
            usd(cost_micros),
            status,
            None if error is None else scrub(error),
            now,
            now,
        ],
    )


def add_failed_requests(
    con,
    run_id: str,
    handle: str,
    endpoint: str,
    day: date,
    now: datetime,
    n: int,
    status: str,
    error: str | None,
) -> None:
    """Requests that brought back no page (the stop's own, retries given up)."""
    con.execute("BEGIN TRANSACTION")
    add_usage(con, run_id, handle, None, endpoint, day, now, requests=n, status=status, error=error)
    con.execute("UPDATE ops.api_runs SET requests = requests + ? WHERE run_id = ?", [n, run_id])
    con.execute("COMMIT")


def add_run_totals(con, run_id: str, attempts: int, cost: PageCost) -> None:
    con.execute(
        "UPDATE ops.api_runs SET requests = requests + ?, posts_read = posts_read + ?, "
        "users_read = users_read + ?, posts_charged = posts_charged + ?, "
        "users_charged = users_charged + ?, estimated_cost_usd = estimated_cost_usd + ? "
        "WHERE run_id = ?",
        [
            attempts,
            cost.posts_read,
            cost.users_read,
            cost.posts_charged,
            cost.users_charged,
            usd(cost.cost_micros),
            run_id,
        ],
    )
