"""The run-failure sensor: any failed run of the code location (a schedule's, one
launched from the UI) is told to the webhook (RAPPORT_WEBHOOK_URL,
pipelines/core/notify.py). Runs the CLI started are left to the launcher, which tells
the webhook itself, so a failure is told once whether or not a daemon is running.
It runs whenever the Dagster daemon does; without a webhook it sends nothing."""

from __future__ import annotations

import dagster as dg

from pipelines.core import notify

CLI_TAG = "rapport/started_by"


def failure_reasons(event: dg.DagsterEvent | None) -> list[str]:
    error = getattr(getattr(event, "event_specific_data", None), "error", None)
    message = (getattr(error, "message", "") or "").strip()
    return [message.splitlines()[0]] if message else []


@dg.run_failure_sensor(
    name="webhook_on_run_failure",
    monitor_all_code_locations=False,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Tells RAPPORT_WEBHOOK_URL when a run fails (the CLI's runs: the launcher).",
)
def webhook_on_run_failure(context: dg.RunFailureSensorContext) -> None:
    run = context.dagster_run
    if run.tags.get(CLI_TAG) == "cli":
        return
    reasons = failure_reasons(context.failure_event)
    job = run.job_name
    if client := run.tags.get("rapport/client"):
        job = f"{job}, client {client}"
    notify.notify(notify.run_failed(run.run_id, job, reasons))


def all_sensors() -> list[dg.SensorDefinition]:
    return [webhook_on_run_failure]
