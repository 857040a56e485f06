"""The schedules, each running a job of pipelines/defs/jobs.py: the daily refresh
(06:00 UTC), the weekly follower samples (Mondays 05:00 UTC), and one audit schedule
per client at the client's cron, in the client's time zone (refresh what the audit
reads, then write the report; a failed check or step fails the run, in the UI).

Every schedule is stopped until an operator turns it on (the UI's Automation page, or
`dagster schedule start NAME`): a new install, or a clone running the demo, must not
start reading the live APIs or mailing clients on its own."""

from __future__ import annotations

import dagster as dg

from pipelines.config.audits import ClientAudit
from pipelines.defs.jobs import client_audit_job, daily_refresh_job, follower_samples_job
from pipelines.defs.partitions import configured_clients

daily_refresh_schedule = dg.ScheduleDefinition(
    job=daily_refresh_job,
    cron_schedule="0 6 * * *",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.STOPPED,
)

# Weekly, Mondays 05:00 UTC, before the daily refresh: follower lists change slowly and
# X bills every follower read.
follower_samples_schedule = dg.ScheduleDefinition(
    job=follower_samples_job,
    cron_schedule="0 5 * * 1",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.STOPPED,
)


def client_schedule(client: ClientAudit) -> dg.ScheduleDefinition:
    def run_request(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
        return dg.RunRequest(partition_key=client.name, tags={"rapport/client": client.name})

    return dg.ScheduleDefinition(
        name=f"audit_{client.name}",
        job=client_audit_job(),
        cron_schedule=client.schedule,
        execution_timezone=client.timezone,
        execution_fn=run_request,
        default_status=dg.DefaultScheduleStatus.STOPPED,
        description=f"The {client.name} audit ({client.schedule}, {client.timezone}).",
    )


def audit_schedules() -> list[dg.ScheduleDefinition]:
    return [client_schedule(c) for c in configured_clients()]


def all_schedules() -> list[dg.ScheduleDefinition]:
    return [daily_refresh_schedule, follower_samples_schedule, *audit_schedules()]
