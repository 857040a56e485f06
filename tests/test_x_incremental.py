"""The live X ingest against the local fake X API serving the demo world: the first
run reads each post once with the fewest requests, a second run the same day reads
nothing, new posts are the only ones read next, and the next day brings one more
profile snapshot per account. One sequence of runs, shared by the tests in order."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from decimal import Decimal

import pytest

from pipelines.canonical.imports import import_paths
from pipelines.canonical.tables import connect
from tests.fake_x_api import FakeXApi
from tests.x_helpers import (
    HANDLES,
    TOKEN,
    canonical,
    clock_at,
    demo_pages,
    fewest_requests,
    new_world,
    query,
    run_ingest,
)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Four runs: first, again the same day, after new posts, the next day."""
    root = tmp_path_factory.mktemp("x_incremental")
    pages = demo_pages(root)
    world = new_world(pages)
    clock = clock_at()
    out: dict = {"root": root, "pages": pages, "world": world, "clock": clock}
    with FakeXApi(world, TOKEN, clock) as api:
        marks = [0]

        def run(name: str) -> None:
            out[name] = run_ingest(root, api, clock, f"run-{name}")
            out[f"{name}_served"] = api.served[marks[-1] :]
            marks.append(len(api.served))
            out[f"{name}_canonical"] = canonical(root / "rapport.duckdb")

        out["fewest_requests"] = fewest_requests(world, HANDLES)
        out["streams"] = {
            f"/2/users/{world.user_by_handle(h)['id']}/{endpoint}": set(
                world.stream(world.user_by_handle(h)["id"], endpoint)
            )
            for h in HANDLES
            for endpoint in ("tweets", "mentions")
        }
        run("first")
        clock.now += timedelta(hours=2)
        run("second")
        clock.now += timedelta(hours=1)
        acme = world.user_by_handle("AcmeCo")["id"]
        customer = world.handle_of(world.tweets[world.stream(acme, "mentions")[0]]["author_id"])
        brand_post = world.add_post("NorthwindCoffee", "Winter menu is live!", clock.now)
        question = world.add_post(customer, "@AcmeCo is the hub back in stock?", clock.now)
        answer = world.add_post("AcmeCo", "yes, since this morning", clock.now, question)
        ids = [brand_post, question, answer]
        out["new_ids"] = ids
        run("third")
        clock.now += timedelta(days=1)
        run("next_day")
    return out


def per_stream(served) -> dict[str, list[str]]:
    streams: dict[str, list[str]] = {}
    for s in served:
        if s.path.endswith(("/tweets", "/mentions")):
            streams.setdefault(s.path, []).extend(s.data_ids)
    return streams


def test_the_first_run_reads_each_post_once_with_the_fewest_requests(runs):
    served = runs["first_served"]
    assert all(s.status == 200 for s in served)
    assert len(served) == runs["fewest_requests"] == 20
    assert len([s for s in served if s.path == "/2/users/by"]) == 1
    streams = per_stream(served)
    assert streams.keys() == runs["streams"].keys()
    for path, ids in streams.items():
        assert Counter(ids).most_common(1)[0][1] == 1, f"{path} served a post twice"
        assert set(ids) == runs["streams"][path]
    assert runs["first"].status == "complete"
    assert runs["first"].totals["requests"] == len(served)


def test_every_post_lands_in_canonical_posts_as_the_files_would_load_it(runs, tmp_path):
    """The live path and a file import of the same pages give the same post rows."""
    live = canonical(runs["root"] / "rapport.duckdb", exclude=("raw_file_id",))["posts"]
    con = connect(tmp_path / "files.duckdb")
    try:
        import_paths(con, tmp_path / "raw", "twarc2", [runs["pages"]], log=lambda m: None)
    finally:
        con.close()
    from_files = canonical(tmp_path / "files.duckdb", exclude=("raw_file_id",))["posts"]
    first_run_ids = {r[1] for r in runs["first_canonical"]["posts"]}
    assert {r[1] for r in from_files} == first_run_ids
    assert [r for r in live if r[1] in first_run_ids] == from_files


def test_the_first_run_costs_each_object_once(runs):
    served = runs["first_served"]
    posts = {i for s in served for i in s.post_ids}
    users = {i for s in served for i in s.user_ids}
    expected = Decimal("0.005") * len(posts) + Decimal("0.010") * len(users)
    totals = runs["first"].totals
    assert (totals["posts_charged"], totals["users_charged"]) == (len(posts), len(users))
    assert totals["cost_usd"] == expected
    usage = query(
        runs["root"] / "rapport.duckdb",
        "SELECT sum(estimated_cost_usd), count(DISTINCT handle) FROM ops.api_usage "
        "WHERE run_id = 'run-first'",
    )
    assert usage == [(expected, len(HANDLES))]


def test_a_second_run_the_same_day_reads_no_post(runs):
    served = runs["second_served"]
    assert not [s for s in served if s.path == "/2/users/by"]  # profiles: once a day
    assert len(served) == 2 * len(HANDLES)  # one since_id request per stream
    assert all(s.params.get("since_id") for s in served)
    assert not [i for s in served for i in s.post_ids]
    assert runs["second"].totals["cost_usd"] == 0
    assert runs["second_canonical"] == runs["first_canonical"]


def test_after_new_posts_only_they_are_read(runs):
    served = runs["third_served"]
    new = runs["new_ids"]
    # the brand's post (its timeline), the customer's question (AcmeCo's mentions), the
    # answer (AcmeCo's timeline): each read once, nothing else
    assert sorted(i for s in served for i in s.data_ids) == sorted(new)
    assert len(served) == 2 * len(HANDLES)
    stored = {
        r[0] for r in query(runs["root"] / "rapport.duckdb", "SELECT post_id FROM canonical.posts")
    }
    assert set(new) <= stored


def test_each_day_adds_one_profile_snapshot_per_account(runs):
    db = runs["root"] / "rapport.duckdb"
    rows = query(
        db,
        "SELECT handle, count(DISTINCT observed_at::DATE) FROM canonical.account_snapshots "
        "WHERE handle IN (SELECT unnest(?)) GROUP BY 1 ORDER BY 1",
        [HANDLES],
    )
    assert rows == sorted((h, 2) for h in HANDLES)
    lookups = [s for s in runs["next_day_served"] if s.path == "/2/users/by"]
    assert len(lookups) == 1 and sorted(lookups[0].params["usernames"].split(",")) == sorted(
        HANDLES
    )
