"""The client report: one self-contained HTML file (inline CSS, inline SVG, no script,
no external asset), so it opens offline and can be mailed as it is."""

from __future__ import annotations

from datetime import datetime
from html import escape
from zoneinfo import ZoneInfo

from pipelines.config.report_thresholds import THRESHOLD_DOCS, Thresholds
from pipelines.reports.audience import audience_section
from pipelines.reports.charts import Series, colours, legend, line_chart, stacked_bars
from pipelines.reports.conversations import conversations_section
from pipelines.reports.data import AuditData
from pipelines.reports.findings import CONCERN, Finding, verdict
from pipelines.reports.followups import follow_up_section
from pipelines.reports.glossary import PLAIN
from pipelines.reports.periods import local_time
from pipelines.reports.quality import QualityStatus
from pipelines.reports.tables import COVERAGE, METRICS, coverage_note, network, scorecard_table

CSS = """
body{font-family:Helvetica,Arial,sans-serif;color:#222;margin:0;background:#f4f5f7}
main{max-width:980px;margin:0 auto;background:#fff;padding:32px 40px 48px}
h1{font-size:28px;margin:0 0 4px}h2{font-size:20px;margin:36px 0 12px;
border-bottom:2px solid #1b5e91;padding-bottom:4px}h3{font-size:16px;margin:20px 0 6px}
.sub{color:#555;margin:0 0 16px}.period{font-size:14px;color:#333}
.quality{padding:10px 14px;border-radius:4px;margin:16px 0;font-size:14px}
.quality.ok{background:#e6f4ea;border-left:5px solid #2a7f62}
.quality.warn{background:#fff4e0;border-left:5px solid #b8860b}
.quality.none{background:#eef0f3;border-left:5px solid #7d8591}
.verdict{display:inline-block;font-size:13px;padding:2px 8px;border-radius:10px;
background:#eef0f3;margin-left:8px;font-weight:normal}
ul.findings{list-style:none;padding:0;margin:0}
ul.findings li{padding:8px 12px;margin:6px 0;border-radius:4px;font-size:15px}
li.concern{background:#fdecea;border-left:5px solid #c8553d}
li.strength{background:#e6f4ea;border-left:5px solid #2a7f62}
.figure{display:block;font-size:12px;color:#555;margin-top:3px;font-family:Menlo,monospace}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{padding:5px 8px;border-bottom:1px solid #e3e6ea;text-align:right}
th[scope=row]{text-align:left;font-weight:normal}thead th{vertical-align:bottom}
th.brand{color:#1b5e91}th.competitor{color:#5c636b}th.total,td[data-brand]{background:#eef3f8}
.role{display:block;font-size:11px;font-weight:normal;color:#777}
.col{display:block;font-size:10px;color:#999;font-family:Menlo,monospace}
tr.section th{text-align:left;background:#f4f5f7;font-weight:bold}
td.flagged{color:#c8553d;font-weight:bold}
.legend{font-size:12px;margin:4px 0 16px}.key{margin-right:16px;white-space:nowrap}
.swatch{display:inline-block;width:22px;margin-right:6px;vertical-align:middle}
.charts svg{display:block;margin:8px 0}.multiples{display:flex;flex-wrap:wrap;gap:8px}
dl{font-size:13px}dt{font-family:Menlo,monospace;font-weight:bold;margin-top:8px}
dd{margin:2px 0 0 16px;color:#333}.small{font-size:12px;color:#555}
.was{display:block;font-size:11px;color:#666;white-space:nowrap}
a.col{display:block;font-size:10px;color:#999;font-family:Menlo,monospace;text-decoration:none}
table.follow-ups th,table.follow-ups td{text-align:left;vertical-align:top}
table.follow-ups td:first-child{white-space:nowrap}table.follow-ups td.text{width:60%}
h3.follow-up .small{font-weight:normal}dd a{font-size:12px;margin-left:6px}
dl.plain dt{font-family:inherit}
"""


# The post-mix bar's segments: (name, colour, count in a scorecard row).
MIX = (
    ("broadcasts (originals mentioning nobody)", "#c8553d", lambda r: r["broadcast_posts"]),
    ("originals mentioning someone", "#e8a87c", lambda r: r["originals"] - r["broadcast_posts"]),
    ("replies", "#1b5e91", lambda r: r["replies"]),
    ("retweets", "#2a7f62", lambda r: r["retweets"]),
    ("quotes", "#8a4fa3", lambda r: r["quotes"]),
)


