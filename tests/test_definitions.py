"""The Dagster code location: it loads, its graph changes only on purpose, and every
asset materializes in-process on the demo world with every check passing."""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from pipelines.defs.assets.dbt_models import dbt_models
from pipelines.defs.assets.ingest import audited_accounts, canonical_tables
from pipelines.defs.resources import build_resources
from pipelines.sources import demo

SNAPSHOT = Path(__file__).with_name("asset_graph.txt")


def graph_lines() -> list[str]:
    from pipelines.definitions import defs

    graph = defs.resolve_asset_graph()
    assets = [f"asset {k.to_user_string()}" for k in graph.get_all_asset_keys()]
    checks = [f"check {c.asset_key.to_user_string()}:{c.name}" for c in graph.asset_check_keys]
    schedules = [f"schedule {s.name} {s.cron_schedule}" for s in defs.schedules or []]
    return sorted(assets) + sorted(checks) + sorted(schedules)


def test_every_schedule_starts_stopped_and_the_ui_asks_nothing():
    """A new install must not read live APIs or write reports until an operator turns a
    schedule on, and the UI's first page shows no newsletter prompt."""
    import yaml

    from pipelines.config.settings import PROJECT_ROOT
    from pipelines.definitions import defs

    schedules = list(defs.schedules or [])
    assert {s.name for s in schedules} >= {"daily_refresh_schedule", "audit_acme"}
    assert {s.default_status for s in schedules} == {dg.DefaultScheduleStatus.STOPPED}
    instance = yaml.safe_load((PROJECT_ROOT / "dagster.yaml").read_text())
    assert instance["nux"] == {"enabled": False}
    assert instance["telemetry"] == {"enabled": False}


# The order a run goes through the groups, which the UI's graph should read in.
PIPELINE_ORDER = ["ingest", "config", "audience", "staging", "intermediate", "marts", "reports"]


def test_asset_groups_follow_the_pipeline_order():
    """No asset depends on a group later in the pipeline, so the UI draws the groups
    from ingest to reports (a config group drawn after staging would read backwards)."""
    from pipelines.definitions import defs

    graph = defs.resolve_asset_graph()
    groups = {}
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        if node.is_materializable:
            groups[key] = node.group_name
    assert set(groups.values()) == set(PIPELINE_ORDER)
    backwards = [
        f"{key.to_user_string()} ({groups[key]}) reads {dep.to_user_string()} ({groups[dep]})"
        for key in groups
        for dep in graph.get(key).parent_keys
        if dep in groups and PIPELINE_ORDER.index(groups[dep]) > PIPELINE_ORDER.index(groups[key])
    ]
    assert not backwards
    assert groups[dg.AssetKey(["reports", "client_audit"])] == "reports"
    assert groups[dg.AssetKey(["config", "audit_periods"])] == "config"


def test_every_cli_run_has_a_named_job():
    """The UI lists what the CLI ran under a name a person recognises."""
    from pipelines.definitions import defs

    names = {job.name for job in defs.jobs or []}
    assert names >= {
        "build",
        "demo",
        "client_audit",
        "client_report",
        "daily_refresh",
        "ingest_x",
        "ingest_bluesky",
        "ingest_mastodon",
    }
    ingest = defs.resolve_job_def("ingest_bluesky")
    assert {k.to_user_string() for k in ingest.asset_layer.executable_asset_keys} == {
        "bluesky_ingest"
    }


def test_the_asset_graph_matches_the_committed_list():
    lines = graph_lines()
    if os.environ.get("RAPPORT_UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.write_text("\n".join(lines) + "\n")
    assert lines == SNAPSHOT.read_text().splitlines(), (
        "the asset graph changed; if on purpose, rerun with RAPPORT_UPDATE_SNAPSHOTS=1 "
        "and commit tests/asset_graph.txt"
    )


def test_dbt_sources_are_the_python_assets():
    deps = {
        dep.to_user_string()
        for key in dbt_models().keys
        for dep in dbt_models().asset_deps[key]
        if dep.path[0] in {"canonical", "config"}
    }
    from pipelines.defs.assets.reports import audit_assets

    audit_periods, _ = audit_assets()

    produced = {
        k.to_user_string()
        for k in canonical_tables.keys | audited_accounts.keys | audit_periods.keys
    }
    assert deps and deps <= produced


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("demo")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("RAPPORT_WAREHOUSE", str(root / "rapport.duckdb"))
        mp.setenv("RAPPORT_RAW_DIR", str(root / "raw"))
        mp.setenv("RAPPORT_INBOX", str(root / "inbox"))
        from pipelines.config.settings import load_settings

        settings = load_settings()
        demo.generate(settings.inbox_dir / "twarc2" / "demo")
        result = dg.materialize(
            [audited_accounts, canonical_tables, dbt_models()],
            resources=build_resources(settings),
        )
    return result, settings


def test_every_asset_materializes_on_the_demo_and_every_check_passes(demo_run):
    result, _ = demo_run
    assert result.success
    materialized = {e.asset_key for e in result.get_asset_materialization_events()}
    expected = audited_accounts.keys | canonical_tables.keys | dbt_models().keys
    assert materialized == expected
    evaluations = [
        e.event_specific_data
        for e in result.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION"
    ]
    assert evaluations, "dbt tests should run as asset checks"
    failed = [
        f"{ev.asset_key.to_user_string()}:{ev.check_name}" for ev in evaluations if not ev.passed
    ]
    assert not failed


def marts(settings, sql: str) -> dict[str, tuple]:
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        return {row[0]: row[1:] for row in con.execute(sql).fetchall()}


def test_the_demo_archetypes_show_in_the_marts(demo_run):
    _, settings = demo_run
    conv = marts(
        settings,
        "SELECT handle, reply_share, response_rate, inbound FROM marts.conversation_metrics",
    )
    mix = marts(settings, "SELECT handle, broadcast_share, retweets FROM marts.post_mix")
    flags = marts(
        settings,
        "SELECT handle, flag_follows_far_more, flag_empty_bio, flag_default_avatar, "
        "flag_few_posts FROM marts.accounts",
    )
    broadcaster, talker = demo.BROADCASTER, demo.CONVERSATIONAL
    assert set(demo.AUDITED_HANDLES) <= set(conv)
    # The broadcaster is talked to but never answers, and only announces.
    assert conv[broadcaster][0] == 0 and conv[broadcaster][1] == 0 and conv[broadcaster][2] > 0
    assert mix[broadcaster][0] > 0.9 and mix[broadcaster][1] == 0
    # The conversational brand answers most of what it is sent.
    assert conv[talker][1] > 0.5 and conv[talker][0] > 0.3
    assert mix[talker][0] < mix[broadcaster][0]
    assert flags[demo.FOLLOW_FOR_FOLLOW][0] is True
    assert flags[demo.GHOST][1:] == (True, True, True)
    assert flags[talker] == (False, False, False, False)
