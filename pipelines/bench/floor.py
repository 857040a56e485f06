"""The floor: one DuckDB pass over the raw posts that only counts and groups by account.
Any pipeline must at least read the data once; this is what that costs.

    python -m pipelines.bench.floor CSV_DIR [CSV_DIR ...]
"""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb


def main(argv: list[str]) -> int:
    files = sorted(str(f) for folder in argv for f in Path(folder).rglob("*.csv"))
    con = duckdb.connect()
    accounts, posts = con.execute(
        "SELECT count(*), sum(n) FROM (SELECT author_id, count(*) AS n "
        "FROM read_csv(?, header = true, all_varchar = true) GROUP BY author_id)",
        [files],
    ).fetchone()
    print(f"floor: {posts:,} posts by {accounts:,} accounts")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
