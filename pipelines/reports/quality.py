"""The data-quality status of an audit's figures: the latest result of every check on
the assets the report reads (and everything upstream of them), from two records:

* Dagster's event log: every asset check's latest evaluation (the dbt tests, and any
  other check the code location attaches to those assets);
* ``ops.check_results``, when the warehouse has it: the history `rapport check`
  appends (the quality-gate issue). Used when present; nothing breaks without it.

A failed check of severity error is blocking: the report is then not produced."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

import dagster as dg
import duckdb

BLOCKING_SEVERITIES = {"error", "blocking", "fail", "failure"}


@dataclass(frozen=True)
class CheckStatus:
    asset: str  # e.g. "marts/audit_scorecard"
    check: str
    passed: bool
    severity: str  # "error" or "warn"
    checked_at: datetime | None
    source: str  # "dagster" | "ops.check_results"
    blocks: bool | None = None  # the record says whether it blocks; else from severity

    @property
    def blocking_failure(self) -> bool:
        if self.passed:
            return False
        return self.blocks if self.blocks is not None else self.severity in BLOCKING_SEVERITIES


@dataclass(frozen=True)
class QualityStatus:
    checks: list[CheckStatus]

    @property
    def blocking(self) -> list[CheckStatus]:
        return [c for c in self.checks if c.blocking_failure]

    @property
    def warnings(self) -> list[CheckStatus]:
        return [c for c in self.checks if not c.passed and not c.blocking_failure]

    @property
    def last_checked(self) -> datetime | None:
        times = [c.checked_at for c in self.checks if c.checked_at is not None]
        return max(times) if times else None

    @property
    def summary(self) -> str:
        if not self.checks:
            return "no check results recorded for these figures"
        n = len(self.checks)
        failed, warned = len(self.blocking), len(self.warnings)
        if failed:
            return f"{failed} of {n} checks failed: these figures must not be used"
        if warned:
            return f"{n - warned} of {n} checks passed, {warned} warning(s)"
        return f"all {n} checks passed"


def _normalise_asset(name: str) -> str:
    return name.strip().replace(".", "/")


# ops.check_results is another issue's table: accept the column names it may use.
_COLUMN_CHOICES = {
    "check": ("check_name", "check", "name"),
    "asset": ("asset", "asset_key", "mart", "table_name"),
    "severity": ("severity", "level"),
    "passed": ("passed", "success", "ok"),
    "checked_at": ("checked_at", "evaluated_at", "run_at", "created_at"),
}


def ops_check_results(con: duckdb.DuckDBPyConnection, assets: set[str]) -> list[CheckStatus]:
    """The latest row per (asset, check) of ops.check_results for these assets; [] when
    the table does not exist (yet)."""
    columns = [
        r[0]
        for r in con.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = 'ops' AND table_name = 'check_results'"
        ).fetchall()
    ]
    if not columns:
        return []
    chosen = {}
    for role, choices in _COLUMN_CHOICES.items():
        found = next((c for c in choices if c in columns), None)
        if found is None:
            raise RuntimeError(
                f"ops.check_results has no {role} column (looked for {', '.join(choices)}); "
                f"its columns are {', '.join(columns)}"
            )
        chosen[role] = found
    c = chosen
    blocks = '"blocking"' if "blocking" in columns else "NULL"
    rows = con.execute(
        f"""
        SELECT "{c["asset"]}", "{c["check"]}", "{c["passed"]}", "{c["severity"]}",
               "{c["checked_at"]}", {blocks}
        FROM ops.check_results
        QUALIFY row_number() OVER (
            PARTITION BY "{c["asset"]}", "{c["check"]}" ORDER BY "{c["checked_at"]}" DESC
        ) = 1
        """
    ).fetchall()
    out = []
    for asset, check, passed, severity, checked_at, blocking in rows:
        key = _normalise_asset(str(asset))
        if key not in assets:
            continue
        when = checked_at.astimezone(UTC) if isinstance(checked_at, datetime) else None
        out.append(
            CheckStatus(
                key,
                str(check),
                bool(passed),
                str(severity).lower(),
                when,
                "ops.check_results",
                None if blocking is None else bool(blocking),
            )
        )
    return out


def dagster_check_results(
    instance: dg.DagsterInstance, check_keys: Iterable[dg.AssetCheckKey]
) -> list[CheckStatus]:
    """The latest completed evaluation of each check in Dagster's event log."""
    records = instance.event_log_storage.get_latest_asset_check_execution_by_key(list(check_keys))
    out = []
    for key, record in records.items():
        event = record.event
        evaluation = (
            event.dagster_event.event_specific_data if event and event.dagster_event else None
        )
        if not isinstance(evaluation, dg.AssetCheckEvaluation):
            continue  # planned or still running: no result yet
        out.append(
            CheckStatus(
                key.asset_key.to_user_string(),
                key.name,
                evaluation.passed,
                evaluation.severity.value.lower(),
                datetime.fromtimestamp(event.timestamp, UTC),
                "dagster",
                True if evaluation.blocking else None,
            )
        )
    return out


def quality_status(
    con: duckdb.DuckDBPyConnection,
    instance: dg.DagsterInstance | None,
    input_assets: set[str],
    check_keys: Iterable[dg.AssetCheckKey],
) -> QualityStatus:
    found = ops_check_results(con, input_assets)
    if instance is not None:
        found += dagster_check_results(instance, check_keys)
    # A check run by Dagster is in both records: keep its latest result once.
    latest: dict[tuple[str, str], CheckStatus] = {}
    for c in found:
        seen = latest.get((c.asset, c.check))
        if seen is None or (c.checked_at or _EPOCH) > (seen.checked_at or _EPOCH):
            latest[(c.asset, c.check)] = c
    checks = sorted(latest.values(), key=lambda c: (c.passed, c.asset, c.check))
    return QualityStatus(checks)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
