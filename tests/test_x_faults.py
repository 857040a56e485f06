"""Faults against the local fake X API (real HTTP, injected sleeps): rate limits with
and without reset headers, 5xx, timeouts, cut and garbled bodies, errors beside partial
data, refused credentials, the budget, and runs killed at every step of a page. Every
stopped or killed run is followed by a rerun that must leave the warehouse exactly as
one clean run leaves it, having read each post once."""

from __future__ import annotations

from dataclasses import replace

import pytest

from pipelines.sources.x_api.config import XIngestConfig
from pipelines.sources.x_api.policy import XAccessError
from tests.fake_x_api import FakeXApi
from tests.x_helpers import (
    HANDLES,
    TOKEN,
    Killed,
    canonical,
    clock_at,
    demo_pages,
    kill_at,
    new_world,
    query,
    run_ingest,
)


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    return demo_pages(tmp_path_factory.mktemp("x_faults_pages"))


@pytest.fixture(scope="module")
def clean(pages, tmp_path_factory):
    """One clean run: what every interrupted-then-resumed run must end up as."""
    root = tmp_path_factory.mktemp("x_clean")
    clock = clock_at()
    with FakeXApi(new_world(pages), TOKEN, clock) as api:
        result = run_ingest(root, api, clock, "clean")
        served = list(api.served)
    assert result.status == "complete"
    return {
        "canonical": canonical(root / "rapport.duckdb"),
        "loose": canonical(root / "rapport.duckdb", exclude=("raw_file_id", "file_name")),
        "cost": result.totals["cost_usd"],
        "requests": len(served),
        "data_ids": sorted(i for s in served for i in s.data_ids),
    }


@pytest.fixture
def fake(pages):
    """A fresh world and fake API on a frozen clock, for one test."""
    clock = clock_at()
    with FakeXApi(new_world(pages), TOKEN, clock) as api:
        yield api, clock


def assert_like_clean(root, api, clean, exact: bool = True) -> None:
    """Same warehouse as a clean run, every post of every stream served exactly once.

    exact: byte-identical pages (nothing slept, so every page has the clean run's
    retrieval time). Otherwise the rows may differ only in raw_file_id, and the
    snapshots in when they were observed."""
    db = root / "rapport.duckdb"
    if exact:
        assert canonical(db) == clean["canonical"]
    else:
        got = canonical(db, exclude=("raw_file_id", "file_name"))
        want = clean["loose"]
        assert {t: got[t] for t in ("posts", "accounts", "rejects")} == {
            t: want[t] for t in ("posts", "accounts", "rejects")
        }
        assert {r[1] for r in got["account_snapshots"]} == {r[1] for r in want["account_snapshots"]}
    served = sorted(i for s in api.served for i in s.data_ids)
    assert served == clean["data_ids"], "a post was read twice or never"
    (cost,) = query(root / "rapport.duckdb", "SELECT sum(estimated_cost_usd) FROM ops.api_runs")[0]
    assert cost == clean["cost"]


def test_a_429_waits_until_the_reset_header(fake, tmp_path, clean):
    api, clock = fake
    api.fault("429", path="/tweets", reset_in=42)
    result = run_ingest(tmp_path, api, clock, "r1")
    assert result.status == "complete"
    assert clock.slept == [43]  # until the reset second has passed
    assert result.totals["requests"] == clean["requests"] + 1
    assert sorted(i for s in api.served for i in s.data_ids) == clean["data_ids"]


def test_a_429_without_reset_header_backs_off_exponentially(fake, tmp_path, clean):
    api, clock = fake
    api.fault("429", path="/mentions", times=3, reset_in=None)
    result = run_ingest(tmp_path, api, clock, "r1")
    assert result.status == "complete"
    assert clock.slept == [2, 4, 8]


def test_a_429_resetting_too_late_stops_and_the_next_run_resumes(fake, tmp_path, clean):
    api, clock = fake
    api.fault("429", path="/mentions", reset_in=3600)
    first = run_ingest(tmp_path, api, clock, "r1")
    assert (first.status, first.stopped_by) == ("stopped", "rate_limit")
    assert "resets in 60 min" in first.stop_reason and clock.slept == []
    second = run_ingest(tmp_path, api, clock, "r2")  # same frozen minute: no reset wait
    assert second.status == "complete"
    assert_like_clean(tmp_path, api, clean)


