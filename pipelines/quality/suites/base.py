"""A mart's suite: the guards on its columns and how its rows reach GX.

Marts with one row per account are small, so their rows are fetched and validated
whole. A large mart (posts: one row per post, ~3M for the full TWCS corpus) is never
pulled into Python: a `profile_sql` counts offending rows in DuckDB and GX validates
that one-row profile; `sample_sql` fetches a few offending rows only when a count fails."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pipelines.quality.suites.guards import GuardList


@dataclass(frozen=True)
class MartSuite:
    mart: str  # table name in the marts schema; also the GX suite name
    guards: GuardList  # builds the guards afresh (GX binds expectations to one suite)
    key_columns: tuple[str, ...] = ()  # identify a sample row
    parameters_sql: dict[str, str] = field(default_factory=dict)  # $PARAMETER -> SQL
    profile_sql: str | None = None
    sample_sql: dict[str, str] = field(default_factory=dict)  # profile column -> SQL
    # Profile suites: profile column -> the mart columns whose values it counts wrong
    # (a failure names them; the coverage test counts them as guarded).
    profile_guards: dict[str, tuple[str, ...]] = field(default_factory=dict)
    description: str = ""
    # Other marts whose rows this suite compares its own with (a total against the rows
    # it adds up): a bad value there fails this suite too, by design.
    cross_checks: tuple[str, ...] = ()

    @property
    def check_name(self) -> str:
        return f"{self.mart}_suite"

    @property
    def asset(self) -> str:
        return f"marts/{self.mart}"

    def build(self) -> tuple[list[Any], dict[str, str]]:
        expectations: list[Any] = []
        derived: dict[str, str] = {}
        for guard in self.guards():
            expectations.extend(guard.expectations)
            derived.update(guard.derived)
        return expectations, derived

    def fetch_sql(self, derived: dict[str, str], hugeint_columns: list[str] = ()) -> str:
        """The rows GX sees: every column, plus the derived ones. Sums of BIGINT are
        HUGEINT in DuckDB, which pandas turns into floats; they are cast back to BIGINT
        (an overflow fails the check) so "is a whole number" stays checkable."""
        if self.profile_sql is not None:
            return self.profile_sql
        replace = ", ".join(f"cast({c} as bigint) as {c}" for c in hugeint_columns)
        star = f"* replace ({replace})" if replace else "*"
        extra = "".join(f",\n    {expr} as {name}" for name, expr in derived.items())
        return f"select {star}{extra}\nfrom marts.{self.mart}"

    def guarded_columns(self) -> set[str]:
        """Mart columns whose values an expectation constrains (a range, or equality with
        a fresh computation, or an order against another column). The coverage test
        (tests/test_quality_gates.py) requires every numeric mart column to be here or in
        a dbt data test of its mart, and `rapport check` to catch an impossible value in
        every column that is here."""
        expectations, derived = self.build()
        constraining = {
            "expect_column_values_to_be_between",
            "expect_column_pair_values_to_be_equal",
            "expect_column_pair_values_a_to_be_greater_than_b",
        }
        found: set[str] = set()
        for e in expectations:
            if e.expectation_type in constraining:
                found.update(
                    getattr(e, name)
                    for name in ("column", "column_A", "column_B")
                    if getattr(e, name, None)
                )
        for profile_column in found & set(self.profile_guards):
            found.update(self.profile_guards[profile_column])
        return found - set(derived)
