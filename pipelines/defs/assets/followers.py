"""Follower sample assets (issue 17), beside the live ingests: for every audited X,
Bluesky and Mastodon account whose latest sample is older than follower_refresh_days,
its most recent followers, read newest first down to the last sample's (the rest is
carried forward), each page landed raw, then the sample file that loads them whole
into canonical.follower_samples and canonical.sampled_followers. They run weekly
(jobs.py ``follower_samples``, schedules.py); the X one within its per-audit budget
(x_ingest.yaml) and skipped without a token. Everything that reaches Dagster is
scrubbed of secrets, as in the other ingest assets.

``sample_store`` is the one place the samplers (pipelines/sources/*/followers.py) are
handed the format and the loading of pipelines/canonical/followers.py: the CLI and the
tests use it too."""

import tempfile
from collections.abc import Callable
from pathlib import Path

import dagster as dg
import duckdb
from dagster_duckdb import DuckDBResource

from pipelines.canonical import followers
from pipelines.canonical.imports import import_file, page_loader
from pipelines.config.networks import NetworksConfigError, load_network_config
from pipelines.core.secrets import install_output_scrubbing, scrub
from pipelines.defs.assets.x_ingest import _scrubbed_failure
from pipelines.defs.resources import MastodonAccess, RapportPaths, XApiResource, writable_warehouse
from pipelines.sources.bluesky.followers import bluesky_follower_sampler
from pipelines.sources.bluesky.ingest import SOURCE as BLUESKY_SOURCE
from pipelines.sources.follower_sampling import FollowerSampler, SamplingResult
from pipelines.sources.live import audited_handles
from pipelines.sources.mastodon.followers import mastodon_follower_sampler
from pipelines.sources.mastodon.ingest import SOURCE as MASTODON_SOURCE
from pipelines.sources.x_api.config import TOKEN_ENV, XConfigError, load_x_config
from pipelines.sources.x_api.followers import x_follower_sampler
from pipelines.sources.x_api.ingest import SOURCE as X_SOURCE
from pipelines.sources.x_api.policy import XAccessError


class WarehouseSampleStore:
    """The samplers' SampleStore: pages and sample files landed and loaded through
    canonical/imports.py, in the format of canonical/followers.py."""

    def __init__(self, con: duckdb.DuckDBPyConnection, raw_dir: Path) -> None:
        self.con, self.raw_dir = con, raw_dir

    def page(self, platform: str, path: Path) -> str:
        source = followers.PAGE_SOURCE[platform]
        return import_file(self.con, self.raw_dir, source, path).raw_file_id

    def sample(self, **header: object) -> str:
        text = followers.sample_document(**header)  # type: ignore[arg-type]
        with tempfile.TemporaryDirectory(prefix="rapport-sample-") as folder:
            path = Path(folder) / "sample.json"
            path.write_text(text)
            return import_file(self.con, self.raw_dir, followers.SAMPLE_SOURCE, path).raw_file_id


def sample_store(con: duckdb.DuckDBPyConnection, raw_dir: Path) -> WarehouseSampleStore:
    return WarehouseSampleStore(con, raw_dir)


class FollowerRunConfig(dg.Config):
    """force: sample every account now, however recent its latest sample."""

    force: bool = False


def _metadata(result: SamplingResult, accounts: int) -> dict:
    metadata: dict = {
        "accounts": accounts,
        "samples": result.samples,
        "followers_read": result.followers_read,
        "requests": result.requests,
        "status": result.status,
    }
    if result.cost_usd:
        metadata["estimated_cost_usd"] = result.cost_usd
    if result.stop_reason:
        metadata["stop_reason"] = scrub(result.stop_reason)
    if result.lines:
        metadata["samples_read"] = dg.MetadataValue.md(
            "\n".join(f"- {scrub(s)}" for s in result.lines)
        )
    return metadata


