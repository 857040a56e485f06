"""Import a file: land it raw, parse it, load it. The `rapport import` command and the
Dagster ingest assets both call this, so there is one pipeline, not two."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from pipelines.canonical import followers
from pipelines.canonical import rebuild as rebuilds
from pipelines.canonical.loader import LoadCounts, load_batch
from pipelines.canonical.twcs_bulk import bulk_load_twcs
from pipelines.raw.landing import (
    LandedFile,
    forget,
    land,
    landed_files,
    sha256_of,
    tombstone,
    unforget,
)
from pipelines.sources.bluesky.parse import parse_bluesky
from pipelines.sources.mastodon.parse import parse_mastodon
from pipelines.sources.records import NotThisFormat, ParsedBatch, Reject
from pipelines.sources.twarc2.parse import parse_twarc2
from pipelines.sources.twcs.parse import parse_twcs
from pipelines.sources.x_archive.parse import parse_x_archive

Log = Callable[[str], None]

# Each source format and how to parse one landed file of it.
PARSERS: dict[str, Callable[[LandedFile], ParsedBatch]] = {
    # not_after: nothing in a file can be dated after we received it (sources/contract.py)
    "twcs": lambda landed: parse_twcs(landed.raw_path, not_after=landed.landed_at),
    # A page's own retrieval time wins; otherwise the landing time is when we saw it.
    "twarc2": lambda landed: parse_twarc2(landed.raw_path, landed.landed_at, landed.landed_at),
    # Pages `rapport ingest x` fetched from the X API v2: twarc2 pages, own raw folder.
    "x-api": lambda landed: parse_twarc2(landed.raw_path, landed.landed_at, landed.landed_at),
    # An account's own "download your data" archive (a folder is zipped first).
    "x-archive": lambda landed: parse_x_archive(
        landed.raw_path, landed.landed_at, landed.landed_at
    ),
    # Saved Bluesky AppView responses; snapshots are observed when the file landed.
    "bluesky": lambda landed: parse_bluesky(landed.raw_path, landed.landed_at, landed.landed_at),
    # Pages `rapport ingest bluesky` fetched from the AppView: Bluesky responses.
    "bluesky-api": lambda landed: parse_bluesky(
        landed.raw_path, landed.landed_at, landed.landed_at
    ),
    # Saved Mastodon REST responses; the serving instance is found in the file.
    "mastodon": lambda landed: parse_mastodon(landed.raw_path, landed.landed_at, landed.landed_at),
    # Pages `rapport ingest mastodon` fetched: staged in a folder named after the
    # instance that served them, which qualifies their ids.
    "mastodon-api": lambda landed: parse_mastodon(
        landed.raw_path,
        landed.landed_at,
        landed.landed_at,
        instance=Path(landed.original_name).parent.name,
    ),
    # Follower samples (canonical/followers.py): the pages load with their sample file.
    **{source: followers.parse_page for source in followers.PAGE_SOURCE.values()},
    followers.SAMPLE_SOURCE: followers.parse_sample,
}
# What files of each format look like, for directories and the inbox.
PATTERNS = {
    "twcs": ("*.csv",),
    "twarc2": ("*.jsonl", "*.json"),
    "x-api": ("*.jsonl",),
    "x-archive": ("*.zip",),
    "bluesky": ("*.json", "*.jsonl"),
    "bluesky-api": ("*.json",),
    "mastodon-api": ("*.json",),
    "mastodon": ("*.json", "*.jsonl"),
    # A follower sample's file; its pages beside it load with it (import_follower_sample).
    followers.SAMPLE_SOURCE: ("*.sample.json",),
}


# Formats with a SQL fast path for large files (it hands back the files it cannot vouch
# for, which then go through the parser).
BULK_LOADERS: dict[str, Callable[[duckdb.DuckDBPyConnection, LandedFile], LoadCounts | str]] = {
    "twcs": bulk_load_twcs,
}


class ImportRefused(Exception):
    """Bad input that stops an import: names the file and the reason."""

    def __init__(self, message: str, raw_file_id: str = "") -> None:
        super().__init__(message)
        self.raw_file_id = raw_file_id


@dataclass
class ImportResult:
    path: Path
    source: str
    raw_file_id: str
    skipped: bool  # the same bytes were imported before, or forgotten: nothing changed
    counts: LoadCounts | None = None
    rejects: list[Reject] = field(default_factory=list)
    refused: str | None = None  # why the whole file was refused (a folder import goes on)
    forgotten: str | None = None  # the tombstone's words, when the file was forgotten

    def summary(self) -> str:
        if self.refused is not None:
            return f"refused {self.refused}"
        if self.forgotten is not None:
            return f"{self.path}: {self.forgotten}; not loaded"
        if self.skipped:
            return f"{self.path}: already imported (raw {self.raw_file_id[:12]}), nothing to do"
        c = self.counts
        assert c is not None
        if self.source == followers.SAMPLE_SOURCE:
            return f"{self.path}: follower sample of {c.followers} followers, {c.rejects} rejected"
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


def forget_file(con: duckdb.DuckDBPyConnection, landed: LandedFile, by: str, reason: str) -> None:
    """Forget a landed file: the tombstone in raw, and its copy in ops.forgotten_files."""
    _record_forgotten(con, landed, forget(landed, by, reason))


def _record_forgotten(con: duckdb.DuckDBPyConnection, landed: LandedFile, t) -> None:
    con.execute(
        "INSERT OR REPLACE INTO ops.forgotten_files VALUES (?, ?, ?, ?, ?, ?)",
        [t.raw_file_id, landed.source, landed.original_name, t.forgotten_at, t.forgotten_by,
         t.reason],
    )  # fmt: skip


def unforget_file(con: duckdb.DuckDBPyConnection, landed: LandedFile) -> bool:
    con.execute("DELETE FROM ops.forgotten_files WHERE raw_file_id = ?", [landed.raw_file_id])
    return unforget(landed)


def sync_forgotten(con: duckdb.DuckDBPyConnection, raw_dir: Path) -> None:
    """ops.forgotten_files from the tombstones in raw (what counts), e.g. for a
    warehouse rebuilt from raw alone."""
    con.execute("DELETE FROM ops.forgotten_files")
    for landed in landed_files(raw_dir, include_forgotten=True):
        if (t := tombstone(landed)) is not None:
            _record_forgotten(con, landed, t)


def forgotten_words(landed: LandedFile) -> str | None:
    t = tombstone(landed)
    if t is None:
        return None
    return (
        f"raw {landed.raw_file_id[:12]} was forgotten on {t.forgotten_at:%Y-%m-%d %H:%M} UTC "
        f"by {t.forgotten_by}: {t.reason}"
    )


def _load(con: duckdb.DuckDBPyConnection, landed: LandedFile) -> tuple[LoadCounts, list[Reject]]:
    """Parse and load one landed file in one transaction. A file that parses but cannot
    be stored (a bug of ours: the parsers' contract should make that impossible) is
    refused with its own name, not the loader's staging file, and forgotten by Rapport
    so a rebuild does not stop at it every time; its bytes stay in raw for a fix."""
    try:
        counts = _bulk_load(con, landed)
        if counts is not None:
            return counts, []
        batch = _parse(landed)
        return load_batch(con, batch, landed), batch.rejects
    except ImportRefused:
        raise
    except (duckdb.Error, RecursionError, ValueError, TypeError, OverflowError) as exc:
        problem = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
        reason = f"could not be loaded ({problem[:300]}); nothing of it was loaded"
        forget_file(con, landed, "rapport (the load failed)", reason)
        raise ImportRefused(f"{landed.original_name}: {reason}", landed.raw_file_id) from exc


def import_file(
    con: duckdb.DuckDBPyConnection, raw_dir: Path, source: str, path: Path
) -> ImportResult:
    if source not in PARSERS:
        raise ImportRefused(f"unknown source {source!r}; known: {', '.join(sorted(PARSERS))}")
    if not path.is_file():
        raise ImportRefused(f"{path}: no such file")
    try:
        landed = land(raw_dir, source, path)
    except OSError as exc:
        raise ImportRefused(f"{path}: cannot be read or landed: {exc.strerror or exc}") from exc
    if (words := forgotten_words(landed)) is not None:
        return ImportResult(path, source, landed.raw_file_id, skipped=True, forgotten=words)
    if _already_loaded(con, landed):
        return ImportResult(path, source, landed.raw_file_id, skipped=True)
    try:
        counts, rejects = _load(con, landed)
    except ImportRefused as exc:
        exc.raw_file_id = landed.raw_file_id
        if not landed.already_landed and tombstone(landed) is None:
            # Not a payload of this source at all: it does not belong in raw.
            landed.raw_path.unlink(missing_ok=True)
            landed.raw_path.with_name(landed.raw_path.name + ".meta.json").unlink(missing_ok=True)
        raise
    return ImportResult(path, source, landed.raw_file_id, False, counts, rejects)


def page_loader(
    con: duckdb.DuckDBPyConnection, raw_dir: Path, source: str
) -> Callable[[Path], str]:
    """What a live ingest (sources/x_api) loads each landed page with: import_file on
    this warehouse, returning the page's raw_file_id."""

    def load(path: Path) -> str:
        return import_file(con, raw_dir, source, path).raw_file_id

    return load


def record_refused(
    con: duckdb.DuckDBPyConnection, source: str, path: Path, raw_file_id: str, reason: str
) -> None:
    con.execute(
        "INSERT INTO ops.refused_files VALUES (?, ?, ?, ?, now(), now(), 1) "
        "ON CONFLICT (source, file_name, raw_file_id) DO UPDATE SET reason = EXCLUDED.reason, "
        "last_refused_at = now(), times_refused = times_refused + 1",
        [source, str(path), raw_file_id, reason],
    )


def _refused(con: duckdb.DuckDBPyConnection, source: str, path: Path, exc: ImportRefused):
    raw_file_id = exc.raw_file_id
    if not raw_file_id:
        try:
            raw_file_id = sha256_of(path)
        except OSError:
            raw_file_id = ""
    record_refused(con, source, path, raw_file_id, str(exc))
    return ImportResult(path, source, raw_file_id, skipped=False, refused=str(exc))


def import_paths(
    con: duckdb.DuckDBPyConnection,
    raw_dir: Path,
    source: str,
    paths: Iterable[Path],
    log: Log = print,
) -> list[ImportResult]:
    """Import every file; one that is refused is reported, recorded in
    ops.refused_files and passed over, so the files beside it still load. Follower
    samples go through import_follower_sample, oldest first (an incremental sample
    carries its predecessor forward, so that one must be in before it)."""
    files = expand_paths(source, paths)
    if source == followers.SAMPLE_SOURCE:
        files.sort(key=_sampled_at)
    results = []
    for i, path in enumerate(files, 1):
        try:
            if source == followers.SAMPLE_SOURCE:
                result = import_follower_sample(con, raw_dir, path)
            else:
                result = import_file(con, raw_dir, source, path)
        except ImportRefused as exc:
            result = _refused(con, source, path, exc)
        prefix = f"[{i}/{len(files)}] " if len(files) > 1 else ""
        log(prefix + result.summary())
        for reject in result.rejects[:5]:
            where = f"line {reject.line_number}" + (f" {reject.item}" if reject.item else "")
            log(f"  rejected {path}:{where}: {reject.reason}")
        if len(result.rejects) > 5:
            log(f"  ... {len(result.rejects) - 5} more; see canonical.rejects")
        results.append(result)
    return results


def _sampled_at(path: Path) -> str:
    """A sample file's time as it is written (UTC ISO, so it sorts as text); "" for a
    file that cannot be read, which import_follower_sample then refuses."""
    try:
        return str(followers.read_header(path.read_bytes())["sampled_at"])
    except (OSError, NotThisFormat):
        return ""


@dataclass
class Replay:
    rebuild_id: str
    files: int  # replayed
    refused: list[str] = field(default_factory=list)  # file: reason, each now forgotten


def reload_from_raw(con: duckdb.DuckDBPyConnection, raw_dir: Path, log: Log = print) -> Replay:
    """Empty the canonical tables and replay every landed file that is not forgotten,
    oldest first. Raw is never touched, so this is always safe to run (for example after
    a parser fix). The rebuild stays unfinished (pipelines/canonical/rebuild.py) until its build
    succeeds, so a kill at any point publishes nothing.

    A landed file the current parsers refuse, or that cannot be stored, is forgotten
    (with the reason, `rapport raw list`) and the replay goes on: one bad file must not
    make every rebuild die at it."""
    files = landed_files(raw_dir)
    con.execute("BEGIN TRANSACTION")
    for table in (
        "canonical.posts",
        "canonical.account_snapshots",
        "canonical.accounts",
        "canonical.rejects",
        "canonical.follower_samples",
        "canonical.sampled_followers",
        "ops.raw_files",
    ):
        con.execute(f"DELETE FROM {table}")
    rebuild_id = rebuilds.start(con, len(files))  # commits with the emptying, or not at all
    sync_forgotten(con, raw_dir)
    con.execute("COMMIT")
    replay = Replay(rebuild_id, 0)
    for i, landed in enumerate(files, 1):
        try:
            counts, _ = _load(con, landed)
        except ImportRefused as exc:
            if tombstone(landed) is None:
                forget_file(con, landed, "rapport (the rebuild refused it)", str(exc))
            replay.refused.append(str(exc))
            log(f"[{i}/{len(files)}] refused and forgotten: {exc}")
        else:
            replay.files += 1
            log(
                f"[{i}/{len(files)}] {landed.original_name}: {counts.posts} posts, "
                f"{counts.snapshots} snapshots, {counts.rejects} rejected"
            )
        rebuilds.replayed_file(con, rebuild_id, i)
    rebuilds.mark(con, rebuild_id, rebuilds.REPLAYED)
    return replay


def import_follower_sample(
    con: duckdb.DuckDBPyConnection, raw_dir: Path, path: Path
) -> ImportResult:
    """A saved follower sample (canonical/followers.py): each page its file names
    (relative to it) lands first, then the sample file itself, which loads them all."""
    try:
        header = followers.read_header(path.read_bytes())
    except OSError as exc:
        raise ImportRefused(f"{path}: cannot be read: {exc.strerror or exc}") from exc
    except NotThisFormat as exc:
        raise ImportRefused(f"{path}: {exc}") from exc
    source = followers.PAGE_SOURCE[header["platform"]]
    for i, page in enumerate(header["pages"]):
        if not isinstance(page.get("file"), str):
            raise ImportRefused(f"{path}: pages[{i}] names no file")
        page_file = path.parent / page["file"]
        if not page_file.is_file():
            raise ImportRefused(f"{path}: pages[{i}] file {page_file} does not exist")
        if sha256_of(page_file) != page["sha256"]:
            raise ImportRefused(f"{path}: pages[{i}] file {page_file} is not the sha256 it names")
        import_file(con, raw_dir, source, page_file)
    return import_file(con, raw_dir, followers.SAMPLE_SOURCE, path)
