"""One unreadable file does not stop a folder or the inbox (issue 13, reproduction 4):
it is refused and recorded, the files beside it load, and the exit code says so."""

from __future__ import annotations

import shutil

import dagster as dg
import duckdb

from pipelines.cli import main
from tests.conftest import shared_file

BINARY = bytes(range(256)) * 64  # no header, not UTF-8, NUL bytes


def _folder(tmp_path):
    folder = tmp_path / "drop"
    folder.mkdir()
    shutil.copy(shared_file("twcs/twcs_sample.csv"), folder / "good.csv")
    (folder / "bad.csv").write_bytes(BINARY)
    (folder / "empty.csv").write_bytes(b"")
    return folder


def _query(path, sql):
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_a_folder_import_loads_the_good_files_and_names_the_refused_ones(
    warehouse, tmp_path, capsys
):
    folder = _folder(tmp_path)
    assert main(["import", "twcs", str(folder)]) == 3
    out, err = capsys.readouterr()
    assert "imported 1 file(s)" in out and "2 refused" in out
    assert f"{folder / 'bad.csv'}" in err and f"{folder / 'empty.csv'}" in err
    assert "2 of 3 file(s) refused" in err
    assert _query(warehouse.warehouse_path, "SELECT count(*) FROM canonical.posts") == [(5000,)]
    refused = _query(
        warehouse.warehouse_path,
        "SELECT file_name, times_refused, reason FROM ops.refused_files ORDER BY file_name",
    )
    assert [(r[0], r[1]) for r in refused] == [
        (str(folder / "bad.csv"), 1),
        (str(folder / "empty.csv"), 1),
    ]
    assert "TWCS" in refused[0][2] and "empty" in refused[1][2]
    # Neither refused file stays in raw: they are not payloads of this source.
    assert len(list(warehouse.raw_dir.glob("twcs/*/*.meta.json"))) == 1

    # Again: the good file is known, the bad ones are refused again and counted.
    assert main(["import", "twcs", str(folder)]) == 3
    assert _query(warehouse.warehouse_path, "SELECT sum(times_refused) FROM ops.refused_files") == [
        (4,)
    ]


def test_a_single_refused_file_is_still_exit_2(warehouse, tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(BINARY)
    assert main(["import", "twcs", str(bad)]) == 2
    assert str(bad) in capsys.readouterr().err


def test_a_bad_file_in_the_inbox_does_not_fail_the_scheduled_import(warehouse, tmp_path):
    from pipelines.definitions import defs
    from pipelines.defs.dagster_home import ensure_dagster_home
    from pipelines.defs.resources import build_resources

    ensure_dagster_home(warehouse)

    inbox = warehouse.inbox_dir / "twcs"
    inbox.mkdir(parents=True)
    shutil.copy(shared_file("twcs/twcs_sample.csv"), inbox / "good.csv")
    (inbox / "bad.csv").write_bytes(BINARY)
    run = dg.materialize(
        [*defs.assets],
        selection="key:canonical/*",
        resources={**(defs.resources or {}), **build_resources(warehouse)},
        instance=dg.DagsterInstance.get(),
        raise_on_error=False,
    )
    assert run.success
    (posts,) = [
        m
        for m in run.get_asset_materialization_events()
        if m.asset_key == dg.AssetKey(["canonical", "posts"])
    ]
    meta = posts.materialization.metadata
    assert meta["files_imported"].value == 1 and meta["files_refused"].value == 1
    assert _query(warehouse.warehouse_path, "SELECT count(*) FROM canonical.posts") == [(5000,)]
    assert _query(warehouse.warehouse_path, "SELECT file_name FROM ops.refused_files") == [
        (str(inbox / "bad.csv"),)
    ]
    warnings = [
        e.message
        for e in dg.DagsterInstance.get().all_logs(run.run_id)
        if e.level == 30 and "bad.csv" in (e.message or "")
    ]
    assert warnings, "the refused inbox file is a warning in the run's log"
