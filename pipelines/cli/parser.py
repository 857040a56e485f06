"""The `rapport` argument parser. Each command names its function as
"module:function" of pipelines/cli/, imported only when that command runs, so
`rapport --help` loads neither Dagster nor dbt."""

from __future__ import annotations

import argparse
from pathlib import Path

from pipelines.canonical.imports import PARSERS
from pipelines.cli.results import FORMATS

# What each command needs checked before it starts: (writes the warehouse, uses the
# Dagster home, reads audits.yaml).
NEEDS_NOTHING = (False, False, False)
NEEDS_WRITE = (True, False, False)
NEEDS_WRITE_AUDITS = (True, False, True)
NEEDS_DAGSTER_AUDITS = (False, True, True)
NEEDS_RUN = (True, True, True)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rapport",
        description="Rapport: an open, reproducible brand-audit warehouse.",
        epilog="Paths: RAPPORT_WAREHOUSE, RAPPORT_RAW_DIR, RAPPORT_INBOX, RAPPORT_AUDITS.",
    )
    verbose_help = "show every dbt node line (by default they are folded into one live line)"
    parser.add_argument("-v", "--verbose", action="store_true", help=verbose_help)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("import", help="land and load files of one source format")
    p.add_argument(
        "source",
        choices=sorted([*PARSERS, "followers"]),
        help="the file format (followers: saved follower samples, SAMPLE.sample.json with "
        "the pages it names beside it)",
    )
    p.add_argument("paths", nargs="+", type=Path, help="files or folders")
    p.set_defaults(func="imports:cmd_import", needs=NEEDS_WRITE)

    p = sub.add_parser(
        "ingest",
        help="read new posts and today's profiles from a live API, or follower samples",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="exit codes: x: 0 done (or the budget stopped it), 1 stopped by X (rerun "
        "resumes), 2 cannot start / credentials refused.\n"
        "bluesky, mastodon: 0 every account read, 3 some accounts skipped "
        "(ops.network_accounts says why) or stopped resumably (rate limit, outage: rerun "
        "resumes), 2 cannot start (networks.yaml, audits.yaml, a refused login).\n"
        "followers: 0 every network sampled (or skipped as recent), 3 some accounts "
        "skipped or a network stopped resumably, 2 cannot start.",
    )
    p.add_argument(
        "platform",
        choices=["x", "bluesky", "mastodon", "followers"],
        help="x: the X API v2 (token: X_BEARER_TOKEN); bluesky: the public AppView "
        "(BLUESKY_HANDLE + BLUESKY_APP_PASSWORD add the mention search); mastodon: each "
        "account's instance (MASTODON_ACCESS_TOKEN optional); settings: networks.yaml; "
        "followers: a sample of each audited account's most recent followers (X priced "
        "per user read: follower_sample_size and max_follower_cost_per_audit_usd in "
        "x_ingest.yaml)",
    )
    p.add_argument(
        "--max-cost", type=float, metavar="USD", help="x only: budget of this run (x_ingest.yaml)"
    )
    p.add_argument(
        "--network",
        choices=["x", "bluesky", "mastodon"],
        help="followers only: this network alone (default: every network audits.yaml names; "
        "X only with X_BEARER_TOKEN set)",
    )
    p.add_argument(
        "--force",
        action="store_true",
        help="followers only: sample now, even an account sampled within follower_refresh_days",
    )
    p.set_defaults(func="ingest:cmd_ingest", needs=NEEDS_WRITE_AUDITS)

    p = sub.add_parser("build", help="refresh audits config, run dbt models and tests")
    p.add_argument(
        "--full-refresh", action="store_true", help="rebuild the incremental models from scratch"
    )
    p.set_defaults(func="build:cmd_build", needs=NEEDS_RUN)

    p = sub.add_parser("check", help="run every quality check on the warehouse as it is")
    p.add_argument(
        "--no-publish",
        action="store_true",
        help="do not refresh the analyst copy even when every blocking check passes "
        "(the copy is the whole warehouse file: minutes at 100M posts)",
    )
    p.set_defaults(func="check:cmd_check", needs=NEEDS_RUN)

    p = sub.add_parser("rebuild", help="reload everything from raw landing, then build")
    p.set_defaults(func="build:cmd_rebuild", needs=NEEDS_RUN)

    p = sub.add_parser("demo", help="generate the demo world and run the whole pipeline")
    p.add_argument("--seed", type=int, default=7)
    p.set_defaults(func="build:cmd_demo", needs=NEEDS_RUN)

    p = sub.add_parser(
        "report", help="write a client's audit (HTML and PDF report + scorecard CSV)"
    )
    p.add_argument("client", help="a client name from audits.yaml")
    p.add_argument(
        "--period-end",
        metavar="WHEN",
        help="ISO date or time the period ends (default: the latest data of its accounts)",
    )
    p.add_argument("--days", type=int, help="period length (default: audits.yaml period_days)")
    p.add_argument(
        "--no-refresh",
        action="store_true",
        help="audit the warehouse as it is (skip the inbox import and upstream rebuild)",
    )
    p.add_argument(
        "--email",
        action="store_true",
        help="email the report to the client's audits.yaml recipients (needs RAPPORT_SMTP_HOST)",
    )
    p.set_defaults(func="report:cmd_report", needs=NEEDS_RUN)

    p = sub.add_parser("bench", help="time the pipeline against pandas at 1M-100M posts")
    p.add_argument("--sizes", default="1M,10M", help="comma-separated, e.g. 1M,10M,100M")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--dir", type=Path, help="data and warehouses (default: warehouse/bench)")
    p.add_argument("--keep", action="store_true", help="keep the data and warehouses")
    p.add_argument(
        "--memory-limit",
        help="DuckDB memory limit for load, build and checks (RAPPORT_DUCKDB_MEMORY_LIMIT; "
        "default 1500MB up to 10M posts, a quarter of what pandas needs there, and 8GB "
        "above)",
    )
    p.add_argument(
        "--resume",
        action="store_true",
        help="reuse a size's generated and loaded data from an earlier run that failed "
        "after the load (its load measurement is reported); dbt's tables are rebuilt",
    )
    p.add_argument(
        "--pandas-max",
        default="10M",
        help="largest size the pandas and polars notebooks run at (each holds every post "
        "in memory, ~0.8 GB per million posts, so 100M would not fit in 24 GB; default "
        "10M; the DuckDB notebook runs at every size)",
    )
    p.add_argument(
        "--demo-build",
        action="store_true",
        help="instead: time `rapport build` on the demo warehouse (median of --runs, "
        "minus process start-up; the README's small-build figure)",
    )
    p.add_argument("--runs", type=int, default=5, help="rounds of --demo-build (default 5)")
    p.set_defaults(func="bench:cmd_bench", needs=NEEDS_NOTHING)

    p = sub.add_parser(
        "sql",
        help="query the analyst copy of the warehouse (read-only)",
        description="Run one query on the analyst copy (read-only: no other file can be "
        "read or written) and write its rows to stdout. When rows are left out, a line "
        "on stderr says how many, so CSV or JSON on stdout stays clean.",
    )
    p.add_argument("query", help="the SQL query")
    p.add_argument(
        "--format",
        choices=FORMATS,
        default="table",
        help="table (default): aligned, controls escaped, long cells cut; csv: RFC 4180 "
        "with a header row; json: one array of objects; jsonl: one object per line",
    )
    p.add_argument(
        "--limit",
        type=row_limit,
        default=None,
        metavar="N",
        help="write at most N rows; default 50 for table, every row for csv, json and "
        "jsonl; 0 means no limit for every format",
    )
    p.set_defaults(func="sql:cmd_sql", needs=NEEDS_NOTHING)

    p = sub.add_parser("raw", help="list landed raw files; forget one on purpose")
    raw = p.add_subparsers(dest="raw_command", required=True)
    r = raw.add_parser("list", help="every landed file, with its tombstone if forgotten")
    r.add_argument("--forgotten", action="store_true", help="only the forgotten files")
    r.set_defaults(func="raw:cmd_raw_list", needs=NEEDS_NOTHING)
    r = raw.add_parser(
        "forget", help="imports and rebuilds skip this file from now on (its bytes stay)"
    )
    r.add_argument("sha", help="the file's sha256, or its first 8+ hex digits (rapport raw list)")
    r.add_argument("--reason", required=True, help="why: recorded with who and when")
    r.add_argument("--by", help="who forgets it (default: $USER)")
    r.set_defaults(func="raw:cmd_raw_forget", needs=NEEDS_WRITE)
    r = raw.add_parser("unforget", help="remove a file's tombstone (then import or rebuild)")
    r.add_argument("sha")
    r.set_defaults(func="raw:cmd_raw_unforget", needs=NEEDS_WRITE)

    p = sub.add_parser("audience", help="train, evaluate and score the fake-follower model")
    audience = p.add_subparsers(dest="audience_command", required=True)
    data_help = "labelled profiles (default: ../shared/data/bot_detection beside the checkout)"
    a = audience.add_parser("train", help="rebuild the committed model file (same bytes)")
    a.add_argument("--data", type=Path, metavar="DIR", help=data_help)
    a.add_argument(
        "--features",
        choices=["reduced", "full"],
        default="reduced",
        help="reduced: fields X, Bluesky and Mastodon share (model.json); full: X (model_x.json)",
    )
    a.add_argument(
        "--out", type=Path, metavar="FILE", help="default: pipelines/audience/model*.json"
    )
    a.set_defaults(func="audience:cmd_audience_train", needs=NEEDS_NOTHING)
    a = audience.add_parser("evaluate", help="write the leave-collections-out evaluation table")
    a.add_argument("--data", type=Path, metavar="DIR", help=data_help)
    a.add_argument("--out", type=Path, metavar="FILE", help="default: docs/audience-evaluation.md")
    a.add_argument(
        "--rules-out",
        type=Path,
        metavar="FILE",
        help="the single rules' measures; default: pipelines/audience/single_rules.json",
    )
    a.set_defaults(func="audience:cmd_audience_evaluate", needs=NEEDS_NOTHING)
    a = audience.add_parser("score", help="score X profiles and estimate their fake share")
    a.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="CSV, JSON or JSONL files")
    a.add_argument("--out", type=Path, required=True, metavar="FILE.csv", help="per profile")
    a.add_argument("--summary-json", type=Path, metavar="FILE.json", help="share, interval...")
    a.add_argument(
        "--as-of",
        metavar="TIME",
        help="observation time (ISO 8601) for profiles without observed_at/crawled_at/updated",
    )
    a.add_argument(
        "--features",
        choices=["reduced", "full"],
        default="full",
        help="full: the X model (model_x.json, default); reduced: model.json",
    )
    a.set_defaults(func="audience:cmd_audience_score", needs=NEEDS_NOTHING)

    p = sub.add_parser("docs", help="write dbt's docs site (one offline HTML page)")
    p.add_argument("--out", type=Path, metavar="DIR", help="default: warehouse/docs/")
    p.set_defaults(func="docs:cmd_docs", needs=NEEDS_NOTHING)

    p = sub.add_parser("dev", help="start the Dagster UI with persistent run history")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=3000)
    # The code location reads audits.yaml (a partition per client): refuse a bad one first.
    p.set_defaults(func="dev:cmd_dev", needs=NEEDS_DAGSTER_AUDITS)
    # `rapport build --verbose` as well as `rapport --verbose build`
    for command in sub.choices.values():
        command.add_argument(
            "-v", "--verbose", action="store_true", default=argparse.SUPPRESS, help=verbose_help
        )
    return parser


def row_limit(value: str) -> int:
    """--limit N: a whole number, 0 for no limit."""
    try:
        n = int(value)
    except ValueError:
        n = -1
    if n < 0:
        raise argparse.ArgumentTypeError(f"{value!r} is not a row count (0 for no limit)")
    return n
