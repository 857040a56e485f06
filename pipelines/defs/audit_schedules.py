"""One schedule per client: at the client's cron, in the client's time zone, refresh
what the audit reads (inbox import, audits config, the dbt models and their checks)
and write the client's report. A failed check or step fails the run, in the UI."""

from __future__ import annotations

import dagster as dg

from pipelines.audits import ClientAudit
from pipelines.defs.assets.reports import audit_selection
from pipelines.defs.audit_clients import CLIENTS, client_partitions

client_audit_job = dg.define_asset_job(
    "client_audit",
    selection=audit_selection(refresh=True),
    partitions_def=client_partitions,
    description="Refresh what a client's audit reads, then write its report.",
    # One writer per DuckDB file: see dagster.yaml's tag concurrency limit.
    tags={"rapport/writes": "warehouse"},
)


def client_schedule(client: ClientAudit) -> dg.ScheduleDefinition:
    def run_request(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
        return dg.RunRequest(partition_key=client.name, tags={"rapport/client": client.name})

    return dg.ScheduleDefinition(
        name=f"audit_{client.name}",
        job=client_audit_job,
        cron_schedule=client.schedule,
        execution_timezone=client.timezone,
        execution_fn=run_request,
        default_status=dg.DefaultScheduleStatus.RUNNING,
        description=f"The {client.name} audit ({client.schedule}, {client.timezone}).",
    )


audit_schedules: list[dg.ScheduleDefinition] = [client_schedule(c) for c in CLIENTS]
