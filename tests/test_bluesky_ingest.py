"""The live Bluesky ingest through the atproto SDK against a local fake AppView / PDS
serving the recorded responses of ../shared/data/bluesky: each post read once, reruns
read nothing again, a new post is read alone, rate limits and 5xx are waited out, a
missing account is recorded while the other loads, a run killed at any step reruns to
the warehouse of one clean run, and no secret is stored or printed."""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from pipelines.config.networks import NetworkConfig
from pipelines.sources.bluesky.client import BlueskyRefused
from pipelines.sources.bluesky.ingest import SOURCE, bluesky_ingest
from pipelines.sources.live import NetworkResult
from tests.conftest import shared_file
from tests.fake_networks import (
    FakeBluesky,
    FakeClock,
    canonical_posts,
    feed_post_ids,
    point_at,
    run_network,
    stored_texts,
)
from tests.x_helpers import Killed, canonical, kill_at, query

DRIL, OFFICIAL = "dril.bsky.social", "bsky.app"
HANDLES = [DRIL, OFFICIAL]
START = datetime(2025, 4, 1, 6, tzinfo=UTC)  # after every recorded post
PASSWORD = "rapport-sentinel-bsky-app-password-5d1e"


@pytest.fixture(scope="module")
def shared() -> Path:
    return shared_file("bluesky/profile.json").parent


def settings(fake: FakeBluesky, **changes) -> NetworkConfig:
    base = NetworkConfig(
        appview_url=fake.url,
        pds_url=fake.url,
        backfill_days=365,
        thread_window_days=60,
        max_attempts=3,
        backoff_initial_s=1,
    )
    return replace(base, **changes)


def run(root: Path, fake, clock, run_id: str, handles=HANDLES, config=None, **kw) -> NetworkResult:
    return run_network(
        bluesky_ingest, SOURCE, root, config or settings(fake), clock, run_id, handles, **kw
    )


# ------------------------------------------------------------------ incremental runs


@pytest.fixture(scope="module")
def runs(shared, tmp_path_factory):
    root = tmp_path_factory.mktemp("bluesky_runs")
    clock = FakeClock(START)
    out: dict = {"root": root}
    with FakeBluesky(shared) as fake:
        recorded = {i["post"]["uri"] for feed in fake.feeds.values() for i in feed}
        mark = 0
        for name in ("first", "second", "new"):
            if name == "new":
                out["new_uri"] = fake.add_post(DRIL, "a new post", clock.now - timedelta(minutes=5))
            out[name] = run(root, fake, clock, f"run-{name}")
            out[f"{name}_served"] = fake.served[mark:]
            mark = len(fake.served)
            out[f"{name}_posts"] = canonical_posts(root)
            clock.now += timedelta(hours=1)
        out["recorded"] = recorded
    return out


def test_the_first_run_reads_each_recorded_post_once(runs):
    served = feed_post_ids(runs["first_served"])
    assert sorted(served) == sorted(runs["recorded"])  # each once
    assert runs["first"].status == "complete" and runs["first"].exit_code == 0
    assert runs["recorded"] <= runs["first_posts"]
    profiles = [s for s in runs["first_served"] if "getProfile" in s.path]
    assert len(profiles) == 2
    # dril's five posts and bsky.app's one inside the 60-day window: one thread read each
    threads = [s.query["uri"] for s in runs["first_served"] if "getPostThread" in s.path]
    assert len(threads) == len(set(threads)) == 6
    assert runs["first"].totals["threads_read"] == 6
    sources = query(
        runs["root"] / "rapport.duckdb",
        "SELECT platform, source, count(*) FROM ops.inbound_sources GROUP BY ALL",
    )
    assert sources == [("bluesky", "replies", 2)]
    # the reply the fake puts under dril's newest post is in the warehouse
    assert any("3launcoafjs2p" in p for p in runs["first_posts"])


def test_a_rerun_reads_no_post_again(runs):
    served = runs["second_served"]
    feeds = [s for s in served if "getAuthorFeed" in s.path]
    # one probe of one post per account: getAuthorFeed has no "since" to ask for less
    assert [s.query["limit"] for s in feeds] == ["1", "1"]
    assert len(feed_post_ids(served)) == 2
    assert not [s for s in served if "getPostThread" in s.path or "getProfile" in s.path]
    assert runs["second"].totals["posts_read"] == 0
    assert runs["second_posts"] == runs["first_posts"]


def test_after_a_new_post_only_it_is_read(runs):
    new = runs["new_uri"]
    served = feed_post_ids(runs["new_served"])
    assert served.count(new) == 1
    assert runs["new"].totals["posts_read"] == 1
    assert runs["new_posts"] - runs["first_posts"] == {new}
    # probe (the new post), then two older ones to find the stop; bsky.app: its probe
    assert len(served) == 1 + 2 + 1
    threads = [s.query["uri"] for s in runs["new_served"] if "getPostThread" in s.path]
    assert threads == [new]  # the others were read within thread_refresh_hours


