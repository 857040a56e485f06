"""The one in-process launcher: runs a selection of the code location's assets the way
a Dagster run does, for the CLI (build, rebuild, demo, report): same asset code, same
resources, recorded in the DAGSTER_HOME run history the UI shows."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Callable

import dagster as dg

from pipelines.canonical import rebuild as rebuilds
from pipelines.canonical.publish import publish_analyst_copy
from pipelines.canonical.tables import connect
from pipelines.config.settings import Settings
from pipelines.core import notify
from pipelines.core.locking import warehouse_write_lock
from pipelines.defs.catalog import all_checks
from pipelines.defs.dagster_home import ensure_dagster_home
from pipelines.defs.location import all_assets
from pipelines.defs.resources import build_resources

DBT_OP = "rapport_dbt_models"


class RunFailed(RuntimeError):
    def __init__(self, message: str, result: dg.ExecuteInProcessResult | None = None):
        super().__init__(message)
        self.result = result  # the failed run, e.g. to show which checks failed


def refuse_if_rebuild_unfinished(settings: Settings, allowed: str | None = None) -> None:
    """Before a run: a half-rebuilt warehouse must not be built on
    (pipelines/canonical/rebuild.py). Opening the file for writing also waits for any
    other process holding it open, so the run's dbt step does not fail on it."""
    con = connect(settings.warehouse_path)
    try:
        rebuilds.refuse_if_unfinished(con, allowed)
    finally:
        con.close()


def launch(
    settings: Settings,
    job: dg.UnresolvedAssetJobDefinition,
    *,
    run_config: dict | None = None,
    partition_key: str | None = None,
    finishing_rebuild: str | None = None,
    log_level: str | None = None,
    label: str = "run",
    tags: dict[str, str] | None = None,
    watch: Callable[[dg.DagsterInstance, str], contextlib.AbstractContextManager] | None = None,
) -> dg.ExecuteInProcessResult:
    """Run `job` (a job of pipelines/defs/jobs.py) in-process under the write lock,
    refusing a warehouse whose rebuild is unfinished; after success, publish the
    analyst copy. Raise RunFailed naming the failed steps.

    finishing_rebuild: the id of the rebuild this run completes (its from-scratch
    build); only that run may build on a warehouse whose rebuild is unfinished, and its
    success marks the rebuild complete before the analyst copy is published.
    partition_key: the client, for the partitioned audit assets.
    watch(instance, run_id): a context the run executes inside, e.g. the CLI's stage
    lines (pipelines/cli/stages.py), which follow the run's events as it goes.
    A failed run is told to the webhook here (pipelines/core/notify.py); the run-failure
    sensor leaves runs the CLI started to this."""
    ensure_dagster_home(settings)
    if finishing_rebuild:
        run_config = _with_rebuild(run_config or {}, finishing_rebuild)
    # INFO, not DEBUG: step progress and dbt's own lines, without event chatter. The CLI
    # asks for WARNING unless --verbose (RAPPORT_LOG_LEVEL): a person reads the outcome.
    log_level = log_level or os.environ.get("RAPPORT_LOG_LEVEL", "INFO")
    run_config = {"loggers": {"console": {"config": {"log_level": log_level}}}} | (run_config or {})
    with warehouse_write_lock(settings.warehouse_path):
        refuse_if_rebuild_unfinished(settings, finishing_rebuild)
        instance = dg.DagsterInstance.get()
        run_id = str(uuid.uuid4())
        with watch(instance, run_id) if watch else contextlib.nullcontext():
            result = resolve(settings, job).execute_in_process(
                run_config=run_config,
                instance=instance,
                partition_key=partition_key,
                run_id=run_id,
                tags={**(tags or {}), "rapport/started_by": "cli"},
                raise_on_error=False,
            )
        if result.success:
            if finishing_rebuild:
                _complete(settings, finishing_rebuild)
            publish_analyst_copy(settings)
    if not result.success:
        failures = _failure_messages(result)
        notify.notify(notify.run_failed(result.run_id, label, failures))
        reasons = "; ".join(failures) or "see the run in the Dagster UI"
        raise RunFailed(f"{label} {result.run_id} failed in step(s): {reasons}", result)
    return result


def resolve(settings: Settings, job: dg.UnresolvedAssetJobDefinition) -> dg.JobDefinition:
    """The job over every asset and check of the code location, with this settings'
    resources (the CLI's warehouse and paths, not the environment's defaults)."""
    defs = dg.Definitions(
        assets=all_assets(),
        asset_checks=all_checks(),
        jobs=[job],
        resources=build_resources(settings),
    )
    return defs.resolve_job_def(job.name)


def _failure_messages(result: dg.ExecuteInProcessResult) -> list[str]:
    out = []
    for event in result.all_events:
        if event.is_step_failure:
            error = event.step_failure_data.error
            message = error.message.strip() if error else "failed"
            out.append(f"{event.step_key}: {message.splitlines()[0] if message else 'failed'}")
    return out


def _with_rebuild(run_config: dict, rebuild_id: str) -> dict:
    ops = dict(run_config.get("ops", {}))
    dbt = dict(ops.get(DBT_OP, {}))
    dbt["config"] = {**dbt.get("config", {}), "rebuild_id": rebuild_id}
    return {**run_config, "ops": {**ops, DBT_OP: dbt}}


def _complete(settings: Settings, rebuild_id: str) -> None:
    con = connect(settings.warehouse_path)
    try:
        rebuilds.mark(con, rebuild_id, rebuilds.COMPLETE)
    finally:
        con.close()
