"""`rapport import SOURCE PATH...`: land and load files of one source format.
`rapport import followers SAMPLE.json...` imports saved follower samples (each sample
file lands its pages first, pipelines/canonical/followers.py)."""

from __future__ import annotations

import argparse
import sys

from pipelines.canonical.followers import SAMPLE_SOURCE
from pipelines.canonical.imports import ImportRefused, import_paths
from pipelines.canonical.tables import connect
from pipelines.config.settings import Settings
from pipelines.core.locking import warehouse_write_lock
from pipelines.sources.x_archive.parse import archive_files

ALIASES = {"followers": SAMPLE_SOURCE}


def cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    source = ALIASES.get(args.source, args.source)
    paths = args.paths
    if source == "x-archive":  # an unzipped archive folder lands as one zip
        paths = archive_files(paths, settings.raw_dir / ".staging" / "x-archive")
    with warehouse_write_lock(settings.warehouse_path):
        con = connect(settings.warehouse_path)
        try:
            results = import_paths(con, settings.raw_dir, source, paths)
        finally:
            con.close()
    refused = [r for r in results if r.refused is not None]
    if len(results) == 1 and refused:  # the one file asked for: bad input, as before
        raise ImportRefused(refused[0].refused)
    loaded = [r for r in results if r.counts is not None]
    rejected = sum(r.counts.rejects for r in loaded)
    if source == SAMPLE_SOURCE:
        print(f"{sum(r.counts.followers for r in loaded)} sampled followers in the new samples")
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