# ------------------------------------------------------------------------- faults


def test_a_429_is_waited_out_until_ratelimit_reset(shared, tmp_path):
    clock = FakeClock(START)
    with FakeBluesky(shared) as fake:
        fake.rate_limited("getAuthorFeed", 120, clock.now)
        fake.faults.append(_server_error("getPostThread"))
        fake.faults.append(_server_error("getPostThread"))
        result = run(tmp_path, fake, clock, "r1")
    assert result.status == "complete"
    assert clock.slept == [121, 1, 2]  # the reset second itself; then capped backoff
    assert feed_post_ids(fake.served)  # and the read went on


def _server_error(path_part: str):
    from tests.fake_networks import Fault

    return Fault(path_part, 503)


def test_a_rate_limit_past_the_wait_stops_resumably_and_the_rerun_finishes(shared, tmp_path):
    clock = FakeClock(START)
    with FakeBluesky(shared) as fake:
        clean = tmp_path / "clean"
        run(clean, fake, FakeClock(START), "clean")
        fake.served.clear()
        fake.rate_limited("getPostThread", 3600, clock.now)
        stopped = run(tmp_path, fake, clock, "r1")
        assert stopped.status == "stopped" and stopped.exit_code == 3
        assert "rate limit" in stopped.stop_reason and clock.slept == []
        clock.now = START
        assert run(tmp_path, fake, clock, "r2").status == "complete"
    assert canonical(tmp_path / "rapport.duckdb") == canonical(clean / "rapport.duckdb")


def test_a_missing_account_is_recorded_and_the_other_loads(shared, tmp_path):
    with FakeBluesky(shared) as fake:
        fake.taken_down.add("gone.example")
        handles = ["nobody.example", DRIL, "gone.example"]
        result = run(tmp_path, fake, FakeClock(START), "r1", handles=handles)
    assert result.status == "partial" and result.exit_code == 3
    assert result.skipped and result.skipped[0].startswith("nobody.example: not_found")
    rows = query(
        tmp_path / "rapport.duckdb", "SELECT handle, status, reason FROM ops.network_accounts"
    )
    accounts = {handle: (status, reason) for handle, status, reason in rows}
    assert accounts["nobody.example"][0] == "not_found"
    assert "Profile not found" in accounts["nobody.example"][1]
    assert accounts["gone.example"][0] == "suspended"
    assert "AccountTakedown" in accounts["gone.example"][1]
    assert accounts[DRIL] == ("ok", None)
    assert len(result.skipped) == 2
    assert {i["post"]["uri"] for i in fake.feeds[fake.profiles[DRIL]["did"]]} <= canonical_posts(
        tmp_path
    )


# ---------------------------------------------------------------------------- kills


@pytest.mark.parametrize("step", ["staged", "landed", "loaded", "applied"])
@pytest.mark.parametrize("nth", [1, 4, 9])
def test_a_run_killed_at_any_step_reruns_to_one_clean_run(shared, tmp_path, step, nth):
    with FakeBluesky(shared) as fake:
        clean = tmp_path / "clean"
        run(clean, fake, FakeClock(START), "clean")
        clean_threads = len(fake.requests_to("getPostThread"))
        fake.served.clear()
        killed = tmp_path / "killed"
        with pytest.raises(Killed):
            run(killed, fake, FakeClock(START), "r1", checkpoint=kill_at(step, nth))
        assert run(killed, fake, FakeClock(START), "r2").status == "complete"
        assert len(fake.requests_to("getPostThread")) == clean_threads  # none read twice
    # Same rows; raw_file_id aside: the rerun's one-post probe of a feed it had swept
    # re-serves that post, so the post's latest raw file is the probe page.
    same = ("raw_file_id",)
    assert canonical(killed / "rapport.duckdb", same) == canonical(clean / "rapport.duckdb", same)
    pending = query(
        killed / "rapport.duckdb", "SELECT count(*) FROM ops.network_pages WHERE applied_at IS NULL"
    )
    assert pending == [(0,)]
    assert not list((killed / "raw" / ".staging").rglob("*.json"))


# -------------------------------------------------------------------------- secrets


