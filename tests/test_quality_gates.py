"""Quality gates end to end, on one real warehouse built from the TWCS sample and the
demo world (`rapport import twcs` + `rapport demo`, which also writes the audit marts):

* the untouched warehouse passes every blocking check;
* for every numeric column of every mart (listed from information_schema), one row set
  to an impossible value in a copy of the warehouse fails the column's home check and
  names the column: `rapport check` (that mart's GX suite) for a column a GX expectation
  guards, the mart's dbt tests for a column only a dbt data test guards;
* every numeric mart column is guarded by a GX expectation or a dbt data test (so a new
  metric cannot ship unguarded), and each rule has one home: a mart's dbt tests keep to
  what GX does not check (relationships, categories, time order), never a numeric
  column's value;
* in a Dagster run, a failing blocking check stops an asset downstream of the mart.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import dagster as dg
import duckdb
import pytest
import yaml

from pipelines.cli import main
from pipelines.quality.suites import SUITES
from tests.conftest import shared_file
from tests.quality_helpers import downstream_report, materialized, run_checks_and_report

NUMERIC = re.compile(r"^(U?(TINY|SMALL|BIG|HUGE)?INT(EGER)?|FLOAT|DOUBLE|REAL|DECIMAL.*)$")

# Columns that may legitimately be negative; every other numeric mart column is a count,
# share, rate, ratio, duration or length, for which -1 is impossible.
MAY_BE_NEGATIVE = {
    "follower_growth": "coalesce({c}, 0) + 1",  # no longer followers_end - followers_start
    "following_growth": "coalesce({c}, 0) + 1",
    "follower_growth_rate": "-2",  # a count cannot fall by more than 100%
    # no longer the count minus the previous snapshot's
    "followers_change": "coalesce({c}, 0) + 1",
    "following_change": "coalesce({c}, 0) + 1",
    "posts_count_change": "coalesce({c}, 0) + 1",
}


DBT_PROJECT = Path(__file__).resolve().parents[1] / "dbt_project"
WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def dbt_guarded_columns() -> dict[str, set[str]]:
    """mart -> the columns its dbt data tests constrain: a column's own tests, and every
    column a model-level test names in its arguments (an expression, a column list)."""
    found: dict[str, set[str]] = {}
    for path in sorted((DBT_PROJECT / "models" / "marts").glob("*.yml")):
        for model in yaml.safe_load(path.read_text()).get("models", []):
            columns = model.get("columns", [])
            names = {c["name"] for c in columns}
            guarded = found.setdefault(model["name"], set())
            guarded.update(c["name"] for c in columns if c.get("data_tests"))
            for test in model.get("data_tests", []):
                guarded.update(names & set(WORD.findall(json.dumps(test))))
    return found


def dbt_test(path: Path, mart: str) -> subprocess.CompletedProcess:
    """The mart's dbt data tests, run on the warehouse at `path` as it is (no build)."""
    dbt = str(Path(sys.executable).with_name("dbt"))
    scratch = path.parent / "dbt"
    return subprocess.run(
        [
            dbt,
            "test",
            "--select",
            mart,
            "--exclude",
            "test_type:unit",
            "--project-dir",
            str(DBT_PROJECT),
            "--profiles-dir",
            str(DBT_PROJECT),
            "--target-path",
            str(scratch / "target"),
            "--log-path",
            str(scratch / "logs"),
        ],
        env={**os.environ, "RAPPORT_WAREHOUSE": str(path)},
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    csv_path = shared_file("twcs/twcs_sample.csv")
    root = tmp_path_factory.mktemp("quality_gates")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("RAPPORT_WAREHOUSE", str(root / "wh" / "rapport.duckdb"))
        mp.setenv("RAPPORT_RAW_DIR", str(root / "wh" / "raw"))
        mp.setenv("RAPPORT_INBOX", str(root / "wh" / "inbox"))
        mp.setenv("RAPPORT_REPORTS_DIR", str(root / "wh" / "reports"))
        mp.setenv("DAGSTER_HOME", str(root / "dagster_home"))
        assert main(["import", "twcs", str(csv_path)]) == 0
        assert main(["demo"]) == 0
    return root / "wh" / "rapport.duckdb"


@pytest.fixture
def check_env(tmp_path, monkeypatch, built):
    """`rapport check` against a private copy of the built warehouse."""
    monkeypatch.setenv("DAGSTER_HOME", str(built.parent.parent / "dagster_home"))

    def copy(name: str) -> Path:
        target = tmp_path / name / "rapport.duckdb"
        target.parent.mkdir(parents=True)
        shutil.copyfile(built, target)
        monkeypatch.setenv("RAPPORT_WAREHOUSE", str(target))
        return target

    return copy


def numeric_mart_columns(path: Path) -> list[tuple[str, str, str]]:
    with duckdb.connect(str(path), read_only=True) as con:
        rows = con.execute(
            "select table_name, column_name, data_type from information_schema.columns "
            "where table_schema = 'marts' order by table_name, ordinal_position"
        ).fetchall()
    return [(t, c, d) for t, c, d in rows if NUMERIC.match(d)]


def mart_tables(path: Path) -> set[str]:
    with duckdb.connect(str(path), read_only=True) as con:
        return {
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts'"
            ).fetchall()
        }


