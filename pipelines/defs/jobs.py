"""Every job and every selection the CLI launches, each defined once. The schedules
(pipelines/defs/schedules.py) run these jobs; the CLI launches the same selections
in-process through pipelines/defs/launcher.py."""

from __future__ import annotations

import functools

import dagster as dg

from pipelines.defs.assets.reports import AUDIT_PERIODS, CLIENT_AUDIT
from pipelines.defs.checks import quality_checks
from pipelines.defs.partitions import client_partitions

# Every run writes the one DuckDB file: the queued run coordinator (dagster.yaml)
# admits one run with this tag at a time.
WRITES_WAREHOUSE = {"rapport/writes": "warehouse"}

# The CLI's runs end with every quality check, whatever they materialize: the blocking
# ones gate what is downstream of the marts in the same run.
ALL_QUALITY_CHECKS = dg.AssetSelection.checks(*quality_checks)

# `rapport build`: the audits config, then every dbt model and test (on what the
# canonical tables hold; no import, no live ingest).
BUILD_SELECTION = (
    dg.AssetSelection.from_coercible("key:config/audited_accounts or kind:dbt") | ALL_QUALITY_CHECKS
)

# `rapport demo`: the inbox import, the audits config and every dbt model; neither the
# paid live ingest nor the client audits (which run after it, one per client).
DEMO_SELECTION = (
    dg.AssetSelection.keys(["config", "audited_accounts"])
    | dg.AssetSelection.key_prefixes(["canonical"])
    | dg.AssetSelection.from_coercible("kind:dbt")
    | ALL_QUALITY_CHECKS
)

# The daily refresh: live ingest, inbox import, every model, every check. The client
# audits (group reports, partitioned by client) have their own schedules.
DAILY_REFRESH_SELECTION = dg.AssetSelection.all() - dg.AssetSelection.groups("reports")


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
    tags=WRITES_WAREHOUSE,
)


@functools.cache
def client_audit_job() -> dg.UnresolvedAssetJobDefinition:
    """Partitioned by the clients of audits.yaml (read on first call)."""
    return dg.define_asset_job(
        "client_audit",
        selection=audit_selection(refresh=True),
        partitions_def=client_partitions(),
        description="Refresh what a client's audit reads, then write its report.",
        tags=WRITES_WAREHOUSE,
    )


def all_jobs() -> list:
    return [daily_refresh_job, client_audit_job()]
