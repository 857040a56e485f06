"""What the Bluesky and Mastodon live ingests share: the way a response page goes
from the network to the warehouse, the daily profile snapshot, the thread reads and a
whole run of the audited accounts. Their ops state: pipelines/sources/sweeps.py.

A page goes: written to raw/.staging/ and recorded in ops.network_pages (staged) ->
landed raw byte for byte (landed) -> loaded by the import path of its raw source
(loaded) -> applied: the account, sweep and thread state it moves, in one transaction
with the page's applied_at (applied). A run killed at any of these steps leaves a page
whose applied_at is empty; the next run finishes it from raw alone before it asks the
network for anything, so nothing is lost and nothing is read twice.

The network's own rules (what a page says, where a sweep stops) are in its ingest
module (a NetworkIngest): ``apply`` applies one of its pages."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Self

import duckdb

from pipelines.config.audits import load_audits
from pipelines.config.networks import NetworkConfig
from pipelines.core.secrets import scrub
from pipelines.raw.landing import land
from pipelines.sources.retry import IngestStopped, Retrying
from pipelines.sources.sweeps import (
    Account,
    account,
    add_to_run,
    due_threads,
    finish_run,
    run_totals,
    save_account,
    start_run,
    thread_read,
)

# Loads one landed page into the canonical tables (idempotently) and returns its
# raw_file_id: canonical.imports.page_loader, handed in because a source lands what it
# fetches but never imports the stage above it.
LoadPage = Callable[[Path], str]
Checkpoint = Callable[[str], None]


def audited_handles(audits_path: Path, platform: str) -> list[str]:
    """The handles of audits.yaml on `platform`, each once (case-insensitively), in
    file order."""
    seen: dict[str, str] = {}
    for audited in load_audits(audits_path):
        if audited.platform == platform:
            seen.setdefault(audited.handle.lower(), audited.handle)
    return list(seen.values())


@dataclass
class NetworkResult:
    run_id: str
    status: str  # complete | partial (some accounts skipped) | stopped (resumably)
    stop_reason: str | None
    totals: dict[str, int]  # RUN_COUNTERS
    lines: list[str] = field(default_factory=list)  # one per account and endpoint
    skipped: list[str] = field(default_factory=list)  # "handle: status: reason"

    @property
    def exit_code(self) -> int:
        """0 complete; 3 some accounts skipped or the run stopped (rerun resumes)."""
        return 0 if self.status == "complete" else 3


@dataclass(frozen=True)
class Fetched:
    """One response as the client library received it."""

    url: str  # the request URL (credentials travel in headers, never in it)
    body: bytes  # the response body, byte for byte
    attempts: int  # HTTP requests it took, retries included


@dataclass(frozen=True)
class PageRow:
    """A page's row in ops.network_pages: what was asked, and where it landed."""

    request_id: str
    handle_lower: str
    endpoint: str
    params: dict
    retrieved_at: datetime
    staged_name: str
    raw_file_id: str | None


# Applies one page's body to the ops state (inside the page's transaction); returns
# how many new posts it read.
Apply = Callable[[duckdb.DuckDBPyConnection, PageRow, bytes], int]


