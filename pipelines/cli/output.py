"""What the commands print: tables of query results, the build's summary, the demo's
next steps."""

from __future__ import annotations

import sys

import duckdb

from pipelines.cli.results import fetch, write
from pipelines.config.settings import Settings

EXAMPLE_QUERIES = {
    "How social is each audited brand?": (
        "SELECT handle, posts, reply_share, inbound, answered, response_rate, "
        "median_first_response_min FROM marts.conversation_metrics "
        "ORDER BY response_rate DESC NULLS LAST LIMIT 10"
    ),
    "Who only broadcasts?": (
        "SELECT handle, posts, broadcast_share, reply_share, retweet_share "
        "FROM marts.post_mix ORDER BY broadcast_share DESC LIMIT 10"
    ),
    "Which accounts look illegitimate?": (
        "SELECT handle, followers, following, follower_following_ratio, ratio_band, "
        "flag_default_avatar, flag_empty_bio, flag_few_posts, flag_follows_far_more "
        "FROM marts.accounts WHERE flag_follows_far_more OR flag_empty_bio OR flag_few_posts "
        "ORDER BY handle"
    ),
}


def print_table(con, sql: str, limit: int = 20) -> None:
    cur = con.execute(sql)
    rows, _ = fetch(cur, limit)
    write("table", cur.description, rows, sys.stdout)


def print_build_summary(settings: Settings) -> None:
    with duckdb.connect(str(settings.analyst_copy_path), read_only=True) as con:
        for table in ("posts", "accounts", "post_mix", "conversation_metrics"):
            n = con.execute(f"SELECT count(*) FROM marts.{table}").fetchone()[0]
            print(f"  marts.{table}: {n} rows")
        n = con.execute("SELECT count(*) FROM canonical.rejects").fetchone()[0]
        print(f"  canonical.rejects: {n} rows")


def print_next_steps(settings: Settings) -> None:
    print(f"\nwarehouse (pipeline writes here): {settings.warehouse_path}")
    print(f"analyst copy (query this one):     {settings.analyst_copy_path}")
    with duckdb.connect(str(settings.analyst_copy_path), read_only=True) as con:
        for title, sql in EXAMPLE_QUERIES.items():
            print(f"\n-- {title}\n{sql};")
            print_table(con, sql)
    print(
        '\nrun your own:  .venv/bin/rapport sql "SELECT * FROM marts.accounts LIMIT 5"'
        f"\nor open {settings.analyst_copy_path} read-only in any DuckDB client"
        "\nDagster UI:    make dev   (then open http://127.0.0.1:3000)"
    )
