"""The `rapport report` command and the demo's closing audits."""

from __future__ import annotations

import sys

import dagster as dg

from pipelines.audits import load_clients
from pipelines.dagster_home import ensure_dagster_home
from pipelines.locking import warehouse_write_lock
from pipelines.reports.audit import ReportRefused, refuse_if_blocked
from pipelines.reports.run import UnknownClient, find_client, run_audit
from pipelines.settings import Settings


def check_gate(settings: Settings, client: str) -> None:
    """Refuse before any run when the latest recorded results of a blocking check on
    the report's inputs failed (ops.check_results, Dagster's check history)."""
    from pipelines.defs.assets.reports import current_quality
    from pipelines.warehouse import connect

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


def report_command(
    settings: Settings,
    client: str,
    period_end: str | None,
    period_days: int | None,
    refresh: bool,
) -> int:
    try:
        find_client(settings, client)
        check_gate(settings, client)
    except UnknownClient as exc:
        print(f"rapport: {exc}", file=sys.stderr)
        return 2
    except ReportRefused as exc:
        print(f"rapport: refused: {exc}", file=sys.stderr)
        return 1
    what = "refreshing its inputs, then auditing" if refresh else "auditing the warehouse as it is"
    print(f"{client}: {what} ...")
    run = run_audit(settings, client, period_end, period_days, refresh)
    print(f"run {run.run_id} succeeded\n\n{run.summary}\n")
    print(f"report:    {run.html_path}\nscorecard: {run.csv_path}")
    return 0


def demo_reports(settings: Settings) -> None:
    """Every client's audit on the warehouse the demo has just built."""
    print("\nwriting each client's audit report ...")
    paths = []
    for client in load_clients(settings.audits_path):
        # quiet: the build above has just printed dbt's every line
        run = run_audit(settings, client.name, refresh=False, log_level="WARNING")
        paths.append((client.name, run.html_path, run.csv_path))
    for name, html, csv in paths:
        print(f"  {name}: {html}\n  {' ' * len(name)}  {csv}")
    print("open a report.html in any browser (it works offline)")