def _quality_section(quality: QualityStatus, tz: str) -> str:
    css = "none" if not quality.checks else ("warn" if quality.warnings else "ok")
    last = quality.last_checked
    when = f"; last checked {last.astimezone(ZoneInfo(tz)):%d %b %Y %H:%M %Z}" if last else ""
    rows = "".join(
        f"<tr><td>{escape(c.asset)}</td><td>{escape(c.check)}</td><td>{escape(c.severity)}"
        f"</td><td>{'passed' if c.passed else 'FAILED'}</td><td>{escape(c.source)}</td></tr>"
        for c in quality.checks
        if not c.passed
    )
    detail = (
        f"<table><thead><tr><th>asset</th><th>check</th><th>severity</th><th>result</th>"
        f"<th>source</th></tr></thead><tbody>{rows}</tbody></table>"
        if rows
        else ""
    )
    return (
        f'<div class="quality {css}" id="data-quality"><strong>Data quality:</strong> '
        f"{escape(quality.summary)}{when}.</div>{detail}"
    )


def _findings_section(data: AuditData, findings: list[Finding]) -> str:
    parts = []
    for brand in data.role("brand"):
        mine = [f for f in findings if f.handle == brand["handle"]]
        mine.sort(key=lambda f: f.kind != CONCERN)
        items = "".join(
            f'<li class="{f.kind}" data-code="{f.code}">{escape(f.text)}'
            f'<span class="figure">{escape(f.figure)} &middot; threshold: '
            f"{escape(f.threshold)}</span></li>"
            for f in mine
        )
        parts.append(
            f'<h3>@{escape(brand["handle"])}<span class="verdict">{escape(verdict(mine))}'
            f'</span></h3><ul class="findings">{items or "<li>No finding.</li>"}</ul>'
        )
    return "".join(parts)


def _charts(data: AuditData) -> str:
    tz = data.period.timezone
    palette = colours([(r["handle"], r["role"]) for r in data.scorecard])
    dashed = {r["handle"]: r["role"] == "competitor" for r in data.scorecard}
    keys = legend([(f"@{h}", c, dashed[h]) for h, c in palette.items()])
    start, end = data.period.start.timestamp(), data.period.end.timestamp()
    day_ticks = [
        (start + (end - start) * i / 4, _local_date(start + (end - start) * i / 4, tz))
        for i in range(5)
    ]
    multiples = []
    for r in data.scorecard:
        points = [
            (f["observed_at"].timestamp(), float(f["followers"]))
            for f in data.followers
            if f["handle"] == r["handle"] and f["followers"] is not None
        ]
        series = [Series(f"@{r['handle']}", palette[r["handle"]], points, dashed[r["handle"]])]
        multiples.append(
            line_chart(
                series,
                day_ticks[::2],
                lambda v: f"{v:,.0f}",
                f"Followers of @{r['handle']}",
                width=292,
                height=180,
            )
        )
    weeks = sorted({w["week_no"]: w["week_end"] for w in data.weekly}.items())
    week_ticks = [(float(n), "to " + _local_date(end_.timestamp(), tz)) for n, end_ in weeks]

    def weekly(column: str, scale: float) -> list[Series]:
        return [
            Series(
                f"@{r['handle']}",
                palette[r["handle"]],
                [
                    (float(w["week_no"]), None if w[column] is None else w[column] * scale)
                    for w in data.weekly
                    if w["handle"] == r["handle"]
                ],
                dashed[r["handle"]],
            )
            for r in data.scorecard
        ]

    rate = line_chart(
        weekly("response_rate", 100.0),
        week_ticks,
        lambda v: f"{v:.0f}%",
        "Weekly response rate (share of the week's messages answered)",
        y_max=100.0,
    )
    speed = line_chart(
        weekly("median_first_response_min", 1 / 60),
        week_ticks,
        lambda v: f"{v:.0f} h",
        "Weekly median first response time (hours)",
    )
    mix = stacked_bars(
        [
            (f"@{r['handle']}", [(value(r), colour, name) for name, colour, value in MIX])
            for r in data.scorecard
        ],
        "Post mix in the period",
    )
    mix_keys = legend([(name, colour, False) for name, colour, _ in MIX])
    return (
        f'<div class="charts"><h3>Followers over time</h3><div class="multiples">'
        f"{''.join(multiples)}</div><h3>Conversation, week by week</h3>{rate}{speed}{keys}"
        f"<h3>What the accounts post</h3>{mix}{mix_keys}</div>"
    )


