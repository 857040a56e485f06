"""The quality checks as Dagster asset checks, each on the asset it guards (a mart's GX
suite and warnings on the mart, the quarantine count on int_posts__quarantined, ...).

They run together in one op, on purpose. Dagster holds back an asset downstream of a
blocking check until that check's step has run, and skips it when the step fails; it
does not look further upstream. With every check in one step, any blocking failure
(a mart's suite, or too many quarantined posts upstream of all marts) fails that step,
so no asset downstream of any checked mart (a client report) materializes in that run.
Warnings never block. Every result is also appended to ops.check_results."""

# No `from __future__ import annotations`: Dagster reads the context and resource
# annotations at definition time.
from pathlib import Path

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.canonical.tables import connect
from pipelines.core.locking import warehouse_write_lock
from pipelines.quality.history import record
from pipelines.quality.registry import CHECKS, run_checks
from pipelines.quality.thresholds import QualityThresholds

_BY_KEY = {dg.AssetCheckKey(dg.AssetKey(c.asset_key_path), c.name): c for c in CHECKS}


@dg.multi_asset_check(
    name="quality_checks",
    specs=[
        dg.AssetCheckSpec(
            c.name,
            asset=dg.AssetKey(c.asset_key_path),
            blocking=c.blocking,
            description=c.description,
        )
        for c in CHECKS
    ],
    can_subset=True,
    compute_kind="great_expectations",
)
def quality_checks_op(
    context: dg.AssetCheckExecutionContext, duckdb: DuckDBResource, quality: QualityThresholds
):
    selected = [c for key, c in _BY_KEY.items() if key in context.selected_asset_check_keys]
    # The write lock: this op appends to ops.check_results, and reading under it means no
    # dbt run rewrites a mart halfway through a validation. Closed in `finally`
    # (DuckDBResource.get_connection leaves the file locked when its body raises).
    path = Path(duckdb.database)
    with warehouse_write_lock(path):
        con = connect(path)
        try:
            outcomes = run_checks(selected, con, quality, path)
            record(con, context.run.run_id, outcomes)
        finally:
            con.close()
    for outcome in outcomes:
        context.log.info(f"{outcome.asset}:{outcome.check_name}: {outcome.status}")
        yield outcome.to_asset_check_result()


quality_checks: list[dg.AssetChecksDefinition] = [quality_checks_op]