def corrupt(path: Path, mart: str, column: str) -> None:
    """Set one row's `column` to an impossible value (a row where it is known, if any).
    A mart that is a view (marts.inbound_messages) is first replaced by a table of its
    rows, so the bad value is what every reader of the mart sees."""
    value = MAY_BE_NEGATIVE.get(column, "-1").format(c=column)
    with duckdb.connect(str(path)) as con:
        (kind,) = con.execute(
            "select table_type from information_schema.tables "
            "where table_schema = 'marts' and table_name = ?",
            [mart],
        ).fetchone()
        if kind == "VIEW":
            con.execute(f"create table marts.{mart}__rows as select * from marts.{mart}")
            con.execute(f"drop view marts.{mart}")
            con.execute(f"alter table marts.{mart}__rows rename to {mart}")
        (rowid,) = con.execute(
            f"select rowid from marts.{mart} order by {column} is null, rowid limit 1"
        ).fetchone()
        con.execute(f"update marts.{mart} set {column} = {value} where rowid = ?", [rowid])


def results(path: Path) -> list[tuple]:
    """The latest run's rows of ops.check_results (the copy also holds the build's)."""
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(
            "select check_name, asset, status, blocking, detail from ops.check_results "
            "where run_id = (select arg_max(run_id, checked_at) from ops.check_results) "
            "order by check_name"
        ).fetchall()


def test_the_demo_and_twcs_warehouse_passes_every_blocking_check(built, check_env, capsys):
    copy = check_env("untouched")
    assert main(["check"]) == 0
    out = capsys.readouterr().out
    rows = results(copy)
    names = {r[0] for r in rows}
    assert {f"{m}_suite" for m in SUITES} <= names
    assert {"quarantined_posts", "snapshots_fresh", "follower_counts_plausible"} <= names
    assert [r for r in rows if r[2] == "fail"] == []
    for mart in SUITES:
        assert re.search(rf"{mart}_suite\s+marts/{mart}\s+pass", out), out
    # The build (`rapport demo`) ran the same checks in its own run, and they passed.
    with duckdb.connect(str(built), read_only=True) as con:
        build_runs = con.execute(
            "select run_id, count(*), count(*) filter (where status = 'fail') "
            "from ops.check_results group by run_id"
        ).fetchall()
    assert build_runs and all(fails == 0 for _, _, fails in build_runs)
    assert max(n for _, n, _ in build_runs) == len(rows)  # the build ran every check


def test_every_numeric_mart_column_is_guarded_by_gx_or_dbt(built):
    marts = mart_tables(built)
    assert {"conversation_metrics", "post_mix", "accounts", "posts"} <= marts
    assert marts - set(SUITES) == set(), "a mart without a GX suite (pipelines/quality/suites)"
    dbt = dbt_guarded_columns()
    unguarded = [
        f"marts.{mart}.{column} ({dtype})"
        for mart, column, dtype in numeric_mart_columns(built)
        if column not in SUITES[mart].guarded_columns() | dbt.get(mart, set())
    ]
    assert unguarded == [], "numeric mart columns no GX expectation or dbt test constrains"


def test_each_mart_rule_has_one_home(built):
    """A value rule on a numeric column (a range, a sum, an order) lives in the blocking
    GX suite; a mart's dbt tests keep to what the suite does not check. So a numeric
    column a GX expectation guards is named by no dbt test of its mart."""
    dbt = dbt_guarded_columns()
    twice = [
        f"marts.{mart}.{column}"
        for mart, column, _ in numeric_mart_columns(built)
        if column in dbt.get(mart, set()) and column in SUITES[mart].guarded_columns()
    ]
    assert twice == [], "checked by both a dbt test and the GX suite: give the rule one home"


def cross_checking(mart: str) -> set[str]:
    """The suites that compare their mart's rows with `mart`'s (a total with its parts):
    they fail too when `mart` holds a bad value, and must."""
    return {s.check_name for s in SUITES.values() if mart in s.cross_checks}


