"""A persistent DAGSTER_HOME. Without one, `dagster dev` keeps run history in a
temporary folder that vanishes; the CLI and `rapport dev` share this one, so runs
started from either show in the UI."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from pipelines.config.settings import PROJECT_ROOT, Settings


def ensure_dagster_home(settings: Settings) -> Path:
    home = settings.dagster_home
    home.mkdir(parents=True, exist_ok=True)
    instance_yaml = home / "dagster.yaml"
    project_yaml = PROJECT_ROOT / "dagster.yaml"
    if not instance_yaml.exists() or instance_yaml.read_bytes() != project_yaml.read_bytes():
        shutil.copyfile(project_yaml, instance_yaml)
    os.environ["DAGSTER_HOME"] = str(home.resolve())
    return home