def _materialize(
    context: dg.AssetExecutionContext,
    network: str,
    force: bool,
    duckdb_resource: DuckDBResource,
    paths: RapportPaths,
    make: Callable[..., FollowerSampler],
) -> dg.MaterializeResult:
    install_output_scrubbing()
    handles = audited_handles(paths.audits, network)
    if not handles:
        context.log.info(f"no audited {network} account: no follower sample")
        return dg.MaterializeResult(metadata={"accounts": 0, "requests": 0})
    # Its own run row: in one Dagster run the daily ingest may use context.run_id.
    run_id = f"{context.run_id}-followers"
    try:
        with writable_warehouse(duckdb_resource) as con:
            sampler = make(con, paths.raw, sample_store(con, paths.raw), run_id)
            result = sampler.run(handles, force=force)
    except (XAccessError, XConfigError, NetworksConfigError) as exc:
        raise dg.Failure(description=scrub(str(exc))) from None
    except Exception as exc:
        failure = _scrubbed_failure(exc)
        if failure is None:
            raise
        raise failure from None
    if result.status == "stopped":
        context.log.warning(f"stopped early, the next run resumes: {scrub(result.stop_reason)}")
    return dg.MaterializeResult(metadata=_metadata(result, len(handles)))


_KEY = ["ingest"]
_DESCRIPTION = (
    "The most recent followers of every audited {label} account with their profiles "
    "(weekly; only those new since the last sample are read), landed raw and loaded as "
    "canonical.follower_samples and canonical.sampled_followers."
)


@dg.asset(
    key=[*_KEY, "x_followers"],
    group_name="ingest",
    kinds={"python", "duckdb"},
    description=_DESCRIPTION.format(label="X") + " Within the per-audit budget of x_ingest.yaml.",
)
def x_followers(
    context: dg.AssetExecutionContext,
    config: FollowerRunConfig,
    duckdb: DuckDBResource,
    paths: RapportPaths,
    x_api: XApiResource,
) -> dg.MaterializeResult:
    if not x_api.bearer_token:
        context.log.warning(f"{TOKEN_ENV} was not set: X follower samples skipped")
        return dg.MaterializeResult(metadata={"skipped": f"{TOKEN_ENV} not set", "requests": 0})
    token, url = x_api.bearer_token, x_api.api_url

    def make(con, raw, store, run_id):  # noqa: ANN001, ANN202
        return x_follower_sampler(
            con,
            raw,
            store,
            token,
            url,
            load_x_config(),
            run_id,
            log=context.log.info,
            load_page=page_loader(con, raw, X_SOURCE),
        )

    return _materialize(context, "x", config.force, duckdb, paths, make)


@dg.asset(
    key=[*_KEY, "bluesky_followers"],
    group_name="ingest",
    kinds={"python", "duckdb"},
    description=_DESCRIPTION.format(label="Bluesky"),
)
def bluesky_followers(
    context: dg.AssetExecutionContext,
    config: FollowerRunConfig,
    duckdb: DuckDBResource,
    paths: RapportPaths,
) -> dg.MaterializeResult:
    def make(con, raw, store, run_id):  # noqa: ANN001, ANN202
        settings = load_network_config("bluesky")
        load = page_loader(con, raw, BLUESKY_SOURCE)
        return bluesky_follower_sampler(
            con, raw, store, settings, run_id, log=context.log.info, load_page=load
        )

    return _materialize(context, "bluesky", config.force, duckdb, paths, make)


@dg.asset(
    key=[*_KEY, "mastodon_followers"],
    group_name="ingest",
    kinds={"python", "duckdb"},
    description=_DESCRIPTION.format(label="Mastodon")
    + " An account hiding its followers is recorded as hidden.",
)
def mastodon_followers(
    context: dg.AssetExecutionContext,
    config: FollowerRunConfig,
    duckdb: DuckDBResource,
    paths: RapportPaths,
    mastodon_access: MastodonAccess,
) -> dg.MaterializeResult:
    token = mastodon_access.access_token

    def make(con, raw, store, run_id):  # noqa: ANN001, ANN202
        settings = load_network_config("mastodon")
        load = page_loader(con, raw, MASTODON_SOURCE)
        return mastodon_follower_sampler(
            con, raw, store, settings, run_id, token=token, log=context.log.info, load_page=load
        )

    return _materialize(context, "mastodon", config.force, duckdb, paths, make)


FOLLOWER_ASSETS = [x_followers, bluesky_followers, mastodon_followers]
FOLLOWER_KEYS = [asset.key for asset in FOLLOWER_ASSETS]
