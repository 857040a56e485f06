"""`rapport check`: every quality check against the warehouse as it is (no import, no
dbt). The checks run in this process, the same functions the Dagster asset checks call;
their results are appended to ops.check_results and reported to the Dagster instance,
so they also show on the assets' check history in the UI. The build prints its own
table from its run's check evaluations (print_check_table)."""

from __future__ import annotations

import argparse
import sys
import uuid

import dagster as dg

from pipelines.canonical import rebuild as rebuilds
from pipelines.canonical.publish import publish_analyst_copy
from pipelines.canonical.tables import connect
from pipelines.config.settings import Settings
from pipelines.core.locking import warehouse_write_lock
from pipelines.defs.dagster_home import ensure_dagster_home
from pipelines.quality.history import TableRow, format_table, record, rows_from_evaluations
from pipelines.quality.outcome import CheckOutcome
from pipelines.quality.registry import CHECKS, run_checks
from pipelines.quality.thresholds import QualityThresholds


def cmd_check(args: argparse.Namespace, settings: Settings) -> int:
    return check_command(settings, publish=not args.no_publish)


def check_command(settings: Settings, *, publish: bool = True) -> int:
    """0 when no blocking check failed (warnings allowed), 1 when one did, 2 when there is
    no warehouse to check."""
    path = settings.warehouse_path
    if not path.exists():
        print(
            f"rapport: {path} does not exist; import data and run `rapport build` first",
            file=sys.stderr,
        )
        return 2
    thresholds = QualityThresholds.from_env()
    run_id = f"check-{uuid.uuid4()}"
    print(f"checking {path} as it is (no import, no rebuild)")
    # Under the write lock: ops.check_results is written, and no build may rewrite a
    # mart while it is being validated.
    with warehouse_write_lock(path):
        con = connect(path)
        try:
            # Checks would pass on a half-rebuilt warehouse (it is consistent, only
            # short of history), so say what they cannot see.
            rebuilds.refuse_if_unfinished(con)
            outcomes = run_checks(CHECKS, con, thresholds, path)
            record(con, run_id, outcomes)
        finally:
            con.close()
        blocked = [f"{o.asset}:{o.check_name}" for o in outcomes if o.blocks]
        if not blocked and publish:  # the marts passed: analysts may see them
            publish_analyst_copy(settings)
    _report_to_dagster(settings, outcomes)
    print_outcomes(outcomes)
    if blocked:
        print(f"rapport: blocking check(s) failed: {', '.join(blocked)}", file=sys.stderr)
        print("the analyst copy was not refreshed: it still holds the last checked marts")
        return 1
    print(f"{run_id}: no blocking check failed; results appended to ops.check_results")
    return 0


def _report_to_dagster(settings: Settings, outcomes: list[CheckOutcome]) -> None:
    """Record the evaluations without a run, so the UI shows them on the assets."""
    ensure_dagster_home(settings)
    instance = dg.DagsterInstance.get()
    for outcome in outcomes:
        result = outcome.to_asset_check_result()
        instance.report_runless_asset_event(
            dg.AssetCheckEvaluation(
                asset_key=result.asset_key,
                check_name=outcome.check_name,
                passed=outcome.passed,
                metadata=result.metadata,
                severity=result.severity,
                description=result.description,
                blocking=outcome.blocking,
            )
        )


def print_outcomes(outcomes: list[CheckOutcome]) -> None:
    rows = [TableRow(o.check_name, o.asset, o.status, o.detail) for o in outcomes]
    _print(sorted(rows, key=_order))


def print_check_table(result: dg.ExecuteInProcessResult | None) -> None:
    """The quality checks of a Dagster run (the build), with dbt's tests in one line."""
    if result is None or not (evaluations := result.get_asset_check_evaluations()):
        return
    _print(rows_from_evaluations(evaluations, {c.name for c in CHECKS}))


def _order(row: TableRow) -> tuple:
    return ({"fail": 0, "warn": 1, "pass": 2}[row.status], row.asset, row.check)


def _print(rows: list[TableRow]) -> None:
    print("\nquality checks:")
    print(format_table(rows))
    counts = {s: sum(r.status == s for r in rows) for s in ("pass", "warn", "fail")}
    print(f"  {counts['pass']} pass, {counts['warn']} warn, {counts['fail']} fail\n")
