"""Runs assets the way a Dagster run does, in-process, for the CLI: same asset code,
same resources, recorded in the DAGSTER_HOME run history the UI shows."""

from __future__ import annotations

import shutil
from pathlib import Path

import dagster as dg

from pipelines import rebuilds
from pipelines.dagster_home import ensure_dagster_home
from pipelines.locking import warehouse_write_lock
from pipelines.settings import Settings
from pipelines.warehouse import connect


class RunFailed(RuntimeError):
    def __init__(self, message: str, result: dg.ExecuteInProcessResult | None = None):
        super().__init__(message)
        self.result = result  # the failed run, e.g. to show which checks failed


def refuse_if_rebuild_unfinished(settings: Settings, allowed: str | None = None) -> None:
    """Before a run: a half-rebuilt warehouse must not be built on (pipelines/rebuilds.py).
    Opening the file for writing also waits for any other process holding it open, so
    the run's dbt step does not fail on it."""
    con = connect(settings.warehouse_path)
    try:
        rebuilds.refuse_if_unfinished(con, allowed)
    finally:
        con.close()


def materialize_assets(
    settings: Settings,
    selection: str | dg.AssetSelection | None = None,
    run_config: dict | None = None,
    finishing_rebuild: str | None = None,
) -> dg.ExecuteInProcessResult:
    """finishing_rebuild: the id of the rebuild this run completes (its from-scratch
    build); only that run may build on a warehouse whose rebuild is unfinished, and its
    success marks the rebuild complete before the analyst copy is published."""
    ensure_dagster_home(settings)
    # Imported here: loading the definitions parses the dbt project if needed.
    from pipelines.defs.assets.dbt_models import rapport_dbt_models
    from pipelines.defs.assets.ingest import audited_accounts, canonical_tables
    from pipelines.defs.checks import quality_checks
    from pipelines.defs.resources import build_resources

    if selection is not None:
        # Every run ends with every quality check, whatever it materializes: the
        # blocking ones gate what is downstream of the marts in this same run.
        selection = dg.AssetSelection.from_coercible(selection) | dg.AssetSelection.checks(
            *quality_checks
        )

    if finishing_rebuild:
        run_config = _with_rebuild(run_config or {}, finishing_rebuild)
    with warehouse_write_lock(settings.warehouse_path):
        refuse_if_rebuild_unfinished(settings, finishing_rebuild)
        result = dg.materialize(
            [audited_accounts, canonical_tables, rapport_dbt_models, *quality_checks],
            selection=selection,
            resources=build_resources(settings),
            # INFO, not DEBUG: step progress and dbt's own lines, without event chatter.
            run_config={"loggers": {"console": {"config": {"log_level": "INFO"}}}}
            | (run_config or {}),
            instance=dg.DagsterInstance.get(),
            tags={"rapport/writes": "warehouse", "rapport/started_by": "cli"},
            raise_on_error=False,
        )
        if result.success:
            if finishing_rebuild:
                _complete(settings, finishing_rebuild)
            publish_analyst_copy(settings)
    if not result.success:
        failed = [e.step_key for e in result.all_events if e.is_step_failure]
        raise RunFailed(
            f"run {result.run_id} failed in step(s): {', '.join(failed) or '?'}", result
        )
    return result


def _with_rebuild(run_config: dict, rebuild_id: str) -> dict:
    ops = dict(run_config.get("ops", {}))
    dbt = dict(ops.get("rapport_dbt_models", {}))
    dbt["config"] = {**dbt.get("config", {}), "rebuild_id": rebuild_id}
    return {**run_config, "ops": {**ops, "rapport_dbt_models": dbt}}


def _complete(settings: Settings, rebuild_id: str) -> None:
    con = connect(settings.warehouse_path)
    try:
        rebuilds.mark(con, rebuild_id, rebuilds.COMPLETE)
    finally:
        con.close()


def publish_analyst_copy(settings: Settings) -> Path:
    """Copy the warehouse to a read-only analyst file, atomically. Analysts' clients
    hold locks on that copy, never on the file the pipeline writes. Refused while a
    rebuild is unfinished: analysts keep the last whole warehouse."""
    with warehouse_write_lock(settings.warehouse_path):
        con = connect(settings.warehouse_path)
        try:
            rebuilds.refuse_if_unfinished(con)
            con.execute("CHECKPOINT")
        finally:
            con.close()
        return _copy(settings)


def _copy(settings: Settings) -> Path:
    target = settings.analyst_copy_path
    tmp = target.with_suffix(".tmp")
    shutil.copyfile(settings.warehouse_path, tmp)
    tmp.replace(target)
    return target
