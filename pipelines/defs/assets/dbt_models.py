"""The dbt models (staging, intermediate, marts) as Dagster assets; dbt tests become
asset checks. Their sources map onto the Python assets by key (canonical/posts, ...)."""

import functools
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets
from dagster_duckdb import DuckDBResource

from pipelines.canonical import rebuild as rebuilds
from pipelines.canonical.tables import connect
from pipelines.config.settings import PRODUCTION_BUILD_ARGS
from pipelines.core.locking import warehouse_write_lock
from pipelines.defs.dbt_project import (
    ensure_manifest,
    keep_partial_parse,
    prune_run_targets,
    rapport_dbt_project,
)
from pipelines.quality import gx_validate


class RapportDbtTranslator(DagsterDbtTranslator):
    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        # Group by layer: staging / intermediate / marts, as the dbt folders are.
        fqn = dbt_resource_props.get("fqn", [])
        return fqn[1] if len(fqn) > 2 else "dbt"


class DbtBuildConfig(dg.Config):
    # The heavy models are incremental (they recompute only what new files touch);
    # a full refresh rebuilds them from scratch, e.g. after `rapport rebuild` replayed
    # raw through a changed parser, which leaves the same files with different rows.
    full_refresh: bool = False
    # Set by `rapport rebuild` for its own build: the one build allowed to run while
    # that rebuild is unfinished (pipelines/canonical/rebuild.py); every other build refuses.
    rebuild_id: str = ""


def refuse_half_rebuilt(path: Path, allowed: str | None = None) -> None:
    """Fail the step (and so the run) on a warehouse whose rebuild is unfinished."""
    con = connect(path)
    try:
        rebuilds.refuse_if_unfinished(con, allowed)
    except rebuilds.RebuildUnfinished as exc:
        raise dg.Failure(description=str(exc)) from None
    finally:
        con.close()


@functools.cache
def dbt_models() -> dg.AssetsDefinition:
    """The dbt models as one multi-asset (op `rapport_dbt_models`). dbt_assets reads the
    manifest when it decorates, so this parses the project first if it is stale: built
    once per process, when the definitions or a launcher need it, never at import."""

    @dbt_assets(
        manifest=ensure_manifest(),
        project=rapport_dbt_project(),
        dagster_dbt_translator=RapportDbtTranslator(),
    )
    def rapport_dbt_models(
        context: dg.AssetExecutionContext,
        dbt: DbtCliResource,
        duckdb: DuckDBResource,
        config: DbtBuildConfig,
    ):
        # The dbt profile reads the warehouse path from the environment; pass on the one
        # this run was configured with so dbt and the Python assets write the same file.
        os.environ["RAPPORT_WAREHOUSE"] = duckdb.database
        with warehouse_write_lock(Path(duckdb.database)):
            refuse_half_rebuilt(Path(duckdb.database), config.rebuild_id or None)
            args = ["build", *PRODUCTION_BUILD_ARGS]
            if config.full_refresh:
                args.append("--full-refresh")
            # the quality checks follow in this run: their imports overlap dbt's work
            gx_validate.preload()
            invocation = dbt.cli(args, context=context)
            yield from invocation.stream()
            keep_partial_parse(invocation.target_path)
        prune_run_targets()

    return rapport_dbt_models
