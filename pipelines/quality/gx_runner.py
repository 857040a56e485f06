"""Runs a mart's GX suite and turns the GX 1.x validation results into a CheckOutcome
(dagster-ge only supports GX < 1.0, so this is the small wrapper it would have been).

Small marts are fetched whole from DuckDB and validated by gx_validate. A mart with
more rows than `chunk_rows` (one row per account: millions at 100M posts) is never held
in Python whole: GX validates it in slices (rows split by a hash of their key), and the
expectations that need every row at once are given only the rows that decide them
(uniqueness: the rows whose key repeats; a set to contain: the distinct values), so each
expectation still sees what it would on the whole frame. A suite with a `profile_sql`
validates a one-row profile counted in DuckDB, and only a failed count fetches a few of
its offending rows."""

from __future__ import annotations

import math
import warnings
from types import SimpleNamespace
from typing import Any

import duckdb

from pipelines.quality.gx_validate import validate
from pipelines.quality.outcome import CheckOutcome, Failure
from pipelines.quality.suites.base import MartSuite
from pipelines.quality.thresholds import CHUNK_ROWS


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


# Expectations whose result depends on every row together, not on each row alone.
_WHOLE_TABLE = {
    "expect_column_values_to_be_unique",
    "expect_compound_columns_to_be_unique",
    "expect_column_distinct_values_to_contain_set",
}


def run_suite(
    con: duckdb.DuckDBPyConnection,
    suite: MartSuite,
    *,
    sample_rows: int = 5,
    chunk_rows: int | None = None,
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
    parameters = {
        name: sorted(row[0] for row in con.execute(query).fetchall())
        for name, query in suite.parameters_sql.items()
    }
    chunk_rows = chunk_rows or CHUNK_ROWS
    if suite.profile_sql is None:
        rows = con.execute(f"select count(*) from marts.{suite.mart}").fetchone()[0]
        if rows > chunk_rows:
            return _validate_in_chunks(
                con, suite, expectations, sql, rows, parameters, sample_rows, chunk_rows
            )
    if suite.profile_sql is None and suite.key_columns:
        # in key order: the same content gives the same frame, so GX results kept from
        # the last run (gx_validate) match it, and sample rows do not change run to run
        sql += f"\norder by {', '.join(suite.key_columns)}"
    frame = fetch_frame(con, sql)
    return _validate_suite(con, suite, expectations, frame, parameters, sample_rows)


def _validate_in_chunks(
    con, suite, expectations, sql, rows, parameters, sample_rows, chunk_rows
) -> CheckOutcome:
    """Validate a large mart slice by slice; see the module docstring."""
    if not suite.key_columns:
        raise ValueError(f"{suite.mart}: a mart validated in slices needs key_columns")
    slices = math.ceil(rows / chunk_rows)
    key = ", ".join(suite.key_columns)
    per_row = [i for i, e in enumerate(expectations) if e.expectation_type not in _WHOLE_TABLE]
    results: list[list[Any]] = [[] for _ in expectations]
    for n in range(slices):
        frame = fetch_frame(con, f"select * from ({sql}) as t where hash({key}) % {slices} = {n}")
        # GX ties an expectation to the one suite it was added to: a fresh set per slice.
        fresh, _ = suite.build()
        found = _validate(suite, frame, [fresh[i] for i in per_row], parameters, sample_rows)
        for i, r in zip(per_row, found, strict=True):
            results[i].append(r)
        del frame
    decisive_frames: dict[int, Any] = {}  # an expectation's own frame, to name what it misses
    for i, e in enumerate(expectations):
        if e.expectation_type not in _WHOLE_TABLE:
            continue
        kwargs = e.configuration.kwargs
        if e.expectation_type == "expect_column_distinct_values_to_contain_set":
            decisive = f"select distinct {kwargs['column']} from ({sql}) as t"
        else:  # uniqueness: only the rows whose key repeats can break it
            columns = ", ".join(kwargs.get("column_list") or [kwargs["column"]])
            decisive = (
                f"select * from ({sql}) as t qualify count(*) over (partition by {columns}) > 1"
            )
        decisive_frames[i] = fetch_frame(con, decisive)
        results[i] += _validate(suite, decisive_frames[i], [e], parameters, sample_rows)
    merged = [_merge(found, sample_rows) for found in results]
    failures = [
        failure
        for i, result in enumerate(merged)
        for failure in failures_from(
            [result], frame=decisive_frames.get(i), sample_rows=sample_rows
        )
    ]
    return _outcome(
        suite,
        merged,
        failures,
        scope=f"{rows} rows in {slices} slices",
        metadata={"rows_validated": rows, "slices": slices},
    )


def _validate(suite, frame, expectations, parameters, sample_rows) -> list[Any]:
    return validate(
        suite.mart,
        frame,
        expectations,
        key_columns=suite.key_columns,
        parameters=parameters,
        sample_rows=sample_rows,
    )


def _merge(results: list[Any], sample_rows: int):
    """One expectation's results over several slices, as one result: it succeeds when
    every slice did; unexpected rows add up; samples come from the first failing slices."""
    first = results[0]
    if len(results) == 1:
        return first
    failed = [r for r in results if not r.success]
    counts = [(r.result or {}).get("unexpected_count") for r in failed]
    details: dict[str, Any] = {
        # None when GX counted no rows (a wrong dtype): then it reported what it observed
        "unexpected_count": sum(c for c in counts if c)
        if any(c is not None for c in counts)
        else None,
        "observed_value": next(((r.result or {}).get("observed_value") for r in failed), None),
    }
    samples: list[Any] = []
    partial: list[Any] = []
    for r in failed:
        found = r.result or {}
        samples += found.get("unexpected_index_list") or []
        partial += found.get("partial_unexpected_list") or []
    details["unexpected_index_list"] = samples[:sample_rows]
    details["partial_unexpected_list"] = partial[:sample_rows]
    raised = next(
        (r.exception_info for r in failed if (r.exception_info or {}).get("raised_exception")),
        None,
    )
    return SimpleNamespace(
        success=not failed,
        expectation_config=first.expectation_config,
        result=details,
        exception_info=raised or {},
    )


def _validate_suite(con, suite, expectations, frame, parameters, sample_rows) -> CheckOutcome:
    results = _validate(suite, frame, expectations, parameters, sample_rows)
    failures = failures_from(results, frame=frame, sample_rows=sample_rows)
    if suite.profile_sql is not None:
        failures = [_profile_failure(con, suite, f, frame, sample_rows) for f in failures]
    scope = "an in-database profile" if suite.profile_sql else f"{len(frame)} rows"
    metadata = {"rows_validated": len(frame)}
    if suite.profile_sql is not None and len(frame):
        metadata["profile"] = {c: frame[c].iloc[0] for c in frame.columns}
    return _outcome(suite, results, failures, scope=scope, metadata=metadata)


def _outcome(suite, results, failures, *, scope: str, metadata: dict) -> CheckOutcome:
    evaluated = len(results)
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
        metadata={"gx_suite": suite.mart, "expectations_evaluated": evaluated, **metadata},
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
    columns = (column, *suite.profile_guards.get(column, ()))
    return Failure(failure.expectation, columns, count, samples=samples)
