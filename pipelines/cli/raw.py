"""`rapport raw list|forget|unforget`: the landed raw files, and leaving one out on
purpose."""

from __future__ import annotations

import argparse
import getpass
import os
import sys

from pipelines.canonical.imports import ImportRefused, forget_file, unforget_file
from pipelines.canonical.tables import connect
from pipelines.config.settings import Settings
from pipelines.core.locking import warehouse_write_lock
from pipelines.raw.landing import find_landed, landed_files, tombstone


def cmd_raw_list(args: argparse.Namespace, settings: Settings) -> int:
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
    try:
        return find_landed(settings.raw_dir, sha)
    except LookupError as exc:
        raise ImportRefused(str(exc)) from None


def cmd_raw_forget(args: argparse.Namespace, settings: Settings) -> int:
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
