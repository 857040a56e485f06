"""The rows one audit reads: the period's scorecard, its brands' cross-network totals,
weekly trends and follower history, straight from the marts (the report computes no
metric of its own)."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from pipelines.reports.periods import AuditPeriod

ORDER = "CASE role WHEN 'brand' THEN 0 ELSE 1 END, lower(handle), platform"
# The scorecard keeps a brand's accounts on several networks side by side (by name).
SCORECARD_ORDER = (
    "CASE role WHEN 'brand' THEN 0 ELSE 1 END, lower(brand_name), platform, lower(handle)"
)
WHERE = "client = ? AND period_start = ? AND period_end = ?"


@dataclass(frozen=True)
class AuditData:
    period: AuditPeriod
    columns: list[str]  # marts.audit_scorecard's columns, in the mart's order
    scorecard: list[dict]  # one per account: brands first, then competitors, by brand
    weekly: list[dict]
    followers: list[dict]
    # marts.audit_brand_totals rows of the brands on more than one network
    totals: list[dict] = ()

    def role(self, role: str) -> list[dict]:
        return [r for r in self.scorecard if r["role"] == role]


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list) -> tuple[list[str], list[dict]]:
    cur = con.execute(sql, params)
    names = [d[0] for d in cur.description]
    return names, [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def load_audit_data(con: duckdb.DuckDBPyConnection, period: AuditPeriod) -> AuditData:
    params = [period.client, period.start, period.end]
    columns, scorecard = _rows(
        con, f"SELECT * FROM marts.audit_scorecard WHERE {WHERE} ORDER BY {SCORECARD_ORDER}", params
    )
    _, weekly = _rows(
        con,
        f"SELECT * FROM marts.audit_weekly_trends WHERE {WHERE} ORDER BY {ORDER}, week_no",
        params,
    )
    _, followers = _rows(
        con,
        f"SELECT * FROM marts.audit_follower_history WHERE {WHERE} ORDER BY {ORDER}, observed_at",
        params,
    )
    _, totals = _rows(
        con,
        "SELECT * FROM marts.audit_brand_totals "
        f"WHERE {WHERE} AND networks > 1 ORDER BY role, lower(brand_name)",
        params,
    )
    return AuditData(period, columns, scorecard, weekly, followers, totals)
