"""The Dagster code location: `dagster dev -m pipelines.definitions`."""

import dagster as dg

from pipelines.defs.assets.dbt_models import rapport_dbt_models
from pipelines.defs.assets.ingest import audited_accounts, canonical_tables
from pipelines.defs.resources import build_resources
from pipelines.defs.schedules import daily_refresh_job, daily_refresh_schedule

defs = dg.Definitions(
    assets=[audited_accounts, canonical_tables, rapport_dbt_models],
    jobs=[daily_refresh_job],
    schedules=[daily_refresh_schedule],
    resources=build_resources(),
)
