"""Resources: the DuckDB warehouse (dagster-duckdb), where Rapport's files live, dbt,
the quality thresholds, the X API client and the Bluesky / Mastodon credentials.
Defaults come from pipelines.config.settings, so RAPPORT_WAREHOUSE / RAPPORT_RAW_DIR /
RAPPORT_AUDITS / RAPPORT_INBOX reach Dagster runs and the CLI alike."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb
from dagster_duckdb import DuckDBResource

from pipelines.canonical.tables import connect
from pipelines.config.settings import Settings, load_settings
from pipelines.core.locking import warehouse_write_lock
from pipelines.defs.dbt_project import dbt_cli
from pipelines.quality.thresholds import QualityThresholds
from pipelines.sources.bluesky.client import HANDLE_ENV as BLUESKY_HANDLE_ENV
from pipelines.sources.bluesky.client import PASSWORD_ENV as BLUESKY_PASSWORD_ENV
from pipelines.sources.mastodon.client import TOKEN_ENV as MASTODON_TOKEN_ENV
from pipelines.sources.x_api.config import DEFAULT_API_URL, TOKEN_ENV, api_url


class RapportPaths(dg.ConfigurableResource):
    """The files around the warehouse: raw landing, inbox, audits config."""

    raw_dir: str
    inbox_dir: str
    audits_path: str

    @property
    def raw(self) -> Path:
        return Path(self.raw_dir)

    @property
    def inbox(self) -> Path:
        return Path(self.inbox_dir)

    @property
    def audits(self) -> Path:
        return Path(self.audits_path)


class ReportsLocation(dg.ConfigurableResource):
    """Where client audits are written: REPORTS_DIR/CLIENT/DATE/."""

    reports_dir: str

    @property
    def root(self) -> Path:
        return Path(self.reports_dir)


class XApiResource(dg.ConfigurableResource):
    """Where and as whom to read the X API v2. No token: the live ingest is skipped.
    The token is configured with ``dg.EnvVar("X_BEARER_TOKEN")``: Dagster stores the
    variable's name in run config and resolves its value only inside the run, so the
    token never reaches run storage."""

    bearer_token: str | None = None
    api_url: str = DEFAULT_API_URL


def x_api_resource() -> XApiResource:
    # A machine without the variable still loads the definitions and runs the daily job
    # (the ingest assets log that they skipped); an EnvVar of an unset variable would
    # fail every run instead. Set the variable, then reload the code location.
    token = dg.EnvVar(TOKEN_ENV) if os.environ.get(TOKEN_ENV) else None
    return XApiResource(bearer_token=token, api_url=api_url())


class BlueskyAccess(dg.ConfigurableResource):
    """The account whose session runs the Bluesky mention search; unset: public reads
    only. The app password is a ``dg.EnvVar``, resolved only inside the run."""

    handle: str | None = None
    app_password: str | None = None


class MastodonAccess(dg.ConfigurableResource):
    """An access token for mastodon.token_instance (networks.yaml); optional."""

    access_token: str | None = None


def _env_var(name: str) -> dg.EnvVar | None:
    # An EnvVar of an unset variable would fail every run: public reads need none.
    return dg.EnvVar(name) if os.environ.get(name) else None


@contextmanager
def writable_warehouse(duckdb_resource: DuckDBResource) -> Iterator[duckdb.DuckDBPyConnection]:
    """A write connection, held under the single-writer lock, with the canonical schema."""
    path = Path(duckdb_resource.database)
    path.parent.mkdir(parents=True, exist_ok=True)
    with warehouse_write_lock(path):
        # connect() (not DuckDBResource.get_connection, which does not close on error):
        # a failed step must release the file, or the rest of the run cannot write it.
        con = connect(path)
        try:
            yield con
        finally:
            con.close()


def build_resources(settings: Settings | None = None) -> dict[str, object]:
    s = settings or load_settings()
    return {
        "duckdb": DuckDBResource(database=str(s.warehouse_path)),
        "paths": RapportPaths(
            raw_dir=str(s.raw_dir), inbox_dir=str(s.inbox_dir), audits_path=str(s.audits_path)
        ),
        "dbt": dbt_cli(),
        # Thresholds of the quality checks; RAPPORT_QUALITY_<FIELD> overrides a default.
        "quality": QualityThresholds.from_env(),
        "reports": ReportsLocation(reports_dir=str(s.reports_dir)),
        "x_api": x_api_resource(),
        "bluesky_access": BlueskyAccess(
            handle=os.environ.get(BLUESKY_HANDLE_ENV) or None,
            app_password=_env_var(BLUESKY_PASSWORD_ENV),
        ),
        "mastodon_access": MastodonAccess(access_token=_env_var(MASTODON_TOKEN_ENV)),
    }
