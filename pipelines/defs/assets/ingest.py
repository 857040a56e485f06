"""Ingest assets: the audits config and the canonical tables every source loads into.
Each run imports whatever sits in the inbox (plus any paths given as run config);
files imported before are recognised by their hash and skipped, so reruns are cheap."""

from pathlib import Path

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.canonical.imports import PARSERS, import_paths
from pipelines.config.audits import load_audits, sync_audited_accounts
from pipelines.defs.assets.dbt_models import refuse_half_rebuilt
from pipelines.defs.assets.followers import FOLLOWER_KEYS
from pipelines.defs.assets.network_ingest import NETWORK_INGEST_KEYS
from pipelines.defs.assets.x_ingest import X_INGEST_KEYS
from pipelines.defs.resources import RapportPaths, writable_warehouse

CANONICAL_TABLES = (
    "posts",
    "account_snapshots",
    "accounts",
    "rejects",
    "follower_samples",
    "sampled_followers",
)


class ImportConfig(dg.Config):
    """Extra files or folders to import in this run, by source format."""

    twcs_paths: list[str] = []
    twarc2_paths: list[str] = []


@dg.asset(
    key=["config", "audited_accounts"],
    group_name="config",
    kinds={"python", "duckdb"},
    description="The accounts audits.yaml names, per client and role (brand / competitor).",
)
def audited_accounts(duckdb: DuckDBResource, paths: RapportPaths) -> dg.MaterializeResult:
    accounts = load_audits(paths.audits)
    with writable_warehouse(duckdb) as con:
        n = sync_audited_accounts(con, accounts)
    clients = sorted({a.client for a in accounts})
    return dg.MaterializeResult(
        metadata={"accounts": n, "clients": ", ".join(clients), "file": str(paths.audits)}
    )


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            ["canonical", table],
            group_name="ingest",
            kinds={"python", "duckdb"},
            description=f"Platform-neutral canonical.{table}, loaded from raw payloads.",
            # The live ingests load these tables too: in a run they go first.
            deps=[*X_INGEST_KEYS, *NETWORK_INGEST_KEYS, *FOLLOWER_KEYS],
        )
        for table in CANONICAL_TABLES
    ],
)
def canonical_tables(
    context: dg.AssetExecutionContext,
    config: ImportConfig,
    duckdb: DuckDBResource,
    paths: RapportPaths,
):
    requested = {"twcs": config.twcs_paths, "twarc2": config.twarc2_paths}
    imported = skipped = refused = posts = snapshots = rejects = 0
    # Loading more into a half-rebuilt warehouse would be harmless, but the run would
    # only fail later at dbt: say so here, first.
    refuse_half_rebuilt(Path(duckdb.database))
    with writable_warehouse(duckdb) as con:
        for source in PARSERS:
            folders = [Path(p) for p in requested.get(source, [])]
            if (paths.inbox / source).is_dir():
                folders.append(paths.inbox / source)
            for result in import_paths(con, paths.raw, source, folders, log=context.log.info):
                if result.refused is not None:
                    # One bad file must not stop the inbox: the others load, it is
                    # recorded in ops.refused_files, and the run says so.
                    context.log.warning(result.summary())
                    refused += 1
                    continue
                if result.skipped:
                    skipped += 1
                    continue
                imported += 1
                assert result.counts is not None
                posts += result.counts.posts
                snapshots += result.counts.snapshots
                rejects += result.counts.rejects
        totals = {
            t: con.execute(f"SELECT count(*) FROM canonical.{t}").fetchone()[0]
            for t in CANONICAL_TABLES
        }
    run_meta = {
        "files_imported": imported,
        "files_already_imported": skipped,
        "files_refused": refused,
    }
    for table in CANONICAL_TABLES:
        loaded = {"posts": posts, "account_snapshots": snapshots, "rejects": rejects}.get(table)
        meta = {**run_meta, "row_count": dg.MetadataValue.int(totals[table])}
        if loaded is not None:
            meta["rows_loaded_this_run"] = loaded
        yield dg.MaterializeResult(asset_key=["canonical", table], metadata=meta)
