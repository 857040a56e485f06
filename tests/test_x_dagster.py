"""The live X ingest as Dagster assets, materialized in-process with a persistent
DAGSTER_HOME against the local fake X API serving the demo world: the canonical tables
and the foundation's marts fill from live-shaped data, the materializations report
requests, reads and cost, run config holds the token's variable name and never its
value, and nothing under DAGSTER_HOME does. Without a token the assets skip."""

from __future__ import annotations

import json
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from pipelines.defs.assets.ingest import CANONICAL_TABLES
from pipelines.defs.assets.x_ingest import x_posts, x_profile_snapshots
from tests.fake_x_api import FakeXApi
from tests.x_helpers import HANDLES, TOKEN, demo_pages, materialize, new_world
from tests.x_helpers import dagster_environment as environment

FOUNDATION_MARTS = ["marts/posts", "marts/accounts", "marts/post_mix", "marts/conversation_metrics"]
# canonical_tables materializes every canonical table or none
WHOLE = [f"canonical/{table}" for table in CANONICAL_TABLES]


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    root = tmp_path_factory.mktemp("x_dagster")
    pages = demo_pages(root)
    with FakeXApi(new_world(pages), TOKEN) as api:
        env = environment(root, api.url, TOKEN)
        result = materialize(env, FOUNDATION_MARTS + WHOLE)
    return {"root": root, "pages": pages, "result": result, "env": env}


def metadata(result: dg.ExecuteInProcessResult, asset: dg.AssetsDefinition) -> dict:
    (event,) = [e for e in result.get_asset_materialization_events() if e.asset_key == asset.key]
    return {k: v.value for k, v in event.materialization.metadata.items()}


def test_the_ingest_runs_before_the_tables_and_models_it_feeds(live):
    result = live["result"]
    assert result.success
    order = [e.step_key for e in result.all_events if e.event_type_value == "STEP_SUCCESS"]
    assert order.index("x_api__posts") < order.index("canonical_tables")
    assert order.index("canonical_tables") < order.index("rapport_dbt_models")


def test_materializations_report_requests_reads_and_cost(live):
    db = Path(live["env"]["RAPPORT_WAREHOUSE"])
    with duckdb.connect(str(db), read_only=True) as con:
        (run_id, requests, posts, cost) = con.execute(
            "SELECT run_id, requests, posts_read, estimated_cost_usd FROM ops.api_runs"
        ).fetchone()
    profiles = metadata(live["result"], x_profile_snapshots)
    reads = metadata(live["result"], x_posts)
    assert run_id == live["result"].run_id
    assert (profiles["requests"], profiles["users_read"]) == (1, len(HANDLES))
    assert reads["requests"] + profiles["requests"] == requests == 20
    assert reads["posts_read"] == posts
    assert reads["estimated_cost_usd"] + profiles["estimated_cost_usd"] == pytest.approx(
        float(cost)
    )
    assert reads["status"] == "complete"


def kinds_in_files(pages: Path) -> dict[str, dict[str, int]]:
    """Posts by kind per audited account, counted from the demo's own timeline files."""
    counts: dict[str, dict[str, int]] = {}
    for handle in HANDLES:
        c = counts.setdefault(handle, {"original": 0, "reply": 0, "retweet": 0, "quote": 0})
        for line in (pages / f"timeline_{handle}.jsonl").read_text().splitlines():
            for tweet in json.loads(line)["data"]:
                refs = {r["type"] for r in tweet.get("referenced_tweets", [])}
                kind = (
                    "retweet"
                    if "retweeted" in refs
                    else "reply"
                    if "replied_to" in refs
                    else "quote"
                    if "quoted" in refs
                    else "original"
                )
                c[kind] += 1
    return counts


def test_the_foundation_marts_fill_from_live_shaped_data(live):
    db = Path(live["env"]["RAPPORT_WAREHOUSE"])
    with duckdb.connect(str(db), read_only=True) as con:
        mix = {
            r[0]: dict(zip(("original", "reply", "retweet", "quote"), r[1:], strict=True))
            for r in con.execute(
                "SELECT handle, originals, replies, retweets, quotes FROM marts.post_mix"
            ).fetchall()
        }
        followers = dict(con.execute("SELECT handle, followers FROM marts.accounts").fetchall())
        conv = dict(
            con.execute("SELECT handle, inbound FROM marts.conversation_metrics").fetchall()
        )
    assert {h: mix[h] for h in HANDLES} == kinds_in_files(live["pages"])
    last_day = sorted(live["pages"].glob("users_*.jsonl"))[-1]
    profiles = json.loads(last_day.read_text())["data"]
    assert {h: followers[h] for h in HANDLES} == {
        p["username"]: p["public_metrics"]["followers_count"] for p in profiles
    }
    assert all(conv[h] > 0 for h in HANDLES)  # every audited account is talked to


def test_the_run_records_the_token_variable_and_nothing_stores_its_value(live):
    instance_home = Path(live["env"]["DAGSTER_HOME"])
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DAGSTER_HOME", str(instance_home))
        instance = dg.DagsterInstance.get()
        run = instance.get_run_by_id(live["result"].run_id)
        recorded = dg.serialize_value(instance.get_job_snapshot(run.job_snapshot_id))
        recorded += json.dumps(run.run_config)
    # the resource's configuration, as the run stored it: the variable's name
    assert '\\"bearer_token\\": {\\"env\\": \\"X_BEARER_TOKEN\\"}' in recorded
    assert TOKEN not in recorded
    leaks = [
        str(p) for p in live["root"].rglob("*") if p.is_file() and TOKEN.encode() in p.read_bytes()
    ]
    assert leaks == []
    assert any(instance_home.rglob("*.db")), "run storage should be under DAGSTER_HOME"


def test_without_a_token_the_assets_skip_and_say_so(tmp_path):
    env = environment(tmp_path, "http://127.0.0.1:9", None)
    result = materialize(env)
    assert result.success
    for asset in (x_profile_snapshots, x_posts):
        assert metadata(result, asset) == {"skipped": "X_BEARER_TOKEN not set", "requests": 0}
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DAGSTER_HOME", env["DAGSTER_HOME"])
        logs = [e.user_message for e in dg.DagsterInstance.get().all_logs(result.run_id)]
    assert any("X_BEARER_TOKEN was not set" in message for message in logs)


def test_the_code_location_loads_without_a_token_and_orders_the_daily_run(monkeypatch):
    monkeypatch.delenv("X_BEARER_TOKEN", raising=False)
    from pipelines.definitions import defs

    graph = defs.resolve_asset_graph()
    for table in ("posts", "account_snapshots", "accounts", "rejects"):
        parents = graph.get(dg.AssetKey(["canonical", table])).parent_keys
        assert {x_profile_snapshots.key, x_posts.key} <= parents
    job = defs.resolve_job_def("daily_refresh")
    assert {"x_api__profile_snapshots", "x_api__posts"} <= {n.name for n in job.graph.nodes}