class Pages:
    """Staging, landing, loading and applying one network's pages (module docstring)."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        raw_dir: Path,
        platform: str,
        source: str,
        run_id: str,
        apply: Apply,
        load_page: LoadPage,
        clock: Callable[[], datetime],
        checkpoint: Checkpoint,
    ) -> None:
        self.con, self.raw_dir, self.platform, self.source = con, raw_dir, platform, source
        self.run_id, self.apply, self.load_page = run_id, apply, load_page
        self.clock, self.checkpoint = clock, checkpoint

    def _raw_path(self, raw_file_id: str) -> Path:
        return self.raw_dir / self.source / raw_file_id[:2] / f"{raw_file_id}.json"

    def take(
        self, handle: str, endpoint: str, params: dict, fetched: Fetched, folder: str = ""
    ) -> int:
        """Stage, land, load and apply one fetched page; returns the new posts it read.
        `folder` names a staging subfolder the source's parser reads (the instance)."""
        at = self.clock()
        request_id = uuid.uuid4().hex
        name = f"{endpoint}-{handle.lower().replace('@', '_at_')}-{at:%Y%m%dT%H%M%S%fZ}"
        staging = self.raw_dir / ".staging" / self.source / folder / f"{name}-{request_id[:8]}.json"
        staging.parent.mkdir(parents=True, exist_ok=True)
        staging.write_bytes(fetched.body)
        self.con.execute(
            "INSERT INTO ops.network_pages VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, NULL, NULL)",
            [
                request_id,
                self.platform,
                self.run_id,
                handle.lower(),
                endpoint,
                scrub(fetched.url),
                json.dumps(params),
                at,
                str(staging),
                fetched.attempts,
            ],
        )
        self.checkpoint("staged")
        row = PageRow(request_id, handle.lower(), endpoint, params, at, str(staging), None)
        return self._finish(self._land(row))

    def _land(self, row: PageRow) -> PageRow:
        staging = Path(row.staged_name)
        landed = land(self.raw_dir, self.source, staging, landed_at=row.retrieved_at)
        self.con.execute(
            "UPDATE ops.network_pages SET raw_file_id = ? WHERE request_id = ?",
            [landed.raw_file_id, row.request_id],
        )
        staging.unlink(missing_ok=True)
        self.checkpoint("landed")
        return PageRow(**{**row.__dict__, "raw_file_id": landed.raw_file_id})

    def _finish(self, row: PageRow) -> int:
        assert row.raw_file_id is not None
        path = self._raw_path(row.raw_file_id)
        self.load_page(path)
        self.checkpoint("loaded")
        body = path.read_bytes()
        self.con.execute("BEGIN TRANSACTION")
        try:
            posts = self.apply(self.con, row, body)
            self.con.execute(
                "UPDATE ops.network_pages SET posts_read = ?, applied_at = ? WHERE request_id = ?",
                [posts, self.clock(), row.request_id],
            )
            add_to_run(
                self.con,
                self.run_id,
                self.platform,
                pages=1,
                posts_read=posts,
                threads_read=int(row.endpoint == "thread"),
            )
            self.con.execute("COMMIT")
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        self.checkpoint("applied")
        return posts

    def recover(self) -> int:
        """Finish the pages a killed run left (module docstring); returns how many."""
        rows = self.con.execute(
            "SELECT request_id, handle_lower, endpoint, params, retrieved_at, staged_name, "
            "raw_file_id FROM ops.network_pages WHERE platform = ? AND applied_at IS NULL "
            "ORDER BY retrieved_at, request_id",
            [self.platform],
        ).fetchall()
        finished = 0
        for r in rows:
            row = PageRow(r[0], r[1], r[2], json.loads(r[3]), r[4], r[5], r[6])
            if row.raw_file_id is None:
                if not Path(row.staged_name).exists():  # never written whole: ask again
                    self.con.execute(
                        "DELETE FROM ops.network_pages WHERE request_id = ?", [row.request_id]
                    )
                    continue
                row = self._land(row)
            self._finish(row)
            finished += 1
        # Staged files with no row: the run died before recording them; asked again.
        staging = self.raw_dir / ".staging" / self.source
        known = {r[5] for r in rows}
        for path in staging.rglob("*.json") if staging.is_dir() else []:
            if str(path) not in known:
                path.unlink()
        return finished


# ------------------------------------------------------------------------ a whole run


@dataclass(frozen=True)
class Refused:
    """The network would not give an account (or a thread): the status to record
    (not_found, suspended, gone, ...) and its words."""

    status: str
    reason: str


# A read of one page: the page and the params to record with it, or the refusal.
Read = Callable[[], tuple[Fetched, dict] | Refused]


def scrubbed(log: Callable[[str], None]) -> Callable[[str], None]:
    return lambda message: log(scrub(message))


