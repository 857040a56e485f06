"""Mastodon follower samples: each audited Mastodon account's most recent followers
(GET /api/v1/accounts/:id/followers through Mastodon.py's ``account_followers``, on
the account's own instance, limit <= 80, paged by the Link header's max_id), landed
raw page by page as source ``mastodon-followers``, then the sample file
(pipelines/sources/follower_sampling.py has the loop and its stops).

An account may hide its follower list (``hide_collections`` on its profile, or an
empty list served although it has followers): its sample is recorded with no pages,
``hidden: true``, ``stopped_by: hidden``; not an error. The account is resolved by the
Mastodon ingest's own profile snapshot (account lookup, once a UTC day)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb

from pipelines.config.networks import NetworkConfig
from pipelines.sources.bluesky.followers import NetworkFollowerSampler
from pipelines.sources.follower_sampling import (
    FollowerPage,
    SampleStore,
    Target,
    latest_followers_count,
    utc_now,
)
from pipelines.sources.mastodon.ingest import (
    PLATFORM,
    MastodonIngest,
    mastodon_ingest,
    split_handle,
)

HIDDEN_NOTE = "hide_collections"  # how the ingest notes it in ops.network_accounts.reason


class MastodonFollowerSampler(NetworkFollowerSampler):
    name, platform = "Mastodon", PLATFORM
    ingest: MastodonIngest

    def resolve(self, handle: str) -> Target | str:
        parts = split_handle(handle)
        if parts is None:
            return "no instance in the handle: write it as user@instance in audits.yaml"
        user, instance = parts
        account = self.ingest.snapshot(handle, lambda: self.ingest._lookup(handle, user, instance))
        if (skip := self.ingest.skip(handle, account)) is not None:
            return skip[1]
        assert account is not None and account.account_id is not None
        hidden = bool(account.reason and account.reason.startswith(HIDDEN_NOTE))
        total = latest_followers_count(self.con, PLATFORM, account.account_id)
        return Target(handle, account.account_id, total, hidden)

    def fetch(self, target: Target, cursor: str | None, limit: int) -> FollowerPage:
        instance, local_id = target.account_id.split(":", 1)
        fetched, next_max_id = self.ingest.api.followers(instance, local_id, cursor, limit)
        data = json.loads(fetched.body)
        accounts = data if isinstance(data, list) else []
        # canonical ids are qualified by the serving instance (mastodon/objects.py)
        ids = [f"{instance}:{a['id']}" for a in accounts if isinstance(a, dict) and a.get("id")]
        return FollowerPage(fetched.url, fetched.body, fetched.attempts, ids, next_max_id)

    def hides(self, target: Target, page: FollowerPage) -> bool:
        return not page.follower_ids and (target.followers_total or 0) > 0


def mastodon_follower_sampler(
    con: duckdb.DuckDBPyConnection,
    raw_dir: Path,
    store: SampleStore,
    config: NetworkConfig,
    run_id: str,
    *,
    checkpoint: Any = lambda where: None,
    **options: Any,
) -> MastodonFollowerSampler:
    """The sampler on the Mastodon ingest. options: token, clock, sleep, log,
    load_page (the profile pages, source mastodon-api)."""
    ingest = mastodon_ingest(con, raw_dir, config, run_id, **options)
    clock, log = options.get("clock", utc_now), options.get("log", print)
    return MastodonFollowerSampler(
        ingest, store, config, run_id, clock=clock, log=log, checkpoint=checkpoint
    )
