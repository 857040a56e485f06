"""The live Bluesky ingest: for each audited account (audits.yaml, platform bluesky),
a profile snapshot once a UTC day (getProfile), its new posts and replies
(getAuthorFeed, filter posts_with_replies), the reply threads under its recent posts
(getPostThread) and, when a session is configured, the posts that mention it
(searchPosts with mentions=).

Every page lands raw byte for byte as source "bluesky-api" and loads through the
existing Bluesky parser (pipelines/sources/bluesky/parse.py); pipelines/sources/live.py
has the page's path and the ops state.

Incremental reads. getAuthorFeed has only a cursor going back in time, so a read is a
sweep from the newest post down to the newest post the last complete sweep read (the
stop key: the feed's sort time, min(indexedAt, createdAt), or a repost's indexedAt).
The cursor is saved with each applied page and the stop key moves up only when the
sweep is done, as X's since_id sweep does: a run stopped mid-sweep resumes it. A read
with a stop key starts with a one-post page and doubles the page size from there: when
nothing is new, that one post is all that is served again (the API has no "since" to
ask for less), and k new posts cost fewer than k old ones served again. The first read of an
account goes back backfill_days.

Threads: each own post inside thread_window_days is read (newest first, at most
max_threads_per_account a run) when it was not read in the last thread_refresh_hours;
each read moves ops.inbound_sources ('replies'; the mention search moves 'mentions').

Limits, in Bluesky's docs: https://docs.bsky.app/docs/advanced-guides/rate-limits
(429 with RateLimit-Reset), https://docs.bsky.app/docs/api/app-bsky-feed-get-author-feed,
https://docs.bsky.app/docs/api/app-bsky-feed-get-post-thread,
https://docs.bsky.app/docs/api/app-bsky-feed-search-posts."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
from atproto_client import exceptions as atx

from pipelines.config.networks import NetworkConfig
from pipelines.sources import sweeps
from pipelines.sources.bluesky.client import BlueskyApi, error_name
from pipelines.sources.live import Fetched, NetworkIngest, PageRow, Refused
from pipelines.sources.retry import Retrying

PLATFORM = "bluesky"
SOURCE = "bluesky-api"  # raw/bluesky-api/: pages the ingest landed (Bluesky parser)
PROFILE, POSTS, THREAD, MENTIONS = "profile", "posts", "thread", "mentions"

# XRPC error names of an account that cannot be read, and the status recorded for it.
_ACCOUNT_ERRORS = {
    "AccountTakedown": "suspended",
    "AccountDeactivated": "deactivated",
    "InvalidRequest": "not_found",  # "Profile not found", "Unable to resolve handle"
    "NotFound": "not_found",
}


def _iso(text: object) -> str | None:
    """A timestamp as sortable UTC text (microseconds, Z), or None if it is none."""
    try:
        at = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return None
    at = at if at.tzinfo else at.replace(tzinfo=UTC)
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def sort_key(item: dict) -> str:
    """Where a feed item (or a bare post view) sorts: a repost at its own time, a post
    at the earlier of indexedAt and createdAt, as the AppView orders a feed."""
    reason = item.get("reason") if isinstance(item.get("reason"), dict) else None
    if reason and reason.get("indexedAt"):
        return _iso(reason["indexedAt"]) or ""
    post = item.get("post") if isinstance(item.get("post"), dict) else item
    record = post.get("record") if isinstance(post.get("record"), dict) else {}
    times = [t for t in (_iso(post.get("indexedAt")), _iso(record.get("createdAt"))) if t]
    return min(times) if times else ""


def _count_replies(thread: dict) -> int:
    """Every reply below a thread view, walked without recursion."""
    count, stack = 0, list(thread.get("replies") or [])
    while stack:
        node = stack.pop()
        if isinstance(node, dict) and isinstance(node.get("post"), dict):
            count += 1
            stack.extend(node.get("replies") or [])
    return count


def _own_posts(items: list[dict], account: sweeps.Account) -> list[tuple[str, datetime]]:
    """(uri, posted_at) of the account's own posts among feed items (not reposts)."""
    own = []
    for item in items:
        post = item.get("post") or {}
        key = sort_key(post)
        if (
            item.get("reason")
            or not key
            or (post.get("author") or {}).get("did") != account.account_id
        ):
            continue
        own.append((str(post["uri"]), datetime.fromisoformat(key.replace("Z", "+00:00"))))
    return own