def test_5xx_and_timeouts_are_retried_with_capped_backoff(fake, tmp_path, clean):
    api, clock = fake
    api.fault("503", path="/users/by", times=2)
    api.fault("delay", path="/tweets", delay=1.0)
    config = replace(XIngestConfig(), request_timeout_s=0.3, backoff_max_s=3)
    result = run_ingest(tmp_path, api, clock, "r1", config=config)
    assert result.status == "complete"
    assert clock.slept == [2, 3, 2]  # 2, then 4 capped at 3; the timeout's first retry
    assert_like_clean(tmp_path, api, clean, exact=False)


def test_cut_and_garbled_bodies_are_retried_and_never_landed(fake, tmp_path, clean):
    api, clock = fake
    api.fault("truncate", path="/tweets")
    api.fault("garble", path="/mentions")
    result = run_ingest(tmp_path, api, clock, "r1")
    assert result.status == "complete" and len(clock.slept) == 2
    assert_like_clean(tmp_path, api, clean, exact=False)
    assert not query(tmp_path / "rapport.duckdb", "SELECT * FROM canonical.rejects")


def test_an_api_that_keeps_failing_stops_resumably(fake, tmp_path, clean):
    api, clock = fake
    api.fault("503", path="/mentions", times=5)
    first = run_ingest(tmp_path, api, clock, "r1")
    assert (first.status, first.stopped_by) == ("stopped", "unavailable")
    assert "failed 5 times" in first.stop_reason
    assert run_ingest(tmp_path, api, clock, "r2").status == "complete"
    assert_like_clean(tmp_path, api, clean, exact=False)
    failed = query(
        tmp_path / "rapport.duckdb",
        "SELECT handle, endpoint, requests, status FROM ops.api_usage WHERE run_id = 'r1' "
        "AND status = 'stopped'",
    )
    assert failed == [(HANDLES[0], "mentions", 5, "stopped")]


FORBIDDEN = {
    "title": "Client Forbidden",
    "reason": "client-not-enrolled",
    "type": "https://api.twitter.com/2/problems/client-forbidden",
}
NO_CREDITS = {"title": "CreditsDepleted", "detail": "Your account has no credits"}


@pytest.mark.parametrize(
    "status, body, cause",
    [
        (401, None, "X_BEARER_TOKEN is wrong"),
        (403, FORBIDDEN, "access tier"),
        (402, NO_CREDITS, "out of credits"),
    ],
)
def test_refused_credentials_stop_with_the_likely_cause(fake, tmp_path, status, body, cause):
    api, clock = fake
    token = TOKEN
    if status == 401:
        token = "not-the-token"
    else:
        api.fault("status", path="/tweets", status=status, body=body)
    with pytest.raises(XAccessError, match=cause):
        run_ingest(tmp_path, api, clock, "r1", token=token)
    (row,) = query(tmp_path / "rapport.duckdb", "SELECT status, stop_reason FROM ops.api_runs")
    assert row[0] == "failed" and cause in row[1]
    assert len(api.served) == (1 if status == 401 else 2)  # no retry of a refusal


def test_errors_beside_partial_data_are_recorded_and_the_others_go_on(fake, tmp_path):
    api, clock = fake
    world = api.world
    world.suspended.add("suspendedbrand")
    refused = world.user_by_handle("RivalCo")["id"]
    world.refused.add(refused)  # protected between the lookup and the read
    acme_posts = world.stream(world.user_by_handle("AcmeCo")["id"], "mentions")
    gone = next(r["id"] for i in acme_posts for r in world.tweets[i].get("referenced_tweets", []))
    world.deleted.add(gone)
    handles = [*HANDLES, "SuspendedBrand", "NoSuchBrand"]
    result = run_ingest(tmp_path, api, clock, "r1", handles=handles)
    assert result.status == "complete"
    db = tmp_path / "rapport.duckdb"
    statuses = dict(query(db, "SELECT handle, status FROM ops.x_accounts"))
    assert statuses == {
        **{h: "ok" for h in HANDLES if h != "RivalCo"},
        "RivalCo": "protected",
        "SuspendedBrand": "suspended",
        "NoSuchBrand": "not_found",
    }
    errors = dict(query(db, "SELECT handle, error FROM ops.x_accounts WHERE status <> 'ok'"))
    assert "suspended" in errors["SuspendedBrand"] and "Could not find" in errors["NoSuchBrand"]
    # every other account was read in full
    for handle in HANDLES:
        if handle == "RivalCo":
            continue
        user_id = world.user_by_handle(handle)["id"]
        for endpoint in ("tweets", "mentions"):
            assert set(api.data_ids(f"/{user_id}/{endpoint}")) == set(
                world.stream(user_id, endpoint)
            )
    reasons = [r[0] for r in query(db, "SELECT reason FROM canonical.rejects")]
    assert any(gone in r and "Could not find tweet" in r for r in reasons)
    assert any("not authorized" in r for r in reasons)
    assert any("Could not find user" in r for r in reasons)


