"""A rebuild is all or nothing (issue 13, reproduction 1): killed with SIGKILL halfway
through its replay of raw, the next ordinary build must refuse instead of publishing
part of the history, the analyst copy must stay as it was, a Dagster run must fail,
and `rapport rebuild` must finish the job to the same figures as before."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import textwrap

import dagster as dg
import duckdb

from pipelines.cli import main
from pipelines.config.settings import PROJECT_ROOT
from tests.conftest import SHARED_DATA, require_shared, shared_file

KILL_AT_FILE = 12


def _counts(path) -> dict[str, int]:
    with duckdb.connect(str(path), read_only=True) as con:
        return {
            t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("canonical.posts", "canonical.accounts", "marts.posts", "marts.accounts")
        }


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _replay_and_die_at(settings, n: int) -> subprocess.CompletedProcess:
    """`reload_from_raw` in its own process, killed with SIGKILL (no cleanup, no
    rollback of what committed) as it starts to replay raw file n."""
    code = textwrap.dedent(
        f"""
        import os, signal
        from pipelines.canonical.imports import reload_from_raw
        from pipelines.canonical.tables import connect
        from pathlib import Path

        def log(line):
            if line.startswith("[{n}/"):
                os.kill(os.getpid(), signal.SIGKILL)

        con = connect(Path({str(settings.warehouse_path)!r}))
        reload_from_raw(con, Path({str(settings.raw_dir)!r}), log=log)
        """
    )
    return subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT_ROOT, env=os.environ.copy(), timeout=120
    )


def test_a_rebuild_killed_halfway_publishes_nothing_until_it_is_finished(warehouse, capsys):
    twarc = require_shared(SHARED_DATA / "x_api_v2" / "twarc_pages")
    assert main(["import", "twcs", str(shared_file("twcs/twcs_sample.csv"))]) == 0
    assert main(["import", "twarc2", str(twarc)]) == 0
    assert main(["build"]) == 0
    before = _counts(warehouse.analyst_copy_path)
    copy_before = _digest(warehouse.analyst_copy_path)
    assert before["canonical.posts"] > 5000

    died = _replay_and_die_at(warehouse, KILL_AT_FILE)
    assert died.returncode == -signal.SIGKILL
    # What the kill left: the tables were emptied and refilled only in part.
    with duckdb.connect(str(warehouse.warehouse_path), read_only=True) as con:
        partial = con.execute("SELECT count(*) FROM canonical.posts").fetchone()[0]
        status = con.execute("SELECT status, files_replayed FROM ops.rebuilds").fetchall()
    assert partial < before["canonical.posts"]
    assert status == [("replaying", KILL_AT_FILE - 1)]
    capsys.readouterr()

    # The scheduled command refuses, and says what to do.
    assert main(["build"]) == 1
    err = capsys.readouterr().err
    assert f"replaying raw file {KILL_AT_FILE} of" in err and "rapport rebuild" in err
    assert main(["check"]) == 1
    assert "rapport rebuild" in capsys.readouterr().err
    assert _digest(warehouse.analyst_copy_path) == copy_before

    # So does a Dagster run of the same assets (what the daemon's schedule launches).
    from pipelines.definitions import defs
    from pipelines.defs.resources import build_resources

    run = dg.materialize(
        [*defs.assets],
        selection="key:canonical/*",
        resources={**(defs.resources or {}), **build_resources(warehouse)},
        instance=dg.DagsterInstance.get(),
        raise_on_error=False,
    )
    assert not run.success
    failure = next(e for e in run.all_events if e.is_step_failure)
    assert "rapport rebuild" in str(failure.event_specific_data.error.message)
    assert _digest(warehouse.analyst_copy_path) == copy_before

    # Finishing the rebuild restores every figure.
    assert main(["rebuild"]) == 0
    assert "starting over the rebuild that stopped at raw file" in capsys.readouterr().out
    assert _counts(warehouse.analyst_copy_path) == before
    assert main(["build"]) == 0
