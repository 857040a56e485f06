"""ops.check_results (every check evaluation, appended by whoever ran it: `rapport
check`, `rapport build`, a scheduled run) and the table the CLI prints."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb

from pipelines.core import notify
from pipelines.quality.outcome import CheckOutcome, plain

INSERT_SQL = """
insert or replace into ops.check_results
    (run_id, checked_at, check_name, asset, severity, blocking, passed, status,
     unexpected_count, detail, sample)
values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
"""


def record(con: duckdb.DuckDBPyConnection, run_id: str, outcomes: Iterable[CheckOutcome]) -> None:
    """Append the outcomes; a failed blocking check is also told to the webhook
    (pipelines/core/notify.py), once per recording."""
    outcomes = list(outcomes)
    now = datetime.now(UTC)
    rows = [
        [
            run_id,
            now,
            o.check_name,
            o.asset,
            o.severity,
            o.blocking,
            o.passed,
            o.status,
            o.unexpected_count,
            o.detail,
            json.dumps(plain(o.samples)) if o.samples else None,
        ]
        for o in outcomes
    ]
    if rows:
        con.executemany(INSERT_SQL, rows)
    if failed := [f"{o.asset}:{o.check_name}" for o in outcomes if o.blocks]:
        notify.notify(notify.blocking_checks_failed(failed, f"run {run_id}"))


@dataclass(frozen=True)
class TableRow:
    check: str
    asset: str
    status: str  # pass | warn | fail
    detail: str


def rows_from_evaluations(evaluations: Sequence, quality_names: set[str]) -> list[TableRow]:
    """Table rows from a Dagster run's AssetCheckEvaluations: every quality check, then
    dbt's data tests folded into one line (listing any that failed)."""
    rows, dbt_passed, dbt_failed = [], 0, []
    for ev in evaluations:
        asset = ev.asset_key.to_user_string()
        status = _status(ev)
        if ev.check_name in quality_names:
            rows.append(TableRow(ev.check_name, asset, status, ev.description or ""))
        elif ev.passed:
            dbt_passed += 1
        else:
            dbt_failed.append(TableRow(ev.check_name, asset, status, "dbt data test"))
    rows.sort(key=lambda r: ({"fail": 0, "warn": 1, "pass": 2}[r.status], r.asset, r.check))
    if dbt_passed or dbt_failed:
        rows.extend(dbt_failed)
        rows.append(
            TableRow(
                "dbt data tests",
                "staging, intermediate, marts",
                "fail" if dbt_failed else "pass",
                f"{dbt_passed} passed, {len(dbt_failed)} failed",
            )
        )
    return rows


def _status(ev) -> str:
    meta = ev.metadata.get("status")
    if meta is not None and getattr(meta, "value", None) in {"pass", "warn", "fail"}:
        return meta.value
    if ev.passed:
        return "pass"
    return "warn" if ev.severity.value == "WARN" else "fail"


def format_table(rows: Sequence[TableRow], width: int = 120) -> str:
    """One line per check; a check that failed several ways continues on further lines,
    one per failed expectation, each cut to `width` characters of detail."""
    header = TableRow("check", "asset", "status", "detail")
    cells = [header, *rows]
    w_check = max(len(r.check) for r in cells)
    w_asset = max(len(r.asset) for r in cells)
    indent = " " * (2 + w_check + 2 + w_asset + 2 + 6 + 2)
    lines = []
    for n, r in enumerate(cells):
        first, *more = (r.detail or "").splitlines() or [""]
        lead = f"  {r.check.ljust(w_check)}  {r.asset.ljust(w_asset)}  {r.status:<6}  "
        lines.append(lead + _cut(first, width))
        lines.extend(indent + _cut(extra, width) for extra in more)
        if n == 0:
            lines.append(f"  {'-' * w_check}  {'-' * w_asset}  {'-' * 6}  {'-' * 6}")
    return "\n".join(lines)


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."