class BlueskyIngest(NetworkIngest):
    name, platform, source = "Bluesky", PLATFORM, SOURCE
    api: BlueskyApi

    # ------------------------------------------------------------------ applying pages

    def apply(self, con: duckdb.DuckDBPyConnection, row: PageRow, body: bytes) -> int:
        data = json.loads(body)
        if row.endpoint == PROFILE:
            day = row.retrieved_at.astimezone(UTC).date()
            sweeps.save_account(
                con, PLATFORM, row.params["actor"], str(data["did"]), "ok", None, day, self.clock()
            )
            return 0
        account = sweeps.account(con, PLATFORM, row.handle_lower)
        assert account is not None and account.account_id is not None
        if row.endpoint == THREAD:
            replies = _count_replies(data.get("thread") or {})
            sweeps.thread_read(con, PLATFORM, row.params["uri"], row.retrieved_at, replies)
            sweeps.inbound_read(con, PLATFORM, account.account_id, "replies", row.retrieved_at)
            return replies
        items = data.get("feed" if row.endpoint == POSTS else "posts") or []
        new = self._move_sweep(con, row, items, data.get("cursor"))
        if row.endpoint == MENTIONS:
            sweeps.inbound_read(con, PLATFORM, account.account_id, "mentions", row.retrieved_at)
        else:
            sweeps.add_threads(con, PLATFORM, row.handle_lower, _own_posts(new, account))
        return len(new)

    def _move_sweep(self, con, row: PageRow, items: list, cursor: str | None) -> list[dict]:
        """The sweep state after one page (module docstring); returns its new items."""
        stop = row.params["stop"]
        old = sweeps.sweep(con, PLATFORM, row.handle_lower, row.endpoint)
        continuing = row.params["cursor"] is not None and old.in_progress
        new = [i for i in items if isinstance(i, dict) and (stop is None or sort_key(i) > stop)]
        keys = [sort_key(i) for i in new] + [old.sweep_newest if continuing else None]
        newest = max((k for k in keys if k), default=None)
        if not cursor or not items or len(new) < len(items):
            top = max((k for k in (old.stop_key, newest) if k), default=None)
            state = sweeps.Sweep(stop_key=top)
        else:
            # Reading down to a stop key, pages grow from the one-post probe (1, 2, 4, ...)
            # so a few new posts cost few old ones served again; a first read uses full pages.
            grown = min(self.config.page_limit(PLATFORM), 2 * int(row.params["limit"]))
            size = grown if old.stop_key else self.config.page_limit(PLATFORM)
            state = sweeps.Sweep(old.stop_key, True, cursor, newest, size)
        sweeps.save_sweep(con, PLATFORM, row.handle_lower, row.endpoint, state, self.clock())
        return new

    # ------------------------------------------------------------------ reads

    def _profile(self, handle: str) -> tuple[Fetched, dict] | Refused:
        try:
            return self.api.profile(handle), {"actor": handle}
        except (atx.BadRequestError, atx.RequestException) as exc:
            status, name, message = error_name(exc)
            state = _ACCOUNT_ERRORS.get(name, "not_found" if status == 404 else "unavailable")
            return Refused(state, f"{status} {name}: {message}".strip())

    def _thread(self, uri: str) -> tuple[Fetched, dict] | Refused:
        try:
            return self.api.post_thread(uri), {"uri": uri}
        except atx.BadRequestError as exc:  # NotFound: the post was deleted
            status, name, message = error_name(exc)
            return Refused("gone", f"{status} {name}: {message}")

    def _sweep(self, handle: str, did: str, endpoint: str) -> str:
        posts = pages = requests = 0
        floor = _iso(self.clock() - timedelta(days=self.config.backfill_days))
        full = self.config.page_limit(PLATFORM)
        while True:
            s = sweeps.sweep(self.con, PLATFORM, handle, endpoint)
            cursor = s.cursor if s.in_progress else None
            # Nothing may be new: ask for one post first (module docstring).
            if s.in_progress:
                limit = s.next_limit or full
            else:
                limit = 1 if s.stop_key else full
            if endpoint == POSTS:
                fetched = self.api.author_feed(did, cursor, limit)
            else:
                fetched = self.api.mentions(handle, cursor, limit)
            params = {"actor": did, "cursor": cursor, "limit": limit, "stop": s.stop_key or floor}
            posts += self.take(handle, endpoint, params, fetched)
            pages, requests = pages + 1, requests + fetched.attempts
            if not sweeps.sweep(self.con, PLATFORM, handle, endpoint).in_progress:
                break
        return (
            f"{handle} {endpoint}: {posts} new posts read in {pages} page(s), {requests} request(s)"
        )

    def read_account(self, handle: str) -> tuple[list[str], str | None]:
        account = self.snapshot(handle, lambda: self._profile(handle))
        if (skip := self.skip(handle, account)) is not None:
            return skip
        assert account is not None and account.account_id is not None
        lines = [f"{handle} profile: snapshot of {account.checked_on}"]
        lines.append(self._sweep(handle, account.account_id, POSTS))
        lines.append(self.threads(handle, self._thread))
        if self.api.session is not None:
            lines.append(self._sweep(handle, account.account_id, MENTIONS))
        return lines, None


def bluesky_ingest(
    con: duckdb.DuckDBPyConnection,
    raw_dir: Path,
    config: NetworkConfig,
    run_id: str,
    *,
    login: tuple[str, str] | None = None,
    **options: Any,
) -> BlueskyIngest:
    """A BlueskyIngest on the atproto SDK; with `login` (handle, app password) it logs
    in for the mention search first. options: clock, sleep, log (every line scrubbed of
    secrets first), checkpoint, load_page (NetworkIngest.wired). ``.run(handles)``."""

    def api(retry: Retrying) -> BlueskyApi:
        client = BlueskyApi(config.appview_url, config.pds_url, retry, config.request_timeout_s)
        if login is not None:
            client.login(*login)
        return client

    return BlueskyIngest.wired(api, con, raw_dir, config, run_id, **options)
