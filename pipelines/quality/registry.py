"""Every quality check, the asset it guards and whether it blocks. Dagster's asset checks
(pipelines/defs/checks.py) and `rapport check` are both built from this one list."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipelines.quality import contract, signals
from pipelines.quality.outcome import CheckOutcome
from pipelines.quality.suites import SUITES
from pipelines.quality.suites.base import MartSuite
from pipelines.quality.thresholds import QualityThresholds

Runner = Callable[[duckdb.DuckDBPyConnection, QualityThresholds], CheckOutcome]


@dataclass(frozen=True)
class QualityCheck:
    name: str
    asset: str  # asset key path, e.g. marts/accounts
    blocking: bool  # a failure with severity ERROR stops downstream assets
    description: str
    run: Runner

    @property
    def asset_key_path(self) -> list[str]:
        return self.asset.split("/")


def _suite_runner(suite: MartSuite) -> Runner:
    def run(con: duckdb.DuckDBPyConnection, t: QualityThresholds) -> CheckOutcome:
        from pipelines.quality.gx_runner import run_suite

        return run_suite(con, suite, sample_rows=t.sample_rows, chunk_rows=t.chunk_rows)

    return run


CHECKS: tuple[QualityCheck, ...] = (
    *(
        QualityCheck(suite.check_name, suite.asset, True, suite.description, _suite_runner(suite))
        for suite in SUITES.values()
    ),
    QualityCheck(
        "quarantined_posts",
        "intermediate/int_posts__quarantined",
        True,
        "Blocking: more than max_quarantined_share of stored posts broke the source "
        "contract (missing id or time, a reply older than its parent).",
        contract.quarantined_posts,
    ),
    QualityCheck(
        "no_quarantined_posts",
        "intermediate/int_posts__quarantined",
        False,
        "Warning: any post quarantined for breaking the source contract.",
        contract.no_quarantined_posts,
    ),
    QualityCheck(
        "rejected_input",
        "canonical/rejects",
        False,
        "Warning: a loaded file had more than max_rejected_share of its items rejected.",
        contract.rejected_input,
    ),
    QualityCheck(
        "follower_counts_plausible",
        "marts/accounts",
        False,
        "Warning: a follower count moved more than follower_jump_share day over day.",
        signals.follower_jumps,
    ),
    QualityCheck(
        "snapshots_fresh",
        "marts/accounts",
        False,
        "Warning: a measured account has no profile snapshot for snapshot_stale_hours.",
        signals.stale_snapshots,
    ),
    QualityCheck(
        "response_time_median_stable",
        "marts/conversation_metrics",
        False,
        "Warning: an account's median first-response time jumped by median_jump_factor.",
        signals.median_jumps,
    ),
)


def run_check(
    check: QualityCheck, con: duckdb.DuckDBPyConnection, thresholds: QualityThresholds
) -> CheckOutcome:
    """Run one check; a check that cannot run (a table missing, a query error) fails:
    a figure nobody could verify is not a figure to send."""
    try:
        return check.run(con, thresholds)
    except Exception as exc:  # noqa: BLE001 - reported as the check's failure, not lost
        first_line = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
        return CheckOutcome(
            check_name=check.name,
            asset=check.asset,
            blocking=check.blocking,
            passed=False,
            severity="ERROR" if check.blocking else "WARN",
            summary=f"could not run: {first_line} (has `rapport build` run?)",
        )


def run_checks(
    checks, con: duckdb.DuckDBPyConnection, thresholds: QualityThresholds, warehouse: Path
) -> list[CheckOutcome]:
    """Run `checks` on the warehouse at `warehouse` (under its write lock), reusing GX
    results of unchanged content from its last checks run (gx_validate.results_kept_beside)."""
    from pipelines.quality.gx_validate import results_kept_beside

    with results_kept_beside(warehouse):
        return [run_check(c, con, thresholds) for c in checks]
