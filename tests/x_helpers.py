"""Shared by the test_x_* modules: the demo world served by the fake X API, a run of
the real ingest against it, and snapshots of the canonical tables to compare runs."""

from __future__ import annotations

import hashlib
import math
import re
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from pipelines.sources import demo_world
from pipelines.sources.x_api.config import XIngestConfig
from pipelines.sources.x_api.ingest import IngestResult, x_ingest
from pipelines.warehouse import connect
from tests.fake_x_api import FakeClock, FakeXApi, World

# A sentinel: tests grep every file and log for it.
TOKEN = "rapport-sentinel-bearer-9f1c2d7e4b"
HANDLES = list(demo_world.AUDITED_HANDLES)
# The demo world's posts end at its anchor; the runs happen an hour later.
START = demo_world.DEFAULT_ANCHOR.replace(hour=7)
CANONICAL = ("posts", "account_snapshots", "accounts", "rejects")


class Killed(BaseException):
    """Stands for the process dying: not an Exception, so nothing catches it."""


def kill_at(step: str, nth: int):
    """A checkpoint hook that kills the run the nth time it reaches `step`."""
    seen = {"n": 0}

    def checkpoint(where: str) -> None:
        if where == step:
            seen["n"] += 1
            if seen["n"] == nth:
                raise Killed(f"killed after {step} #{nth}")

    return checkpoint


def demo_pages(root: Path) -> Path:
    folder = root / "demo_pages"
    if not folder.exists():
        demo_world.generate(folder)
    return folder


def new_world(pages: Path) -> World:
    return World.from_pages(pages)


def run_ingest(
    root: Path,
    api: FakeXApi,
    clock: FakeClock,
    run_id: str,
    config: XIngestConfig | None = None,
    handles: list[str] | None = None,
    token: str = TOKEN,
    **kwargs,
) -> IngestResult:
    con = connect(root / "rapport.duckdb")
    try:
        ingest = x_ingest(
            con,
            root / "raw",
            token,
            api.url,
            config or XIngestConfig(),
            run_id,
            clock=clock,
            sleep=clock.sleep,
            log=kwargs.pop("log", lambda message: None),
            **kwargs,
        )
        return ingest.run(handles or HANDLES)
    finally:
        con.close()


def query(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def _page_names(raw_dir: Path) -> dict[str, str]:
    """raw_file_id -> the hash of the page with the fake server's port taken out, so
    pages fetched from two fake servers compare equal when nothing else differs."""
    names = {}
    for path in (raw_dir / "x-api").glob("*/*.jsonl"):
        normal = re.sub(rb"http://127\.0\.0\.1:\d+", b"http://fake-x-api", path.read_bytes())
        names[path.stem] = hashlib.sha256(normal).hexdigest()
    return names


def canonical(db: Path, exclude: tuple[str, ...] = ()) -> dict[str, list[tuple]]:
    """Every canonical table, sorted, without the excluded columns; raw_file_ids of
    ingested pages are named by their content with the fake server's port left out."""
    names = _page_names(db.parent / "raw")
    out = {}
    with duckdb.connect(str(db), read_only=True) as con:
        for table in CANONICAL:
            columns = [
                r[0]
                for r in con.execute(
                    "SELECT column_name FROM information_schema.columns WHERE "
                    "table_schema = 'canonical' AND table_name = ? ORDER BY ordinal_position",
                    [table],
                ).fetchall()
                if r[0] not in exclude
            ]
            rows = con.execute(f"SELECT {', '.join(columns)} FROM canonical.{table}").fetchall()
            if "raw_file_id" in columns:
                at = columns.index("raw_file_id")
                rows = [(*r[:at], names.get(r[at], r[at]), *r[at + 1 :]) for r in rows]
            out[table] = sorted(rows, key=repr)
    return out


def fewest_requests(world: World, handles: list[str], page_size: int = 100) -> int:
    """One users lookup per 100 handles, then ceil(posts / page) per stream (at least 1)."""
    total = math.ceil(len(handles) / 100)
    for handle in handles:
        user = world.user_by_handle(handle)
        for endpoint in ("tweets", "mentions"):
            total += max(1, math.ceil(len(world.stream(user["id"], endpoint)) / page_size))
    return total


def clock_at(when: datetime = START) -> FakeClock:
    return FakeClock(when.astimezone(UTC))
