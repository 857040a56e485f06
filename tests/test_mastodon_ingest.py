"""The live Mastodon ingest through Mastodon.py against a local fake instance serving
the R-vcr recordings of ../shared/data/mastodon: each status read once, reruns read
nothing again, a new status is read alone, the rate-limit headers are honoured and
5xx waited out, a missing account is recorded while the other loads, a run killed at
any step reruns to the warehouse of one clean run, and no secret is stored or printed."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from pipelines.config.networks import NetworkConfig
from pipelines.sources.live import NetworkResult
from pipelines.sources.mastodon.ingest import SOURCE, mastodon_ingest
from tests.conftest import shared_file
from tests.fake_networks import (
    FakeClock,
    FakeMastodon,
    Fault,
    canonical_posts,
    point_at,
    run_network,
    status_ids,
    stored_texts,
)
from tests.x_helpers import Killed, canonical, kill_at, query

HANDLE = "schochastics@fosstodon.org"
START = datetime(2025, 7, 17, 14, tzinfo=UTC)  # when the recordings were made
TOKEN = "rapport-sentinel-mastodon-token-8c2b9e1f0a7d"


@pytest.fixture(scope="module")
def shared() -> Path:
    return shared_file("mastodon/get_account_default.yml").parent


def settings(fake: FakeMastodon, **changes) -> NetworkConfig:
    base = NetworkConfig(
        instance_urls={FakeMastodon.INSTANCE: fake.url},
        backfill_days=730,
        thread_window_days=60,
        max_attempts=3,
        backoff_initial_s=1,
    )
    return replace(base, **changes)


def run(
    root: Path, fake, clock, run_id: str, handles=(HANDLE,), config=None, **kw
) -> NetworkResult:
    return run_network(
        mastodon_ingest, SOURCE, root, config or settings(fake), clock, run_id, handles, **kw
    )


def in_window(fake: FakeMastodon, days: int = 60) -> int:
    since = START - timedelta(days=days)
    return sum(
        1
        for statuses in fake.statuses.values()
        for s in statuses
        if not s.get("reblog")
        and datetime.fromisoformat(s["created_at"].replace("Z", "+00:00")) >= since
    )


# ------------------------------------------------------------------ incremental runs


@pytest.fixture(scope="module")
def runs(shared, tmp_path_factory):
    root = tmp_path_factory.mktemp("mastodon_runs")
    clock = FakeClock(START)
    out: dict = {"root": root}
    with FakeMastodon(shared, clock) as fake:
        out["recorded"] = [s["id"] for ss in fake.statuses.values() for s in ss]
        out["threads_due"] = min(50, in_window(fake))
        mark = 0
        for name in ("first", "second", "new"):
            if name == "new":
                out["new_id"] = fake.add_status("schochastics", "a new toot", clock.now)
            out[name] = run(root, fake, clock, f"run-{name}")
            out[f"{name}_served"] = fake.served[mark:]
            mark = len(fake.served)
            out[f"{name}_posts"] = canonical_posts(root)
            clock.now += timedelta(hours=1)
    return out


def test_the_first_run_reads_each_recorded_status_once(runs):
    served = status_ids(runs["first_served"])
    assert sorted(served) == sorted(runs["recorded"]) and len(served) == 100
    assert runs["first"].status == "complete" and runs["first"].exit_code == 0
    assert {f"fosstodon.org:{i}" for i in runs["recorded"]} <= runs["first_posts"]
    # 100 statuses in pages of 40 forward from min_id: 40, 40, 20 (short: the newest)
    pages = [s for s in runs["first_served"] if s.path.endswith("/statuses")]
    assert [len(s.post_ids) for s in pages] == [40, 40, 20]
    threads = [s.path for s in runs["first_served"] if s.path.endswith("/context")]
    assert len(threads) == len(set(threads)) == runs["threads_due"] > 0
    sources = query(
        runs["root"] / "rapport.duckdb",
        "SELECT platform, account_id, source FROM ops.inbound_sources",
    )
    assert sources == [("mastodon", "fosstodon.org:109302436954721982", "replies")]


def test_a_rerun_reads_no_status_again(runs):
    served = runs["second_served"]
    assert [s.path.rsplit("/", 1)[-1] for s in served] == ["statuses"]  # one ask, no lookup
    assert status_ids(served) == [] and runs["second"].totals["posts_read"] == 0
    assert runs["second_posts"] == runs["first_posts"]


def test_after_a_new_status_only_it_is_read(runs):
    new = runs["new_id"]
    assert status_ids(runs["new_served"]) == [new]
    assert runs["new"].totals["posts_read"] == 1
    assert runs["new_posts"] - runs["first_posts"] == {f"fosstodon.org:{new}"}
    threads = [s.path for s in runs["new_served"] if s.path.endswith("/context")]
    assert threads == [f"/api/v1/statuses/{new}/context"]


# ------------------------------------------------------------------------- faults


def test_a_429_is_waited_out_until_x_ratelimit_reset(shared, tmp_path):
    clock = FakeClock(START)
    with FakeMastodon(shared, clock) as fake:
        fake.rate_limited("/statuses", 120)
        fake.faults += [Fault("/context", 503), Fault("/context", 502)]
        result = run(tmp_path, fake, clock, "r1")
    assert result.status == "complete"
    assert clock.slept == [121, 1, 2]
    assert len(status_ids(fake.served)) == 100


def test_no_requests_remaining_waits_for_the_reset_before_the_next(shared, tmp_path):
    clock = FakeClock(START)
    with FakeMastodon(shared, clock) as fake:
        fake.remaining = 2  # the lookup leaves 1, the first statuses page 0
        result = run(tmp_path, fake, clock, "r1")
    assert result.status == "complete"
    assert clock.slept == [301]  # reset 5 minutes after the response, + the reset second


def test_a_rate_limit_past_the_wait_stops_resumably_and_the_rerun_finishes(shared, tmp_path):
    clock = FakeClock(START)
    with FakeMastodon(shared, clock) as fake:
        clean = tmp_path / "clean"
        run(clean, fake, FakeClock(START), "clean")
        fake.served.clear()
        fake.rate_limited("/context", 3600)
        stopped = run(tmp_path, fake, clock, "r1")
        assert stopped.status == "stopped" and stopped.exit_code == 3
        assert "rate limit" in stopped.stop_reason and clock.slept == []
        assert run(tmp_path, fake, clock, "r2").status == "complete"
        assert len(status_ids(fake.served)) == 100  # none served twice
    assert canonical(tmp_path / "rapport.duckdb") == canonical(clean / "rapport.duckdb")


def test_a_missing_account_is_recorded_and_the_other_loads(shared, tmp_path):
    with FakeMastodon(shared, FakeClock(START)) as fake:
        handles = ("nobody@fosstodon.org", "noinstance", HANDLE)
        result = run(tmp_path, fake, FakeClock(START), "r1", handles=handles)
    assert result.status == "partial" and result.exit_code == 3
    assert [s.split(":")[0] for s in result.skipped] == ["nobody@fosstodon.org", "noinstance"]
    rows = query(
        tmp_path / "rapport.duckdb",
        "SELECT handle, status, reason FROM ops.network_accounts ORDER BY handle",
    )
    assert rows[0][:2] == ("nobody@fosstodon.org", "not_found") and "404" in rows[0][2]
    assert rows[1][:2] == (HANDLE, "ok")
    assert len(canonical_posts(tmp_path)) >= 100


def test_a_suspended_account_is_skipped_and_hidden_collections_are_noted(shared, tmp_path):
    with FakeMastodon(shared, FakeClock(START)) as fake:
        (account,) = fake.accounts.values()
        hidden = {**account, "hide_collections": True}
        fake.accounts["hidden"] = {**hidden, "acct": "hidden"}
        fake.accounts["banned"] = {**account, "acct": "banned", "id": "1", "suspended": True}
        handles = ("banned@fosstodon.org", "hidden@fosstodon.org")
        result = run(tmp_path, fake, FakeClock(START), "r1", handles=handles)
    rows = query(
        tmp_path / "rapport.duckdb", "SELECT handle, status, reason FROM ops.network_accounts"
    )
    accounts = {handle: (status, reason) for handle, status, reason in rows}
    assert accounts["banned@fosstodon.org"][0] == "suspended"
    assert accounts["hidden@fosstodon.org"][0] == "ok"
    assert "hide_collections" in accounts["hidden@fosstodon.org"][1]
    assert result.skipped == [
        "banned@fosstodon.org: suspended: the instance says the account is suspended"
    ]
    assert len(status_ids(fake.served)) == 100  # the hidden account's statuses are public


# ---------------------------------------------------------------------------- kills


@pytest.mark.parametrize("step", ["staged", "landed", "loaded", "applied"])
@pytest.mark.parametrize("nth", [1, 4, 7])  # the profile, the last statuses page, the last thread
def test_a_run_killed_at_any_step_reruns_to_one_clean_run(shared, tmp_path, step, nth):
    clock = FakeClock(START)
    with FakeMastodon(shared, clock) as fake:
        clean = tmp_path / "clean"
        run(clean, fake, clock, "clean")
        clean_served = list(fake.served)
        fake.served.clear()
        killed = tmp_path / "killed"
        with pytest.raises(Killed):
            run(killed, fake, clock, "r1", checkpoint=kill_at(step, nth))
        assert run(killed, fake, clock, "r2").status == "complete"
        # nothing read twice: the same statuses and threads as the clean run, once each
        assert sorted(status_ids(fake.served)) == sorted(status_ids(clean_served))
        contexts = sorted(s.path for s in fake.served if s.path.endswith("/context"))
        assert contexts == sorted(s.path for s in clean_served if s.path.endswith("/context"))
    assert canonical(killed / "rapport.duckdb") == canonical(clean / "rapport.duckdb")
    pending = query(
        killed / "rapport.duckdb", "SELECT count(*) FROM ops.network_pages WHERE applied_at IS NULL"
    )
    assert pending == [(0,)]


# -------------------------------------------------------------------------- secrets


def test_no_token_is_stored_or_printed_and_it_goes_only_to_its_instance(
    shared, tmp_path, monkeypatch, capsys
):
    monkeypatch.setenv("MASTODON_ACCESS_TOKEN", TOKEN)
    lines: list[str] = []
    with FakeMastodon(shared, FakeClock(START)) as fake:
        config = settings(fake, token_instance=FakeMastodon.INSTANCE)
        result = run(
            tmp_path, fake, FakeClock(START), "r1", config=config, token=TOKEN, log=lines.append
        )
    assert result.status == "complete"
    sent = {s.headers.get("Authorization") for s in fake.served}
    assert sent == {f"Bearer {TOKEN}"}  # and the fake echoed it into every context page
    texts = stored_texts(tmp_path)
    assert any("[redacted MASTODON_ACCESS_TOKEN]" in t for t in texts)
    texts += lines + [capsys.readouterr().out]
    assert not [t for t in texts if TOKEN in t]


def test_without_token_instance_the_token_is_not_sent(shared, tmp_path, monkeypatch):
    monkeypatch.setenv("MASTODON_ACCESS_TOKEN", TOKEN)
    with FakeMastodon(shared, FakeClock(START)) as fake:
        run(tmp_path, fake, FakeClock(START), "r1", token=TOKEN)
    assert {s.headers.get("Authorization") for s in fake.served} == {None}


# ---------------------------------------------------------------- the CLI, Dagster

AUDITS = """clients:
  - name: acme
    brands: [{platform: mastodon, handle: schochastics@fosstodon.org}]
    competitors: [{platform: mastodon, handle: nobody@fosstodon.org}]
