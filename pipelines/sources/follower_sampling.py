"""What the X, Bluesky and Mastodon follower samplers share (issue 17): reading an
audited account's follower list newest first, landing each page raw as it arrives
(with the pages a network needs to complete its followers' profiles, asked for right
after it: ``FollowerSampler.details``, Bluesky's getProfiles), and, once the sample is
whole, the sample file that names its pages (pipelines/canonical/followers.py has the
format and the loading).

A sample stops at the first of:

* ``known``: a page holds a follower already in the account's latest complete sample
  (the list is newest first, so the rest is known too: the loader carries it forward);
* ``size``: ``requested`` followers were read;
* ``end``: the list ended;
* ``budget``: X only, the next page could take the sample past its budget;
* ``hidden``: Mastodon only, the account hides its follower list.

A sample read incrementally starts with a small page (the followers new since the
last sample, plus a few) and doubles it from there, so a week's few new followers do
not cost a page of old ones (X bills each one). The carried followers are the last
sample's, so a sample the budget cut short stays that short until its followers are
replaced by new ones. An account whose latest complete sample is younger than
``follower_refresh_days`` is skipped (``force`` samples it anyway).

Nothing here knows the file format: the caller hands in a ``SampleStore`` (built on
canonical/followers.py and canonical/imports.py), as a source never imports the stage
above it. A run killed or stopped mid-sample leaves its landed pages and no sample
file, so the warehouse holds whole samples only; the next run samples afresh (a page
with the same bytes lands once)."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol

import duckdb

from pipelines.core.secrets import scrub
from pipelines.sources.retry import IngestStopped

FIRST_INCREMENTAL_PAGE = 5  # followers asked for beyond the expected new ones


class SampleStore(Protocol):
    """Lands and loads follower pages and sample files (the caller's stage)."""

    def page(self, platform: str, path: Path) -> str:
        """Land and load one page file; returns its raw_file_id (sha256 as landed)."""
        ...

    def sample(self, **header: object) -> str:
        """Write, land and load the sample file (canonical/followers.sample_document's
        arguments); returns its raw_file_id."""
        ...


@dataclass(frozen=True)
class SampleSettings:
    sample_size: int  # followers per sample (``requested``)
    page_size: int  # the largest page to ask for
    refresh_days: float  # a complete sample this recent is not taken again


@dataclass(frozen=True)
class Target:
    """An audited account to sample, as its network's ingest resolved it."""

    handle: str
    account_id: str
    followers_total: int | None = None
    hidden: bool = False  # the network says its follower list is hidden


@dataclass(frozen=True)
class FollowerPage:
    """One page as its network served it."""

    url: str  # the request URL (credentials travel in headers)
    body: bytes  # byte for byte
    attempts: int  # HTTP requests it took
    follower_ids: list[str]  # in canonical.sampled_followers' form, in page order
    next_cursor: str | None  # None: the list ends here


@dataclass
class SamplingResult:
    run_id: str
    status: str  # complete | partial (some accounts skipped) | stopped (resumably)
    stop_reason: str | None = None
    stopped_by: str | None = None  # X: budget | rate_limit | unavailable
    lines: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # "handle: reason"
    samples: int = 0
    followers_read: int = 0
    requests: int = 0
    cost_usd: float = 0.0  # X only

    @property
    def exit_code(self) -> int:
        """0 complete; 3 some accounts skipped or the run stopped (rerun resumes)."""
        return 0 if self.status == "complete" else 3


def latest_sample(
    con: duckdb.DuckDBPyConnection, platform: str, account_id: str
) -> tuple[datetime, int | None] | None:
    """(sampled_at, followers_total) of the account's latest complete sample."""
    row = con.execute(
        "SELECT sampled_at, followers_total FROM canonical.follower_samples "
        "WHERE platform = ? AND account_id = ? ORDER BY sampled_at DESC LIMIT 1",
        [platform, account_id],
    ).fetchone()
    return (row[0], row[1]) if row else None


def sampled_ids(
    con: duckdb.DuckDBPyConnection, platform: str, account_id: str, at: datetime
) -> set[str]:
    rows = con.execute(
        "SELECT follower_id FROM canonical.sampled_followers "
        "WHERE platform = ? AND account_id = ? AND sampled_at = ?",
        [platform, account_id, at],
    ).fetchall()
    return {r[0] for r in rows}


def latest_followers_count(
    con: duckdb.DuckDBPyConnection, platform: str, account_id: str
) -> int | None:
    """The account's follower count in its latest profile snapshot."""
    row = con.execute(
        "SELECT followers_count FROM canonical.account_snapshots WHERE platform = ? "
        "AND account_id = ? ORDER BY observed_at DESC LIMIT 1",
        [platform, account_id],
    ).fetchone()
    return row[0] if row else None


class FollowerSampler:
    """One network's follower sampling; a subclass resolves accounts and reads pages."""

    name: str  # in messages: "X"
    platform: str

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        store: SampleStore,
        settings: SampleSettings,
        run_id: str,
        *,
        clock: Callable[[], datetime],
        log: Callable[[str], None],
        checkpoint: Callable[[str], None] = lambda where: None,
    ) -> None:
        self.con, self.store, self.settings, self.run_id = con, store, settings, run_id
        self.clock, self.checkpoint = clock, checkpoint
        self.log = lambda message: log(scrub(message))

    # ------------------------------------------------------------- the network's part

    def begin(self, handles: list[str]) -> None:
        """Before the first account (a run row, today's profile snapshots)."""

    def resolve(self, handle: str) -> Target | str:
        """The account to sample, or why it cannot be (the skip's reason)."""
        raise NotImplementedError

    def fetch(self, target: Target, cursor: str | None, limit: int) -> FollowerPage:
        raise NotImplementedError

    def room(self, target: Target) -> int | None:
        """How many more followers this sample may read (X: its budget); None: no cap."""
        return None

    def took(self, target: Target, page: FollowerPage, raw_file_id: str) -> None:
        """A page landed (X: its cost is recorded)."""

    def details(self, target: Target, page: FollowerPage) -> Iterable[FollowerPage]:
        """Pages completing this page's followers' profiles, asked for once it has
        landed (Bluesky: getProfiles, as getFollowers gives no counts). Each lands as it
        comes and is listed in the sample after it; ``follower_ids``: those it details."""
        return ()

    def hides(self, target: Target, page: FollowerPage) -> bool:
        """Does this first page say the list is hidden (Mastodon: empty, though the
        account has followers)?"""
        return False

    def finish(self, result: SamplingResult) -> None:
        """After the run, complete or not (the run row)."""

    def budget_note(self) -> str:
        return ""

    # ------------------------------------------------------------- shared

    def _due(self, target: Target, now: datetime, force: bool) -> str | None:
        """The skip line of an account sampled too recently; None when due."""
        latest = latest_sample(self.con, self.platform, target.account_id)
        if latest is None or force:
            return None
        age = now - latest[0]
        if age >= timedelta(days=self.settings.refresh_days):
            return None
        return (
            f"{target.handle} followers: skipped, its latest sample ({latest[0]:%Y-%m-%d %H:%M} "
            f"UTC) is {age.total_seconds() / 86400:.1f} day(s) old, younger than "
            f"follower_refresh_days ({self.settings.refresh_days:g}); --force samples it now"
        )

    def _land(self, page: FollowerPage) -> str:
        with tempfile.TemporaryDirectory(prefix="rapport-followers-") as folder:
            path = Path(folder) / "page.json"  # page_path() names landed pages *.json
            path.write_bytes(page.body)
            return self.store.page(self.platform, path)

    def _hidden(self, target: Target, now: datetime, requested: int) -> str:
        """A sample of an account that hides its followers: no pages, recorded."""
        self.store.sample(
            platform=self.platform,
            account_id=target.account_id,
            handle=target.handle,
            sampled_at=now,
            requested=requested,
            pages=[],
            stopped_by="hidden",
            followers_total=target.followers_total,
            hidden=True,
            incremental=False,
        )
        self.checkpoint("sampled")
        return f"{target.handle} followers: hidden by the account (recorded, stopped_by hidden)"

    def sample(self, target: Target, now: datetime) -> tuple[str, int, int]:
        """One sample of `target`: (its line, followers read, requests)."""
        requested = self.settings.sample_size
        if target.hidden:
            return self._hidden(target, now, requested), 0, 0
        previous = latest_sample(self.con, self.platform, target.account_id)
        known = (
            sampled_ids(self.con, self.platform, target.account_id, previous[0])
            if previous
            else set()
        )
        incremental = bool(known)
        # Reading incrementally: the followers expected new, a few more, doubling after.
        growth = 0
        if previous and previous[1] is not None and target.followers_total is not None:
            growth = max(0, target.followers_total - previous[1])
        probe = growth + FIRST_INCREMENTAL_PAGE
        pages: list[dict] = []  # the sample file's: follower-list pages and their details
        listed = read = requests = new = 0
        cursor: str | None = None
        stopped = "end"
        while True:
            limit = min(self.settings.page_size, requested - read)
            if limit <= 0:
                stopped = "size"
                break
            if incremental:
                limit = min(limit, probe)
                probe *= 2
            room = self.room(target)
            if room is not None and room < limit:
                limit = room
                if limit <= 0:
                    stopped = "budget"
                    break
            page = self.fetch(target, cursor, limit)
            requests += page.attempts
            raw_file_id = self._land(page)
            self.checkpoint("landed")
            self.took(target, page, raw_file_id)
            if not pages and self.hides(target, page):
                return self._hidden(target, now, requested), 0, requests
            pages.append({"sha256": raw_file_id, "observed_at": self.clock()})
            listed += 1
            for detail in self.details(target, page):
                requests += detail.attempts
                pages.append({"sha256": self._land(detail), "observed_at": self.clock()})
                self.checkpoint("landed")
            read += len(page.follower_ids)
            seen = next((i for i, f in enumerate(page.follower_ids) if f in known), None)
            new += len(page.follower_ids) if seen is None else seen
            self.log(
                f"  {target.handle} followers: page {listed}: {len(page.follower_ids)} "
                f"({read} of {requested} read)"
            )
            if seen is not None:
                stopped = "known"
                break
            if not page.follower_ids or page.next_cursor is None:
                stopped = "end"
                break
            cursor = page.next_cursor
        if read >= requested and stopped not in ("known", "budget"):
            stopped = "size"
        self.store.sample(
            platform=self.platform,
            account_id=target.account_id,
            handle=target.handle,
            sampled_at=now,
            requested=requested,
            pages=pages,
            stopped_by=stopped,
            followers_total=target.followers_total,
            hidden=False,
            incremental=incremental,
        )
        self.checkpoint("sampled")
        why = {
            "size": "the sample is full",
            "known": "reached the followers of the last sample (carried forward)",
            "end": "the list ended",
            "budget": f"the budget allowed no more{self.budget_note()}",
        }[stopped]
        detailed = f" and {len(pages) - listed} profile page(s)" if len(pages) > listed else ""
        line = (
            f"{target.handle} followers: {new} new of {read} read in {listed} page(s){detailed}, "
            f"{requests} request(s); stopped_by {stopped}: {why}"
        )
        return line, read, requests

    def run(self, handles: list[str], force: bool = False) -> SamplingResult:
        """Sample each account in turn; a stop (a rate limit past its wait, the network
        down) ends the run resumably with no sample of the account it was reading."""
        result = SamplingResult(self.run_id, "complete")
        try:
            self.begin(handles)
            for handle in handles:
                target = self.resolve(handle)
                if isinstance(target, str):
                    line = f"{handle}: skipped ({target})"
                    result.skipped.append(f"{handle}: {target}")
                    result.lines.append(line)
                    self.log(line)
                    continue
                now = self.clock()
                if (skip := self._due(target, now, force)) is not None:
                    result.lines.append(skip)
                    self.log(skip)
                    continue
                line, read, requests = self.sample(target, now)
                result.samples += 1
                result.followers_read += read
                result.requests += requests
                result.lines.append(line)
                self.log(line)
            if result.skipped:
                result.status = "partial"
        except IngestStopped as stop:
            result.status, result.stop_reason = "stopped", scrub(str(stop))
            result.stopped_by = stop.reason
            self.log(f"stopped: {result.stop_reason}")
        except BaseException as exc:
            result.status, result.stop_reason = "failed", scrub(repr(exc))[:300]
            self.finish(result)
            raise
        self.finish(result)
        return result


def utc_now() -> datetime:
    return datetime.now(UTC)