def test_an_impossible_value_in_any_numeric_column_fails_rapport_check(built, check_env, capsys):
    columns = numeric_mart_columns(built)
    assert len(columns) >= 23  # the four original marts alone have 23
    missed = []
    for mart, column, _ in columns:
        copy = check_env(f"{mart}.{column}")
        corrupt(copy, mart, column)
        if column not in SUITES[mart].guarded_columns():
            # its one home is a dbt test beside the model, which `rapport check` never
            # runs: that test must catch it (the build runs it before anything publishes)
            tested = dbt_test(copy, mart)
            failing = [line for line in tested.stdout.splitlines() if "FAIL" in line]
            if tested.returncode == 0 or not any(column in line for line in failing):
                missed.append(f"{mart}.{column}: no dbt test of {mart} failed naming it")
            continue
        code = main(["check"])
        out = capsys.readouterr().out
        failed = {r[0]: r for r in results(copy) if r[2] == "fail"}
        suite = f"{mart}_suite"
        row_named = re.search(rf"{suite}\s+marts/{mart}\s+fail", out)
        if code == 0 or suite not in failed or not row_named:
            missed.append(f"{mart}.{column}: exit {code}, failed checks {sorted(failed)}")
        elif not re.search(rf"\b{column}\b", failed[suite][4]):
            missed.append(f"{mart}.{column}: {suite} failed without naming the column")
        elif set(failed) - {suite} - cross_checking(mart):
            missed.append(f"{mart}.{column}: other checks failed too: {sorted(failed)}")
    assert missed == []


def test_a_failing_blocking_check_stops_the_downstream_asset_in_the_same_run(built, check_env):
    check_env("healthy")
    healthy = run_checks_and_report()
    assert healthy.success
    assert downstream_report.key in {
        e.asset_key for e in healthy.get_asset_materialization_events()
    }

    copy = check_env("broken")
    with duckdb.connect(str(copy)) as con:
        con.execute(
            "update marts.conversation_metrics set reply_share = 1.5 "
            "where rowid = (select min(rowid) from marts.conversation_metrics where posts > 0)"
        )
    broken = run_checks_and_report()
    assert not broken.success
    assert downstream_report.key not in materialized(broken)
    evaluation = next(
        e
        for e in broken.get_asset_check_evaluations()
        if e.check_name == "conversation_metrics_suite"
    )
    assert not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.ERROR
    assert evaluation.blocking
    meta = {k: v.value for k, v in evaluation.metadata.items()}
    assert (
        "expect_column_values_to_be_between(reply_share): 1 unexpected"
        in meta["failed_expectations"]
    )
    assert any(s.get("reply_share") == 1.5 for s in meta["sample_rows"])
    assert meta["unexpected_count"] >= 1
    # the run's results were appended to the copy's history
    recorded = {r[0]: r[2] for r in results(copy)}
    assert recorded["conversation_metrics_suite"] == "fail"


def test_an_audited_account_without_a_row_fails_and_is_named(built, check_env, capsys):
    copy = check_env("missing_audited")
    with duckdb.connect(str(copy)) as con:
        con.execute("delete from marts.conversation_metrics where handle = 'RivalCo'")
    assert main(["check"]) == 1
    failed = {r[0]: r[4] for r in results(copy) if r[2] == "fail"}
    # and the suites comparing their rows with it (inbound_messages: rows per account)
    assert set(failed) == {"conversation_metrics_suite"} | cross_checking("conversation_metrics")
    assert (
        "expect_column_distinct_values_to_contain_set(audit_key)"
        in failed["conversation_metrics_suite"]
    )
    assert '"missing": "x:rivalco"' in failed["conversation_metrics_suite"]
    capsys.readouterr()


def test_suspicious_values_warn_without_blocking(built, check_env, capsys):
    """A follower count that doubles overnight, an audited account whose collector
    stopped three days ago and a median response time that jumped tenfold."""
    copy = check_env("suspicious")
    with duckdb.connect(str(copy)) as con:
        con.execute(
            "update canonical.account_snapshots set followers_count = followers_count * 2 "
            "where handle = 'NorthwindCoffee' "
            "and observed_at = (select max(observed_at) from canonical.account_snapshots)"
        )
        con.execute(
            "delete from canonical.account_snapshots where handle = 'AcmeLabs' "
            "and observed_at > (select max(observed_at) - interval 3 day "
            "from canonical.account_snapshots)"
        )
        con.execute(
            # int_first_responses is a view over int_inbound_messages, which holds them
            "update intermediate.int_inbound_messages set first_response_min = "
            "first_response_min * 10 where answered and account_key = ("
            "select account_key from intermediate.int_conversation_accounts "
            "where handle = 'NorthwindCoffee') and created_at > ("
            "select max(created_at) - interval 7 day from intermediate.int_first_responses)"
        )
    assert main(["check"]) == 0
    out = capsys.readouterr().out
    warned = {r[0]: r[4] for r in results(copy) if r[2] == "warn"}
    assert "NorthwindCoffee" in warned["follower_counts_plausible"]
    assert "AcmeLabs" in warned["snapshots_fresh"]
    assert "NorthwindCoffee" in warned["response_time_median_stable"]
    for name in ("follower_counts_plausible", "snapshots_fresh", "response_time_median_stable"):
        assert re.search(rf"{name}\s+\S+\s+warn", out)
    assert not [r for r in results(copy) if r[2] == "fail"]
