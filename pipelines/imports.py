"""Import a file: land it raw, parse it, load it. The `rapport import` command and the
Dagster ingest assets both call this, so there is one pipeline, not two."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from pipelines.landing import LandedFile, land, landed_files
from pipelines.loader import LoadCounts, load_batch
from pipelines.sources.records import NotThisFormat, ParsedBatch, Reject
from pipelines.sources.twarc2 import parse_twarc2
from pipelines.sources.twcs import parse_twcs
from pipelines.sources.twcs_bulk import bulk_load_twcs
from pipelines.sources.x_archive import parse_x_archive

Log = Callable[[str], None]

# Each source format and how to parse one landed file of it.
PARSERS: dict[str, Callable[[LandedFile], ParsedBatch]] = {
    "twcs": lambda landed: parse_twcs(landed.raw_path),
    # A page's own retrieval time wins; otherwise the landing time is when we saw it.
    "twarc2": lambda landed: parse_twarc2(landed.raw_path, landed.landed_at),
    # Pages `rapport ingest x` fetched from the X API v2: twarc2 pages, own raw folder.
    "x-api": lambda landed: parse_twarc2(landed.raw_path, landed.landed_at),
    # An account's own "download your data" archive (a folder is zipped first).
    "x-archive": lambda landed: parse_x_archive(landed.raw_path, landed.landed_at),
}
# What files of each format look like, for directories and the inbox.
PATTERNS = {
    "twcs": ("*.csv",),
    "twarc2": ("*.jsonl", "*.json"),
    "x-api": ("*.jsonl",),
    "x-archive": ("*.zip",),
}


# Formats with a SQL fast path for large files (it hands back the files it cannot vouch
# for, which then go through the parser).
BULK_LOADERS: dict[str, Callable[[duckdb.DuckDBPyConnection, LandedFile], LoadCounts | str]] = {
    "twcs": bulk_load_twcs,
}


class ImportRefused(Exception):
    """Bad input that stops an import: names the file and the reason."""


@dataclass
class ImportResult:
    path: Path
    source: str
    raw_file_id: str
    skipped: bool  # the same bytes were imported before: nothing changed
    counts: LoadCounts | None = None
    rejects: list[Reject] = field(default_factory=list)

    def summary(self) -> str:
        if self.skipped:
            return f"{self.path}: already imported (raw {self.raw_file_id[:12]}), nothing to do"
        c = self.counts
        assert c is not None
        return (
            f"{self.path}: {c.posts} posts, {c.snapshots} profile snapshots, "
            f"{c.accounts} accounts, {c.rejects} rejected"
        )


def expand_paths(source: str, paths: Iterable[Path]) -> list[Path]:
    """Files as given; directories become the files of that format inside them."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out.extend(sorted(p for pat in PATTERNS[source] for p in path.rglob(pat)))
        elif path.exists():
            out.append(path)
        else:
            raise ImportRefused(f"{path}: no such file or directory")
    return out


def _already_loaded(con: duckdb.DuckDBPyConnection, landed: LandedFile) -> bool:
    row = con.execute(
        "SELECT loaded_at IS NOT NULL FROM ops.raw_files WHERE raw_file_id = ? AND source = ?",
        [landed.raw_file_id, landed.source],
    ).fetchone()
    return bool(row and row[0])


def _parse(landed: LandedFile) -> ParsedBatch:
    try:
        return PARSERS[landed.source](landed)
    except NotThisFormat as exc:
        # The parser saw the landed copy; name the file the operator gave instead.
        reason = str(exc).replace(f"{landed.raw_path}: ", "").replace(str(landed.raw_path), "")
        raise ImportRefused(f"{landed.original_name}: {reason}") from exc
    except UnicodeDecodeError as exc:
        raise ImportRefused(
            f"{landed.original_name}: not UTF-8 text (byte {exc.start}): not a {landed.source} file"
        ) from exc


def _bulk_load(con: duckdb.DuckDBPyConnection, landed: LandedFile) -> LoadCounts | None:
    loader = BULK_LOADERS.get(landed.source)
    if loader is None:
        return None
    result = loader(con, landed)
    return None if isinstance(result, str) else result


def import_file(
    con: duckdb.DuckDBPyConnection, raw_dir: Path, source: str, path: Path
) -> ImportResult:
    if source not in PARSERS:
        raise ImportRefused(f"unknown source {source!r}; known: {', '.join(sorted(PARSERS))}")
    if not path.is_file():
        raise ImportRefused(f"{path}: no such file")
    landed = land(raw_dir, source, path)
    if _already_loaded(con, landed):
        return ImportResult(path, source, landed.raw_file_id, skipped=True)
    counts = _bulk_load(con, landed)
    if counts is not None:
        return ImportResult(path, source, landed.raw_file_id, False, counts)
    try:
        batch = _parse(landed)
    except ImportRefused:
        if not landed.already_landed:
            # Not a payload of this source at all: it does not belong in raw.
            landed.raw_path.unlink(missing_ok=True)
            landed.raw_path.with_name(landed.raw_path.name + ".meta.json").unlink(missing_ok=True)
        raise
    counts = load_batch(con, batch, landed)
    return ImportResult(path, source, landed.raw_file_id, False, counts, batch.rejects)


def import_paths(
    con: duckdb.DuckDBPyConnection,
    raw_dir: Path,
    source: str,
    paths: Iterable[Path],
    log: Log = print,
) -> list[ImportResult]:
    files = expand_paths(source, paths)
    results = []
    for i, path in enumerate(files, 1):
        result = import_file(con, raw_dir, source, path)
        prefix = f"[{i}/{len(files)}] " if len(files) > 1 else ""
        log(prefix + result.summary())
        for reject in result.rejects[:5]:
            where = f"line {reject.line_number}" + (f" {reject.item}" if reject.item else "")
            log(f"  rejected {path}:{where}: {reject.reason}")
        if len(result.rejects) > 5:
            log(f"  ... {len(result.rejects) - 5} more; see canonical.rejects")
        results.append(result)
    return results


def reload_from_raw(con: duckdb.DuckDBPyConnection, raw_dir: Path, log: Log = print) -> int:
    """Empty the canonical tables and replay every landed file, oldest first. Raw is
    never touched, so this is always safe to run (for example after a parser fix)."""
    files = landed_files(raw_dir)
    con.execute("BEGIN TRANSACTION")
    for table in (
        "canonical.posts",
        "canonical.account_snapshots",
        "canonical.accounts",
        "canonical.rejects",
        "ops.raw_files",
    ):
        con.execute(f"DELETE FROM {table}")
    con.execute("COMMIT")
    for i, landed in enumerate(files, 1):
        counts = _bulk_load(con, landed) or load_batch(con, _parse(landed), landed)
        log(
            f"[{i}/{len(files)}] {landed.original_name}: {counts.posts} posts, "
            f"{counts.snapshots} snapshots, {counts.rejects} rejected"
        )
    return len(files)
