"""Every job, each defined once, named for what it does: the schedules
(pipelines/defs/schedules.py) run them, the CLI launches them in-process through
pipelines/defs/launcher.py, and the Dagster UI lists every run under its job's name
(`build`, `demo`, `client_report`...), never as an anonymous asset run."""

from __future__ import annotations

import functools

import dagster as dg

from pipelines.defs.assets.followers import FOLLOWER_KEYS
from pipelines.defs.assets.network_ingest import bluesky_ingest_asset, mastodon_ingest_asset
from pipelines.defs.assets.reports import AUDIT_PERIODS, CLIENT_AUDIT
from pipelines.defs.assets.x_ingest import X_INGEST_KEYS
from pipelines.defs.checks import quality_checks
from pipelines.defs.partitions import client_partitions

# Every run writes the one DuckDB file: the queued run coordinator (dagster.yaml)
# admits one run with this tag at a time.
WRITES_WAREHOUSE = {"rapport/writes": "warehouse"}

# The CLI's runs end with every quality check, whatever they materialize: the blocking
# ones gate what is downstream of the marts in the same run.
ALL_QUALITY_CHECKS = dg.AssetSelection.checks(*quality_checks)

# The follower samples' scores (audience/*) are Python, between the canonical tables and dbt.
SCORES = dg.AssetSelection.key_prefixes(["audience"])

# `rapport build`: the audits config, the scores, then every dbt model and test (on what
# the canonical tables hold; no import, no live ingest).

BUILD_SELECTION = (
    dg.AssetSelection.from_coercible("key:config/audited_accounts or kind:dbt")
    | SCORES
    | ALL_QUALITY_CHECKS
)

# `rapport demo`: the inbox import, the audits config and every dbt model; neither the
# paid live ingest nor the client audits (which run after it, one per client).
DEMO_SELECTION = (
    dg.AssetSelection.keys(["config", "audited_accounts"])
    | dg.AssetSelection.key_prefixes(["canonical"])
    | SCORES
    | dg.AssetSelection.from_coercible("kind:dbt")
    | ALL_QUALITY_CHECKS
)

# The daily refresh: live ingest, inbox import, every model, every check. The client
# audits (the audit period and the report, partitioned by client) have their own
# schedules; the follower samples theirs (weekly: follower_samples_job).
DAILY_REFRESH_SELECTION = dg.AssetSelection.all() - dg.AssetSelection.assets(
    AUDIT_PERIODS, CLIENT_AUDIT, *FOLLOWER_KEYS
)


def audit_selection(refresh: bool = True) -> dg.AssetSelection:
    """refresh: the report and everything it reads, from the inbox import up, except
    live API ingests (what a schedule runs). Otherwise only the period, the audit models
    and the report, on the warehouse as it is (e.g. right after a build). Checks on the
    selected assets run too."""
    canonical = dg.AssetSelection.key_prefixes(["canonical"])
    # Live API reads cost money and run on the daily refresh; an audit reads what was
    # collected (plus the inbox) and never calls a paid API itself.
    live_ingest = canonical.upstream() - canonical
    upstream = dg.AssetSelection.assets(CLIENT_AUDIT).upstream() - live_ingest
    if not refresh:
        upstream = upstream & dg.AssetSelection.assets(AUDIT_PERIODS).downstream()
    # canonical/* come from one import step that cannot run for only some of them
    return upstream.required_multi_asset_neighbors()


daily_refresh_job = dg.define_asset_job(
    "daily_refresh",
    selection=DAILY_REFRESH_SELECTION,
    description="Live ingest, inbox import, every dbt model and every quality check.",
    tags=WRITES_WAREHOUSE,
)

# `rapport build` (and the from-scratch build that ends `rapport rebuild`)
build_job = dg.define_asset_job(
    "build",
    selection=BUILD_SELECTION,
    description="The audits config, every dbt model and test, every quality check.",
    tags=WRITES_WAREHOUSE,
)

# `rapport demo`
demo_job = dg.define_asset_job(
    "demo",
    selection=DEMO_SELECTION,
    description="Import the inbox, then every dbt model and quality check (no live ingest).",
    tags=WRITES_WAREHOUSE,
)

# One job per live network, for a run of only that network's ingest (the UI's
# Launchpad; `rapport ingest NETWORK` calls the same library code directly).
ingest_jobs = [
    dg.define_asset_job(
        f"ingest_{network}",
        selection=dg.AssetSelection.assets(*keys),
        description=f"Read the audited accounts' {label} activity into the canonical tables.",
        tags=WRITES_WAREHOUSE,
    )
    for network, label, keys in [
        ("x", "X", X_INGEST_KEYS),
        ("bluesky", "Bluesky", [bluesky_ingest_asset.key]),
        ("mastodon", "Mastodon", [mastodon_ingest_asset.key]),
    ]
]

# `rapport ingest followers`, and weekly: every audited account's latest followers
# (each network's sampler skips an account sampled within follower_refresh_days).
follower_samples_job = dg.define_asset_job(
    "follower_samples",
    selection=dg.AssetSelection.assets(*FOLLOWER_KEYS),
    description="Sample the audited accounts' most recent followers (X within its "
    "per-audit budget), incrementally, into canonical.follower_samples.",
    tags=WRITES_WAREHOUSE,
)


@functools.cache
def audit_job(refresh: bool = True) -> dg.UnresolvedAssetJobDefinition:
    """Partitioned by the clients of audits.yaml (read on first call).
    refresh: `client_audit`, the client's schedule and `rapport report CLIENT`.
    Otherwise `client_report`, for `rapport report CLIENT --no-refresh` and the demo's
    closing audits: the period, the audit models and the report, on the warehouse as it is."""
    return dg.define_asset_job(
        "client_audit" if refresh else "client_report",
        selection=audit_selection(refresh),
        partitions_def=client_partitions(),
        description=(
            "Refresh what a client's audit reads, then write its report."
            if refresh
            else "Write a client's report from the warehouse as it is (no import)."
        ),
        tags=WRITES_WAREHOUSE,
    )


def client_audit_job() -> dg.UnresolvedAssetJobDefinition:
    return audit_job(refresh=True)


def all_jobs() -> list:
    return [
        daily_refresh_job,
        build_job,
        demo_job,
        *ingest_jobs,
        follower_samples_job,
        client_audit_job(),
        audit_job(refresh=False),
    ]
