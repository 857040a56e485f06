"""`rapport`: import data, build the warehouse, run the demo, open the UI.

Exit codes: 0 success; 1 a run failed, or cannot run on the warehouse as it is (an
unfinished rebuild); 2 bad input, usage, configuration or environment, before anything
ran (the message names the file or variable and why); 3 some files were refused and
the others imported (each refused file is named, and kept in ops.refused_files)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from pipelines import preflight, rebuilds
from pipelines.audits import AuditConfigError
from pipelines.imports import PARSERS, ImportRefused
from pipelines.secrets import install_output_scrubbing
from pipelines.settings import Settings, load_settings

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


def _print_table(con, sql: str, limit: int = 20) -> None:
    cur = con.execute(sql)
    names = [d[0] for d in cur.description]
    rows = cur.fetchmany(limit)
    cells = [names] + [["" if v is None else _fmt(v) for v in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(names))]
    for n, row in enumerate(cells):
        print("  " + "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))
        if n == 0:
            print("  " + "  ".join("-" * w for w in widths))


def _fmt(value: object) -> str:
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    from pipelines.imports import import_paths
    from pipelines.locking import warehouse_write_lock
    from pipelines.warehouse import connect

    paths = args.paths
    if args.source == "x-archive":  # an unzipped archive folder lands as one zip
        from pipelines.sources.x_archive import archive_files

        paths = archive_files(paths, settings.raw_dir / ".staging" / "x-archive")
    with warehouse_write_lock(settings.warehouse_path):
        con = connect(settings.warehouse_path)
        try:
            results = import_paths(con, settings.raw_dir, args.source, paths)
        finally:
            con.close()
    refused = [r for r in results if r.refused is not None]
    if len(results) == 1 and refused:  # the one file asked for: bad input, as before
        raise ImportRefused(refused[0].refused)
    loaded = [r for r in results if r.counts is not None]
    rejected = sum(r.counts.rejects for r in loaded)
    print(
        f"imported {len(loaded)} file(s), "
        f"{sum(r.skipped for r in results)} already imported or forgotten, "
        f"{len(refused)} refused, {rejected} rejected item(s); warehouse {settings.warehouse_path}"
    )
    if rejected:
        print("rejected input is kept in canonical.rejects with file, line and reason")
    if refused:
        for r in refused:
            print(f"rapport: refused {r.refused}", file=sys.stderr)
        print(
            f"rapport: {len(refused)} of {len(results)} file(s) refused (kept in "
            "ops.refused_files); the others were imported",
            file=sys.stderr,
        )
        return 2 if not loaded and not any(r.skipped for r in results) else 3
    print("next: rapport build")
    return 0


def cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    from pipelines.sources.x_api.command import ingest_x

    return ingest_x(settings, max_cost=args.max_cost)


def _print_build_summary(settings: Settings) -> None:
    import duckdb

    with duckdb.connect(str(settings.analyst_copy_path), read_only=True) as con:
        for table in ("posts", "accounts", "post_mix", "conversation_metrics"):
            n = con.execute(f"SELECT count(*) FROM marts.{table}").fetchone()[0]
            print(f"  marts.{table}: {n} rows")
        n = con.execute("SELECT count(*) FROM canonical.rejects").fetchone()[0]
        print(f"  canonical.rejects: {n} rows")


def cmd_build(args: argparse.Namespace, settings: Settings) -> int:
    return _build(settings, full_refresh=args.full_refresh)


def _build(settings: Settings, full_refresh: bool, finishing_rebuild: str | None = None) -> int:
    from pipelines.quality.command import print_check_table
    from pipelines.runner import RunFailed, materialize_assets

    print(f"building {settings.warehouse_path} (audits: {settings.audits_path})")
    try:
        result = materialize_assets(
            settings,
            selection="key:config/audited_accounts or kind:dbt",
            run_config={"ops": {"rapport_dbt_models": {"config": {"full_refresh": full_refresh}}}},
            finishing_rebuild=finishing_rebuild,
        )
    except RunFailed as exc:  # show which quality checks stopped it
        print_check_table(exc.result)
        raise
    print_check_table(result)
    print(f"run {result.run_id} succeeded")
    _print_build_summary(settings)
    print(f"analysts: query {settings.analyst_copy_path} (a read-only copy of the marts)")
    return 0


def cmd_rebuild(args: argparse.Namespace, settings: Settings) -> int:
    """Replay raw into emptied canonical tables, then build every model from scratch.
    All or nothing for anyone downstream (pipelines/rebuilds.py): an interrupted rebuild
    blocks every build and the analyst copy until `rapport rebuild` finishes it."""
    from pipelines import rebuilds
    from pipelines.imports import reload_from_raw
    from pipelines.locking import warehouse_write_lock
    from pipelines.warehouse import connect

    refused: list[str] = []
    with warehouse_write_lock(settings.warehouse_path):
        con = connect(settings.warehouse_path)
        try:
            pending = rebuilds.unfinished(con)
            if pending is not None and pending.status == rebuilds.REPLAYED:
                print(
                    f"resuming the rebuild started at {pending.started_at:%Y-%m-%d %H:%M:%S}: "
                    f"its replay of {pending.files_total} raw file(s) had finished"
                )
                rebuild_id = pending.rebuild_id
            else:
                if pending is not None:
                    print(
                        "starting over the rebuild that stopped at raw file "
                        f"{pending.files_replayed + 1} of {pending.files_total}"
                    )
                print(f"reloading the canonical tables from {settings.raw_dir}")
                replay = reload_from_raw(con, settings.raw_dir)
                rebuild_id, refused = replay.rebuild_id, replay.refused
                print(f"replayed {replay.files} raw file(s)")
        finally:
            con.close()
    # Same files, possibly different rows: the incremental models must start over.
    code = _build(settings, full_refresh=True, finishing_rebuild=rebuild_id)
    if refused:
        for reason in refused:
            print(f"rapport: refused and forgotten: {reason}", file=sys.stderr)
        print(
            f"rapport: {len(refused)} raw file(s) could not be replayed and were forgotten "
            "(`rapport raw list`; `rapport raw unforget SHA` after a fix); the rest is rebuilt",
            file=sys.stderr,
        )
        return 3
    return code


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    from pipelines.quality.command import print_check_table
    from pipelines.runner import RunFailed, materialize_assets
    from pipelines.sources.demo_world import generate

    demo_dir = settings.inbox_dir / "twarc2" / "demo"
    files = generate(demo_dir, seed=args.seed)
    print(f"demo world: wrote {len(files)} X API v2 page files to {demo_dir}")
    print("running every asset (import, dbt models and tests) as one Dagster run ...")
    try:
        result = materialize_assets(settings)
    except RunFailed as exc:  # show which quality checks stopped it
        print_check_table(exc.result)
        raise
    print_check_table(result)
    print(f"run {result.run_id} succeeded")
    _print_build_summary(settings)
    _print_next_steps(settings)
    from pipelines.reports.command import demo_reports

    demo_reports(settings)
    return 0


def cmd_check(args: argparse.Namespace, settings: Settings) -> int:
    from pipelines.quality.command import check_command

    return check_command(settings, publish=not args.no_publish)


def cmd_report(args: argparse.Namespace, settings: Settings) -> int:
    from pipelines.reports.command import report_command

    return report_command(settings, args.client, args.period_end, args.days, not args.no_refresh)


def _print_next_steps(settings: Settings) -> None:
    import duckdb

    print(f"\nwarehouse (pipeline writes here): {settings.warehouse_path}")
    print(f"analyst copy (query this one):     {settings.analyst_copy_path}")
    with duckdb.connect(str(settings.analyst_copy_path), read_only=True) as con:
        for title, sql in EXAMPLE_QUERIES.items():
            print(f"\n-- {title}\n{sql};")
            _print_table(con, sql)
    print(
        '\nrun your own:  .venv/bin/rapport sql "SELECT * FROM marts.accounts LIMIT 5"'
        f"\nor open {settings.analyst_copy_path} read-only in any DuckDB client"
        "\nDagster UI:    make dev   (then open http://127.0.0.1:3000)"
    )


def cmd_bench(args: argparse.Namespace, settings: Settings) -> int:
    from pipelines.bench.run import BenchFailed, parse_size, run

    sizes = [parse_size(s) for s in args.sizes.split(",") if s.strip()]
    root = args.dir or settings.warehouse_path.parent / "bench"
    try:
        run(
            sizes,
            root.resolve(),
            seed=args.seed,
            keep=args.keep,
            memory_limit=args.memory_limit,
            pandas_max=parse_size(args.pandas_max),
            resume=args.resume,
        )
    except BenchFailed as exc:
        print(f"rapport bench: {exc}", file=sys.stderr)
        print(
            "rapport bench: the size's data and warehouse are kept; once the data is loaded, "
            "`--resume` starts again after the load",
            file=sys.stderr,
        )
        return 1
    return 0


def cmd_sql(args: argparse.Namespace, settings: Settings) -> int:
    import duckdb

    path = settings.analyst_copy_path
    if not path.exists():
        print(f"rapport: {path} does not exist yet; run `rapport build` first", file=sys.stderr)
        return 2
    # Read-only for real: besides the read-only file, no reading or writing of any other
    # file (COPY ... TO, read_text('/etc/passwd'), ATTACH), no extension loading, and the
    # query cannot SET its way back out (lock_configuration).
    with duckdb.connect(str(path), read_only=True, config=SQL_LOCKDOWN) as con:
        try:
            _print_table(con, args.query, limit=args.limit)
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


def cmd_raw_list(args: argparse.Namespace, settings: Settings) -> int:
    from pipelines.landing import landed_files, tombstone

    files = landed_files(settings.raw_dir, include_forgotten=True)
    forgotten = 0
    for f in files:
        t = tombstone(f)
        forgotten += t is not None
        if args.forgotten and t is None:
            continue
        state = (
            f"FORGOTTEN {t.forgotten_at:%Y-%m-%d %H:%M} by {t.forgotten_by}: {t.reason}"
            if t
            else "landed"
        )
        print(
            f"{f.raw_file_id[:12]}  {f.source:<9} {f.bytes:>11,} B  "
            f"{f.landed_at:%Y-%m-%d %H:%M}  {f.original_name}  {state}"
        )
    print(f"{len(files)} raw file(s) in {settings.raw_dir}, {forgotten} forgotten")
    return 0


def _raw_file(settings: Settings, sha: str):
    from pipelines.imports import ImportRefused
    from pipelines.landing import find_landed

    try:
        return find_landed(settings.raw_dir, sha)
    except LookupError as exc:
        raise ImportRefused(str(exc)) from None


def cmd_raw_forget(args: argparse.Namespace, settings: Settings) -> int:
    import getpass

    from pipelines.imports import forget_file
    from pipelines.locking import warehouse_write_lock
    from pipelines.warehouse import connect

    reason = args.reason.strip()
    if not reason:
        print("rapport: --reason must say why the file is forgotten", file=sys.stderr)
        return 2
    found = _raw_file(settings, args.sha)
    by = args.by or os.environ.get("USER") or getpass.getuser()
    with warehouse_write_lock(settings.warehouse_path):
        con = connect(settings.warehouse_path)
        try:
            for landed in found:
                forget_file(con, landed, by, reason)
                print(f"forgot {landed.raw_file_id[:12]} ({landed.source}, {landed.original_name})")
        finally:
            con.close()
    print(
        "imports and rebuilds now skip it; its bytes stay in raw. Its rows stay in the "
        "warehouse until `rapport rebuild` replays raw without it"
    )
    return 0


def cmd_raw_unforget(args: argparse.Namespace, settings: Settings) -> int:
    from pipelines.imports import unforget_file
    from pipelines.locking import warehouse_write_lock
    from pipelines.warehouse import connect

    found = _raw_file(settings, args.sha)
    with warehouse_write_lock(settings.warehouse_path):
        con = connect(settings.warehouse_path)
        try:
            for landed in found:
                was = unforget_file(con, landed)
                print(
                    f"{landed.raw_file_id[:12]}: "
                    + ("tombstone removed" if was else "was not forgotten")
                )
        finally:
            con.close()
    print("import it again, or `rapport rebuild`, to load it")
    return 0


def cmd_dev(args: argparse.Namespace, settings: Settings) -> int:
    from pipelines.dagster_home import ensure_dagster_home
    from pipelines.defs.dbt_project import ensure_manifest

    home = ensure_dagster_home(settings)
    ensure_manifest()
    print(f"DAGSTER_HOME={home} (run history is kept there)")
    dagster = Path(sys.executable).with_name("dagster")
    argv = [
        str(dagster),
        "dev",
        "-m",
        "pipelines.definitions",
        "-h",
        args.host,
        "-p",
        str(args.port),
    ]
    os.chdir(home)  # not the repo root: its dagster.yaml would only draw a warning
    os.execv(argv[0], argv)
    return 0  # not reached


# What each command needs checked before it starts: (writes the warehouse, uses the
# Dagster home, reads audits.yaml).
NEEDS_NOTHING = (False, False, False)
NEEDS_WRITE = (True, False, False)
NEEDS_WRITE_AUDITS = (True, False, True)
NEEDS_DAGSTER = (False, True, False)
NEEDS_RUN = (True, True, True)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rapport",
        description="Rapport: an open, reproducible brand-audit warehouse.",
        epilog="Paths: RAPPORT_WAREHOUSE, RAPPORT_RAW_DIR, RAPPORT_INBOX, RAPPORT_AUDITS.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("import", help="land and load files of one source format")
    p.add_argument("source", choices=sorted(PARSERS), help="the file format")
    p.add_argument("paths", nargs="+", type=Path, help="files or folders")
    p.set_defaults(func=cmd_import, needs=NEEDS_WRITE)

    p = sub.add_parser("ingest", help="read new posts and today's profiles from a live API")
    p.add_argument("platform", choices=["x"], help="x: the X API v2 (token: X_BEARER_TOKEN)")
    p.add_argument(
        "--max-cost", type=float, metavar="USD", help="budget of this run (x_ingest.yaml)"
    )
    p.set_defaults(func=cmd_ingest, needs=NEEDS_WRITE_AUDITS)

    p = sub.add_parser("build", help="refresh audits config, run dbt models and tests")
    p.add_argument(
        "--full-refresh", action="store_true", help="rebuild the incremental models from scratch"
    )
    p.set_defaults(func=cmd_build, needs=NEEDS_RUN)

    p = sub.add_parser("check", help="run every quality check on the warehouse as it is")
    p.add_argument(
        "--no-publish",
        action="store_true",
        help="do not refresh the analyst copy even when every blocking check passes "
        "(the copy is the whole warehouse file: minutes at 100M posts)",
    )
    p.set_defaults(func=cmd_check, needs=NEEDS_RUN)

    p = sub.add_parser("rebuild", help="reload everything from raw landing, then build")
    p.set_defaults(func=cmd_rebuild, needs=NEEDS_RUN)

    p = sub.add_parser("demo", help="generate the demo world and run the whole pipeline")
    p.add_argument("--seed", type=int, default=7)
    p.set_defaults(func=cmd_demo, needs=NEEDS_RUN)

    p = sub.add_parser("report", help="write a client's audit (HTML report + scorecard CSV)")
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
    p.set_defaults(func=cmd_report, needs=NEEDS_RUN)

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
        help="largest size the pandas baseline runs at (it needs ~0.9 GB per million "
        "posts, so 100M would not fit in 24 GB; default 10M)",
    )
    p.set_defaults(func=cmd_bench, needs=NEEDS_NOTHING)

    p = sub.add_parser("sql", help="query the analyst copy of the warehouse (read-only)")
    p.add_argument("query")
    p.add_argument("--limit", type=int, default=50)
    p.set_defaults(func=cmd_sql, needs=NEEDS_NOTHING)

    p = sub.add_parser("raw", help="list landed raw files; forget one on purpose")
    raw = p.add_subparsers(dest="raw_command", required=True)
    r = raw.add_parser("list", help="every landed file, with its tombstone if forgotten")
    r.add_argument("--forgotten", action="store_true", help="only the forgotten files")
    r.set_defaults(func=cmd_raw_list, needs=NEEDS_NOTHING)
    r = raw.add_parser(
        "forget", help="imports and rebuilds skip this file from now on (its bytes stay)"
    )
    r.add_argument("sha", help="the file's sha256, or its first 8+ hex digits (rapport raw list)")
    r.add_argument("--reason", required=True, help="why: recorded with who and when")
    r.add_argument("--by", help="who forgets it (default: $USER)")
    r.set_defaults(func=cmd_raw_forget, needs=NEEDS_WRITE)
    r = raw.add_parser("unforget", help="remove a file's tombstone (then import or rebuild)")
    r.add_argument("sha")
    r.set_defaults(func=cmd_raw_unforget, needs=NEEDS_WRITE)

    p = sub.add_parser("dev", help="start the Dagster UI with persistent run history")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=3000)
    p.set_defaults(func=cmd_dev, needs=NEEDS_DAGSTER)
    return parser


def main(argv: list[str] | None = None) -> int:
    install_output_scrubbing()  # before anything can print or log a secret
    args = build_parser().parse_args(argv)
    settings = load_settings()
    try:
        writes, dagster, audits = args.needs
        preflight.check(settings, writes=writes, dagster=dagster, audits=audits)
        return args.func(args, settings)
    except (ImportRefused, AuditConfigError, preflight.EnvironmentProblem) as exc:
        print(f"rapport: {exc}", file=sys.stderr)
        return 2
    except rebuilds.RebuildUnfinished as exc:
        print(f"rapport: refused: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # a failed run: say what failed, not a traceback
        from pipelines.quality.thresholds import QualityConfigError
        from pipelines.runner import RunFailed
        from pipelines.warehouse import WarehouseConfigError

        if isinstance(exc, QualityConfigError | WarehouseConfigError):
            print(f"rapport: {exc}", file=sys.stderr)
            return 2
        if isinstance(exc, RunFailed | TimeoutError):
            print(f"rapport: {exc}", file=sys.stderr)
            return 1
        import duckdb

        if isinstance(exc, duckdb.OutOfMemoryException):
            limit = os.environ.get("RAPPORT_DUCKDB_MEMORY_LIMIT", "80%")
            print(
                f"rapport: DuckDB ran out of memory under its limit of {limit} "
                f"(RAPPORT_DUCKDB_MEMORY_LIMIT): {str(exc).splitlines()[0]}. The step "
                "that failed was rolled back (each file loads in one transaction); what "
                "was loaded before it stays. Raise the limit and run it again.",
                file=sys.stderr,
            )
            return 1
        raise


if __name__ == "__main__":
    sys.exit(main())
