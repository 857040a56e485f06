"""The daily incremental run gives exactly what a full refresh gives.

One warehouse is built on a history, then the next day is imported and built again
(incremental). Another is built from scratch on everything with `--full-refresh`. Every
mart table, and every incremental intermediate, must match row for row. The next day
holds late replies to old messages (an old message becomes answered), new mentions of
old accounts, a parent arriving after the reply that answers it (an old post becomes
inbound), a parent arriving dated after its reply (the reply is quarantined), a message
reloaded without its mention (it stops being inbound) and a brand never seen before
(the measured accounts change).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from pipelines.bench.generate import HEADER, generate
from pipelines.canonical.imports import import_paths
from pipelines.canonical.tables import connect
from pipelines.config.settings import DBT_PROJECT_DIR
from tests.conftest import shared_file

DBT = str(Path(sys.executable).with_name("dbt"))
# Bookkeeping columns: when a row was written, which accounts it was matched against.
BOOKKEEPING = ("_built_at", "_target_hash")
INCREMENTAL_INTERMEDIATES = (
    "int_posts__resolved",
    "int_posts__quarantined",
    "int_posts__current",
    "int_inbound_messages",
    "int_first_responses",
)


def _csv(path: Path, rows: list[tuple]) -> Path:
    import csv

    with path.open("w", newline="") as fh:
        out = csv.writer(fh, lineterminator="\n")
        out.writerow(HEADER)
        out.writerows(rows)
    return path


def _import(warehouse: Path, raw: Path, paths: list[Path]) -> None:
    con = connect(warehouse)
    try:
        import_paths(con, raw, "twcs", paths, log=lambda _: None)
    finally:
        con.close()


def _dbt_build(warehouse: Path, work: Path, *extra: str) -> None:
    env = os.environ | {"RAPPORT_WAREHOUSE": str(warehouse)}
    subprocess.run(
        [DBT, "build", "--quiet", "--project-dir", str(DBT_PROJECT_DIR),
         "--profiles-dir", str(DBT_PROJECT_DIR), "--target-path", str(work / "target"),
         "--log-path", str(work / "logs"), *extra],
        env=env, check=True,
    )  # fmt: skip


@pytest.fixture(scope="module")
def warehouses(tmp_path_factory):
    shared_file("twcs/twcs_sample.csv")  # the generator fits its shape to this
    root = tmp_path_factory.mktemp("incremental")
    data = generate(root / "data", 20_000, seed=3, posts_per_file=5_000, log=lambda _: None)
    history = sorted((data.folder / "main").glob("*.csv"))
    # A customer reply whose parent is not stored yet, and the day it arrives.
    # And a reply, its author's only post, whose parent arrives the next day dated after
    # it: the reply is quarantined then, and its author leaves post_mix.
    history.append(
        _csv(
            root / "orphan.csv",
            [(90_000_001, "77", "True", "Mon Oct 30 10:00:00 +0000 2017",
              "@brand0001 still waiting", "", "90000000.0"),
             (90_000_005, "99", "True", "Mon Oct 30 08:00:00 +0000 2017",
              "@brand0002 thanks", "", "90000004.0"),
             (90_000_010, "44", "True", "Mon Oct 30 07:00:00 +0000 2017",
              "@brand0000 hello", "", "")],
        )
    )  # fmt: skip
    next_day = sorted((data.folder / "increment").glob("*.csv"))
    next_day.append(
        _csv(
            root / "next_day_extra.csv",
            [
                (90_000_000, "brand0001", "False", "Mon Oct 30 09:00:00 +0000 2017",
                 "@77 how can we help?", "90000001", ""),
                # a new brand, and a message mentioning it
                (90_000_002, "88", "True", "Tue Oct 31 11:00:00 +0000 2017",
                 "@NewBrand hello", "90000003", ""),
                (90_000_003, "NewBrand", "False", "Tue Oct 31 11:05:00 +0000 2017",
                 "@88 hi there", "", "90000002.0"),
                (90_000_004, "brand0002", "False", "Mon Oct 30 09:30:00 +0000 2017",
                 "@99 sorted", "90000005", ""),
                # the same post again, corrected: it no longer mentions brand0000
                (90_000_010, "44", "True", "Mon Oct 30 07:00:00 +0000 2017",
                 "hello", "", ""),
            ],
        )
    )  # fmt: skip

    daily, full = root / "daily.duckdb", root / "full.duckdb"
    _import(daily, root / "raw_daily", history)
    _dbt_build(daily, root / "dbt_daily")
    shutil.copyfile(daily, root / "history.duckdb")  # as it stood before the next day
    _import(daily, root / "raw_daily", next_day)
    _dbt_build(daily, root / "dbt_daily")

    _import(full, root / "raw_full", history + next_day)
    _dbt_build(full, root / "dbt_full", "--full-refresh")
    return daily, full


def _tables(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    marts = con.execute(
        "SELECT table_schema, table_name FROM information_schema.tables "
        "WHERE table_catalog = 'daily' AND table_schema = 'marts' ORDER BY table_name"
    ).fetchall()
    return marts + [("intermediate", t) for t in INCREMENTAL_INTERMEDIATES]


def test_incremental_run_equals_full_refresh(warehouses):
    daily, full = warehouses
    con = duckdb.connect()
    con.execute(f"ATTACH '{daily}' AS daily (READ_ONLY)")
    con.execute(f"ATTACH '{full}' AS full_ (READ_ONLY)")
    tables = _tables(con)
    assert ("marts", "conversation_metrics") in tables and ("marts", "post_mix") in tables
    for schema, table in tables:
        cols = [
            c
            for (c,) in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_catalog = "
                "'daily' AND table_schema = ? AND table_name = ? ORDER BY ordinal_position",
                [schema, table],
            ).fetchall()
            if c not in BOOKKEEPING
        ]
        select = ", ".join(f'"{c}"' for c in cols)
        a = f"SELECT {select} FROM daily.{schema}.{table}"
        b = f"SELECT {select} FROM full_.{schema}.{table}"
        only_daily = con.execute(f"SELECT count(*) FROM ({a} EXCEPT ALL {b})").fetchone()[0]
        only_full = con.execute(f"SELECT count(*) FROM ({b} EXCEPT ALL {a})").fetchone()[0]
        n = con.execute(f"SELECT count(*) FROM daily.{schema}.{table}").fetchone()[0]
        assert (only_daily, only_full) == (0, 0), f"{schema}.{table}: {n} rows"


def test_the_next_day_changed_old_figures(warehouses):
    """The cases above really happened, so the equality is not vacuous."""
    daily, _ = warehouses
    history_con = duckdb.connect(str(daily.parent / "history.duckdb"), read_only=True)
    with duckdb.connect(str(daily), read_only=True) as con:
        # the reply stored a day before its parent now counts as inbound to brand0001
        assert con.execute(
            "SELECT count(*) FROM intermediate.int_inbound_messages "
            "WHERE post_id = '90000001' AND account_key = 'brand0001' AND via_reply"
        ).fetchone() == (1,)
        # the reply older than its late-arriving parent left every figure
        assert con.execute(
            "SELECT reason FROM intermediate.int_posts__quarantined WHERE post_id = '90000005'"
        ).fetchone() == ("reply predates its parent",)
        assert con.execute(
            "SELECT count(*) FROM marts.post_mix WHERE account_id = '99'"
        ).fetchone() == (0,)
        # a message reloaded without its mention is no longer inbound (it was before)
        assert history_con.execute(
            "SELECT count(*) FROM intermediate.int_inbound_messages WHERE post_id = '90000010'"
        ).fetchone() == (1,)
        assert con.execute(
            "SELECT count(*) FROM intermediate.int_inbound_messages WHERE post_id = '90000010'"
        ).fetchone() == (0,)
        # the new brand is measured, and answered its customer
        assert con.execute(
            "SELECT inbound, answered FROM marts.conversation_metrics WHERE account_id = 'NewBrand'"
        ).fetchone() == (1, 1)
        # old messages answered by a late reply the next day
        late = con.execute(
            "SELECT count(*) FROM intermediate.int_first_responses "
            "WHERE answered AND created_at < TIMESTAMPTZ '2017-10-31' "
            "AND first_response_at >= TIMESTAMPTZ '2017-10-31'"
        ).fetchone()[0]
        assert late > 0
