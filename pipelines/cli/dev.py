"""`rapport dev`: the Dagster UI and daemon, with run history in DAGSTER_HOME."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from pipelines.config.settings import Settings


def cmd_dev(args: argparse.Namespace, settings: Settings) -> int:
    from pipelines.defs.dagster_home import ensure_dagster_home
    from pipelines.defs.dbt_project import ensure_manifest

    home = ensure_dagster_home(settings)
    ensure_manifest()
    print(f"DAGSTER_HOME={home} (run history is kept there)")
    dagster = Path(sys.executable).with_name("dagster")
    argv = [
        str(dagster),
        "dev",
        "-m",
        "pipelines.definitions",
        "-h",
        args.host,
        "-p",
        str(args.port),
    ]
    os.chdir(home)  # not the repo root: its dagster.yaml would only draw a warning
    os.execv(argv[0], argv)
    return 0  # not reached
