"""The daily refresh: import the inbox, rebuild every model, run every check."""

import dagster as dg

daily_refresh_job = dg.define_asset_job(
    "daily_refresh",
    # The client audits (group reports, partitioned by client) have their own
    # schedules, one per client (pipelines/defs/audit_schedules.py).
    selection=dg.AssetSelection.all() - dg.AssetSelection.groups("reports"),
    # Every run writes the one DuckDB file: the queued run coordinator (dagster.yaml)
    # admits one run with this tag at a time.
    tags={"rapport/writes": "warehouse"},
)

daily_refresh_schedule = dg.ScheduleDefinition(
    job=daily_refresh_job,
    cron_schedule="0 6 * * *",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
)
