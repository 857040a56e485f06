"""The code location, assembled once: every asset, check, job, schedule, sensor and
resource.
pipelines/definitions.py (what `dagster dev` loads) and the launcher build from here,
so the list of assets is written in one place (pipelines/defs/catalog.py, plus the
client audits). Building it parses the dbt project if
its manifest is stale and reads audits.yaml (both cached per process)."""

from __future__ import annotations

import functools

import dagster as dg

from pipelines.defs.assets.reports import audit_assets, code_location_graph
from pipelines.defs.catalog import all_checks, pipeline_assets
from pipelines.defs.jobs import all_jobs
from pipelines.defs.resources import build_resources
from pipelines.defs.schedules import all_schedules
from pipelines.defs.sensors import all_sensors


def all_assets() -> list[dg.AssetsDefinition]:
    return [*pipeline_assets(), *audit_assets()]


@functools.cache
def build_definitions() -> dg.Definitions:
    return dg.Definitions(
        assets=all_assets(),
        asset_checks=all_checks(),
        jobs=all_jobs(),
        schedules=all_schedules(),
        sensors=all_sensors(),
        resources=build_resources(),
    )


def asset_graph():
    """The code location's asset graph, outside a run."""
    return code_location_graph()
