"""X follower samples: each audited X account's most recent followers (GET
/2/users/:id/followers through tweepy's ``Client.get_users_followers``), landed raw
page by page as source ``x-followers``, then the sample file
(pipelines/sources/follower_sampling.py has the loop and its stops).

The accounts are resolved by the X ingest's own profile snapshot (users lookup, once a
UTC day, within the run's budget), so the sampler and ``rapport ingest x`` share one
account state (ops.x_accounts) and one run row (ops.api_runs).

Money. X bills every user object a page returns (price_per_user_usd). Each account's
sample has its own budget, max_follower_cost_per_audit_usd, priced on every user
received (an upper bound: X bills an object once a UTC day): before each request the
page is sized to the room left, so the sample can never pass it, and a sample the
budget ends says ``stopped_by: budget``. The run's own budget (max_cost_per_run_usd)
governs its profile lookups, as in ``rapport ingest x``; each sample has its own.
What was billed goes to ops.api_usage (endpoint ``followers``),
ops.api_charges and the run's totals, as each page lands."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import duckdb

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
from pipelines.sources.x_api import state, usage
from pipelines.sources.x_api.config import XIngestConfig
from pipelines.sources.x_api.ingest import LoadPage, XIngest, x_ingest

ENDPOINT = "followers"  # ops.api_usage.endpoint


def page_facts(body: bytes) -> tuple[list[str], str | None]:
    """(follower ids in order, next_token) of a followers page."""
    page = json.loads(body)
    data = page.get("data") if isinstance(page, dict) else None
    ids = [str(u["id"]) for u in data or [] if isinstance(u, dict) and u.get("id") is not None]
    meta = page.get("meta") if isinstance(page, dict) and isinstance(page.get("meta"), dict) else {}
    token = meta.get("next_token")
    return ids, token if isinstance(token, str) and token else None


class XFollowerSampler(FollowerSampler):
    name, platform = "X", "x"

    def __init__(
        self,
        ingest: XIngest,
        store: SampleStore,
        config: XIngestConfig,
        run_id: str,
        **options,
    ) -> None:
        settings = SampleSettings(
            config.follower_sample_size, config.follower_page_size, config.follower_refresh_days
        )
        super().__init__(ingest.con, store, settings, run_id, **options)
        self.ingest, self.config = ingest, config
        self.sample_spent = 0  # micro-dollars of the account being sampled, as received

    def begin(self, handles: list[str]) -> None:
        self.ingest.start()
        self.ingest.recover()
        self.ingest.snapshot_profiles(handles)

    def resolve(self, handle: str) -> Target | str:
        account = state.accounts(self.con).get(handle.lower())
        if account is None or account.account_id is None or account.status != "ok":
            why = account.status if account else "never looked up"
            return f"{why}: {account.error}" if account and account.error else why
        total = latest_followers_count(self.con, self.platform, account.account_id)
        return Target(account.handle, account.account_id, total)

    def sample(self, target: Target, now: datetime) -> tuple[str, int, int]:
        self.sample_spent = 0
        return super().sample(target, now)

    def room(self, target: Target) -> int | None:
        price = self.config.user_price_micros
        if price <= 0:
            return None
        return max(0, (self.config.follower_budget_micros - self.sample_spent) // price)

    def budget_note(self) -> str:
        return (
            f": ${usage.usd(self.sample_spent):.2f} of the "
            f"${self.config.max_follower_cost_per_audit_usd:.2f} per-audit budget"
        )

    def fetch(self, target: Target, cursor: str | None, limit: int) -> FollowerPage:
        self.ingest.current = ([target.handle], ENDPOINT)
        page = self.ingest.api.follower_page(
            target.account_id, lambda: None, max_results=limit, pagination_token=cursor
        )
        ids, token = page_facts(page.body)
        return FollowerPage(page.url, page.body, page.attempts, ids, token)

    def took(self, target: Target, page: FollowerPage, raw_file_id: str) -> None:
        price = self.config.user_price_micros
        now = self.clock()
        ids = set(page.follower_ids)
        self.con.execute("BEGIN TRANSACTION")
        try:
            new = usage.charge(self.con, now.date(), "user", ids)
            cost = usage.PageCost(0, len(page.follower_ids), 0, len(new), len(new) * price)
            usage.add_usage(
                self.con,
                self.run_id,
                target.handle,
                target.account_id,
                ENDPOINT,
                now.date(),
                now,
                requests=page.attempts,
                users_read=cost.users_read,
                users_charged=cost.users_charged,
                cost_micros=cost.cost_micros,
                status="complete",
            )
            usage.add_run_totals(self.con, self.run_id, page.attempts, cost)
            self.con.execute("COMMIT")
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        self.ingest.spent += cost.cost_micros
        self.sample_spent += len(page.follower_ids) * price

    def finish(self, result: SamplingResult) -> None:
        now = self.clock()
        if result.status in ("stopped", "failed"):
            self.ingest._flush_failed(result.status, result.stop_reason)
        status = "complete" if result.status == "partial" else result.status
        usage.finish_run(self.con, self.run_id, status, result.stop_reason, now)
        result.cost_usd = float(usage.run_totals(self.con, self.run_id)["cost_usd"])


def x_follower_sampler(
    con: duckdb.DuckDBPyConnection,
    raw_dir: Path,
    store: SampleStore,
    bearer_token: str,
    api_url: str,
    config: XIngestConfig,
    run_id: str,
    *,
    clock: Callable[[], datetime] = utc_now,
    sleep: Callable[[float], None] = time.sleep,
    log: Callable[[str], None] = print,
    checkpoint: Callable[[str], None] = lambda where: None,
    load_page: LoadPage,
) -> XFollowerSampler:
    """The sampler on the X ingest wired to tweepy (its retry policy, its profile
    snapshot); `load_page` loads the profile pages (source x-api), `store` the
    follower pages and samples. ``.run(handles, force=False)``."""
    ingest = x_ingest(
        con,
        raw_dir,
        bearer_token,
        api_url,
        config,
        run_id,
        clock=clock,
        sleep=sleep,
        log=log,
        load_page=load_page,
    )
    return XFollowerSampler(
        ingest, store, config, run_id, clock=clock, log=log, checkpoint=checkpoint
    )
