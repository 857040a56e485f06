"""Which period an audit covers. The end defaults to the latest observation of the
client's accounts in the warehouse (profile snapshot or own post), never the wall
clock: the same data gives the same period, so an audit can be re-run and reproduce
its figures, and a demo built from fixed files gives the same report any day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import duckdb


class NoAuditData(ValueError):
    """The warehouse holds nothing about the client's accounts yet."""


@dataclass(frozen=True)
class AuditPeriod:
    client: str
    start: datetime  # exclusive, UTC
    end: datetime  # inclusive, UTC
    timezone: str

    @property
    def days(self) -> float:
        return (self.end - self.start).total_seconds() / 86400

    @property
    def local_end(self) -> datetime:
        return self.end.astimezone(ZoneInfo(self.timezone))

    @property
    def previous(self) -> AuditPeriod:
        """The period of the same length that ends where this one starts: the audit
        shows its figures beside this one's."""
        return AuditPeriod(
            self.client, self.start - (self.end - self.start), self.start, self.timezone
        )

    @property
    def label(self) -> str:
        """The folder name under warehouse/reports/CLIENT/: the local date of the last
        moment the period covers (an end at midnight closes the day before)."""
        return (self.local_end - timedelta(microseconds=1)).date().isoformat()


def local_time(when: datetime, timezone: str) -> str:
    """A moment as the client reads it: in the client's time zone, with the zone's
    abbreviation and UTC offset, e.g. '18 Oct 2026 23:00 PDT (UTC-07:00)'. A naive
    time is refused: whether it is UTC or local would be a guess."""
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValueError(f"{when!r} has no time zone: give an aware (UTC) time")
    local = when.astimezone(ZoneInfo(timezone))
    minutes = int(local.utcoffset().total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    hours, mins = divmod(abs(minutes), 60)
    return f"{local:%d %b %Y %H:%M} {local.tzname()} (UTC{sign}{hours:02d}:{mins:02d})"


_ANCHOR_SQL = """
with audited as (
    select platform, lower(ltrim(trim(handle), '@')) as handle_lower
    from config.audited_accounts where client = ?
),
ids as (
    select a.platform, a.account_id from canonical.accounts as a
    inner join audited as au on au.platform = a.platform and au.handle_lower = lower(a.handle)
    union
    select s.platform, s.account_id from canonical.account_snapshots as s
    inner join audited as au on au.platform = s.platform and au.handle_lower = lower(s.handle)
)
select greatest(
    (select max(s.observed_at) from canonical.account_snapshots as s
     inner join ids using (platform, account_id)),
    (select max(p.created_at) from canonical.posts as p
     inner join ids using (platform, account_id))
)
"""


def data_anchor(con: duckdb.DuckDBPyConnection, client: str) -> datetime | None:
    """The latest snapshot or post of the client's audited accounts, or None."""
    (anchor,) = con.execute(_ANCHOR_SQL, [client]).fetchone()
    return anchor.astimezone(UTC) if anchor is not None else None


def parse_period_end(text: str, timezone: str) -> datetime:
    """An ISO 8601 time (naive: in the client's time zone) or a date, meaning the end
    of that day in the client's time zone."""
    tz = ZoneInfo(timezone)
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            return datetime.combine(day + timedelta(days=1), time(), tz).astimezone(UTC)
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(
            f"period end {text!r} is not an ISO 8601 date or time "
            "(e.g. 2026-11-16 or 2026-11-16T06:00:00Z)"
        ) from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=tz)
    return when.astimezone(UTC)


def resolve_period(
    con: duckdb.DuckDBPyConnection,
    client: str,
    timezone: str,
    period_days: int,
    period_end: str | None = None,
) -> AuditPeriod:
    if period_end:
        end = parse_period_end(period_end, timezone)
    else:
        end = data_anchor(con, client)
        if end is None:
            raise NoAuditData(
                f"no posts or profile snapshots of client {client}'s accounts in the "
                "warehouse yet: import or ingest data first, or give an explicit period end"
            )
    return AuditPeriod(client, end - timedelta(days=period_days), end, timezone)


def register_period(con: duckdb.DuckDBPyConnection, period: AuditPeriod) -> None:
    """Record the period (once; a repeat only refreshes requested_at). The audit
    asset registers the period's previous one first, then the period itself, so dbt
    computes both scorecards in the same run and the period is the latest requested."""
    con.execute(
        """
        INSERT INTO config.audit_periods VALUES (?, ?, ?, ?, now())
        ON CONFLICT (client, period_start, period_end)
        DO UPDATE SET requested_at = now(), timezone = excluded.timezone
        """,
        [period.client, period.start, period.end, period.timezone],
    )


def latest_requested_period(con: duckdb.DuckDBPyConnection, client: str) -> AuditPeriod | None:
    row = con.execute(
        "SELECT period_start, period_end, timezone FROM config.audit_periods "
        "WHERE client = ? ORDER BY requested_at DESC, period_end DESC LIMIT 1",
        [client],
    ).fetchone()
    if row is None:
        return None
    start, end, tz = row
    return AuditPeriod(client, start.astimezone(UTC), end.astimezone(UTC), tz)
