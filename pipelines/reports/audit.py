"""One client audit, start to finish: read the period's marts, judge the findings,
write report.html, report.pdf (when Chromium is there) and scorecard.csv to
REPORTS_DIR/CLIENT/DATE/, tell the webhook when a brand's response rate fell, and
summarise it as Markdown for the Dagster UI."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipelines.config.audits import ClientAudit
from pipelines.reports.alerts import alert_response_rate_drops
from pipelines.reports.data import AuditData, load_audit_data
from pipelines.reports.export import scorecard_csv, write_atomically
from pipelines.reports.findings import CONCERN, Finding, find, pct, verdict
from pipelines.reports.html import render_report
from pipelines.reports.pdf import write_pdf
from pipelines.reports.periods import AuditPeriod, NoAuditData
from pipelines.reports.quality import QualityStatus


class ReportRefused(RuntimeError):
    """A blocking check failed on the figures the report would show."""


@dataclass(frozen=True)
class AuditReport:
    html_path: Path
    csv_path: Path
    data: AuditData
    findings: list[Finding]
    quality: QualityStatus
    pdf_path: Path | None = None  # None: no PDF (pdf_note says why)
    pdf_note: str = ""
    alerts: tuple[str, ...] = ()  # response-rate drops told to the webhook

    @property
    def attachments(self) -> list[Path]:
        """What goes out by email: the PDF, or the HTML when there is no PDF."""
        return [self.pdf_path or self.html_path]


def refuse_if_blocked(client: str, quality: QualityStatus) -> None:
    if quality.blocking:
        failed = "; ".join(f"{c.asset}: {c.check} ({c.source})" for c in quality.blocking[:10])
        raise ReportRefused(
            f"the {client} report was not produced: {len(quality.blocking)} blocking "
            f"check(s) failed on its inputs: {failed}. Fix the data, rebuild "
            "(rapport build) so the checks pass, then run the audit again."
        )


def write_audit_report(
    con: duckdb.DuckDBPyConnection,
    client: ClientAudit,
    period: AuditPeriod,
    quality: QualityStatus,
    definitions: dict[str, str],
    reports_dir: Path,
) -> AuditReport:
    refuse_if_blocked(client.name, quality)
    data = load_audit_data(con, period, client.thresholds.follow_up_after_hours)
    if not data.scorecard:
        raise NoAuditData(
            f"marts.audit_scorecard has no rows for client {client.name}, period "
            f"{period.start.isoformat()} to {period.end.isoformat()}: the dbt models must "
            "run after the period is registered (materialize config/audit_periods and the "
            "audit marts with the report, as `rapport report` does)"
        )
    findings = find(data.scorecard, client.thresholds)
    title = client.name.replace("_", " ").title()
    html = render_report(data, findings, quality, definitions, client.thresholds, title)
    folder = reports_dir / client.name / period.label
    csv_path = write_atomically(folder / "scorecard.csv", scorecard_csv(data))
    html_path = write_atomically(folder / "report.html", html.encode("utf-8"))
    pdf = write_pdf(html_path)
    alerts = alert_response_rate_drops(con, period, data.scorecard, client.thresholds)
    return AuditReport(
        html_path, csv_path, data, findings, quality, pdf.path, pdf.note, tuple(alerts)
    )


def markdown_summary(report: AuditReport) -> str:
    """The scorecard's headline figures and every finding, for the Dagster UI."""
    p = report.data.period
    lines = [
        f"**{p.client}**, period {p.start:%Y-%m-%d %H:%M} to {p.end:%Y-%m-%d %H:%M} UTC "
        f"({p.days:g} days). Data quality: {report.quality.summary}.",
        "",
        "| account | role | posts | inbound | response rate | median response (min) "
        "| broadcast share | followers | follows per follower |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in report.data.scorecard:
        median = r["median_first_response_min"]
        ratio = r["follows_per_follower"]
        lines.append(
            f"| @{r['handle']} | {r['role']} | {r['posts']} | {r['inbound']} | "
            f"{pct(r['response_rate'], 1)} | {'n/a' if median is None else f'{median:.1f}'} | "
            f"{pct(r['broadcast_share'], 1)} | {r['followers_end'] or 'n/a'} | "
            f"{'n/a' if ratio is None else f'{ratio:.2f}'} |"
        )
    lines += ["", "**Findings**", ""]
    for brand in report.data.role("brand"):
        mine = [f for f in report.findings if f.handle == brand["handle"]]
        lines.append(f"- **@{brand['handle']}**: {verdict(mine)}")
        for f in mine:
            mark = "concern" if f.kind == CONCERN else "strength"
            lines.append(f"  - ({mark}) {f.text} *[{f.figure}]*")
    lines += ["", f"Report: `{report.html_path}`", f"Scorecard CSV: `{report.csv_path}`"]
    lines.append(f"PDF: `{report.pdf_path}`" if report.pdf_path else f"PDF: {report.pdf_note}")
    return "\n".join(lines)
