"""Alerts a client audit raises beside its report: a brand whose response rate fell by
more than `response_rate_drop_alert` (pipelines/config/report_thresholds.py) from the
client's previous audit period. marts.audit_scorecard keeps every period; the previous
one is the latest of the same client that ends before this one. Both periods need
`min_messages` inbound messages, as the response findings do. The webhook itself is
pipelines/core/notify.py."""

from __future__ import annotations

import duckdb

from pipelines.config.report_thresholds import Thresholds
from pipelines.core import notify
from pipelines.reports.findings import pct
from pipelines.reports.periods import AuditPeriod

_PREVIOUS_SQL = """
with previous as (
    select max(period_end) as period_end
    from marts.audit_scorecard
    where client = ? and period_end < ?
)
select s.platform, s.handle, s.response_rate, s.inbound, s.period_start, s.period_end
from marts.audit_scorecard as s
join previous as p on s.period_end = p.period_end
where s.client = ? and s.role = 'brand'
order by s.period_start desc
"""


def response_rate_drops(
    con: duckdb.DuckDBPyConnection,
    period: AuditPeriod,
    scorecard: list[dict],
    thresholds: Thresholds,
) -> list[str]:
    """One line per brand account whose response rate fell by more than the threshold."""
    previous: dict[tuple[str, str], tuple] = {}
    for platform, handle, rate, inbound, start, end in con.execute(
        _PREVIOUS_SQL, [period.client, period.end, period.client]
    ).fetchall():
        # two earlier periods may end together: the longest (earliest start) wins
        previous.setdefault((platform, handle.lower()), (rate, inbound, start, end))
    out = []
    for row in scorecard:
        if row["role"] != "brand":
            continue
        before = previous.get((row["platform"], row["handle"].lower()))
        now = row["response_rate"]
        if before is None or now is None or before[0] is None:
            continue
        rate, inbound, _, end = before
        if min(inbound or 0, row["inbound"] or 0) < thresholds.min_messages:
            continue
        if rate - now > thresholds.response_rate_drop_alert:
            out.append(
                f"@{row['handle']} ({row['platform']}) answered {pct(now, 1)} of its messages "
                f"in the period to {period.label}, down from {pct(rate, 1)} in the period to "
                f"{end:%Y-%m-%d} (alert above a {pct(thresholds.response_rate_drop_alert)} "
                "drop)"
            )
    return out


def alert_response_rate_drops(
    con: duckdb.DuckDBPyConnection,
    period: AuditPeriod,
    scorecard: list[dict],
    thresholds: Thresholds,
) -> list[str]:
    """Tell the webhook about every drop; returns the lines (empty: nothing to tell)."""
    drops = response_rate_drops(con, period, scorecard, thresholds)
    if drops:
        notify.notify(notify.response_rate_fell(period.client, drops))
    return drops
