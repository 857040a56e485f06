"""`rapport sql QUERY`: query the analyst copy, read-only."""

from __future__ import annotations

import argparse
import sys

import duckdb

from pipelines.cli.output import print_table
from pipelines.config.settings import Settings


def cmd_sql(args: argparse.Namespace, settings: Settings) -> int:
    path = settings.analyst_copy_path
    if not path.exists():
        print(f"rapport: {path} does not exist yet; run `rapport build` first", file=sys.stderr)
        return 2
    # Read-only for real: besides the read-only file, no reading or writing of any other
    # file (COPY ... TO, read_text('/etc/passwd'), ATTACH), no extension loading, and the
    # query cannot SET its way back out (lock_configuration).
    with duckdb.connect(str(path), read_only=True, config=SQL_LOCKDOWN) as con:
        try:
            print_table(con, args.query, limit=args.limit)
        except duckdb.Error as exc:
            print(f"rapport: query failed: {exc}", file=sys.stderr)
            return 2
    return 0


SQL_LOCKDOWN = {
    "enable_external_access": False,
    "autoload_known_extensions": False,
    "autoinstall_known_extensions": False,
    "allow_community_extensions": False,
    "lock_configuration": True,
}
