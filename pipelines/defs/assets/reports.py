"""Client audits as assets, one partition per client of audits.yaml:

* ``config/audit_periods`` registers the period the audit covers (by default the
  client's period_days up to the latest data) and the previous period of the same
  length, so dbt computes marts.audit_scorecard for both and the report shows the
  change;
* ``reports/client_audit`` reads the audit marts, refuses when a blocking check on its
  inputs failed, and writes report.html, report.pdf + scorecard.csv, with the scorecard
  and the findings as Markdown metadata. A scheduled run (or `rapport report --email`,
  the run tag EMAIL_TAG) emails it to the client's recipients when an SMTP server is
  configured (pipelines/reports/mail.py).

It depends on the audit marts, so the blocking checks on them (and dbt failures
upstream) stop it in the same run; it also re-reads the latest check results, so a
report materialized on its own is gated too.

Both are partitioned by the clients of audits.yaml, which is read when `audit_assets()`
first builds them (pipelines/defs/partitions.py), not when this module is imported."""

import functools

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.config.audits import ClientAudit, load_clients
from pipelines.defs.catalog import all_checks, pipeline_assets
from pipelines.defs.dbt_project import rapport_dbt_project
from pipelines.defs.partitions import client_partitions as configured_partitions
from pipelines.defs.resources import (
    RapportPaths,
    ReportsLocation,
    build_resources,
    writable_warehouse,
)
from pipelines.reports.audit import ReportRefused, markdown_summary, write_audit_report
from pipelines.reports.findings import CONCERN
from pipelines.reports.glossary import scorecard_definitions
from pipelines.reports.mail import MailError, email_audit, smtp_settings
from pipelines.reports.periods import (
    NoAuditData,
    latest_requested_period,
    register_period,
    resolve_period,
)
from pipelines.reports.quality import QualityStatus, quality_status

# `rapport report --email` sets it; a scheduled run emails without it.
EMAIL_TAG = "rapport/email"
AUDIT_PERIODS = dg.AssetKey(["config", "audit_periods"])
CLIENT_AUDIT = dg.AssetKey(["reports", "client_audit"])
AUDIT_MARTS = [
    dg.AssetKey(["marts", name])
    for name in (
        "audit_scorecard",
        "audit_brand_totals",
        "audit_weekly_trends",
        "audit_follower_history",
    )
]


class AuditPeriodConfig(dg.Config):
    """Leave both empty for the default: period_days of audits.yaml, up to the latest
    data of the client's accounts."""

    period_end: str | None = None  # ISO 8601 time or date (naive: client's time zone)
    period_days: int | None = None


def _client(paths: RapportPaths, name: str) -> ClientAudit:
    for client in load_clients(paths.audits):
        if client.name == name:
            return client
    raise dg.Failure(f"client {name} is no longer in {paths.audits}; reload the code location")


@functools.cache
def code_location_graph():
    """Every asset and check of the code location (the pipeline's and the audits')."""
    assets = [*pipeline_assets(), *audit_assets()]
    # Resolving validates that every required resource is there.
    location = dg.Definitions(assets=assets, asset_checks=all_checks(), resources=build_resources())
    return location.resolve_asset_graph()


def wants_email(tags: dict[str, str]) -> bool:
    return tags.get(EMAIL_TAG) == "true" or "dagster/schedule_name" in tags


def deliver(context: dg.AssetExecutionContext, client: ClientAudit, report) -> str:
    """Email the report when the run asks for it and a server is configured; the
    outcome as a line for the metadata. A run that asked and could not is a failure."""
    asked = context.run.tags.get(EMAIL_TAG) == "true"
    if not wants_email(context.run.tags):
        return "not emailed (not a scheduled run; rapport report --email sends it)"
    try:
        settings = smtp_settings()
        if settings is None and not asked:
            return "not emailed: no SMTP server configured (RAPPORT_SMTP_HOST)"
        if not client.recipients and not asked:
            return f"not emailed: client {client.name} has no recipients in audits.yaml"
        return email_audit(
            client.name,
            report.data.period.label,
            client.recipients,
            report.findings,
            report.attachments,
            settings,
        )
    except MailError as exc:
        raise dg.Failure(f"{exc} (the report itself was written: {report.html_path})") from exc


def report_inputs() -> tuple[set[str], list[dg.AssetCheckKey]]:
    """Every asset the audit marts are computed from (them included) and every check on
    those assets anywhere in the code location."""
    graph = code_location_graph()
    upstream = dg.AssetSelection.assets(*AUDIT_MARTS).upstream().resolve(graph)
    checks = [k for k in graph.asset_check_keys if k.asset_key in upstream]
    return {k.to_user_string() for k in upstream}, checks


