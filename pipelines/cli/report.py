"""`rapport report CLIENT` and the demo's closing audits: one in-process Dagster run per
client (the job client_audit, or client_report without the refresh, of
pipelines/defs/jobs.py, through the launcher),
over every asset and check of the code location, so the quality gate's blocking checks
run and gate exactly as in a scheduled run."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import dagster as dg

from pipelines.canonical.tables import connect
from pipelines.cli.stages import stage_lines
from pipelines.config.audits import UnknownClient, find_client, load_clients
from pipelines.config.settings import Settings
from pipelines.core import notify
from pipelines.core.locking import warehouse_write_lock
from pipelines.defs.assets.reports import CLIENT_AUDIT, EMAIL_TAG, current_quality
from pipelines.defs.dagster_home import ensure_dagster_home
from pipelines.defs.jobs import audit_job
from pipelines.defs.launcher import launch
from pipelines.reports.audit import ReportRefused, refuse_if_blocked
from pipelines.reports.mail import MailError, smtp_settings


@dataclass(frozen=True)
class AuditRun:
    run_id: str
    html_path: Path
    csv_path: Path
    summary: str  # the Markdown the Dagster UI shows
    pdf_path: Path | None = None
    pdf_note: str = ""  # why there is no PDF
    email: str = ""  # to whom it was emailed, or why not


def run_audit(
    settings: Settings,
    client: str,
    period_end: str | None = None,
    period_days: int | None = None,
    refresh: bool = True,
    log_level: str | None = None,
    email: bool = False,
    show_stages: bool = True,
) -> AuditRun:
    period = {k: v for k, v in {"period_end": period_end, "period_days": period_days}.items() if v}
    result = launch(
        settings,
        audit_job(refresh),
        run_config={"ops": {"config__audit_periods": {"config": period}}},
        partition_key=client,
        log_level=log_level,
        label=f"audit of {client}: run",
        tags={EMAIL_TAG: "true"} if email else None,
        watch=stage_lines if show_stages else None,
    )
    (materialization,) = [
        m for m in result.get_asset_materialization_events() if m.asset_key == CLIENT_AUDIT
    ]
    meta = materialization.materialization.metadata
    return AuditRun(
        result.run_id,
        Path(meta["report"].value),
        Path(meta["scorecard_csv"].value),
        meta["summary"].value,
        Path(meta["pdf"].value) if "pdf" in meta else None,
        meta["pdf_note"].value if "pdf_note" in meta else "",
        meta["email"].value if "email" in meta else "",
    )


def check_gate(settings: Settings, client: str) -> None:
    """Refuse before any run when the latest recorded results of a blocking check on
    the report's inputs failed (ops.check_results, Dagster's check history)."""
    if not settings.warehouse_path.exists():
        return
    ensure_dagster_home(settings)
    with warehouse_write_lock(settings.warehouse_path):
        con = connect(settings.warehouse_path)
        try:
            quality = current_quality(con, dg.DagsterInstance.get())
        finally:
            con.close()
    refuse_if_blocked(client, quality)


def cmd_report(args: argparse.Namespace, settings: Settings) -> int:
    return report_command(
        settings, args.client, args.period_end, args.days, not args.no_refresh, args.email
    )


def refuse_unsendable(client) -> None:  # noqa: ANN001 (a ClientAudit)
    """--email without a server or recipients is refused before any run."""
    if smtp_settings() is None:
        raise MailError("--email needs an SMTP server: set RAPPORT_SMTP_HOST (see the README)")
    if not client.recipients:
        raise MailError(
            f"--email: client {client.name} has no recipients (add recipients: [...] "
            "to it in audits.yaml)"
        )


def report_command(
    settings: Settings,
    client: str,
    period_end: str | None,
    period_days: int | None,
    refresh: bool,
    email: bool = False,
) -> int:
    try:
        audit = find_client(settings.audits_path, client)
        if email:
            refuse_unsendable(audit)
        check_gate(settings, client)
    except (UnknownClient, MailError) as exc:
        print(f"rapport: {exc}", file=sys.stderr)
        return 2
    except ReportRefused as exc:
        notify.notify(f":warning: Rapport: {exc}")
        print(f"rapport: refused: {exc}", file=sys.stderr)
        return 1
    what = "refreshing its inputs, then auditing" if refresh else "auditing the warehouse as it is"
    print(f"{client}: {what} ...")
    run = run_audit(settings, client, period_end, period_days, refresh, email=email)
    print(f"run {run.run_id} succeeded\n\n{run.summary}\n")
    print(f"report:    {run.html_path}\nscorecard: {run.csv_path}")
    print(f"pdf:       {run.pdf_path}" if run.pdf_path else f"pdf:       {run.pdf_note}")
    if email:
        print(f"email:     {run.email}")
    return 0


def demo_reports(settings: Settings) -> None:
    """Every client's audit on the warehouse the demo has just built."""
    print("\nwriting each client's audit report ...")
    paths = []
    for client in load_clients(settings.audits_path):
        # quiet: the build above has just printed dbt's every line
        run = run_audit(
            settings, client.name, refresh=False, log_level="WARNING", show_stages=False
        )
        paths.append((client.name, run.html_path, run.csv_path, run))
    for name, html, csv, run in paths:
        print(f"  {name}: {html}\n  {' ' * len(name)}  {csv}")
        if run.pdf_path:
            print(f"  {' ' * len(name)}  {run.pdf_path}")
    if (missing := [run for *_, run in paths if run.pdf_path is None]) and missing:
        print(f"  {missing[0].pdf_note}")
    print("open a report.html in any browser (it works offline)")
