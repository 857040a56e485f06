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


@pytest.fixture
def big(con):
    """marts.mini with 40 accounts, so a chunk_rows of 7 validates it in 6 slices."""
    con.execute("delete from marts.mini")
    con.execute(
        "insert into marts.mini select 'acc' || i, i % 5, case when i % 3 = 0 then null "
        "else i end, i % 5 // 2, (i % 5 // 2) / nullif(i % 5, 0) from range(40) as r(i)"
    )
    return con


def _found(outcome) -> dict[tuple[str, ...], int]:
    return {f.columns: f.unexpected_count for f in outcome.failures}


def test_a_large_mart_is_validated_in_slices_with_the_same_verdicts(big):
    whole, sliced = run_suite(big, SUITE), run_suite(big, SUITE, chunk_rows=7)
    assert whole.passed and sliced.passed, sliced.detail
    assert sliced.metadata["slices"] == 6 and sliced.summary.endswith("on 40 rows in 6 slices")
    # Errors spread over several slices: the same expectations fail with the same counts
    # as on the whole frame, and sample rows name the accounts.
    big.execute(
        "update marts.mini set posts = -1, replies = 0 "
        "where account_id in ('acc4', 'acc9', 'acc33')"
    )
    big.execute("update marts.mini set reply_share = 0.5 where account_id = 'acc20'")
    whole, sliced = run_suite(big, SUITE), run_suite(big, SUITE, chunk_rows=7)
    assert not sliced.passed and _found(sliced) == _found(whole)
    assert _found(sliced)[("posts",)] == 3
    posts = next(f for f in sliced.failures if f.columns == ("posts",))
    assert {s["account_id"] for s in posts.samples} == {"acc4", "acc9", "acc33"}


def test_a_repeated_key_in_different_slices_still_fails_uniqueness(big):
    # Slices split rows by a hash of the suite's key_columns; here they are not the
    # unique columns, so the two rows sharing an account_id land in different slices
    # and no slice alone holds a duplicate: only the whole-table pass can see it.
    suite = MartSuite(mart="mini", key_columns=("account_id", "posts"), guards=SUITE.guards)
    (other,) = big.execute(
        "select account_id from marts.mini where hash(account_id, posts) % 6 <> "
        "(select hash(account_id, posts) % 6 from marts.mini where account_id = 'acc1') "
        "and posts <> 1 limit 1"
    ).fetchone()
    big.execute("update marts.mini set account_id = 'acc1' where account_id = ?", [other])
    slices = big.execute(
        "select count(distinct hash(account_id, posts) % 6) from marts.mini "
        "where account_id = 'acc1'"
    ).fetchone()[0]
    assert slices == 2
    sliced = run_suite(big, suite, chunk_rows=7)
    assert _found(sliced) == {("account_id",): 2} == _found(run_suite(big, suite))


def test_a_set_to_contain_is_checked_on_the_whole_mart():
    con = duckdb.connect()
    con.execute("create schema marts")
    con.execute("create table marts.m as select 'k' || i as k from range(30) as r(i)")
    suite = MartSuite(
        mart="m",
        key_columns=("k",),
        guards=lambda: [g.contains_all("key_copy", "k", "wanted")],
        parameters_sql={"wanted": "select 'k' || i from range(0, 30, 7) as r(i)"},
    )
    assert run_suite(con, suite, chunk_rows=4).passed
    con.execute("delete from marts.m where k = 'k14'")
    (failed,) = run_suite(con, suite, chunk_rows=4).failures
    assert failed.unexpected_count == 1 and failed.samples == ({"missing": "k14"},)


def test_a_set_to_contain_names_what_is_missing_whatever_follows_it():
    # Each whole-table expectation is judged on its own rows: a uniqueness check after
    # the set (its rows are the repeated keys: none here) must not stand in for them.
    con = duckdb.connect()
    con.execute("create schema marts")
    con.execute("create table marts.m as select 'k' || i as k from range(30) as r(i)")
    suite = MartSuite(
        mart="m",
        key_columns=("k",),
        guards=lambda: [g.contains_all("key_copy", "k", "wanted"), g.unique("k")],
        parameters_sql={"wanted": "select 'k' || i from range(0, 30, 7) as r(i)"},
    )
    con.execute("delete from marts.m where k = 'k14'")
    whole, sliced = run_suite(con, suite), run_suite(con, suite, chunk_rows=4)
    assert [(f.unexpected_count, f.samples) for f in sliced.failures] == [
        (1, ({"missing": "k14"},))
    ]
    assert [(f.unexpected_count, f.samples) for f in whole.failures] == [(1, ({"missing": "k14"},))]