class NetworkIngest:
    """What a network's ingest (bluesky/ingest.py, mastodon/ingest.py) shares: its
    pages, the daily profile snapshot, the thread reads and the run of all accounts.
    A subclass says how its pages apply (``apply``) and reads one account."""

    name: str  # in messages: "Bluesky"
    platform: str
    source: str

    def __init__(
        self,
        api: object,
        con: duckdb.DuckDBPyConnection,
        raw_dir: Path,
        config: NetworkConfig,
        run_id: str,
        retry: Retrying,
        *,
        clock: Callable[[], datetime],
        log: Callable[[str], None],
        checkpoint: Checkpoint,
        load_page: LoadPage,
    ) -> None:
        self.api, self.con, self.config, self.retry, self.clock = api, con, config, retry, clock
        self.log = scrubbed(log)  # every line it logs, whatever `log` writes to
        # checkpoint: a test seam called after each step of a page (staged, landed,
        # loaded, applied), so tests can kill a run at any of them.
        self.pages = Pages(
            con,
            raw_dir,
            self.platform,
            self.source,
            run_id,
            self.apply,
            load_page,
            clock,
            checkpoint,
        )

    @classmethod
    def wired(
        cls,
        make_api: Callable[[Retrying], object],
        con: duckdb.DuckDBPyConnection,
        raw_dir: Path,
        config: NetworkConfig,
        run_id: str,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        sleep: Callable[[float], None] = time.sleep,
        log: Callable[[str], None] = print,
        checkpoint: Checkpoint = lambda where: None,
        load_page: LoadPage,
    ) -> Self:
        """The ingest with the config's retry policy on `clock` and `sleep`, and the
        network's client that `make_api` builds on it."""
        retry = Retrying.configured(cls.name, config, clock, sleep, scrubbed(log))
        return cls(
            make_api(retry),
            con,
            raw_dir,
            config,
            run_id,
            retry,
            clock=clock,
            log=log,
            checkpoint=checkpoint,
            load_page=load_page,
        )

    def apply(self, con: duckdb.DuckDBPyConnection, row: PageRow, body: bytes) -> int:
        raise NotImplementedError

    def read_account(self, handle: str) -> tuple[list[str], str | None]:
        raise NotImplementedError

    def folder(self, handle: str) -> str:
        """The staging folder of the account's pages ("" but for Mastodon's instance)."""
        return ""

    def take(self, handle: str, endpoint: str, params: dict, fetched: Fetched) -> int:
        return self.pages.take(handle, endpoint, params, fetched, self.folder(handle))

    def snapshot(self, handle: str, read: Read) -> Account | None:
        """Today's profile snapshot (once a UTC day); the account as it then stands."""
        now = self.clock()
        today = now.astimezone(UTC).date()
        known = account(self.con, self.platform, handle)
        if known is not None and known.checked_on == today:
            return known
        got = read()
        if isinstance(got, Refused):
            save_account(self.con, self.platform, handle, None, got.status, got.reason, today, now)
        else:
            self.take(handle, "profile", got[1], got[0])
        return account(self.con, self.platform, handle)

    @staticmethod
    def skip(handle: str, known: Account | None) -> tuple[list[str], str] | None:
        """The line and reason of an account that cannot be read; None if it can."""
        if known is not None and known.status == "ok" and known.account_id is not None:
            return None
        why = f"{known.status}: {known.reason}" if known else "never looked up"
        return [f"{handle}: skipped ({why})"], why

    def threads(self, handle: str, read: Callable[[str], tuple[Fetched, dict] | Refused]) -> str:
        """The reply threads due (due_threads), newest first; a thread the network says
        is gone counts as read, so it is not asked for again."""
        c = self.config
        due = due_threads(
            self.con,
            self.platform,
            handle,
            self.clock(),
            c.thread_window_days,
            c.thread_refresh_hours,
            c.max_threads_per_account,
        )
        replies = requests = gone = 0
        for post_id in due:
            got = read(post_id)
            if isinstance(got, Refused):
                self.log(f"  {handle} thread {post_id}: {got.status}: {got.reason}")
                thread_read(self.con, self.platform, post_id, self.clock(), 0)
                gone += 1
                continue
            replies += self.take(handle, "thread", got[1], got[0])
            requests += got[0].attempts
        note = f", {gone} gone" if gone else ""
        return (
            f"{handle} threads: {len(due) - gone} read ({replies} replies) in "
            f"{requests} request(s){note}"
        )

    def run(self, handles: list[str]) -> NetworkResult:
        """Finish what a killed run left, then read each account in turn; a stop (a
        rate limit past its wait, the network down) ends the run resumably, a missing
        or suspended account is recorded and the others go on."""
        con, run_id, platform = self.con, self.pages.run_id, self.platform
        start_run(con, run_id, platform, self.clock())
        lines: list[str] = []
        skipped: list[str] = []
        status, reason = "complete", None
        try:
            if recovered := self.pages.recover():
                self.log(f"recovered {recovered} page(s) an interrupted run had left")
            for handle in handles:
                account_lines, why = self.read_account(handle)
                for line in account_lines:
                    self.log(line)
                lines += account_lines
                if why is not None:
                    skipped.append(f"{handle}: {why}")
            if skipped:
                status = "partial"
        except IngestStopped as stop:
            status, reason = "stopped", scrub(str(stop))
            self.log(f"stopped: {reason}")
        except BaseException as exc:
            add_to_run(con, run_id, platform, requests=self.retry.requests)
            finish_run(con, run_id, platform, "failed", repr(exc), self.clock())
            raise
        add_to_run(
            con, run_id, platform, requests=self.retry.requests, accounts_skipped=len(skipped)
        )
        finish_run(con, run_id, platform, status, reason, self.clock())
        totals = run_totals(con, run_id, platform)
        return NetworkResult(run_id, status, reason, totals, lines, skipped)
