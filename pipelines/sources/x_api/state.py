"""The ingest's bookkeeping in the ops schema (tables in pipelines/canonical/tables.py).

Everything a page changes is written by ``apply_page`` in one transaction: the page in
the ledger (ops.x_pages), its billable objects (ops.api_charges, once per UTC day), the
account and sweep state it moves (ops.x_accounts, ops.x_sweeps) and the usage counters
(ops.api_usage, ops.api_runs). A page's effect is therefore all or nothing, and a page
already in the ledger is never counted twice.

A sweep reads one account's timeline (or mentions) from the newest post down to the
stored ``since_id``. While it runs, ``next_token`` / ``until_id`` say where to carry
on; only when its last page is in does ``since_id`` move up to the newest post it read.
A run stopped in the middle resumes the sweep instead of starting a new one above the
newest post, which would skip everything below it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import duckdb

from pipelines.core.secrets import scrub
from pipelines.sources.x_api import usage
from pipelines.sources.x_api.config import XIngestConfig
from pipelines.sources.x_api.pages import USERS, PageFacts, newest_id


@dataclass(frozen=True)
class Account:
    handle: str
    account_id: str | None
    status: str  # ok | protected | not_found | suspended | unavailable
    error: str | None
    checked_on: date | None  # UTC day of the last users lookup


@dataclass(frozen=True)
class Sweep:
    since_id: str | None = None  # newest post of the last complete sweep
    in_progress: bool = False
    sweep_since_id: str | None = None  # the since_id the running sweep started with
    sweep_start_time: str | None = None
    next_token: str | None = None
    until_id: str | None = None  # oldest post read so far, if the token has expired
    newest_id: str | None = None  # newest post the running sweep has read


# ------------------------------------------------------------------------- accounts


def accounts(con: duckdb.DuckDBPyConnection) -> dict[str, Account]:
    rows = con.execute(
        "SELECT handle_lower, handle, account_id, status, error, checked_on FROM ops.x_accounts"
    ).fetchall()
    return {r[0]: Account(*r[1:]) for r in rows}


def sweep(con: duckdb.DuckDBPyConnection, account_id: str, endpoint: str) -> Sweep:
    row = con.execute(
        "SELECT since_id, in_progress, sweep_since_id, sweep_start_time, next_token, until_id, "
        "newest_id FROM ops.x_sweeps WHERE account_id = ? AND endpoint = ?",
        [account_id, endpoint],
    ).fetchone()
    return Sweep(*row) if row else Sweep()


def _save_sweep(con, account_id: str, endpoint: str, s: Sweep, now: datetime) -> None:
    con.execute(
        "INSERT OR REPLACE INTO ops.x_sweeps VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            account_id,
            endpoint,
            s.since_id,
            s.in_progress,
            s.sweep_since_id,
            s.sweep_start_time,
            s.next_token,
            s.until_id,
            s.newest_id,
            now,
        ],
    )


def _save_account(con, handle: str, account_id, status: str, error, day, now) -> None:
    error = None if error is None else scrub(error)
    con.execute(
        "INSERT INTO ops.x_accounts VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (handle_lower) "
        "DO UPDATE SET handle = EXCLUDED.handle, "
        "account_id = COALESCE(EXCLUDED.account_id, account_id), status = EXCLUDED.status, "
        "error = EXCLUDED.error, checked_on = COALESCE(EXCLUDED.checked_on, checked_on), "
        "updated_at = EXCLUDED.updated_at",
        [handle.lower(), handle, account_id, status, error, day, now],
    )


def _account_error_status(error: dict) -> str:
    text = " ".join(str(error.get(k, "")) for k in ("title", "detail", "type")).lower()
    if "suspended" in text:
        return "suspended"
    if "not-authorized" in text or "not authorized" in text or "protected" in text:
        return "protected"
    if "not-found" in text or "not found" in text or "could not find" in text:
        return "not_found"
    return "unavailable"


def _error_text(error: dict) -> str:
    # scrubbed before it is cut, so no half of a secret survives the cut
    return scrub(str(error.get("detail") or error.get("title") or error))[:300]


# ---------------------------------------------------------------------------- pages


def is_applied(con: duckdb.DuckDBPyConnection, raw_file_id: str) -> bool:
    row = con.execute("SELECT 1 FROM ops.x_pages WHERE raw_file_id = ?", [raw_file_id])
    return row.fetchone() is not None


def _handles_of(con, facts: PageFacts) -> list[tuple[str, str | None]]:
    """(handle, account_id) pairs a page is about, for the usage rows."""
    if facts.endpoint == USERS:
        found = {str(u.get("username", "")).lower(): str(u["id"]) for u in facts.users}
        return [(h, found.get(h.lower())) for h in facts.usernames]
    row = con.execute(
        "SELECT handle FROM ops.x_accounts WHERE account_id = ? ORDER BY updated_at DESC LIMIT 1",
        [facts.account_id],
    ).fetchone()
    return [(row[0] if row else facts.account_id, facts.account_id)]


def _apply_users(con, facts: PageFacts, day: date, now: datetime) -> dict[str, str]:
    """Account status from a users lookup; returns handle_lower -> status."""
    statuses: dict[str, str] = {}
    for user in facts.users:
        handle = str(user.get("username", ""))
        status = "protected" if user.get("protected") is True else "ok"
        _save_account(con, handle, str(user["id"]), status, None, day, now)
        statuses[handle.lower()] = status
    for error in facts.errors:
        if error.get("parameter") == "usernames" and error.get("value"):
            handle = str(error["value"])
            status = _account_error_status(error)
            _save_account(con, handle, None, status, _error_text(error), day, now)
            statuses[handle.lower()] = status
    for handle in facts.usernames:
        if handle.lower() not in statuses:
            _save_account(con, handle, None, "unavailable", "not in the lookup response", day, now)
            statuses[handle.lower()] = "unavailable"
    return statuses


def _apply_posts(con, facts: PageFacts, now: datetime) -> tuple[str, str | None]:
    """Move the sweep along; returns (usage status, account error or None)."""
    assert facts.account_id is not None
    old = sweep(con, facts.account_id, facts.endpoint)
    if facts.continues_sweep and old.in_progress:
        base = old
    else:  # the first page of a new sweep
        base = Sweep(
            since_id=old.since_id,
            sweep_since_id=facts.since_id,
            sweep_start_time=facts.start_time,
        )
    newest = newest_id(base.newest_id, facts.newest_id)
    if facts.next_token:
        new = Sweep(
            since_id=base.since_id,
            in_progress=True,
            sweep_since_id=base.sweep_since_id,
            sweep_start_time=base.sweep_start_time,
            next_token=facts.next_token,
            until_id=facts.oldest_id,
            newest_id=newest,
        )
        status = "in_progress"
    else:
        new = Sweep(since_id=newest_id(base.since_id, newest))
        status = "complete"
    _save_sweep(con, facts.account_id, facts.endpoint, new, now)

    # The account itself refused (protected, suspended, gone): X says so in errors.
    for error in facts.errors:
        if error.get("parameter") == "id" and str(error.get("value")) == facts.account_id:
            handle = _handles_of(con, facts)[0][0]
            account_status, text = _account_error_status(error), _error_text(error)
            _save_account(con, handle, facts.account_id, account_status, text, None, now)
            return account_status, text
    return status, None


def apply_page(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    raw_file_id: str,
    facts: PageFacts,
    attempts: int,
    config: XIngestConfig,
    now: datetime,
) -> usage.PageCost:
    """Everything one landed page changes, in one transaction (see module docstring)."""
    retrieved_at = datetime.fromisoformat(facts.retrieved_at)
    day = retrieved_at.date()
    con.execute("BEGIN TRANSACTION")
    try:
        new_posts = usage.charge(con, day, "post", set(facts.post_ids))
        new_users = usage.charge(con, day, "user", set(facts.user_ids))
        cost = usage.PageCost(
            posts_read=len(facts.post_ids),
            users_read=len(facts.user_ids),
            posts_charged=len(new_posts),
            users_charged=len(new_users),
            cost_micros=len(new_posts) * config.post_price_micros
            + len(new_users) * config.user_price_micros,
        )
        con.execute(
            "INSERT INTO ops.x_pages VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                raw_file_id,
                run_id,
                facts.endpoint,
                facts.account_id,
                facts.url,
                retrieved_at,
                attempts,
                cost.posts_read,
                cost.users_read,
                cost.posts_charged,
                cost.users_charged,
                usage.usd(cost.cost_micros),
                now,
            ],
        )
        if facts.endpoint == USERS:
            _usage_of_lookup(con, run_id, facts, new_users, attempts, config, day, now)
        else:
            status, error = _apply_posts(con, facts, now)
            ((handle, account_id),) = _handles_of(con, facts)
            usage.add_usage(
                con,
                run_id,
                handle,
                account_id,
                facts.endpoint,
                day,
                now,
                requests=attempts,
                posts_read=cost.posts_read,
                users_read=cost.users_read,
                posts_charged=cost.posts_charged,
                users_charged=cost.users_charged,
                cost_micros=cost.cost_micros,
                status=status,
                error=error,
            )
        usage.add_run_totals(con, run_id, attempts, cost)
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return cost


def _usage_of_lookup(con, run_id, facts, new_users, attempts, config, day, now) -> None:
    """One usage row per handle looked up. The request served them all, so each row
    counts it: summed over accounts, users-lookup requests overcount; ops.api_runs has
    the true total."""
    statuses = _apply_users(con, facts, day, now)
    known = accounts(con)
    for handle, account_id in _handles_of(con, facts):
        charged = int(account_id in new_users)
        usage.add_usage(
            con,
            run_id,
            handle,
            account_id,
            USERS,
            day,
            now,
            requests=attempts,
            users_read=int(account_id is not None),
            users_charged=charged,
            cost_micros=charged * config.user_price_micros,
            status=statuses.get(handle.lower(), "unavailable"),
            error=known[handle.lower()].error if handle.lower() in known else None,
        )
