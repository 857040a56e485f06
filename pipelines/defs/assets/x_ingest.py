"""Live X ingest assets: today's profile snapshot of every audited X account, then the
new posts of their timelines and mentions. Each reads the X API v2 through the plain
helpers of pipelines/sources/x_api (paging, retries, budget, state), lands every page
raw and loads it into the canonical tables; the materialization reports requests,
objects read and estimated cost. Without a token they skip, saying so.

Nothing that holds a secret reaches the run's event log: log lines, metadata and
failure messages are scrubbed (pipelines/core/secrets.py) before Dagster sees them, and an
error whose text or traceback holds one is replaced by a Failure with scrubbed text."""

import traceback

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.canonical.imports import page_loader
from pipelines.core.secrets import install_output_scrubbing, scrub
from pipelines.defs.resources import RapportPaths, XApiResource, writable_warehouse
from pipelines.sources.x_api.config import TOKEN_ENV, load_x_config
from pipelines.sources.x_api.ingest import SOURCE, audited_x_handles, x_ingest
from pipelines.sources.x_api.policy import XAccessError

_COUNTERS = ("requests", "posts_read", "users_read", "posts_charged", "users_charged")


class XRunConfig(dg.Config):
    """This run's budget in USD; unset: max_cost_per_run_usd of x_ingest.yaml."""

    max_cost_usd: float | None = None


def _scrubbed_failure(exc: Exception) -> dg.Failure | None:
    """A Failure to raise instead of `exc` when its text or traceback (causes
    included) holds a secret; None when it holds none, so the original is raised."""
    text = "".join(traceback.format_exception(exc))
    if scrub(text) == text:
        return None
    return dg.Failure(
        description=scrub(str(exc)) or type(exc).__name__,
        metadata={"traceback": dg.MetadataValue.text(scrub(text))},
    )


def _ingest(
    context: dg.AssetExecutionContext,
    phase: str,
    config: XRunConfig,
    duckdb: DuckDBResource,
    paths: RapportPaths,
    x_api: XApiResource,
) -> dg.MaterializeResult:
    if not x_api.bearer_token:
        context.log.warning(
            f"{TOKEN_ENV} was not set when the code location loaded: live X ingest skipped "
            f"(export {TOKEN_ENV} and reload the code location to enable it)"
        )
        return dg.MaterializeResult(metadata={"skipped": f"{TOKEN_ENV} not set", "requests": 0})
    # The step's stdout / stderr (Dagster's compute logs) and Python logging, too.
    install_output_scrubbing()
    try:
        return _read(context, phase, config, duckdb, paths, x_api)
    except XAccessError as exc:
        raise dg.Failure(description=scrub(str(exc))) from None
    except Exception as exc:
        failure = _scrubbed_failure(exc)
        if failure is None:
            raise
        raise failure from None


def _read(
    context: dg.AssetExecutionContext,
    phase: str,
    config: XRunConfig,
    duckdb: DuckDBResource,
    paths: RapportPaths,
    x_api: XApiResource,
) -> dg.MaterializeResult:
    handles = audited_x_handles(paths.audits)
    settings = load_x_config().with_max_cost(config.max_cost_usd)
    with writable_warehouse(duckdb) as con:
        ingest = x_ingest(
            con,
            paths.raw,
            x_api.bearer_token,
            x_api.api_url,
            settings,
            context.run_id,
            log=context.log.info,  # x_ingest scrubs every line it logs
            load_page=page_loader(con, paths.raw, SOURCE),
        )
        before = ingest.totals()
        result = ingest.run(handles, phases=[phase])
    if result.status != "complete":
        context.log.warning(f"stopped early, the next run resumes: {scrub(result.stop_reason)}")
    after = result.totals
    metadata: dict = {k: after[k] - before[k] for k in _COUNTERS}
    metadata["estimated_cost_usd"] = float(after["cost_usd"] - before["cost_usd"])
    metadata["run_budget_usd"] = settings.max_cost_per_run_usd
    metadata["accounts"] = len(handles)
    metadata["status"] = result.status
    if result.stop_reason:
        metadata["stop_reason"] = scrub(result.stop_reason)
    if result.lines:
        reads = "\n".join(f"- {scrub(line)}" for line in result.lines)
        metadata["reads"] = dg.MetadataValue.md(reads)
    return dg.MaterializeResult(metadata=metadata)


@dg.asset(
    key=["x_api", "profile_snapshots"],
    group_name="ingest",
    kinds={"python", "duckdb"},
    description="Today's profile of every audited X account (users lookup, once a UTC "
    "day), landed raw and loaded as canonical account snapshots.",
)
def x_profile_snapshots(
    context: dg.AssetExecutionContext,
    config: XRunConfig,
    duckdb: DuckDBResource,
    paths: RapportPaths,
    x_api: XApiResource,
) -> dg.MaterializeResult:
    return _ingest(context, "profiles", config, duckdb, paths, x_api)


@dg.asset(
    key=["x_api", "posts"],
    deps=[x_profile_snapshots],
    group_name="ingest",
    kinds={"python", "duckdb"},
    description="The new posts of every audited X account's timeline and mentions "
    "(since the newest already read), landed raw and loaded as canonical posts.",
)
def x_posts(
    context: dg.AssetExecutionContext,
    config: XRunConfig,
    duckdb: DuckDBResource,
    paths: RapportPaths,
    x_api: XApiResource,
) -> dg.MaterializeResult:
    return _ingest(context, "posts", config, duckdb, paths, x_api)


X_INGEST_ASSETS = [x_profile_snapshots, x_posts]
X_INGEST_KEYS = [asset.key for asset in X_INGEST_ASSETS]
