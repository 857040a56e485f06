"""`rapport ingest x` against the local fake X API: the exit codes and messages, a real
process killed with SIGKILL in the middle of a run and then rerun, and the bearer token
nowhere: not in raw pages, the warehouse, staging, output or logs (tweepy's debug log
included)."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
from datetime import UTC, datetime

import pytest

from pipelines.cli import main
from pipelines.config.settings import PROJECT_ROOT
from pipelines.sources.x_api.config import XIngestConfig, load_x_config
from tests.fake_x_api import FakeXApi
from tests.x_helpers import (
    HANDLES,
    TOKEN,
    canonical,
    cells_holding,
    clock_at,
    demo_pages,
    files_holding,
    new_world,
    query,
    run_ingest,
)

AUDITS = """clients:
  - name: northwind
    brands: [{platform: x, handle: NorthwindCoffee}, {platform: x, handle: NorthwindDeals}]
    competitors: [{platform: x, handle: BeanBarnCafe}]
  - name: acme
    brands: [{platform: x, handle: AcmeCo}, {platform: x, handle: AcmeLabs}]
    competitors: [{platform: x, handle: RivalCo}]
  - name: globex
    brands: [{platform: x, handle: GlobexGear}, {platform: x, handle: GlobexHelp}]
"""


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    return demo_pages(tmp_path_factory.mktemp("x_cli_pages"))


@pytest.fixture
def env(tmp_path, monkeypatch):
    """A private warehouse and audits file; the caller adds the token and API URL."""
    audits = tmp_path / "audits.yaml"
    audits.write_text(AUDITS)
    values = {
        "RAPPORT_WAREHOUSE": str(tmp_path / "rapport.duckdb"),
        "RAPPORT_RAW_DIR": str(tmp_path / "raw"),
        "RAPPORT_INBOX": str(tmp_path / "inbox"),
        "RAPPORT_AUDITS": str(audits),
        "DAGSTER_HOME": str(tmp_path / "dagster_home"),
    }
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("X_BEARER_TOKEN", raising=False)
    # the defaults, whatever an operator has put in the repo's x_ingest.yaml
    monkeypatch.setenv("RAPPORT_X_CONFIG", str(tmp_path / "no_x_ingest.yaml"))
    return values


def test_the_committed_settings_file_states_the_defaults():
    assert load_x_config(PROJECT_ROOT / "x_ingest.yaml") == XIngestConfig()


def test_without_a_token_the_command_fails_clearly(env, tmp_path, capsys):
    assert main(["ingest", "x"]) == 2
    err = capsys.readouterr().err
    assert "X_BEARER_TOKEN is not set" in err and "Traceback" not in err
    assert not (tmp_path / "rapport.duckdb").exists()


def test_a_bad_setting_is_refused_with_its_line(env, tmp_path, monkeypatch, capsys):
    config = tmp_path / "x_ingest.yaml"
    config.write_text("price_per_post_usd: 0.005\npage_size: 500\n")
    monkeypatch.setenv("RAPPORT_X_CONFIG", str(config))
    monkeypatch.setenv("X_BEARER_TOKEN", TOKEN)
    assert main(["ingest", "x"]) == 2
    assert f"{config}:2: page_size must be between 5 and 100" in capsys.readouterr().err


def test_a_wrong_token_stops_with_exit_2_naming_it(env, pages, monkeypatch, capsys):
    with FakeXApi(new_world(pages), TOKEN) as api:
        monkeypatch.setenv("RAPPORT_X_API_URL", api.url)
        monkeypatch.setenv("X_BEARER_TOKEN", "an-old-revoked-token")
        assert main(["ingest", "x"]) == 2
    err = capsys.readouterr().err
    assert "401" in err and "X_BEARER_TOKEN is wrong, revoked" in err


def test_the_command_reads_everything_and_the_token_appears_nowhere(
    env, pages, tmp_path, monkeypatch, capsys, caplog
):
    # tweepy's own debug log prints the request headers: it must come out redacted.
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="tweepy.client")
    with FakeXApi(new_world(pages), TOKEN) as api:
        monkeypatch.setenv("RAPPORT_X_API_URL", api.url)
        monkeypatch.setenv("X_BEARER_TOKEN", TOKEN)
        assert main(["ingest", "x"]) == 0
        out = capsys.readouterr().out
        assert "complete: 20 request(s)" in out
        assert main(["ingest", "x", "--max-cost", "0"]) == 0  # a budget stop is no failure
        assert "budget reached" in capsys.readouterr().out
    assert "Bearer [redacted X_BEARER_TOKEN]" in caplog.text
    assert TOKEN not in caplog.text and TOKEN not in out
    assert files_holding(tmp_path, [TOKEN]) == []
    assert cells_holding(tmp_path / "rapport.duckdb", [TOKEN]) == []


def test_a_process_killed_mid_run_loses_nothing_and_the_rerun_completes_it(
    env, pages, tmp_path, tmp_path_factory, monkeypatch
):
    world = new_world(pages)
    clean_root = tmp_path_factory.mktemp("x_cli_clean")
    clock = clock_at(datetime.now(UTC))
    with FakeXApi(new_world(pages), TOKEN, clock) as clean_api:
        assert run_ingest(clean_root, clean_api, clock, "clean").status == "complete"
        clean_ids = sorted(i for s in clean_api.served for i in s.data_ids)

    with FakeXApi(world, TOKEN) as api:
        # The first mentions request (after the lookup and two timeline pages) hangs
        # until the process is dead.
        api.fault("pause", path="/mentions")
        child_env = {**os.environ, "RAPPORT_X_API_URL": api.url, "X_BEARER_TOKEN": TOKEN}
        child = subprocess.Popen(
            [sys.executable, "-m", "pipelines.cli", "ingest", "x"],
            cwd=PROJECT_ROOT,
            env=child_env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        try:
            assert api.paused.wait(60), "the ingest never reached the paused request"
            child.send_signal(signal.SIGKILL)
            output = child.communicate(timeout=30)[0].decode()
        finally:
            if child.poll() is None:
                child.kill()
        api.release()
        assert child.returncode == -signal.SIGKILL
        assert len(list((tmp_path / "raw" / "x-api").glob("*/*.jsonl"))) == 3

        monkeypatch.setenv("RAPPORT_X_API_URL", api.url)
        monkeypatch.setenv("X_BEARER_TOKEN", TOKEN)
        assert main(["ingest", "x"]) == 0
        served = list(api.served)

    # Every post read once, but for the page that was on the wire when the process died.
    (in_flight,) = [s for s in served if s.path.endswith("/mentions")][:1]
    read = sorted(i for s in served for i in s.data_ids)
    assert read == sorted(clean_ids + in_flight.data_ids)
    db = tmp_path / "rapport.duckdb"
    loose = ("raw_file_id", "file_name", "observed_at")
    got, want = canonical(db, exclude=loose), canonical(clean_root / "rapport.duckdb", loose)
    assert {t: got[t] for t in ("posts", "accounts", "rejects")} == {
        t: want[t] for t in ("posts", "accounts", "rejects")
    }
    runs = query(db, "SELECT status FROM ops.api_runs ORDER BY started_at")
    assert runs == [("interrupted",), ("complete",)]
    assert TOKEN not in output
    assert files_holding(tmp_path, [TOKEN]) == []
    assert sorted(h for (h,) in query(db, "SELECT handle FROM ops.x_accounts")) == sorted(HANDLES)
