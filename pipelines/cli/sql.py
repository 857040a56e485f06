"""`rapport sql QUERY`: query the analyst copy, read-only, as a table, CSV or JSON."""

from __future__ import annotations

import argparse
import os
import sys

import duckdb

from pipelines.cli import results
from pipelines.config.settings import Settings

TABLE_LIMIT = 50  # rows a table shows unless --limit says otherwise; files get every row


def cmd_sql(args: argparse.Namespace, settings: Settings) -> int:
    path = settings.analyst_copy_path
    if not path.exists():
        print(f"rapport: {path} does not exist yet; run `rapport build` first", file=sys.stderr)
        return 2
    limit = args.limit
    if limit is None:
        limit = TABLE_LIMIT if args.format == "table" else 0
    # Read-only for real: besides the read-only file, no reading or writing of any other
    # file (COPY ... TO, read_text('/etc/passwd'), ATTACH), no extension loading, and the
    # query cannot SET its way back out (lock_configuration). Every format, and the
    # count of the rows not shown, runs on this one connection.
    with duckdb.connect(str(path), read_only=True, config=SQL_LOCKDOWN) as con:
        try:
            cur = con.execute(args.query)
            if cur.description is None:
                return 0
            rows, more = results.fetch(cur, limit)
            results.write(args.format, cur.description, rows, sys.stdout)
            sys.stdout.flush()
            if more:
                print(not_shown(con, args.query, limit), file=sys.stderr)
        except duckdb.Error as exc:
            print(f"rapport: query failed: {one_line(exc)}", file=sys.stderr)
            return 2
        except BrokenPipeError:  # `rapport sql ... | head`: the reader has had enough
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 0
    return 0


def not_shown(con: duckdb.DuckDBPyConnection, query: str, shown: int) -> str:
    """The stderr line when rows were left out; the total is counted only now, by the
    same query under count(*), and only a plain query can be counted."""
    inner = query.strip().rstrip(";").rstrip()
    try:
        total = con.execute(f"SELECT count(*) FROM (\n{inner}\n)").fetchone()[0]
    except duckdb.Error:
        total = None
    if total is None or total <= shown:
        return f"{shown} rows shown, more rows not shown; --limit 0 for all"
    return f"{shown} of {total} rows shown; --limit 0 for all"


def one_line(exc: duckdb.Error) -> str:
    """DuckDB's message without the quoted query and caret lines below it."""
    lines = []
    for line in str(exc).splitlines():
        if line.startswith("LINE "):
            break
        if line.strip():
            lines.append(line.strip())
    return " ".join(lines) or type(exc).__name__


SQL_LOCKDOWN = {
    "enable_external_access": False,
    "autoload_known_extensions": False,
    "autoinstall_known_extensions": False,
    "allow_community_extensions": False,
    "lock_configuration": True,
}
