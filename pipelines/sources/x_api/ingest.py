"""The live X ingest: for the audited handles, a daily profile snapshot (users lookup,
up to 100 a request) and every new post of each account's timeline and mentions.

Each page goes: request -> landed raw (pipelines/raw/landing.py) -> loaded by the same
import path as a file (pipelines/canonical/imports.py, X v2 parser) -> applied to the ingest
state (state.py). Before every request the budget is checked; a stop (budget, rate
limit, the API down) leaves the state where the last applied page put it, and the next
run carries on from there. A run killed outright is recovered at the next start: pages
that landed but were never loaded or applied are finished first, from raw alone.

Handles come from audits.yaml (platform x). `rapport ingest x` and the Dagster assets
both run this; tests drive it against tweepy's recordings and a local fake API."""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import tweepy

from pipelines.config.audits import load_audits
from pipelines.core.secrets import scrub
from pipelines.raw.landing import land
from pipelines.sources.x_api import state, usage
from pipelines.sources.x_api.client import USERS_PER_LOOKUP, Page, XApi, make_client
from pipelines.sources.x_api.config import XIngestConfig
from pipelines.sources.x_api.pages import (
    MENTIONS,
    TIMELINE,
    USERS,
    PageFacts,
    page_line,
    read_facts,
)
from pipelines.sources.x_api.policy import IngestStopped, RetryPolicy, XAccessError

PHASES = ("profiles", "posts")
SOURCE = "x-api"  # raw/x-api/: pages the ingest landed (parsed as twarc2 pages)

Log = Callable[[str], None]


def utc_now() -> datetime:
    return datetime.now(UTC)


def audited_x_handles(audits_path: Path) -> list[str]:
    """The X handles of audits.yaml, each once (case-insensitively), in file order."""
    seen: dict[str, str] = {}
    for account in load_audits(audits_path):
        if account.platform == "x":
            seen.setdefault(account.handle.lower(), account.handle)
    return list(seen.values())


@dataclass
class IngestResult:
    run_id: str
    status: str  # complete | stopped
    stop_reason: str | None
    stopped_by: str | None  # budget | rate_limit | unavailable
    totals: dict  # requests, posts_read, users_read, posts/users_charged, cost_usd
    lines: list[str] = field(default_factory=list)  # one per account and endpoint


# Loads one landed page into the canonical tables (idempotently) and returns its
# raw_file_id. The caller hands it in (canonical.imports.page_loader): a source lands
# what it fetches, but loading is the stage above it, which a source never imports.
LoadPage = Callable[[Path], str]