def test_the_budget_stops_before_it_is_exceeded_and_the_rerun_resumes(fake, tmp_path, clean):
    api, clock = fake
    tight = replace(XIngestConfig(), max_cost_per_run_usd=2.0)
    first = run_ingest(tmp_path, api, clock, "r1", config=tight)
    assert (first.status, first.stopped_by) == ("stopped", "budget")
    assert 0 < first.totals["cost_usd"] <= 2
    in_progress = query(tmp_path / "rapport.duckdb", "SELECT count(*) FROM ops.x_sweeps")
    assert in_progress[0][0] > 0
    second = run_ingest(tmp_path, api, clock, "r2")
    assert second.status == "complete"
    assert_like_clean(tmp_path, api, clean)


def test_a_zero_budget_reads_nothing(fake, tmp_path):
    api, clock = fake
    result = run_ingest(
        tmp_path, api, clock, "r1", config=replace(XIngestConfig(), max_cost_per_run_usd=0)
    )
    assert result.stopped_by == "budget" and api.served == []


@pytest.mark.parametrize("step", ["staged", "landed", "loaded", "applied"])
@pytest.mark.parametrize("nth", [1, 3])
def test_a_run_killed_at_any_step_loses_nothing_and_the_rerun_equals_a_clean_run(
    fake, tmp_path, clean, step, nth
):
    api, clock = fake
    with pytest.raises(Killed):
        run_ingest(tmp_path, api, clock, "r1", checkpoint=kill_at(step, nth))
    landed = list((tmp_path / "raw" / "x-api").glob("*/*.jsonl"))
    staged = list((tmp_path / "raw" / ".staging" / "x-api").glob("*.jsonl"))
    assert (len(landed), len(staged)) == ((nth - 1, 1) if step == "staged" else (nth, 0))
    assert run_ingest(tmp_path, api, clock, "r2").status == "complete"
    assert_like_clean(tmp_path, api, clean)
    runs = dict(query(tmp_path / "rapport.duckdb", "SELECT run_id, status FROM ops.api_runs"))
    assert runs == {"r1": "interrupted", "r2": "complete"}


def test_an_expired_pagination_token_resumes_below_the_oldest_post_read(fake, tmp_path, clean):
    api, clock = fake
    # Stop after NorthwindCoffee's first timeline page (its timeline has two).
    tight = replace(XIngestConfig(), max_cost_per_run_usd=1.9)
    first = run_ingest(tmp_path, api, clock, "r1", config=tight)
    assert first.stopped_by == "budget"
    (token,) = query(tmp_path / "rapport.duckdb", "SELECT next_token FROM ops.x_sweeps")[0]
    api.fault(
        "status",
        query=f"pagination_token={token}",
        status=400,
        body={"title": "Invalid Request", "detail": "pagination_token expired"},
    )
    assert run_ingest(tmp_path, api, clock, "r2").status == "complete"
    resumed = [s for s in api.served if "until_id" in s.params]
    assert len(resumed) == 1
    assert sorted(i for s in api.served for i in s.data_ids) == clean["data_ids"]
    posts = canonical(tmp_path / "rapport.duckdb", exclude=("raw_file_id",))["posts"]
    assert [r[1] for r in posts] == [r[1] for r in clean["canonical"]["posts"]]
