"""Shared by the quality tests: a stand-in for a client report downstream of a checked
mart, and one in-process Dagster run of every quality check plus that asset."""

from __future__ import annotations

import dagster as dg


@dg.asset(deps=[dg.AssetKey(["marts", "conversation_metrics"])])
def downstream_report() -> dg.MaterializeResult:
    """Stands in for a client report: it reads a mart the quality checks guard."""
    return dg.MaterializeResult(metadata={"written": True})


def run_checks_and_report() -> dg.ExecuteInProcessResult:
    """Every quality check on the warehouse as it is (RAPPORT_WAREHOUSE) and the
    downstream asset, in one run; no dbt, so a value corrupted in the copy stays."""
    from pipelines.config.settings import load_settings
    from pipelines.defs.assets.dbt_models import dbt_models
    from pipelines.defs.assets.ingest import audited_accounts, canonical_tables
    from pipelines.defs.checks import quality_checks
    from pipelines.defs.resources import build_resources

    return dg.materialize(
        [
            audited_accounts,
            canonical_tables,
            dbt_models(),
            *quality_checks,
            downstream_report,
        ],
        selection=dg.AssetSelection.assets(downstream_report)
        | dg.AssetSelection.checks(*quality_checks),
        resources=build_resources(load_settings()),
        raise_on_error=False,
    )


def materialized(result: dg.ExecuteInProcessResult) -> set[dg.AssetKey]:
    return {e.asset_key for e in result.get_asset_materialization_events()}
