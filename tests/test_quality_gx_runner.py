"""The GX 1.x wrapper on its own: real GX validations of rows fetched from a real DuckDB
table, turned into CheckOutcomes and Dagster AssetCheckResults."""

from __future__ import annotations

import dagster as dg
import duckdb
import pytest

from pipelines.quality.gx_runner import run_suite
from pipelines.quality.suites import guards as g
from pipelines.quality.suites.base import MartSuite

SUITE = MartSuite(
    mart="mini",
    key_columns=("account_id",),
    guards=lambda: [
        g.unique("account_id"),
        g.count("posts"),
        g.count("followers", nullable=True),
        g.count("replies"),
        g.at_most("replies", "posts"),
        g.share("reply_share", "replies", "posts"),
    ],
)


@pytest.fixture
def con():
    con = duckdb.connect()  # in memory
    con.execute("create schema marts")
    con.execute(
        "create table marts.mini as "
        "select *, replies / nullif(posts, 0) as reply_share from (values "
        "('a', 4, 100, 2), ('b', 0, null, 0), ('c', 10, 5, 1)"
        ") as t(account_id, posts, followers, replies)"
    )
    yield con
    con.close()


def test_a_correct_mart_passes_including_nullable_counts_and_null_ratios(con):
    # followers has a NULL, so pandas holds it as nullable Int64 (GX 1.24 cannot name that
    # dtype "Int64"); reply_share is NULL where posts = 0.
    outcome = run_suite(con, SUITE)
    assert outcome.passed, outcome.detail
    assert outcome.status == "pass" and outcome.summary.endswith("on 3 rows")


def test_a_wrong_value_fails_with_the_expectation_the_count_and_the_row(con):
    con.execute("update marts.mini set reply_share = 1.5 where account_id = 'c'")
    outcome = run_suite(con, SUITE)
    assert outcome.status == "fail" and outcome.blocks
    between = next(f for f in outcome.failures if f.expectation.endswith("to_be_between"))
    assert between.columns == ("reply_share",) and between.unexpected_count == 1
    assert between.samples[0]["account_id"] == "c" and between.samples[0]["reply_share"] == 1.5
    # in range but not replies / posts: caught by the recomputation
    con.execute("update marts.mini set reply_share = 0.2 where account_id = 'c'")
    assert {f.columns for f in run_suite(con, SUITE).failures} == {
        ("reply_share", "reply_share__expected")
    }
    # a share where there were no posts must be NULL
    con.execute("update marts.mini set reply_share = 0.1 where account_id = 'c'")
    con.execute("update marts.mini set reply_share = 0 where account_id = 'b'")
    (failed,) = run_suite(con, SUITE).failures
    assert failed.columns == ("reply_share", "reply_share__expected")
    assert [s["account_id"] for s in failed.samples] == ["b"]


def test_reused_results_never_hide_a_change(con):
    assert run_suite(con, SUITE).passed
    con.execute("update marts.mini set posts = -1 where account_id = 'a'")
    broken = run_suite(con, SUITE)
    assert not broken.passed
    assert ("posts",) in {f.columns for f in broken.failures}
    con.execute("update marts.mini set posts = 4 where account_id = 'a'")
    assert run_suite(con, SUITE).passed
    con.execute("update marts.mini set account_id = 'a' where account_id = 'c'")
    assert [f.columns for f in run_suite(con, SUITE).failures] == [("account_id",)]


def test_an_outcome_becomes_an_asset_check_result_with_samples(con):
    con.execute("update marts.mini set replies = 7 where account_id = 'a'")
    result = run_suite(con, SUITE).to_asset_check_result()
    assert isinstance(result, dg.AssetCheckResult)
    assert result.asset_key == dg.AssetKey(["marts", "mini"])
    assert result.check_name == "mini_suite"
    assert not result.passed and result.severity == dg.AssetCheckSeverity.ERROR
    meta = {k: getattr(v, "value", v) for k, v in result.metadata.items()}
    assert (
        "expect_column_pair_values_a_to_be_greater_than_b(posts, replies)"
        in meta["failed_expectations"]
    )
    assert meta["unexpected_count"] >= 1
    assert any(row.get("account_id") == "a" for row in meta["sample_rows"])
