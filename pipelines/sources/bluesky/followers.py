"""Bluesky follower samples: each audited Bluesky account's most recent followers
(``app.bsky.graph.getFollowers``, public, limit <= 100 and a cursor), landed raw page
by page as source ``bluesky-followers``, then the sample file
(pipelines/sources/follower_sampling.py has the loop and its stops).

getFollowers lists profileViews, which carry no follower, following or post counts
(the fake-follower model needs them). So after each getFollowers page lands, its
followers' detailed profiles are asked for with ``app.bsky.actor.getProfiles``, at
most 25 DIDs a request; each response lands raw under the same source and is listed
in the sample file after the page it completes (pipelines/canonical/followers.py
takes each follower's profile from it). Followers carried forward from the previous
sample keep the profile they had then.

The account is resolved by the Bluesky ingest's own profile snapshot (getProfile, once
a UTC day: ops.network_accounts and a canonical snapshot with its follower count), and
the requests go through its client and retry policy (pipelines/sources/retry.py)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb

from pipelines.config.networks import NetworkConfig
from pipelines.sources import sweeps
from pipelines.sources.bluesky.client import PROFILES_PER_REQUEST
from pipelines.sources.bluesky.ingest import PLATFORM, BlueskyIngest, bluesky_ingest
from pipelines.sources.follower_sampling import (
    FollowerPage,
    FollowerSampler,
    SampleSettings,
    SampleStore,
    SamplingResult,
    Target,
    latest_followers_count,
    utc_now,
)


def network_settings(config: NetworkConfig, network: str) -> SampleSettings:
    return SampleSettings(
        config.follower_sample_size,
        config.follower_page_limit(network),
        config.follower_refresh_days,
    )


class NetworkFollowerSampler(FollowerSampler):
    """Bluesky's and Mastodon's: the network ingest resolves the account (profile
    snapshot once a UTC day) and keeps the run row (ops.network_runs)."""

    def __init__(self, ingest: Any, store: SampleStore, config: NetworkConfig, run_id: str,
                 **options: Any) -> None:  # fmt: skip
        settings = network_settings(config, ingest.platform)
        super().__init__(ingest.con, store, settings, run_id, **options)
        self.ingest = ingest

    def begin(self, handles: list[str]) -> None:
        sweeps.start_run(self.con, self.run_id, self.platform, self.clock())
        if recovered := self.ingest.pages.recover():
            self.log(f"recovered {recovered} profile page(s) an interrupted run had left")

    def finish(self, result: SamplingResult) -> None:
        retry = self.ingest.retry
        sweeps.add_to_run(
            self.con,
            self.run_id,
            self.platform,
            requests=retry.requests,
            accounts_skipped=len(result.skipped),
        )
        result.requests = retry.requests
        sweeps.finish_run(
            self.con, self.run_id, self.platform, result.status, result.stop_reason, self.clock()
        )


class BlueskyFollowerSampler(NetworkFollowerSampler):
    name, platform = "Bluesky", PLATFORM
    ingest: BlueskyIngest

    def resolve(self, handle: str) -> Target | str:
        account = self.ingest.snapshot(handle, lambda: self.ingest._profile(handle))
        if (skip := self.ingest.skip(handle, account)) is not None:
            return skip[1]
        assert account is not None and account.account_id is not None
        total = latest_followers_count(self.con, PLATFORM, account.account_id)
        return Target(handle, account.account_id, total)

    def fetch(self, target: Target, cursor: str | None, limit: int) -> FollowerPage:
        fetched = self.ingest.api.followers(target.account_id, cursor, limit)
        data = json.loads(fetched.body)
        views = data.get("followers") if isinstance(data, dict) else None
        ids = [str(v["did"]) for v in views or [] if isinstance(v, dict) and v.get("did")]
        next_cursor = data.get("cursor") if isinstance(data, dict) else None
        return FollowerPage(fetched.url, fetched.body, fetched.attempts, ids, next_cursor or None)

    def details(self, target: Target, page: FollowerPage) -> Iterator[FollowerPage]:
        """getProfiles of the page's followers, 25 at most a request."""
        ids = page.follower_ids
        for start in range(0, len(ids), PROFILES_PER_REQUEST):
            batch = ids[start : start + PROFILES_PER_REQUEST]
            fetched = self.ingest.api.profiles(batch)
            yield FollowerPage(fetched.url, fetched.body, fetched.attempts, batch, None)


def bluesky_follower_sampler(
    con: duckdb.DuckDBPyConnection,
    raw_dir: Path,
    store: SampleStore,
    config: NetworkConfig,
    run_id: str,
    *,
    checkpoint: Any = lambda where: None,
    **options: Any,
) -> BlueskyFollowerSampler:
    """The sampler on the Bluesky ingest (public reads: no login). options: clock,
    sleep, log, load_page (the profile pages, source bluesky-api)."""
    ingest = bluesky_ingest(con, raw_dir, config, run_id, **options)
    clock, log = options.get("clock", utc_now), options.get("log", print)
    return BlueskyFollowerSampler(
        ingest, store, config, run_id, clock=clock, log=log, checkpoint=checkpoint
    )
