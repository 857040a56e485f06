"""The Dagster code location: `dagster dev -m pipelines.definitions`."""

import dagster as dg

from pipelines.defs.assets.dbt_models import rapport_dbt_models
from pipelines.defs.assets.ingest import audited_accounts, canonical_tables
from pipelines.defs.assets.reports import audit_periods, client_audit
from pipelines.defs.assets.x_ingest import X_INGEST_ASSETS
from pipelines.defs.audit_schedules import audit_schedules, client_audit_job
from pipelines.defs.checks import quality_checks
from pipelines.defs.resources import build_resources
from pipelines.defs.schedules import daily_refresh_job, daily_refresh_schedule
from pipelines.secrets import install_output_scrubbing
from pipelines.sources.x_api.resource import x_api_resource

# The webserver, daemon and code server load this module: from then on nothing they
# print or log holds a configured secret.
install_output_scrubbing()

defs = dg.Definitions(
    assets=[
        audited_accounts,
        canonical_tables,
        rapport_dbt_models,
        *X_INGEST_ASSETS,
        audit_periods,
        client_audit,
    ],
    asset_checks=quality_checks,
    jobs=[daily_refresh_job, client_audit_job],
    schedules=[daily_refresh_schedule, *audit_schedules],
    resources={**build_resources(), "x_api": x_api_resource()},
)
