"""Live Bluesky and Mastodon ingest assets, beside X's: for every audited account of
the network, today's profile snapshot, its new posts and the reply threads under its
recent posts (plus Bluesky's mention search with a session), through the plain
helpers of pipelines/sources/{bluesky,mastodon}/ingest.py. Each page lands raw and
loads into the canonical tables; the materialization reports requests, pages, new
posts, threads read and accounts skipped.

The credentials are optional (public reads need none) and configured with
``dg.EnvVar``: Dagster keeps the variable's name in run config and resolves its value
only inside the run. Log lines, metadata and failure messages are scrubbed of secrets
(pipelines/core/secrets.py) before Dagster sees them."""

import functools
from collections.abc import Callable

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.canonical.imports import page_loader
from pipelines.config.networks import NetworksConfigError, load_network_config
from pipelines.core.secrets import install_output_scrubbing, scrub
from pipelines.defs.assets.x_ingest import _scrubbed_failure
from pipelines.defs.resources import (
    BlueskyAccess,
    MastodonAccess,
    RapportPaths,
    writable_warehouse,
)
from pipelines.sources.bluesky.client import BlueskyRefused
from pipelines.sources.bluesky.ingest import SOURCE as BLUESKY_SOURCE
from pipelines.sources.bluesky.ingest import bluesky_ingest
from pipelines.sources.live import NetworkIngest, NetworkResult, audited_handles
from pipelines.sources.mastodon.ingest import SOURCE as MASTODON_SOURCE
from pipelines.sources.mastodon.ingest import mastodon_ingest
from pipelines.sources.sweeps import RUN_COUNTERS


def _metadata(result: NetworkResult, accounts: int) -> dict:
    metadata: dict = {k: result.totals[k] for k in RUN_COUNTERS}
    metadata["accounts"] = accounts
    metadata["status"] = result.status
    if result.stop_reason:
        metadata["stop_reason"] = scrub(result.stop_reason)
    if result.skipped:
        metadata["skipped"] = dg.MetadataValue.md(
            "\n".join(f"- {scrub(s)}" for s in result.skipped)
        )
    if result.lines:
        metadata["reads"] = dg.MetadataValue.md("\n".join(f"- {scrub(s)}" for s in result.lines))
    return metadata


def _materialize(
    context: dg.AssetExecutionContext,
    network: str,
    duckdb: DuckDBResource,
    paths: RapportPaths,
    make: Callable[..., NetworkIngest],
    source: str,
) -> dg.MaterializeResult:
    """`make` (bluesky_ingest / mastodon_ingest) run on the audited accounts of
    `network`, with everything that reaches Dagster scrubbed."""
    install_output_scrubbing()  # the step's stdout / stderr and Python logging too
    handles = audited_handles(paths.audits, network)
    if not handles:
        context.log.info(f"no audited {network} account: nothing to read")
        return dg.MaterializeResult(metadata={"accounts": 0, "requests": 0})
    try:
        config = load_network_config(network)
        with writable_warehouse(duckdb) as con:
            load_page = page_loader(con, paths.raw, source)
            ingest = make(
                con, paths.raw, config, context.run_id, log=context.log.info, load_page=load_page
            )
            result = ingest.run(handles)
    except (BlueskyRefused, NetworksConfigError) as exc:
        raise dg.Failure(description=scrub(str(exc))) from None
    except Exception as exc:
        failure = _scrubbed_failure(exc)
        if failure is None:
            raise
        raise failure from None
    if result.status == "stopped":
        context.log.warning(f"stopped early, the next run resumes: {scrub(result.stop_reason)}")
    elif result.skipped:
        context.log.warning(f"skipped: {scrub('; '.join(result.skipped))}")
    return dg.MaterializeResult(metadata=_metadata(result, len(handles)))


@dg.asset(
    key="bluesky_ingest",
    group_name="ingest",
    kinds={"python", "duckdb"},
    description="Today's profile, the new posts and the recent reply threads (and, with "
    "a session, the mentions) of every audited Bluesky account, landed raw and loaded "
    "as canonical posts and snapshots.",
)
def bluesky_ingest_asset(
    context: dg.AssetExecutionContext,
    duckdb: DuckDBResource,
    paths: RapportPaths,
    bluesky_access: BlueskyAccess,
) -> dg.MaterializeResult:
    access = bluesky_access
    login = (access.handle, access.app_password) if access.handle and access.app_password else None
    make = functools.partial(bluesky_ingest, login=login)
    return _materialize(context, "bluesky", duckdb, paths, make, BLUESKY_SOURCE)


@dg.asset(
    key="mastodon_ingest",
    group_name="ingest",
    kinds={"python", "duckdb"},
    description="Today's profile, the new statuses and the recent reply threads of every "
    "audited Mastodon account, each read on its own instance, landed raw and loaded as "
    "canonical posts and snapshots.",
)
def mastodon_ingest_asset(
    context: dg.AssetExecutionContext,
    duckdb: DuckDBResource,
    paths: RapportPaths,
    mastodon_access: MastodonAccess,
) -> dg.MaterializeResult:
    make = functools.partial(mastodon_ingest, token=mastodon_access.access_token)
    return _materialize(context, "mastodon", duckdb, paths, make, MASTODON_SOURCE)


NETWORK_INGEST_ASSETS = [bluesky_ingest_asset, mastodon_ingest_asset]
NETWORK_INGEST_KEYS = [asset.key for asset in NETWORK_INGEST_ASSETS]