def test_the_mention_search_logs_in_and_no_secret_is_stored_or_printed(
    shared, tmp_path, monkeypatch, capsys
):
    monkeypatch.setenv("BLUESKY_APP_PASSWORD", PASSWORD)
    lines: list[str] = []
    with FakeBluesky(shared, password=PASSWORD) as fake:
        result = run(
            tmp_path, fake, FakeClock(START), "r1", login=(DRIL, PASSWORD), log=lines.append
        )
        jwt = fake.access_jwt
        with pytest.raises(BlueskyRefused) as refused:
            run(tmp_path / "bad", fake, FakeClock(START), "r2", login=(DRIL, PASSWORD[::-1]))
    assert result.status == "complete"
    assert fake.requests_to("searchPosts") and jwt
    sources = query(
        tmp_path / "rapport.duckdb", "SELECT DISTINCT source FROM ops.inbound_sources ORDER BY 1"
    )
    assert sources == [("mentions",), ("replies",)]
    mentioned = {p["uri"] for p in fake.mentions[DRIL]}
    assert mentioned <= canonical_posts(tmp_path)
    secrets = [PASSWORD, PASSWORD[::-1], jwt]
    texts = stored_texts(tmp_path)
    texts += lines + [str(refused.value), capsys.readouterr().out]
    assert texts and not [s for s in secrets for t in texts if s in t]
    assert "refused the login" in str(refused.value)
    assert os.environ["BLUESKY_APP_PASSWORD"] == PASSWORD


# ---------------------------------------------------------- the CLI, Dagster, config

AUDITS = """clients:
  - name: acme
    brands: [{platform: bluesky, handle: dril.bsky.social}]
    competitors: [{platform: bluesky, handle: nobody.example}]
"""


@pytest.fixture
def workspace(tmp_path, monkeypatch):
    """audits.yaml and networks.yaml pointing at the fake (real clock: the window and
    backfill reach back to the recordings)."""
    return lambda fake: point_at(
        monkeypatch,
        tmp_path,
        AUDITS,
        f"bluesky:\n  appview_url: {fake.url}\n  pds_url: {fake.url}\n"
        "  backfill_days: 3650\n  thread_window_days: 3650\n  backoff_initial_s: 0\n",
    )


def test_rapport_ingest_bluesky_prints_each_account_and_exits_3_on_a_skip(
    shared, workspace, capsys
):
    from pipelines.cli import main

    with FakeBluesky(shared) as fake:
        wh = workspace(fake)
        code = main(["ingest", "bluesky"])
    out = capsys.readouterr().out
    assert code == 3
    assert f"{DRIL} posts: 5 new posts read in 1 page(s), 1 request(s)" in out
    assert f"{DRIL} threads: 5 read (1 replies)" in out
    assert "nobody.example: skipped (not_found" in out
    assert "1 account(s) skipped" in out
    assert len(canonical_posts(wh)) >= 6


def test_the_dagster_asset_materializes_with_run_metadata(shared, workspace):
    import dagster as dg

    from pipelines.config.settings import load_settings
    from pipelines.defs.assets.network_ingest import bluesky_ingest_asset
    from pipelines.defs.resources import build_resources

    with FakeBluesky(shared) as fake:
        workspace(fake)
        result = dg.materialize([bluesky_ingest_asset], resources=build_resources(load_settings()))
    assert result.success
    (event,) = result.get_asset_materialization_events()
    meta = event.materialization.metadata
    # five of its own, and the one reply in its threads
    assert meta["posts_read"].value == 6 and meta["accounts_skipped"].value == 1
    assert meta["threads_read"].value == 5 and meta["status"].value == "partial"


@pytest.mark.parametrize(
    "text, message",
    [
        ("bluesky:\n  page_size: 500\n", ":2: bluesky.page_size must be between 0 and 100"),
        ("bluesky:\n  thread_windw_days: 7\n", ":2: unknown setting bluesky.thread_windw_days"),
        ("mastodon:\n  max_attempts: two\n", ":2: mastodon.max_attempts must be a number"),
        ("threads: {}\n", ":1: unknown section 'threads'"),
        ("bluesky:\n  appview_url: ftp://x\n", ":2: bluesky.appview_url must be an http(s) URL"),
    ],
)
def test_a_malformed_networks_file_is_refused_with_its_line(tmp_path, text, message):
    from pipelines.config.networks import NetworksConfigError, load_network_config

    path = tmp_path / "networks.yaml"
    path.write_text(text)
    network = "mastodon" if text.startswith("mastodon") else "bluesky"
    with pytest.raises(NetworksConfigError) as refused:
        load_network_config(network, path)
    assert str(refused.value).startswith(f"{path}{message}")


def test_the_defaults_without_a_networks_file(tmp_path):
    from pipelines.config.networks import load_network_config

    config = load_network_config("bluesky", tmp_path / "none.yaml")
    assert config.appview_url == "https://public.api.bsky.app"
    assert (config.thread_window_days, config.max_threads_per_account) == (7, 50)
    assert config.thread_refresh_hours == 24 and config.page_limit("bluesky") == 100
    assert load_network_config("mastodon", tmp_path / "none.yaml").page_limit("mastodon") == 40
