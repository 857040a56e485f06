"""The live Mastodon ingest: for each audited account (audits.yaml, platform mastodon,
handle ``user@instance``), on its own instance: a profile snapshot once a UTC day
(account lookup), its new statuses (account statuses, reblogs and replies included)
and the reply threads under its recent statuses (status context).

Every page lands raw byte for byte as source "mastodon-api", staged in a folder named
after the instance that served it, and loads through the Mastodon parser
(pipelines/sources/mastodon/parse.py) with that instance; pipelines/sources/live.py
has the page's path and the ops state.

Incremental reads page forward: each request asks for the statuses just above
``min_id`` (the newest status read so far, stored as each page is applied), so a
killed run resumes exactly where its last applied page left it, and a rerun asks
once and is served nothing. The first read starts at an id made from the time
backfill_days ago (Mastodon ids begin with their millisecond timestamp, shifted 16
bits). Threads: each own status inside thread_window_days is read (newest first, at
most max_threads_per_account a run) when not read in the last thread_refresh_hours;
each read moves ops.inbound_sources ('replies'). Mastodon has no mention search
without the mentioned account's own token, so mentions come from what the threads and
statuses hold.

An account whose lookup says 404 (unknown) or 410 (gone), or whose profile says
``suspended``, is recorded in ops.network_accounts and skipped; ``hide_collections``
(follower and following lists hidden: the statuses stay public) is noted there.

Limits, in Mastodon's docs: https://docs.joinmastodon.org/api/rate-limits/,
https://docs.joinmastodon.org/methods/accounts/#statuses,
https://docs.joinmastodon.org/methods/statuses/#context,
https://docs.joinmastodon.org/entities/Account/#hide_collections."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
from mastodon import errors as mx

from pipelines.config.networks import NetworkConfig
from pipelines.sources import sweeps
from pipelines.sources.live import Fetched, NetworkIngest, PageRow, Refused
from pipelines.sources.mastodon.client import MastodonApi, api_status
from pipelines.sources.retry import Retrying

PLATFORM = "mastodon"
SOURCE = "mastodon-api"  # raw/mastodon-api/: pages the ingest landed (Mastodon parser)
PROFILE, POSTS, THREAD = "profile", "posts", "thread"


def split_handle(handle: str) -> tuple[str, str] | None:
    """(username, instance) of ``user@instance`` (a leading '@' allowed), lowercased
    instance; None when the handle names no instance."""
    user, _, instance = handle.lstrip("@").partition("@")
    return (user, instance.lower()) if user and instance else None


def id_at(at: datetime) -> str:
    """The smallest status id Mastodon could give a status posted at `at`."""
    return str(int(at.timestamp() * 1000) << 16)


def _newest(*ids: str | None) -> str | None:
    present = [i for i in ids if i]
    return max(present, key=int) if present else None


class MastodonIngest(NetworkIngest):
    name, platform, source = "Mastodon", PLATFORM, SOURCE
    api: MastodonApi

    def folder(self, handle: str) -> str:
        # The parser qualifies ids by the instance that served the page: its folder.
        parts = split_handle(handle)
        assert parts is not None
        return parts[1]

    # ------------------------------------------------------------------ applying pages

    def apply(self, con: duckdb.DuckDBPyConnection, row: PageRow, body: bytes) -> int:
        data = json.loads(body)
        instance = row.params["instance"]
        if row.endpoint == PROFILE:
            self._apply_profile(con, row, data)
            return 0
        account = sweeps.account(con, PLATFORM, row.handle_lower)
        assert account is not None and account.account_id is not None
        if row.endpoint == THREAD:
            replies = len(data.get("descendants") or [])
            post_id = f"{instance}:{row.params['id']}"
            sweeps.thread_read(con, PLATFORM, post_id, row.retrieved_at, replies)
            sweeps.inbound_read(con, PLATFORM, account.account_id, "replies", row.retrieved_at)
            return replies
        statuses = [s for s in data if isinstance(s, dict) and s.get("id")]
        old = sweeps.sweep(con, PLATFORM, row.handle_lower, POSTS)
        newest = _newest(old.stop_key, *(str(s["id"]) for s in statuses))
        state = sweeps.Sweep(newest)
        sweeps.save_sweep(con, PLATFORM, row.handle_lower, POSTS, state, self.clock())
        own = [
            (
                f"{instance}:{s['id']}",
                datetime.fromisoformat(s["created_at"].replace("Z", "+00:00")),
            )
            for s in statuses
            if not s.get("reblog") and s.get("created_at")
        ]
        sweeps.add_threads(con, PLATFORM, row.handle_lower, own)
        return len(statuses)

    def _apply_profile(self, con, row: PageRow, data: dict) -> None:
        instance = row.params["instance"]
        status, reason = "ok", None
        if data.get("suspended"):
            status, reason = "suspended", "the instance says the account is suspended"
        elif data.get("hide_collections"):
            reason = "hide_collections: its follower and following lists are hidden"
        day = row.retrieved_at.astimezone(UTC).date()
        account_id = f"{instance}:{data['id']}"
        handle = row.params["handle"]
        sweeps.save_account(con, PLATFORM, handle, account_id, status, reason, day, self.clock())

    # ------------------------------------------------------------------ reads

    def _lookup(self, handle: str, user: str, instance: str) -> tuple[Fetched, dict] | Refused:
        try:
            return self.api.lookup(instance, user), {"handle": handle, "instance": instance}
        except mx.MastodonAPIError as exc:
            code, said = api_status(exc)
            state = {404: "not_found", 410: "gone"}.get(code or 0, "unavailable")
            return Refused(state, f"{code}: {said}")

    def _context(self, post_id: str) -> tuple[Fetched, dict] | Refused:
        instance, local = post_id.split(":", 1)
        try:
            return self.api.context(instance, local), {"instance": instance, "id": local}
        except mx.MastodonAPIError as exc:  # 404: the status was deleted
            code, said = api_status(exc)
            return Refused("gone", f"{code}: {said}")

    def _statuses(self, handle: str, instance: str, local_id: str) -> str:
        posts = pages = requests = 0
        limit = self.config.page_limit(PLATFORM)
        while True:
            stop = sweeps.sweep(self.con, PLATFORM, handle, POSTS).stop_key
            min_id = stop or id_at(self.clock() - timedelta(days=self.config.backfill_days))
            fetched = self.api.statuses(instance, local_id, min_id, limit)
            params = {"instance": instance, "id": local_id, "min_id": min_id, "limit": limit}
            read = self.take(handle, POSTS, params, fetched)
            posts, pages, requests = posts + read, pages + 1, requests + fetched.attempts
            if read < limit:  # a short page is the newest there is
                break
        return f"{handle} posts: {posts} new posts read in {pages} page(s), {requests} request(s)"

    def read_account(self, handle: str) -> tuple[list[str], str | None]:
        parts = split_handle(handle)
        if parts is None:
            why = "no instance in the handle: write it as user@instance in audits.yaml"
            return [f"{handle}: skipped ({why})"], why
        user, instance = parts
        account = self.snapshot(handle, lambda: self._lookup(handle, user, instance))
        if (skip := self.skip(handle, account)) is not None:
            return skip
        assert account is not None and account.account_id is not None
        note = f" ({account.reason})" if account.reason else ""
        lines = [f"{handle} profile: snapshot of {account.checked_on}{note}"]
        lines.append(self._statuses(handle, instance, account.account_id.split(":", 1)[1]))
        lines.append(self.threads(handle, self._context))
        return lines, None


def mastodon_ingest(
    con: duckdb.DuckDBPyConnection,
    raw_dir: Path,
    config: NetworkConfig,
    run_id: str,
    *,
    token: str | None = None,
    **options: Any,
) -> MastodonIngest:
    """A MastodonIngest on Mastodon.py; `token` goes to config.token_instance only.
    options: clock, sleep, log (every line scrubbed of secrets first), checkpoint,
    load_page (NetworkIngest.wired). ``.run(handles)``."""

    def api(retry: Retrying) -> MastodonApi:
        url, timeout = config.instance_url, config.request_timeout_s
        return MastodonApi(url, retry, timeout, token, config.token_instance)

    return MastodonIngest.wired(api, con, raw_dir, config, run_id, **options)
