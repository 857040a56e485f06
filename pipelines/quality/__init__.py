"""Quality gates: one Great Expectations suite per mart, source-contract and warning
checks, run as Dagster asset checks (pipelines/defs/checks.py) and by `rapport check`.

thresholds.py  typed, documented limits of the warning and contract checks
suites/        the GX suites, one module per mart, built from guards.py
gx_validate.py GX 1.x validation (pandas datasource, ephemeral context)
gx_runner.py   a suite's rows from DuckDB -> GX -> CheckOutcome
outcome.py     CheckOutcome: what a check found; -> Dagster AssetCheckResult
signals.py     warnings on suspicious values, computed in DuckDB
contract.py    the quarantine and reject counts
registry.py    every check, the asset it guards, whether it blocks
history.py     ops.check_results and the printed table

`rapport check` itself is pipelines/cli/check.py."""