def _local_date(ts: float, tz: str) -> str:
    return datetime.fromtimestamp(ts, ZoneInfo(tz)).strftime("%d %b")


def _definitions(thresholds: Thresholds) -> str:
    """Each figure in plain words, linking to its exact definition in the appendix."""
    terms = "".join(
        f'<dt id="plain-{m.column}">{escape(m.label)}</dt><dd>{escape(PLAIN[m.column])}'
        f'<a href="#def-{m.column}">exact definition</a></dd>'
        for m in (COVERAGE, *METRICS)
    )
    limits = "".join(
        f"<tr><td>{name}</td><td>{getattr(thresholds, name):g}</td><td>{escape(doc)}</td></tr>"
        for name, (_, doc) in THRESHOLD_DOCS.items()
    )
    return (
        "<h2>How the figures are defined</h2><p class='small'>In plain words; the exact "
        "definition of each, as the warehouse computes it, is in the appendix.</p>"
        f'<dl class="plain">{terms}</dl><h2>Thresholds used for the findings</h2>'
        f"<table><thead><tr><th>threshold</th><th>value</th><th>meaning</th></tr></thead>"
        f"<tbody>{limits}</tbody></table>"
    )


def _exact_definitions(definitions: dict[str, str]) -> str:
    """The appendix: each figure's definition quoted from the warehouse's model
    documentation (the dbt YAML of marts.audit_scorecard), under its column name."""
    terms = "".join(
        f'<dt id="def-{m.column}">{m.column}</dt><dd>{escape(definitions.get(m.column, ""))}'
        f'<a href="#plain-{m.column}">in plain words</a></dd>'
        for m in (COVERAGE, *METRICS)
    )
    return (
        '<h2 id="exact-definitions">Appendix: exact definitions</h2><p class="small">Quoted '
        "from the warehouse's model documentation (marts.audit_scorecard, one column per "
        "figure); analysts can query the same figures there.</p>"
        f"<dl>{terms}</dl>"
    )


def _period_line(data: AuditData) -> str:
    p = data.period
    tz = p.timezone
    line = (
        f"{escape(local_time(p.start, tz))} to {escape(local_time(p.end, tz))}, "
        f"{p.days:g} days ({escape(tz)})"
    )
    if data.previous:
        before = p.previous
        line += (
            f"<br><strong>Compared with:</strong> the previous {before.days:g} days, "
            f"{escape(local_time(before.start, tz))} to {escape(local_time(before.end, tz))}"
        )
    return line


def render_report(
    data: AuditData,
    findings: list[Finding],
    quality: QualityStatus,
    definitions: dict[str, str],
    thresholds: Thresholds,
    client_title: str,
) -> str:
    p = data.period
    table = scorecard_table(data.scorecard, PLAIN, data.totals, data.previous, data.previous_totals)

    def accounts(role: str) -> str:
        return ", ".join(f"@{r['handle']} ({network(r['platform'])})" for r in data.role(role))

    brands = accounts("brand")
    rivals = accounts("competitor") or "none"
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(client_title)}: social audit to {p.label}</title>"
        f"<style>{CSS}</style></head><body><main>"
        f"<h1>{escape(client_title)}: social audit</h1>"
        '<p class="sub">Is the brand social, or does it shout into a crowded room and '
        "leave? Its accounts beside its competitors, from their public activity.</p>"
        f'<p class="period"><strong>Period:</strong> {_period_line(data)}<br>'
        f"<strong>Brands:</strong> {escape(brands)} &middot; <strong>Competitors:</strong> "
        f"{escape(rivals)}</p>"
        f"{_quality_section(quality, p.timezone)}"
        f"<h2>Findings</h2>{_findings_section(data, findings)}"
        f'<h2 id="follow-up">To follow up</h2>'
        f"{follow_up_section(data, thresholds.follow_up_after_hours)}"
        f'<h2 id="conversations">Conversations</h2>{conversations_section(data)}'
        "<h2>Scorecard</h2>"
        f"{table}"
        f"{coverage_note(data.scorecard)}"
        f"<h2>Trends</h2>{_charts(data)}"
        f'<h2 id="audience">Audience</h2>{audience_section(data.audience, p.timezone)}'
        f"{_definitions(thresholds)}{_exact_definitions(definitions)}"
        '<p class="small">Made by Rapport from the warehouse table marts.audit_scorecard '
        f"(client {escape(p.client)}, period_end {p.end.isoformat()}). The scorecard is "
        "also attached as scorecard.csv.</p></main></body></html>\n"
    )