def current_quality(con, instance: dg.DagsterInstance | None) -> QualityStatus:
    assets, checks = report_inputs()
    return quality_status(con, instance, assets, checks)


@functools.cache
def audit_assets() -> tuple[dg.AssetsDefinition, dg.AssetsDefinition]:
    """(config/audit_periods, reports/client_audit), partitioned by client."""
    client_partitions = configured_partitions()

    @dg.asset(
        key=AUDIT_PERIODS,
        # with the audits config: a period is an input of the staging models, and the
        # UI draws groups in the order their assets run (ingest, config, dbt, reports)
        group_name="config",
        partitions_def=client_partitions,
        deps=[
            ["config", "audited_accounts"],
            ["canonical", "posts"],
            ["canonical", "account_snapshots"],
        ],
        kinds={"python", "duckdb"},
        description="The period each client audit covers (config.audit_periods).",
    )
    def audit_periods(
        context: dg.AssetExecutionContext,
        config: AuditPeriodConfig,
        duckdb: DuckDBResource,
        paths: RapportPaths,
    ) -> dg.MaterializeResult:
        client = _client(paths, context.partition_key)
        days = config.period_days or client.period_days
        with writable_warehouse(duckdb) as con:
            try:
                period = resolve_period(con, client.name, client.timezone, days, config.period_end)
            except (NoAuditData, ValueError) as exc:
                raise dg.Failure(str(exc)) from exc
            # the previous period first: the audit shows its figures beside this one's,
            # and this one must stay the latest requested (latest_requested_period)
            register_period(con, period.previous)
            register_period(con, period)
        return dg.MaterializeResult(
            metadata={
                "period_start": period.start.isoformat(),
                "period_end": period.end.isoformat(),
                "previous_period_start": period.previous.start.isoformat(),
                "period_days": days,
                "timezone": period.timezone,
                "period_end_from": "run config" if config.period_end else "latest data",
            }
        )

    @dg.asset(
        key=CLIENT_AUDIT,
        group_name="reports",
        partitions_def=client_partitions,
        deps=[AUDIT_PERIODS, *AUDIT_MARTS],
        kinds={"python", "html"},
        description=(
            "The client's audit: report.html and scorecard.csv in REPORTS_DIR/CLIENT/DATE/."
        ),
    )
    def client_audit(
        context: dg.AssetExecutionContext,
        duckdb: DuckDBResource,
        paths: RapportPaths,
        reports: ReportsLocation,
    ) -> dg.MaterializeResult:
        client = _client(paths, context.partition_key)
        definitions = scorecard_definitions(rapport_dbt_project().manifest_path)
        with writable_warehouse(duckdb) as con:
            period = latest_requested_period(con, client.name)
            if period is None:
                raise dg.Failure(
                    f"no audit period registered for {client.name}: materialize "
                    "config/audit_periods for this client first"
                )
            quality = current_quality(con, context.instance)
            try:
                report = write_audit_report(con, client, period, quality, definitions, reports.root)
            except (ReportRefused, NoAuditData) as exc:
                raise dg.Failure(
                    str(exc),
                    metadata={
                        "blocking_checks": [f"{c.asset}:{c.check}" for c in quality.blocking]
                    },
                ) from exc
        concerns = sum(f.kind == CONCERN for f in report.findings)
        context.log.info(f"wrote {report.html_path} and {report.csv_path}")
        if report.pdf_path is None:
            context.log.warning(report.pdf_note)
        emailed = deliver(context, client, report)
        context.log.info(emailed)
        pdf = (
            {"pdf": dg.MetadataValue.path(str(report.pdf_path))}
            if report.pdf_path
            else {"pdf_note": report.pdf_note}
        )
        return dg.MaterializeResult(
            metadata={
                "report": dg.MetadataValue.path(str(report.html_path)),
                **pdf,
                "email": emailed,
                "alerts": len(report.alerts),
                "scorecard_csv": dg.MetadataValue.path(str(report.csv_path)),
                "summary": dg.MetadataValue.md(markdown_summary(report)),
                "period_start": period.start.isoformat(),
                "period_end": period.end.isoformat(),
                "concerns": concerns,
                "strengths": len(report.findings) - concerns,
                "data_quality": quality.summary,
            }
        )

    return audit_periods, client_audit
