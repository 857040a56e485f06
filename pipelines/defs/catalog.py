"""The assets and checks of the pipeline, listed once: the audits config, the canonical
tables, the live X, Bluesky and Mastodon ingests and follower samples, every dbt
model, and the quality checks. The client audits (pipelines/defs/assets/reports.py)
build on top of these; pipelines/defs/location.py adds them and assembles the code
location."""

from __future__ import annotations

import dagster as dg

from pipelines.defs.assets.audience import audience_scores
from pipelines.defs.assets.dbt_models import dbt_models
from pipelines.defs.assets.followers import FOLLOWER_ASSETS
from pipelines.defs.assets.ingest import audited_accounts, canonical_tables
from pipelines.defs.assets.network_ingest import NETWORK_INGEST_ASSETS
from pipelines.defs.assets.x_ingest import X_INGEST_ASSETS
from pipelines.defs.checks import quality_checks


def pipeline_assets() -> list[dg.AssetsDefinition]:
    return [
        audited_accounts,
        canonical_tables,
        audience_scores,
        dbt_models(),
        *X_INGEST_ASSETS,
        *NETWORK_INGEST_ASSETS,
        *FOLLOWER_ASSETS,
    ]


def all_checks() -> list[dg.AssetChecksDefinition]:
    return list(quality_checks)
