"""`rapport build`, `rapport rebuild` and `rapport demo`: the jobs `build` and `demo`
of pipelines/defs/jobs.py, launched in-process by pipelines/defs/launcher.py."""

from __future__ import annotations

import argparse
import sys

from pipelines.canonical import rebuild as rebuilds
from pipelines.canonical.imports import PARSERS, reload_from_raw
from pipelines.canonical.tables import connect
from pipelines.cli.check import print_check_table
from pipelines.cli.output import print_build_summary, print_next_steps
from pipelines.cli.report import demo_reports
from pipelines.cli.stages import stage_lines
from pipelines.config.settings import Settings
from pipelines.core.locking import warehouse_write_lock
from pipelines.defs.jobs import build_job, demo_job
from pipelines.defs.launcher import RunFailed, launch
from pipelines.sources.demo import DEFAULT_ANCHOR, DEFAULT_DAYS, land_as_retrieved, write_inbox
from pipelines.sources.demo.inbox import FOLDERS, FORMATS


def cmd_build(args: argparse.Namespace, settings: Settings) -> int:
    return build(settings, full_refresh=args.full_refresh)


def build(settings: Settings, full_refresh: bool, finishing_rebuild: str | None = None) -> int:
    print(f"building {settings.warehouse_path} (audits: {settings.audits_path})")
    try:
        result = launch(
            settings,
            build_job,
            run_config={"ops": {"rapport_dbt_models": {"config": {"full_refresh": full_refresh}}}},
            finishing_rebuild=finishing_rebuild,
            watch=stage_lines,
        )
    except RunFailed as exc:  # show which quality checks stopped it
        print_check_table(exc.result)
        raise
    print_check_table(result)
    print(f"run {result.run_id} succeeded")
    print_build_summary(settings)
    print(f"analysts: query {settings.analyst_copy_path} (a read-only copy of the marts)")
    return 0


def cmd_rebuild(args: argparse.Namespace, settings: Settings) -> int:
    """Replay raw into emptied canonical tables, then build every model from scratch.
    All or nothing for anyone downstream (pipelines/canonical/rebuild.py): an
    interrupted rebuild blocks every build and the analyst copy until `rapport rebuild`
    finishes it."""
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
    code = build(settings, full_refresh=True, finishing_rebuild=rebuild_id)
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
    files = write_inbox(settings.inbox_dir, args.seed, DEFAULT_ANCHOR, DEFAULT_DAYS)
    for source, formats in FORMATS.items():
        folder = settings.inbox_dir / FOLDERS[source]
        written = sum(1 for f in files if f.source == source)
        print(f"demo world: wrote {written} {formats} files to {folder}")
    # Only sources this build can import: a landed file no parser reads would stop a rebuild.
    land_as_retrieved(settings.raw_dir, [f for f in files if f.source in PARSERS])
    print("running the demo job (import, dbt models and tests, quality checks) ...")
    try:
        result = launch(settings, demo_job, watch=stage_lines)
    except RunFailed as exc:  # show which quality checks stopped it
        print_check_table(exc.result)
        raise
    print_check_table(result)
    print(f"run {result.run_id} succeeded")
    print_build_summary(settings)
    print_next_steps(settings)
    demo_reports(settings)
    return 0
