"""`rapport dev` started in the background (SIGINT ignored, as a shell's `&` leaves it)
stops on SIGTERM within seconds, with its whole Dagster UI, daemon and code servers:
no process of it outlives the command."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from pipelines.config.settings import PROJECT_ROOT


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _processes_mentioning(text: str) -> list[str]:
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if text in cmdline and "dagster" in cmdline:
            found.append(f"{proc.name}: {cmdline[:120]}")
    return found


def _background() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def test_sigterm_stops_rapport_dev_and_everything_it_started(tmp_path):
    port = _free_port()
    env = {
        **os.environ,
        "RAPPORT_WAREHOUSE": str(tmp_path / "wh" / "rapport.duckdb"),
        "DAGSTER_HOME": str(tmp_path / "dagster_home"),
        "RAPPORT_AUDITS": str(PROJECT_ROOT / "audits.yaml"),
    }
    dev = subprocess.Popen(
        [sys.executable, "-m", "pipelines.cli", "dev", "--port", str(port)],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=_background,
    )
    try:
        deadline = time.monotonic() + 180
        while True:
            assert dev.poll() is None, "rapport dev exited before the UI came up"
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/server_info", timeout=2):
                    break
            except OSError:
                assert time.monotonic() < deadline, "the UI did not come up in 180 s"
                time.sleep(1)
        assert _processes_mentioning(str(port))  # the UI and its children are running
        started = time.monotonic()
        dev.send_signal(signal.SIGTERM)
        assert dev.wait(timeout=45) == 0
        assert time.monotonic() - started < 30
        time.sleep(1)
        assert _processes_mentioning(str(port)) == []
    finally:
        if dev.poll() is None:
            dev.kill()