class XIngest:
    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        raw_dir: Path,
        api: XApi,
        config: XIngestConfig,
        run_id: str,
        *,
        clock: Callable[[], datetime] = utc_now,
        log: Log = print,
        checkpoint: Callable[[str], None] = lambda where: None,
        load_page: LoadPage,
    ) -> None:
        self.con = con
        self.raw_dir = raw_dir
        self.load_page = load_page
        self.api = api
        self.config = config
        self.run_id = run_id
        self.clock = clock
        self.log = log
        # Test seam: called after each step of a page (staged, landed, loaded, applied)
        # so tests can kill a run at any of them.
        self.checkpoint = checkpoint
        self.spent = 0
        self.largest_page = 0
        self.current: tuple[list[str], str] = ([], USERS)  # whose requests are running

    # ------------------------------------------------------------------ bookkeeping

    def start(self) -> None:
        usage.start_run(self.con, self.run_id, self.config.budget_micros, self.clock())
        self.spent = usage.spent_micros(self.con, self.run_id)

    def totals(self) -> dict:
        return usage.run_totals(self.con, self.run_id)

    def _flush_failed(self, status: str, error: str | None) -> None:
        """Requests that brought back no page still count."""
        n, self.api.attempts = self.api.attempts, 0
        handles, endpoint = self.current
        if n and handles:
            now = self.clock()
            for handle in handles:
                usage.add_failed_requests(
                    self.con, self.run_id, handle, endpoint, now.date(), now, n, status, error
                )

    def _guard(self, reserve_micros: int, what: str) -> None:
        """Stop before a request that could take the run past its budget."""
        if self.spent + reserve_micros > self.config.budget_micros:
            raise IngestStopped(
                "budget",
                f"budget reached: spent ${usage.usd(self.spent):.3f} of "
                f"${self.config.max_cost_per_run_usd:.2f}, and {what} could cost up to "
                f"${usage.usd(reserve_micros):.3f}; run again (or raise --max-cost) to resume",
            )

    def _page_reserve(self) -> int:
        # A full page of new posts, each with one new user, or the dearest page so far.
        c = self.config
        full = c.page_size * (c.post_price_micros + c.user_price_micros)
        return max(full, self.largest_page)

    # ------------------------------------------------------------------ pages

    def _staging_path(self, endpoint: str, handles: list[str], at: datetime, url: str) -> Path:
        who = handles[0] if len(handles) == 1 else f"{len(handles)}-accounts"
        digest = hashlib.sha256(url.encode()).hexdigest()[:10]
        name = f"{endpoint}-{who}-{at:%Y%m%dT%H%M%S%fZ}-{digest}.jsonl"
        return self.raw_dir / ".staging" / SOURCE / name

    def _finish_page(self, path: Path, facts: PageFacts, attempts: int) -> usage.PageCost | None:
        """Load a landed page (idempotent) and apply it unless the ledger has it."""
        raw_file_id = self.load_page(path)
        self.checkpoint("loaded")
        if state.is_applied(self.con, raw_file_id):
            return None
        cost = state.apply_page(
            self.con, self.run_id, raw_file_id, facts, attempts, self.config, self.clock()
        )
        self.spent += cost.cost_micros
        self.checkpoint("applied")
        return cost

    def _take(self, page: Page, endpoint: str, handles: list[str]) -> tuple[PageFacts, int]:
        retrieved_at = self.clock()
        line = page_line(page.body, page.url, retrieved_at)
        facts = read_facts(line)
        assert facts is not None, f"not a page the ingest understands: {page.url}"
        staging = self._staging_path(endpoint, handles, retrieved_at, page.url)
        staging.parent.mkdir(parents=True, exist_ok=True)
        staging.write_bytes(line)
        self.checkpoint("staged")
        landed = land(self.raw_dir, SOURCE, staging, landed_at=retrieved_at)
        staging.unlink()
        self.checkpoint("landed")
        cost = self._finish_page(landed.raw_path, facts, page.attempts)
        charged = cost.cost_micros if cost else 0
        if endpoint != USERS:
            self.largest_page = max(self.largest_page, charged)
        return facts, charged

    # ------------------------------------------------------------------ recovery

    def recover(self) -> int:
        """Finish what a killed run left: pages staged but not landed, landed but not
        loaded, loaded but not applied. Returns how many pages it finished."""
        staging = self.raw_dir / ".staging" / SOURCE
        for path in sorted(staging.glob("*.jsonl")) if staging.is_dir() else []:
            staged = read_facts(path.read_bytes())
            if staged is not None:  # a response received whole: keep it, it was paid for
                at = datetime.fromisoformat(staged.retrieved_at)
                land(self.raw_dir, SOURCE, path, landed_at=at)
            path.unlink()
        applied = {r[0] for r in self.con.execute("SELECT raw_file_id FROM ops.x_pages").fetchall()}
        pending = []
        for path in (self.raw_dir / SOURCE).glob("*/*.jsonl"):
            if path.stem in applied:
                continue
            if not path.with_name(path.name + ".meta.json").exists():
                land(self.raw_dir, SOURCE, path)  # killed between the copy and its sidecar
            facts = read_facts(path.read_bytes())
            if facts is not None:
                pending.append((facts.retrieved_at, str(path), facts))
        for _, path, facts in sorted(pending, key=lambda p: (p[0], p[1])):
            self._finish_page(Path(path), facts, attempts=1)
        if pending:
            self.log(f"recovered {len(pending)} page(s) an interrupted run had landed")
        return len(pending)

    # ------------------------------------------------------------------ reads

    def snapshot_profiles(self, handles: list[str]) -> None:
        """One users lookup a UTC day per account (the follower history's daily row)."""
        today = self.clock().date()
        known = state.accounts(self.con)
        due = [h for h in handles if h.lower() not in known or known[h.lower()].checked_on != today]
        if len(due) < len(handles):
            self.log(f"profiles: {len(handles) - len(due)} already snapshotted today")
        for i in range(0, len(due), USERS_PER_LOOKUP):
            batch = due[i : i + USERS_PER_LOOKUP]
            self.current = (batch, USERS)
            reserve = len(batch) * self.config.user_price_micros
            what = f"a lookup of {len(batch)} users"
            page = self.api.lookup_users(batch, lambda r=reserve, w=what: self._guard(r, w))
            facts, charged = self._take(page, USERS, batch)
            bad = {
                a.handle: a.status
                for a in state.accounts(self.con).values()
                if a.handle.lower() in {h.lower() for h in batch} and a.status != "ok"
            }
            self.log(
                f"profiles: {len(facts.users)} of {len(batch)} looked up "
                f"(${usage.usd(charged):.3f})"
                + "".join(f"; {h}: {s}" for h, s in sorted(bad.items()))
            )

    def read_posts(self, handles: list[str]) -> list[str]:
        lines = []
        known = state.accounts(self.con)
        for handle in handles:
            account = known.get(handle.lower())
            if account is None or account.account_id is None or account.status != "ok":
                why = account.status if account else "never looked up"
                if account and account.error:
                    why += f": {account.error}"
                lines.append(f"{handle}: skipped ({why})")
                self.log(lines[-1])
                continue
            for endpoint in (TIMELINE, MENTIONS):
                now = state.accounts(self.con)[handle.lower()]
                if now.status != "ok":  # the timeline said protected, suspended, gone
                    break
                lines.append(self._sweep(now, endpoint))
                self.log(lines[-1])
        return lines

    def _sweep(self, account: state.Account, endpoint: str) -> str:
        assert account.account_id is not None
        self.current = ([account.handle], endpoint)
        posts = requests = charged = 0
        fell_back = False
        while True:
            s = state.sweep(self.con, account.account_id, endpoint)
            if s.in_progress:
                params = {
                    "since_id": s.sweep_since_id,
                    "start_time": s.sweep_start_time,
                    **(
                        {"until_id": s.until_id}
                        if fell_back
                        else {"pagination_token": s.next_token}
                    ),
                }
            else:
                params = {"since_id": s.since_id, "start_time": self._backfill_start(s)}
            try:
                for page in self.api.post_pages(
                    endpoint,
                    account.account_id,
                    lambda: self._guard(self._page_reserve(), f"a page of {endpoint}"),
                    page_size=self.config.page_size,
                    **params,
                ):
                    facts, cost = self._take(page, endpoint, [account.handle])
                    posts += len(facts.post_ids)
                    requests += page.attempts
                    charged += cost
                break
            except tweepy.BadRequest as exc:
                if s.in_progress and not fell_back and s.until_id:
                    # X's pagination tokens expire: carry on below the oldest post read.
                    self.log(f"  {account.handle} {endpoint}: token refused ({exc}); until_id")
                    fell_back = True
                    continue
                return self._account_failed(account, endpoint, "unavailable", exc)
            except tweepy.NotFound as exc:
                return self._account_failed(account, endpoint, "not_found", exc)
        return (
            f"{account.handle} {endpoint}: {posts} posts read in {requests} request(s), "
            f"${usage.usd(charged):.3f}"
        )

    def _account_failed(self, account, endpoint: str, status: str, exc: Exception) -> str:
        message = scrub(str(exc)).replace("\n", " ")[:300]  # scrubbed before the cut
        self._flush_failed(status, message)
        return f"{account.handle} {endpoint}: {status}: {message}"

    def _backfill_start(self, s: state.Sweep) -> str | None:
        days = self.config.backfill_days
        if s.since_id is not None or not days:
            return None
        return (self.clock() - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")

    # ------------------------------------------------------------------ a whole run

    def run(self, handles: list[str], phases: Iterable[str] = PHASES) -> IngestResult:
        phases = set(phases)
        self.start()
        lines: list[str] = []
        try:
            self.recover()
            if "profiles" in phases:
                self.snapshot_profiles(handles)
            if "posts" in phases:
                lines = self.read_posts(handles)
        except IngestStopped as stop:
            reason = scrub(str(stop))
            self._flush_failed("stopped", reason)
            usage.finish_run(self.con, self.run_id, "stopped", reason, self.clock())
            self.log(f"stopped: {reason}")
            totals = self.totals()
            return IngestResult(self.run_id, "stopped", reason, stop.reason, totals, lines)
        except XAccessError as exc:
            message = scrub(str(exc))
            self._flush_failed("failed", message)
            usage.finish_run(self.con, self.run_id, "failed", message, self.clock())
            raise
        except Exception as exc:
            usage.finish_run(self.con, self.run_id, "failed", scrub(repr(exc))[:300], self.clock())
            raise
        usage.finish_run(self.con, self.run_id, "complete", None, self.clock())
        return IngestResult(self.run_id, "complete", None, None, self.totals(), lines)


def _scrubbed(log: Log) -> Log:
    def write(message: str) -> None:
        log(scrub(message))

    return write


def new_run_id() -> str:
    return f"cli-{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"


def x_ingest(
    con: duckdb.DuckDBPyConnection,
    raw_dir: Path,
    bearer_token: str,
    api_url: str,
    config: XIngestConfig,
    run_id: str,
    *,
    clock: Callable[[], datetime] = utc_now,
    sleep: Callable[[float], None] = time.sleep,
    log: Log = print,
    checkpoint: Callable[[str], None] = lambda where: None,
    load_page: LoadPage,
) -> XIngest:
    """An XIngest wired to tweepy with the config's retry policy. Every line it logs is
    scrubbed of secrets first, whatever `log` writes to."""
    log = _scrubbed(log)
    policy = RetryPolicy(
        max_attempts=config.max_attempts,
        backoff_initial_s=config.backoff_initial_s,
        backoff_max_s=config.backoff_max_s,
        max_rate_limit_wait_s=config.max_rate_limit_wait_s,
        sleep=sleep,
        now=lambda: clock().timestamp(),
        log=log,
    )
    api = XApi(make_client(bearer_token, api_url, config.request_timeout_s), policy)
    return XIngest(
        con,
        raw_dir,
        api,
        config,
        run_id,
        clock=clock,
        log=log,
        checkpoint=checkpoint,
        load_page=load_page,
    )
