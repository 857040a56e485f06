"""One writer at a time, and analysts' reads never block the pipeline."""

from __future__ import annotations

import subprocess
import sys

import duckdb

from pipelines.canonical.publish import publish_analyst_copy
from pipelines.canonical.tables import connect
from pipelines.cli import main
from pipelines.core.locking import warehouse_write_lock
from tests.conftest import shared_file


def test_a_second_writer_waits_for_the_first_and_then_gives_up_clearly(warehouse):
    code = (
        "import sys; from pathlib import Path\n"
        "from pipelines.core.locking import warehouse_write_lock\n"
        "try:\n"
        f"    with warehouse_write_lock(Path({str(warehouse.warehouse_path)!r}), wait_seconds=1):\n"
        "        sys.exit(0)\n"
        "except TimeoutError as exc:\n"
        "    print(exc); sys.exit(3)\n"
    )
    with warehouse_write_lock(warehouse.warehouse_path):
        with warehouse_write_lock(warehouse.warehouse_path):  # re-entrant in one process
            other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert other.returncode == 3, other.stderr
    assert "another run" in other.stdout
    free = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert free.returncode == 0, free.stderr


def test_an_analyst_session_open_on_the_copy_does_not_block_an_import(warehouse, capsys):
    connect(warehouse.warehouse_path).close()
    publish_analyst_copy(warehouse)
    analyst = duckdb.connect(str(warehouse.analyst_copy_path), read_only=True)
    try:
        assert main(["import", "twcs", str(shared_file("twcs/twcs_sample.csv"))]) == 0
        # The analyst still sees the copy as it was published, consistently.
        assert analyst.execute("SELECT count(*) FROM canonical.posts").fetchone() == (0,)
    finally:
        analyst.close()
    publish_analyst_copy(warehouse)
    assert main(["sql", "SELECT count(*) AS posts FROM canonical.posts"]) == 0
    assert "5000" in capsys.readouterr().out


def test_sql_on_a_warehouse_never_built_says_what_to_do(warehouse, capsys):
    assert main(["sql", "SELECT 1"]) == 2
    assert "rapport build" in capsys.readouterr().err


def _hold_open(path, seconds: float) -> subprocess.Popen:
    """Another process with the main warehouse file open (an analyst's client pointed at
    the wrong file), for a bounded time."""
    code = (
        "import duckdb, sys, time\n"
        f"con = duckdb.connect({str(path)!r}, read_only=True)\n"
        "print('open', flush=True)\n"
        f"time.sleep({seconds})\n"
    )
    holder = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "open"
    return holder


def test_a_reader_on_the_main_file_makes_a_writer_wait_and_says_who_it_is(warehouse, capsys):
    connect(warehouse.warehouse_path).close()
    holder = _hold_open(warehouse.warehouse_path, 3)
    try:
        assert main(["import", "twcs", str(shared_file("twcs/twcs_sample.csv"))]) == 0
    finally:
        holder.kill()
        holder.wait()
    err = capsys.readouterr().err
    assert f"waiting: PID {holder.pid}" in err and "analyst copy" in err


def test_a_reader_that_never_lets_go_is_named_when_the_wait_runs_out(
    warehouse, capsys, monkeypatch
):
    connect(warehouse.warehouse_path).close()
    monkeypatch.setenv("RAPPORT_FILE_WAIT_SECONDS", "1")
    holder = _hold_open(warehouse.warehouse_path, 60)
    try:
        assert main(["import", "twcs", str(shared_file("twcs/twcs_sample.csv"))]) == 1
    finally:
        holder.kill()
        holder.wait()
    err = capsys.readouterr().err
    assert f"is held open by PID {holder.pid}" in err and "waited 1s" in err
