"""The fake-follower model's scores of every follower sample (pipelines/audience/scores.py),
between the canonical tables the samples load into and the dbt models that read them."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.audience.scores import score_new_samples
from pipelines.defs.resources import writable_warehouse

FOLLOWER_TABLES = [["canonical", "follower_samples"], ["canonical", "sampled_followers"]]


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            ["audience", "follower_scores"],
            group_name="audience",
            kinds={"python", "duckdb"},
            description="Each sampled follower's fake probability and verdict.",
            deps=FOLLOWER_TABLES,
        ),
        dg.AssetSpec(
            ["audience", "sample_estimates"],
            group_name="audience",
            kinds={"python", "duckdb"},
            description="Per follower sample: the flagged share and the corrected fake share.",
            deps=FOLLOWER_TABLES,
        ),
    ],
)
def audience_scores(context: dg.AssetExecutionContext, duckdb: DuckDBResource):
    with writable_warehouse(duckdb) as con:
        scored = score_new_samples(con)
        totals = {
            t: con.execute(f"SELECT count(*) FROM audience.{t}").fetchone()[0]
            for t in ("follower_scores", "sample_estimates")
        }
    for s in scored:
        context.log.info(f"scored sample {s['sample']}: {s['flagged']} of {s['scored']} flagged")
    for table, rows in totals.items():
        yield dg.MaterializeResult(
            asset_key=["audience", table],
            metadata={"row_count": rows, "samples_scored_this_run": len(scored)},
        )
