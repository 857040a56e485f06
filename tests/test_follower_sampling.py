"""Live follower sampling (issue 17) through the real client libraries (tweepy, the
atproto SDK, Mastodon.py) over real HTTP to the local fakes, which serve the real
recorded follower lists of ../shared/data: a sample lands its pages raw and loads
whole; a week later only the new followers are read and the rest carried forward; the
X sample never passes its budget; a recent sample is not taken again; a Mastodon
account hiding its followers is recorded as hidden; a run that fails mid-sample leaves
no sample and the next one completes it; no secret is stored or printed. A Bluesky
sample asks getProfiles for each page's followers (25 at most a request) so its
followers have their counts."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from pipelines.canonical.imports import page_loader
from pipelines.canonical.tables import connect
from pipelines.config.networks import NetworkConfig
from pipelines.defs.assets.followers import sample_store
from pipelines.sources.bluesky.followers import bluesky_follower_sampler
from pipelines.sources.bluesky.ingest import SOURCE as BLUESKY_SOURCE
from pipelines.sources.follower_sampling import SamplingResult
from pipelines.sources.mastodon.followers import mastodon_follower_sampler
from pipelines.sources.mastodon.ingest import SOURCE as MASTODON_SOURCE
from pipelines.sources.x_api.config import XIngestConfig
from pipelines.sources.x_api.followers import x_follower_sampler
from pipelines.sources.x_api.ingest import SOURCE as X_SOURCE
from tests.conftest import shared_file
from tests.fake_networks import FakeBluesky, FakeMastodon, Fault, point_at
from tests.fake_x_api import FakeClock, FakeXApi, World
from tests.x_helpers import Killed, cells_holding, files_holding, kill_at, query

TOKEN = "rapport-sentinel-follower-token-3e7a91"
TWITTER = "Twitter"  # the account tweepy recorded the followers of (id 783214)
START = datetime(2026, 11, 2, 6, tzinfo=UTC)
WEEK = timedelta(days=7, minutes=1)


def samples(root: Path) -> list[tuple]:
    return query(
        root / "rapport.duckdb",
        "SELECT platform, account_id, sampled_at, requested, sampled, read_new, "
        "stopped_by, incremental, hidden FROM canonical.follower_samples ORDER BY sampled_at",
    )


def sampled(root: Path, at: datetime) -> list[str]:
    rows = query(
        root / "rapport.duckdb",
        "SELECT follower_id FROM canonical.sampled_followers WHERE sampled_at = ? "
        "ORDER BY position",
        [at],
    )
    return [r[0] for r in rows]


def landed(root: Path, source: str) -> list[Path]:
    """The pages landed in raw/<source>/ (not their sidecars)."""
    return [p for p in (root / "raw" / source).glob("*/*.json") if ".meta" not in p.name]


def served_users(api: FakeXApi, mark: int = 0) -> list[str]:
    return [u for s in api.served[mark:] if s.path.endswith("/followers") for u in s.user_ids]


# --------------------------------------------------------------------------- X


@pytest.fixture(scope="module")
def cassettes() -> Path:
    return shared_file("x_api_v2/tweepy_cassettes/v2/test_client_get_users_followers.yaml").parent


def x_config(**changes) -> XIngestConfig:
    base = XIngestConfig(
        follower_sample_size=100, follower_page_size=40, max_attempts=3, backoff_initial_s=1
    )
    return replace(base, **changes)


def run_x(root: Path, api: FakeXApi, clock: FakeClock, run_id: str, config=None, **kw):
    con = connect(root / "rapport.duckdb")
    try:
        force = kw.pop("force", False)
        sampler = x_follower_sampler(
            con,
            root / "raw",
            sample_store(con, root / "raw"),
            TOKEN,
            api.url,
            config or x_config(),
            run_id,
            clock=clock,
            sleep=clock.sleep,
            log=kw.pop("log", lambda line: None),
            load_page=page_loader(con, root / "raw", X_SOURCE),
            **kw,
        )
        return sampler.run([TWITTER], force=force)
    finally:
        con.close()


@pytest.fixture(scope="module")
def x_runs(cassettes, tmp_path_factory):
    """A first sample, then a week later after 3 new followers, then 2 days later."""
    root = tmp_path_factory.mktemp("x_followers")
    clock = FakeClock(START)
    world = World.from_cassettes(cassettes)
    recorded = list(world.followers["783214"])
    out: dict = {"root": root, "recorded": recorded}
    lines: list[str] = []
    with FakeXApi(world, TOKEN, clock) as api:
        out["first"] = run_x(root, api, clock, "first", log=lines.append)
        out["first_at"], out["first_served"] = START, served_users(api)
        out["first_requests"] = list(api.requests_to("/followers"))
        clock.now += WEEK
        out["second_at"] = clock.now
        out["new"] = [world.add_follower("783214", f"newfan{i}") for i in range(3)][::-1]
        mark = len(api.served)
        out["second"] = run_x(root, api, clock, "second", log=lines.append)
        out["second_served"] = served_users(api, mark)
        out["second_requests"] = [s for s in api.served[mark:] if s.path.endswith("/followers")]
        clock.now += timedelta(days=2)
        mark = len(api.served)
        out["third"] = run_x(root, api, clock, "third", log=lines.append)
        out["third_requests"] = [s for s in api.served[mark:] if s.path.endswith("/followers")]
    out["lines"] = lines
    return out


def test_a_first_x_sample_within_budget_lands_raw_and_loads(x_runs):
    root, recorded = x_runs["root"], x_runs["recorded"]
    first: SamplingResult = x_runs["first"]
    assert first.status == "complete" and first.samples == 1
    assert x_runs["first_served"] == recorded  # each follower once, newest first
    assert [s.params["max_results"] for s in x_runs["first_requests"]] == ["40", "40", "20"]
    assert "url" in x_runs["first_requests"][0].params["user.fields"]
    (row, *_) = samples(root)
    assert row[:2] == ("x", "783214") and row[3:] == (100, 100, 100, "size", False, False)
    assert sampled(root, x_runs["first_at"]) == recorded
    pages = {p.stem: p for p in landed(root, "x-followers")}
    first_pages = query(
        root / "rapport.duckdb",
        "SELECT DISTINCT raw_file_id FROM canonical.sampled_followers WHERE sampled_at = ?",
        [x_runs["first_at"]],
    )
    assert len(first_pages) == 3 and {r[0] for r in first_pages} <= set(pages)
    # each page byte for byte as X sent it
    sent = {s.body for s in x_runs["first_requests"]}
    assert {pages[r[0]].read_bytes() for r in first_pages} == sent
    usage = query(
        root / "rapport.duckdb",
        "SELECT users_read, users_charged, estimated_cost_usd FROM ops.api_usage "
        "WHERE run_id = 'first' AND endpoint = 'followers'",
    )
    assert usage == [(100, 100, Decimal("1.000000"))]
    assert any("stopped_by size" in line for line in x_runs["lines"])


def test_a_week_later_only_the_new_followers_are_read_and_the_rest_carried(x_runs):
    root, recorded, new = x_runs["root"], x_runs["recorded"], x_runs["new"]
    # One small page: the 3 new followers and the first 2 of the last sample's.
    assert [s.params["max_results"] for s in x_runs["second_requests"]] == ["5"]
    assert x_runs["second_served"] == new + recorded[:2]
    second = samples(root)[1]
    assert second[3:] == (100, 100, 5, "known", True, False)
    assert sampled(root, x_runs["second_at"]) == new + recorded[:97]
    observed = dict(
        query(
            root / "rapport.duckdb",
            "SELECT follower_id, observed_at FROM canonical.sampled_followers WHERE sampled_at = ?",
            [x_runs["second_at"]],
        )
    )
    assert observed[new[0]] >= x_runs["second_at"]
    assert observed[recorded[50]] < x_runs["second_at"]  # carried, as observed then


def test_a_sample_younger_than_refresh_days_is_skipped(x_runs):
    assert x_runs["third_requests"] == []
    assert x_runs["third"].samples == 0 and x_runs["third"].status == "complete"
    (line,) = [ln for ln in x_runs["third"].lines if "followers" in ln]
    assert "younger than follower_refresh_days (7)" in line and "skipped" in line
    assert len(samples(x_runs["root"])) == 2


def test_no_token_is_stored_or_printed(x_runs):
    root = x_runs["root"]
    assert files_holding(root, [TOKEN]) == []
    assert cells_holding(root / "rapport.duckdb", [TOKEN]) == []
    assert not [line for line in x_runs["lines"] if TOKEN in line]


def test_a_budget_smaller_than_a_sample_stops_it_and_is_never_passed(cassettes, tmp_path):
    clock = FakeClock(START)
    budget = Decimal("0.255")  # room for 25 user objects at $0.010
    config = x_config(follower_page_size=10, max_follower_cost_per_audit_usd=float(budget))
    lines: list[str] = []
    with FakeXApi(World.from_cassettes(cassettes), TOKEN, clock) as api:
        result = run_x(tmp_path, api, clock, "r1", config, log=lines.append)
        served = served_users(api)
        asked = [s.params["max_results"] for s in api.requests_to("/followers")]
    assert asked == ["10", "10", "5"]  # the last page sized to the room left
    assert len(served) * Decimal("0.010") <= budget
    assert len(served) == 25
    (row,) = samples(tmp_path)
    assert row[3:7] == (100, 25, 25, "budget")
    (line,) = [ln for ln in result.lines if "followers:" in ln]
    assert "stopped_by budget" in line and "$0.25 of the $0.26 per-audit budget" in line
    assert any("stopped_by budget" in line for line in lines)
    spent = query(
        tmp_path / "rapport.duckdb",
        "SELECT sum(estimated_cost_usd) FROM ops.api_usage WHERE endpoint = 'followers'",
    )
    assert spent[0][0] <= budget


def test_a_rate_limited_followers_page_is_waited_out(cassettes, tmp_path):
    clock = FakeClock(START)
    with FakeXApi(World.from_cassettes(cassettes), TOKEN, clock) as api:
        api.fault("429", path="/followers", query="pagination_token", reset_in=60)
        result = run_x(tmp_path, api, clock, "r1")
    assert result.status == "complete"
    assert clock.slept == [61]  # until x-rate-limit-reset, and its second
    assert samples(tmp_path)[0][3:7] == (100, 100, 100, "size")


@pytest.mark.parametrize(
    "text, message",
    [
        ("follower_page_size: 2000\n", ":1: follower_page_size must be between 1 and 1000"),
        ("follower_sample_size: 0\n", ":1: follower_sample_size must be at least 1"),
        ("max_follower_cost_per_audit_usd: -1\n", ":1: max_follower_cost_per_audit_usd must not"),
    ],
)
def test_a_bad_follower_setting_in_x_ingest_yaml_is_refused(tmp_path, text, message):
    from pipelines.sources.x_api.config import XConfigError, load_x_config

    path = tmp_path / "x_ingest.yaml"
    path.write_text(text)
    with pytest.raises(XConfigError, match=message):
        load_x_config(path)


def test_a_mastodon_follower_page_over_80_is_refused(tmp_path):
    from pipelines.config.networks import NetworksConfigError, load_network_config

    path = tmp_path / "networks.yaml"
    path.write_text("mastodon:\n  follower_page_size: 100\n")
    with pytest.raises(NetworksConfigError, match="follower_page_size must be between 0 and 80"):
        load_network_config("mastodon", path)
    assert (
        load_network_config("bluesky", tmp_path / "none.yaml").follower_page_limit("bluesky") == 100
    )


def test_a_run_failing_mid_sample_leaves_no_sample_and_the_next_completes(cassettes, tmp_path):
    clock = FakeClock(START)
    world = World.from_cassettes(cassettes)
    with FakeXApi(world, TOKEN, clock) as api:
        # The second page fails past max_attempts (3): the run stops resumably.
        api.fault("503", path="/followers", query="pagination_token", times=3)
        stopped = run_x(tmp_path, api, clock, "r1")
        assert stopped.status == "stopped" and stopped.stopped_by == "unavailable"
        assert samples(tmp_path) == []
        assert len(landed(tmp_path, "x-followers")) == 1
        done = run_x(tmp_path, api, clock, "r2")
    assert done.status == "complete"
    (row,) = samples(tmp_path)
    assert row[3:7] == (100, 100, 100, "size")
    assert sampled(tmp_path, row[2]) == world.followers["783214"]
    status = query(
        tmp_path / "rapport.duckdb", "SELECT run_id, status FROM ops.api_runs ORDER BY 1"
    )
    assert status == [("r1", "stopped"), ("r2", "complete")]


def test_rapport_ingest_followers_on_x_prints_its_spend_and_never_the_token(
    cassettes, tmp_path, monkeypatch, capsys
):
    from pipelines.cli import main

    audits = "clients:\n  - name: acme\n    brands: [{platform: x, handle: Twitter}]\n"
    wh = point_at(monkeypatch, tmp_path, audits, "")
    (tmp_path / "x.yaml").write_text(
        "follower_sample_size: 60\nfollower_page_size: 50\nmax_follower_cost_per_audit_usd: 0.5\n"
    )
    with FakeXApi(World.from_cassettes(cassettes), TOKEN) as api:
        for name, value in {
            "X_BEARER_TOKEN": TOKEN,
            "RAPPORT_X_API_URL": api.url,
            "RAPPORT_X_CONFIG": str(tmp_path / "x.yaml"),
        }.items():
            monkeypatch.setenv(name, value)
        code = main(["ingest", "followers", "--network", "x"])
        asked = [s.params["max_results"] for s in api.requests_to("/followers")]
    out = capsys.readouterr()
    assert code == 0 and asked == ["50"]  # $0.50: 50 users, the budget's whole room
    assert "X follower samples of 1 account(s), 60 a sample, at most $0.50 each" in out.out
    assert "stopped_by budget: the budget allowed no more: $0.50 of the $0.50" in out.out
    assert "1 sample(s), 50 followers read" in out.out and "estimated $0.510" in out.out
    assert TOKEN not in out.out + out.err
    assert files_holding(wh, [TOKEN]) == []
    assert samples(wh)[0][3:7] == (60, 50, 50, "budget")


def test_the_x_asset_is_skipped_without_a_token(tmp_path, monkeypatch):
    import dagster as dg

    from pipelines.config.settings import load_settings
    from pipelines.defs.assets.followers import x_followers
    from pipelines.defs.resources import build_resources, x_api_resource

    audits = "clients:\n  - name: acme\n    brands: [{platform: x, handle: Twitter}]\n"
    point_at(monkeypatch, tmp_path, audits, "")
    monkeypatch.delenv("X_BEARER_TOKEN", raising=False)
    resources = {**build_resources(load_settings()), "x_api": x_api_resource()}
    result = dg.materialize([x_followers], resources=resources)
    assert result.success
    (event,) = result.get_asset_materialization_events()
    assert event.materialization.metadata["skipped"].value == "X_BEARER_TOKEN not set"


# --------------------------------------------------------------------- Bluesky

ATPROTO = "atproto.com"  # the recorded getFollows' subject, served its followers


@pytest.fixture(scope="module")
def bluesky_shared() -> Path:
    return shared_file("bluesky/feeds/follows.json").parent.parent


def bluesky_run(root: Path, fake: FakeBluesky, clock: FakeClock, run_id: str, **changes):
    checkpoint = changes.pop("checkpoint", lambda where: None)
    config = NetworkConfig(
        appview_url=fake.url,
        pds_url=fake.url,
        follower_sample_size=15,
        follower_page_size=10,
        max_attempts=3,
        backoff_initial_s=1,
    )
    con = connect(root / "rapport.duckdb")
    try:
        sampler = bluesky_follower_sampler(
            con,
            root / "raw",
            sample_store(con, root / "raw"),
            replace(config, **changes),
            run_id,
            clock=clock,
            sleep=clock.sleep,
            log=lambda line: None,
            load_page=page_loader(con, root / "raw", BLUESKY_SOURCE),
            checkpoint=checkpoint,
        )
        return sampler.run([ATPROTO])
    finally:
        con.close()


def profiles_of(root: Path, at: datetime) -> dict[str, tuple]:
    """follower_id -> (followers, following, posts, observed_at) in the sample at `at`."""
    rows = query(
        root / "rapport.duckdb",
        "SELECT follower_id, followers_count, following_count, post_count, observed_at "
        "FROM canonical.sampled_followers WHERE sampled_at = ?",
        [at],
    )
    return {r[0]: r[1:] for r in rows}


def fake_counts(fake: FakeBluesky, did: str) -> tuple:
    view = fake.detailed(did)
    assert view is not None
    return view["followersCount"], view["followsCount"], view["postsCount"]


def test_bluesky_samples_read_newest_first_and_then_only_the_new(bluesky_shared, tmp_path):
    clock = FakeClock(START)
    with FakeBluesky(bluesky_shared) as fake:
        did = fake.profiles[ATPROTO]["did"]
        recorded = [v["did"] for v in fake.followers[did]]
        first = bluesky_run(tmp_path, fake, clock, "r1")
        limits = [s.query["limit"] for s in fake.requests_to("getFollowers")]
        asked = [s.query.lists["actors"] for s in fake.requests_to("getProfiles")]
        clock.now += WEEK
        new = [fake.add_follower(ATPROTO, f"fan{i}.bsky.social") for i in range(2)][::-1]
        mark = len(fake.served)
        second = bluesky_run(tmp_path, fake, clock, "r2")
        later = [s for s in fake.served[mark:] if "getFollowers" in s.path]
        later_asked = [
            s.query.lists["actors"] for s in fake.served[mark:] if "getProfiles" in s.path
        ]
        counts = {d: fake_counts(fake, d) for d in new + recorded}
    assert first.status == second.status == "complete"
    assert limits == ["10", "5"]
    # each getFollowers page's followers, detailed right after it
    assert asked == [recorded[:10], recorded[10:15]]
    assert [s.query["limit"] for s in later] == ["5"]
    assert [i for s in later for i in s.post_ids] == new + recorded[:3]
    assert later_asked == [new + recorded[:3]]
    rows = samples(tmp_path)
    assert [r[3:8] for r in rows] == [(15, 15, 15, "size", False), (15, 15, 5, "known", True)]
    assert sampled(tmp_path, rows[0][2]) == recorded[:15]
    assert sampled(tmp_path, rows[1][2]) == new + recorded[:13]
    assert len(landed(tmp_path, "bluesky-followers")) == 3 + 3  # getFollowers, getProfiles
    # every follower has its counts: read now, or carried with the profile observed then
    first_profiles, second_profiles = (
        profiles_of(tmp_path, START),
        profiles_of(tmp_path, rows[1][2]),
    )
    assert {d: p[:3] for d, p in first_profiles.items()} == {d: counts[d] for d in recorded[:15]}
    assert {d: p[:3] for d, p in second_profiles.items()} == {
        d: counts[d] for d in new + recorded[:13]
    }
    for d in recorded[3:13]:
        assert second_profiles[d] == first_profiles[d] and second_profiles[d][3] < rows[1][2]
    assert all(second_profiles[d][3] >= rows[1][2] for d in new + recorded[:3])


def test_getprofiles_is_asked_at_most_25_actors_a_request(bluesky_shared, tmp_path):
    clock = FakeClock(START)
    with FakeBluesky(bluesky_shared) as fake:
        for i in range(40):
            fake.add_follower(ATPROTO, f"fan{i}.bsky.social")
        listed = [v["did"] for v in fake.followers[fake.profiles[ATPROTO]["did"]]]
        result = bluesky_run(
            tmp_path, fake, clock, "r1", follower_sample_size=60, follower_page_size=60
        )
        asked = [s.query.lists["actors"] for s in fake.requests_to("getProfiles")]
        over = httpx.get(
            f"{fake.url}/xrpc/app.bsky.actor.getProfiles", params={"actors": listed[:26]}
        )
        counts = {d: fake_counts(fake, d) for d in listed}
    assert result.status == "complete"
    assert [len(a) for a in asked] == [25, 25, 10]  # one getFollowers page of 60
    assert [d for a in asked for d in a] == listed[:60]
    assert over.status_code == 400 and "more than 25" in over.text  # as the AppView says
    (row,) = samples(tmp_path)
    assert row[3:7] == (60, 60, 60, "size")
    got = profiles_of(tmp_path, row[2])
    assert {d: p[:3] for d, p in got.items()} == {d: counts[d] for d in listed[:60]}
    # the getFollowers page and its three getProfiles pages, landed raw
    pages = [json.loads(p.read_bytes()) for p in landed(tmp_path, "bluesky-followers")]
    assert sorted(len(p.get("profiles", [])) for p in pages) == [0, 10, 25, 25]
    assert all(
        {"followersCount", "followsCount", "postsCount", "associated"} <= set(v)
        for p in pages
        for v in p.get("profiles", [])
    )


def test_a_getprofiles_failure_stops_the_run_with_no_sample_and_the_next_completes(
    bluesky_shared, tmp_path
):
    clock = FakeClock(START)
    with FakeBluesky(bluesky_shared) as fake:
        fake.faults += [Fault("getProfiles", 503) for _ in range(3)]  # max_attempts 3
        stopped = bluesky_run(tmp_path, fake, clock, "r1")
        assert stopped.status == "stopped" and stopped.stopped_by == "unavailable"
        assert samples(tmp_path) == []
        assert len(landed(tmp_path, "bluesky-followers")) == 1  # the getFollowers page
        done = bluesky_run(tmp_path, fake, clock, "r2")
        recorded = [v["did"] for v in fake.followers[fake.profiles[ATPROTO]["did"]]]
        counts = {d: fake_counts(fake, d) for d in recorded}
    assert done.status == "complete"
    (row,) = samples(tmp_path)
    assert row[3:7] == (15, 15, 15, "size")
    got = profiles_of(tmp_path, row[2])
    assert {d: p[:3] for d, p in got.items()} == {d: counts[d] for d in recorded[:15]}


# Pages land getFollowers, getProfiles, getFollowers, getProfiles: killed after the
# first follower page, after its profiles, after the second follower page, after its
# profiles (the last page: the sample file is all that is left to write).
@pytest.mark.parametrize("nth", [1, 2, 3, 4])
def test_a_run_killed_mid_sample_leaves_only_pages_and_the_rerun_samples(
    bluesky_shared, tmp_path, nth
):
    clock = FakeClock(START)
    with FakeBluesky(bluesky_shared) as fake:
        with pytest.raises(Killed):
            bluesky_run(tmp_path, fake, clock, "r1", checkpoint=kill_at("landed", nth))
        assert samples(tmp_path) == []  # only pages: no partial sample
        assert len(landed(tmp_path, "bluesky-followers")) == nth
        assert len(fake.requests_to("getProfiles")) == nth // 2
        run = query(tmp_path / "rapport.duckdb", "SELECT status FROM ops.network_runs")
        assert run == [("failed",)]
        assert bluesky_run(tmp_path, fake, clock, "r2").status == "complete"
        recorded = [v["did"] for v in fake.followers[fake.profiles[ATPROTO]["did"]]]
        counts = {d: fake_counts(fake, d) for d in recorded}
    (row,) = samples(tmp_path)
    assert row[3:7] == (15, 15, 15, "size")
    assert sampled(tmp_path, row[2]) == recorded[:15]
    got = profiles_of(tmp_path, row[2])
    assert {d: p[:3] for d, p in got.items()} == {d: counts[d] for d in recorded[:15]}
    assert len(landed(tmp_path, "bluesky-followers")) == 4  # a page with the same bytes lands once


def test_the_dagster_asset_samples_with_run_metadata(bluesky_shared, tmp_path, monkeypatch):
    import dagster as dg

    from pipelines.config.settings import load_settings
    from pipelines.defs.assets.followers import bluesky_followers
    from pipelines.defs.resources import build_resources

    audits = f"clients:\n  - name: acme\n    brands: [{{platform: bluesky, handle: {ATPROTO}}}]\n"
    with FakeBluesky(bluesky_shared) as fake:
        networks = f"bluesky:\n  appview_url: {fake.url}\n  follower_sample_size: 12\n"
        wh = point_at(monkeypatch, tmp_path, audits, networks)
        result = dg.materialize([bluesky_followers], resources=build_resources(load_settings()))
    assert result.success
    (event,) = result.get_asset_materialization_events()
    meta = event.materialization.metadata
    assert (meta["samples"].value, meta["followers_read"].value) == (1, 12)
    assert meta["status"].value == "complete"
    assert samples(wh)[0][3:7] == (12, 12, 12, "size")


# -------------------------------------------------------------------- Mastodon

HANDLE = "schochastics@fosstodon.org"
MASTODON_START = datetime(2025, 7, 17, 14, tzinfo=UTC)


@pytest.fixture(scope="module")
def mastodon_shared() -> Path:
    return shared_file("mastodon/get_account_followers_default.yml").parent


def mastodon_run(root: Path, fake: FakeMastodon, clock: FakeClock, run_id: str, **changes):
    config = NetworkConfig(
        instance_urls={FakeMastodon.INSTANCE: fake.url},
        follower_sample_size=3,
        follower_page_size=2,
        max_attempts=3,
        backoff_initial_s=1,
    )
    con = connect(root / "rapport.duckdb")
    try:
        sampler = mastodon_follower_sampler(
            con,
            root / "raw",
            sample_store(con, root / "raw"),
            replace(config, **changes),
            run_id,
            clock=clock,
            sleep=clock.sleep,
            log=lambda line: None,
            load_page=page_loader(con, root / "raw", MASTODON_SOURCE),
        )
        return sampler.run([HANDLE])
    finally:
        con.close()


def test_mastodon_samples_page_by_the_link_header_and_then_read_only_the_new(
    mastodon_shared, tmp_path
):
    clock = FakeClock(MASTODON_START)
    with FakeMastodon(mastodon_shared, clock) as fake:
        account = fake.accounts["schochastics"]["id"]
        recorded = [f"fosstodon.org:{f['id']}" for _, f in fake.followers[account]]
        first = mastodon_run(tmp_path, fake, clock, "r1")
        asked = [s.query for s in fake.requests_to("/followers")]
        clock.now += WEEK
        new = f"fosstodon.org:{fake.add_follower('schochastics', 'newfan')}"
        mark = len(fake.served)
        second = mastodon_run(tmp_path, fake, clock, "r2", follower_sample_size=4)
        later = [s.query for s in fake.served[mark:] if s.path.endswith("/followers")]
    assert first.status == second.status == "complete"
    last_follow = fake.followers[account][2][0]  # the second page: below the first's last
    assert asked == [{"limit": "2"}, {"limit": "1", "max_id": str(last_follow)}]
    rows = samples(tmp_path)
    assert rows[0][3:8] == (3, 3, 3, "size", False)
    assert sampled(tmp_path, rows[0][2]) == recorded
    assert later == [{"limit": "2"}]  # probe: the new one and a known one
    assert rows[1][3:8] == (4, 4, 2, "known", True)
    assert sampled(tmp_path, rows[1][2]) == [new, *recorded]


@pytest.mark.parametrize("in_profile", [True, False])
def test_a_mastodon_account_hiding_its_followers_is_recorded_as_hidden(
    mastodon_shared, tmp_path, in_profile
):
    clock = FakeClock(MASTODON_START)
    with FakeMastodon(mastodon_shared, clock) as fake:
        fake.hide_collections("schochastics", in_profile=in_profile)
        result = mastodon_run(tmp_path, fake, clock, "r1")
        followers_requests = fake.requests_to("/followers")
    assert result.status == "complete" and result.samples == 1
    # The profile says so: nothing to ask. Or the list came back empty although the
    # profile counts followers (1036 in the recording): hidden too.
    assert len(followers_requests) == (0 if in_profile else 1)
    (row,) = samples(tmp_path)
    assert row[3:] == (3, 0, 0, "hidden", False, True)
    (line,) = [ln for ln in result.lines if "followers" in ln]
    assert "hidden" in line


# ------------------------------------------------------------ the CLI, Dagster


def test_rapport_ingest_followers_prints_progress_and_skips_a_recent_sample(
    mastodon_shared, tmp_path, monkeypatch, capsys
):
    from pipelines.cli import main

    audits = f"clients:\n  - name: acme\n    brands: [{{platform: mastodon, handle: {HANDLE}}}]\n"
    clock = FakeClock(MASTODON_START)
    with FakeMastodon(mastodon_shared, clock) as fake:
        networks = (
            f"mastodon:\n  instance_urls: {{fosstodon.org: {fake.url}}}\n"
            "  follower_page_size: 2\n  backoff_initial_s: 0\n"
        )
        wh = point_at(monkeypatch, tmp_path, audits, networks)
        monkeypatch.delenv("X_BEARER_TOKEN", raising=False)
        assert main(["ingest", "followers"]) == 0
        first = capsys.readouterr().out
        assert main(["ingest", "followers", "--network", "mastodon"]) == 0
        again = capsys.readouterr().out
        assert main(["ingest", "followers", "--network", "mastodon", "--force"]) == 0
        forced = capsys.readouterr().out
    assert "page 1: 2 (2 of 1000 read)" in first
    assert f"{HANDLE} followers: 3 new of 3 read in 2 page(s)" in first
    assert "stopped_by end" in first and "1 sample(s), 3 followers read" in first
    assert "younger than follower_refresh_days (7)" in again and "0 sample(s)" in again
    assert "1 sample(s)" in forced
    assert len(samples(wh)) == 2


def test_the_weekly_job_and_schedule_run_the_follower_assets():
    from pipelines.definitions import defs

    job = defs.resolve_job_def("follower_samples")
    keys = {k.to_user_string() for k in job.asset_layer.executable_asset_keys}
    assert keys == {"ingest/x_followers", "ingest/bluesky_followers", "ingest/mastodon_followers"}
    schedule = defs.resolve_schedule_def("follower_samples_schedule")
    assert schedule.cron_schedule == "0 5 * * 1" and schedule.job_name == "follower_samples"
    daily = defs.resolve_job_def("daily_refresh")
    assert not keys & {k.to_user_string() for k in daily.asset_layer.executable_asset_keys}
