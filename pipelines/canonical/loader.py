"""Loads a parsed batch into the canonical tables, idempotently.

A post seen twice (timeline and includes, two pages, two files) is one row: rows merge
by key, and a later sighting's non-null values win (public metrics grow over time).
Rows are staged through a typed newline-delimited JSON file rather than row-by-row
inserts, which keeps loading fast and the column types exactly those of the tables."""

from __future__ import annotations

import json
import re
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from pipelines.canonical import followers as followers_module
from pipelines.raw.landing import LandedFile
from pipelines.sources.records import ParsedBatch

_KEYS = {
    "posts": ("platform", "post_id"),
    "account_snapshots": ("platform", "account_id", "observed_at"),
    "accounts": ("platform", "account_id"),
    "follower_samples": ("platform", "account_id", "sampled_at"),
    "sampled_followers": ("platform", "account_id", "sampled_at", "follower_id"),
}


class StoreError(ValueError):
    """A parsed row DuckDB cannot store: names the row by its key, not the staging file."""


_STAGED_LINE = re.compile(r'in file "[^"]*", (?:at byte \d+ )?in line (\d+): (.*)', re.S)


def _store_error(exc: duckdb.Error, table: str, rows: list[dict]) -> StoreError:
    message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    m = _STAGED_LINE.search(str(exc))
    if not m:
        return StoreError(f"canonical.{table}: {message}")
    n = int(m.group(1))
    row = rows[n - 1] if 0 < n <= len(rows) else {}
    key = ", ".join(f"{c} {row.get(c)!r}" for c in _KEYS[table])
    return StoreError(f"canonical.{table} row with {key}: {m.group(2).splitlines()[0]}")


@dataclass(frozen=True)
class LoadCounts:
    posts: int
    snapshots: int
    accounts: int
    rejects: int
    followers: int = 0  # canonical.sampled_followers rows of a follower sample, carried included


def _json_default(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"cannot stage {type(value).__name__}")


def _merge_by_key(rows: list[dict], key: tuple[str, ...]) -> list[dict]:
    merged: dict[tuple, dict] = {}
    for row in rows:
        k = tuple(row[c] for c in key)
        if k in merged:
            merged[k].update({c: v for c, v in row.items() if v is not None})
        else:
            merged[k] = dict(row)
    return list(merged.values())


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, str]:
    rows = con.execute(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = 'canonical' AND table_name = ? ORDER BY ordinal_position",
        [table],
    ).fetchall()
    return dict(rows)


def _upsert(
    con: duckdb.DuckDBPyConnection, table: str, rows: list[dict], on_conflict: dict[str, str]
) -> int:
    if not rows:
        return 0
    columns = _columns(con, table)
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as stage:
        for row in rows:
            stage.write(json.dumps({c: row.get(c) for c in columns}, default=_json_default))
            stage.write("\n")
    try:
        col_types = "{" + ", ".join(f"'{c}': '{t}'" for c, t in columns.items()) + "}"
        key = ", ".join(_KEYS[table])
        updates = ", ".join(f"{c} = {expr}" for c, expr in on_conflict.items())
        try:
            con.execute(
                f"INSERT INTO canonical.{table} SELECT * FROM read_json(?, "
                f"format = 'newline_delimited', columns = {col_types}) "
                f"ON CONFLICT ({key}) DO UPDATE SET {updates}",
                [stage.name],
            )
        except duckdb.Error as exc:
            raise _store_error(exc, table, rows) from exc
    finally:
        Path(stage.name).unlink(missing_ok=True)
    return len(rows)


def _coalesce_all(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, str]:
    keys = set(_KEYS[table])
    return {c: f"COALESCE(EXCLUDED.{c}, {c})" for c in _columns(con, table) if c not in keys}


def record_loaded(
    con: duckdb.DuckDBPyConnection, landed: LandedFile, rows_loaded: int, rows_rejected: int
) -> None:
    """ops.raw_files: the file is loaded, with how many rows; inside the load's
    transaction, so a file is recorded loaded exactly when its rows are in."""
    con.execute(
        "INSERT INTO ops.raw_files VALUES (?, ?, ?, ?, ?, ?, now(), ?, ?) "
        "ON CONFLICT (raw_file_id) DO UPDATE SET loaded_at = now(), "
        "rows_loaded = EXCLUDED.rows_loaded, rows_rejected = EXCLUDED.rows_rejected",
        [
            landed.raw_file_id,
            landed.source,
            landed.relative_path,
            landed.original_name,
            landed.bytes,
            landed.landed_at,
            rows_loaded,
            rows_rejected,
        ],
    )


def load_batch(
    con: duckdb.DuckDBPyConnection, batch: ParsedBatch, landed: LandedFile
) -> LoadCounts:
    """Write one file's rows in a single transaction: a crash leaves the file unloaded
    (and re-loadable), never half loaded."""
    posts = _merge_by_key(
        [{**p, "raw_file_id": landed.raw_file_id} for p in batch.posts], _KEYS["posts"]
    )
    snapshots = _merge_by_key(
        [{**s, "raw_file_id": landed.raw_file_id} for s in batch.snapshots],
        _KEYS["account_snapshots"],
    )
    accounts = _merge_by_key(batch.accounts, _KEYS["accounts"])
    con.execute("BEGIN TRANSACTION")
    try:
        n_posts = _upsert(con, "posts", posts, _coalesce_all(con, "posts"))
        n_snaps = _upsert(
            con, "account_snapshots", snapshots, _coalesce_all(con, "account_snapshots")
        )
        n_accounts = _upsert(
            con,
            "accounts",
            accounts,
            {
                "handle": "COALESCE(EXCLUDED.handle, handle)",
                "is_brand": "is_brand OR EXCLUDED.is_brand",
                "first_seen_at": "LEAST(EXCLUDED.first_seen_at, first_seen_at)",
            },
        )
        _upsert(
            con,
            "sampled_followers",
            batch.sampled_followers,
            _coalesce_all(con, "sampled_followers"),
        )
        carried = 0
        for sample in batch.follower_samples:
            sample = {**sample, "raw_file_id": landed.raw_file_id}
            _upsert(con, "follower_samples", [sample], _coalesce_all(con, "follower_samples"))
            if sample["incremental"]:
                carried += followers_module.carry_forward(con, sample)
        for reject in batch.rejects:
            con.execute(
                "INSERT OR IGNORE INTO canonical.rejects VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    landed.raw_file_id,
                    landed.source,
                    landed.original_name,
                    reject.line_number,
                    reject.item,
                    reject.reason,
                    reject.excerpt[:200],
                ],
            )
        loaded = len(batch.posts) + len(batch.snapshots) + len(batch.sampled_followers)
        record_loaded(con, landed, loaded, len(batch.rejects))
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    followers = len(batch.sampled_followers) + carried
    return LoadCounts(n_posts, n_snaps, n_accounts, len(batch.rejects), followers)