"""


@pytest.fixture
def workspace(tmp_path, monkeypatch):
    """audits.yaml and networks.yaml pointing at the fake (real clock)."""
    return lambda fake: point_at(
        monkeypatch,
        tmp_path,
        AUDITS,
        f"mastodon:\n  instance_urls: {{fosstodon.org: '{fake.url}'}}\n"
        "  backfill_days: 3650\n  thread_window_days: 0\n",
    )


def test_rapport_ingest_mastodon_prints_each_account_and_exits_3_on_a_skip(
    shared, workspace, capsys
):
    from pipelines.cli import main

    with FakeMastodon(shared, FakeClock(START)) as fake:
        wh = workspace(fake)
        code = main(["ingest", "mastodon"])
    out = capsys.readouterr().out
    assert code == 3
    assert f"{HANDLE} posts: 100 new posts read in 3 page(s), 3 request(s)" in out
    assert "nobody@fosstodon.org: skipped (not_found: 404" in out
    assert len(canonical_posts(wh)) >= 100


def test_the_dagster_asset_materializes_with_run_metadata(shared, workspace):
    import dagster as dg

    from pipelines.config.settings import load_settings
    from pipelines.defs.assets.network_ingest import mastodon_ingest_asset
    from pipelines.defs.resources import build_resources

    with FakeMastodon(shared, FakeClock(START)) as fake:
        workspace(fake)
        result = dg.materialize([mastodon_ingest_asset], resources=build_resources(load_settings()))
    assert result.success
    (event,) = result.get_asset_materialization_events()
    meta = event.materialization.metadata
    assert meta["posts_read"].value == 100 and meta["accounts_skipped"].value == 1
    assert meta["status"].value == "partial" and "nobody@fosstodon.org" in meta["skipped"].value
