"""Runs a mart's GX suite and turns the GX 1.x validation results into a CheckOutcome
(dagster-ge only supports GX < 1.0, so this is the small wrapper it would have been).

Small marts are fetched whole from DuckDB and validated by gx_validate; a large mart's
suite validates a one-row profile counted in DuckDB, and only a failed count fetches a
few of its offending rows."""

from __future__ import annotations

import warnings
from typing import Any

import duckdb

from pipelines.quality.gx_validate import validate
from pipelines.quality.outcome import CheckOutcome, Failure
from pipelines.quality.suites.base import MartSuite


def fetch_frame(con: duckdb.DuckDBPyConnection, sql: str, params: dict | None = None):
    with warnings.catch_warnings():
        # duckdb's pandas conversion trips pandas 3 deprecation warnings; not ours to fix.
        warnings.simplefilter("ignore")
        return con.execute(sql, params).df() if params else con.execute(sql).df()


def failures_from(results: list[Any], *, frame=None, sample_rows: int = 5) -> list[Failure]:
    """The failed expectations among GX validation results, with counts and sample rows."""
    found = []
    for r in results:
        if r.success:
            continue
        config = r.expectation_config
        kwargs = config.kwargs
        columns = tuple(
            c for c in (kwargs.get("column"), kwargs.get("column_A"), kwargs.get("column_B")) if c
        ) + tuple(kwargs.get("column_list") or ())
        details = r.result or {}
        if r.exception_info and r.exception_info.get("raised_exception"):
            found.append(
                Failure(
                    config.type,
                    columns,
                    details.get("unexpected_count") or 0,
                    observed=f"error: {r.exception_info.get('exception_message')}",
                )
            )
            continue
        samples = details.get("unexpected_index_list") or [
            {"value": v} for v in details.get("partial_unexpected_list") or []
        ]
        unexpected = details.get("unexpected_count")
        observed = details.get("observed_value")
        if config.type == "expect_column_distinct_values_to_contain_set" and frame is not None:
            # GX reports no observed value here; name what is missing instead.
            wanted = kwargs.get("value_set") or []
            present = set(frame[kwargs["column"]].dropna())
            missing = sorted(v for v in wanted if v not in present)
            unexpected, samples = len(missing), [{"missing": m} for m in missing]
        found.append(
            Failure(
                expectation=config.type,
                columns=columns,
                unexpected_count=int(unexpected if unexpected is not None else 1),
                observed=None if unexpected is not None and observed is None else observed,
                samples=tuple(samples[:sample_rows]),
            )
        )
    return found


def run_suite(
    con: duckdb.DuckDBPyConnection, suite: MartSuite, *, sample_rows: int = 5
) -> CheckOutcome:
    """Fetch the mart (or its in-database profile), validate it, report the outcome."""
    expectations, derived = suite.build()
    hugeints = [
        row[0]
        for row in con.execute(
            "select column_name from information_schema.columns where table_schema = 'marts' "
            "and table_name = ? and data_type in ('HUGEINT', 'UHUGEINT')",
            [suite.mart],
        ).fetchall()
    ]
    sql = suite.fetch_sql(derived, hugeints)
    frame = fetch_frame(con, sql)
    parameters = {
        name: sorted(row[0] for row in con.execute(query).fetchall())
        for name, query in suite.parameters_sql.items()
    }
    return _validate_suite(con, suite, expectations, frame, parameters, sample_rows)


def _validate_suite(con, suite, expectations, frame, parameters, sample_rows) -> CheckOutcome:
    results = validate(
        suite.mart,
        frame,
        expectations,
        key_columns=suite.key_columns,
        parameters=parameters,
        sample_rows=sample_rows,
    )
    failures = failures_from(results, frame=frame, sample_rows=sample_rows)
    if suite.profile_sql is not None:
        failures = [_profile_failure(con, suite, f, frame, sample_rows) for f in failures]
    evaluated = len(results)
    scope = "an in-database profile" if suite.profile_sql else f"{len(frame)} rows"
    summary = (
        f"{len(failures)} of {evaluated} expectations failed"
        if failures
        else f"{evaluated} expectations passed on {scope}"
    )
    return CheckOutcome(
        check_name=suite.check_name,
        asset=suite.asset,
        blocking=True,
        passed=all(r.success for r in results) and not failures,
        severity="ERROR",
        summary=summary,
        failures=tuple(failures),
        metadata={
            "gx_suite": suite.mart,
            "expectations_evaluated": evaluated,
            "rows_validated": len(frame),
            **(
                {"profile": {c: frame[c].iloc[0] for c in frame.columns}}
                if suite.profile_sql is not None and len(frame)
                else {}
            ),
        },
    )


def _profile_failure(con, suite: MartSuite, failure: Failure, frame, sample_rows: int) -> Failure:
    """A profile column holds a count of offending rows: report that count and fetch a
    few of the rows themselves (only now, when something failed)."""
    column = failure.columns[0]
    count = int(frame[column].iloc[0])
    samples: tuple[dict, ...] = ()
    if column in suite.sample_sql:
        sample = fetch_frame(con, f"{suite.sample_sql[column]} limit {int(sample_rows)}")
        samples = tuple(sample.to_dict(orient="records"))
    return Failure(failure.expectation, (column,), count, samples=samples)
