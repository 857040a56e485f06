"""`rapport dev`: the Dagster UI and daemon, with run history in DAGSTER_HOME.

`dagster dev` runs as a child in a process group of its own, watched here, rather than
in this process's place: started in the background (`rapport dev &`, a service manager,
a CI step), it would be sent SIGTERM, which it does not act on, and its webserver,
daemon and code servers would live on. On SIGTERM or SIGINT the whole group is asked to
stop the way `dagster dev` expects (SIGINT), then told (SIGTERM), then killed, so no
process of it outlives the command."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
from pathlib import Path

from pipelines.config.settings import Settings

# How long each step of the stop may take before the next, harder one.
STOP_GRACE_S = (15.0, 5.0)


def _restore_default_signals() -> None:
    # A background job starts with SIGINT ignored, and children inherit that: dagster dev
    # would then ignore the polite stop too. (Runs in the child, before exec.)
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def stop_group(child: subprocess.Popen, grace: tuple[float, float] = STOP_GRACE_S) -> int:
    """SIGINT, then SIGTERM, then SIGKILL to the child's process group, each after the
    previous one's grace; the child's exit status (0 when it stopped on request)."""
    for sig, wait in ((signal.SIGINT, grace[0]), (signal.SIGTERM, grace[1])):
        try:
            os.killpg(child.pid, sig)
        except ProcessLookupError:
            break
        try:
            child.wait(timeout=wait)
            break
        except subprocess.TimeoutExpired:
            continue
    try:  # what is left of the group (a code server the webserver started)
        os.killpg(child.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    child.wait()
    return 0


def cmd_dev(args: argparse.Namespace, settings: Settings) -> int:
    from pipelines.defs.dagster_home import ensure_dagster_home
    from pipelines.defs.dbt_project import ensure_manifest

    home = ensure_dagster_home(settings)
    ensure_manifest()
    print(f"DAGSTER_HOME={home} (run history is kept there)", flush=True)
    dagster = Path(sys.executable).with_name("dagster")
    argv = [str(dagster), "dev", "-m", "pipelines.definitions", "-h", args.host]
    argv += ["-p", str(args.port)]
    stopping: list[int] = []

    def on_signal(signum: int, _frame) -> None:
        stopping.append(signum)

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGTERM, signal.SIGINT)}
    # not the repo root: its dagster.yaml would only draw a warning
    child = subprocess.Popen(
        argv, cwd=home, start_new_session=True, preexec_fn=_restore_default_signals
    )
    try:
        while child.poll() is None and not stopping:
            try:
                child.wait(timeout=0.5)
            except subprocess.TimeoutExpired:
                pass
        if stopping:
            name = signal.Signals(stopping[0]).name
            print(f"rapport dev: {name} received, stopping the Dagster UI and daemon", flush=True)
            return stop_group(child)
        return child.returncode
    finally:
        if child.poll() is None:
            stop_group(child)
        for s, handler in previous.items():
            signal.signal(s, handler)
