"""The dbt project as Dagster sees it.

`DbtProject.prepare_if_dev()` only parses under `dagster dev`; the CLI, tests and CI
load these definitions too, so `ensure_manifest()` (re)builds the manifest whenever it
is missing or older than the project's files; it runs when the dbt assets are built
(pipelines/defs/assets/dbt_models.py `dbt_models()`), never at import. An up-to-date
manifest costs one stat per file."""

from __future__ import annotations

import fcntl
import functools
import importlib.metadata
import os
import shutil
import sys
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject
from packaging import version

from pipelines.config.settings import DBT_PROJECT_DIR


@functools.cache
def rapport_dbt_project() -> DbtProject:
    return DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


# The dbt installed beside this Python, so nothing depends on the venv being activated.
DBT_EXECUTABLE = str(Path(sys.executable).with_name("dbt"))


class RapportDbtCli(DbtCliResource):
    """dagster-dbt's resource without the two things it does in Dagster's own process
    before every dbt command: run `dbt --version` (a second dbt start-up, ~1.7 s) and
    load the project into a dbt adapter (~2.5 s), used only for row counts and column
    metadata, which Rapport does not fetch. Of a demo build's ~10 s models step, that
    was some 4 s. The version is that of the dbt-core installed beside this Python,
    the one DBT_EXECUTABLE runs (both pinned in requirements.lock)."""

    @functools.cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(importlib.metadata.version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args):
        return None  # no adapter: row counts and column metadata are not fetched


def dbt_cli() -> DbtCliResource:
    return RapportDbtCli(project_dir=rapport_dbt_project(), dbt_executable=DBT_EXECUTABLE)


def _newest_source_mtime(project_dir: Path) -> float:
    files = [project_dir / "dbt_project.yml", project_dir / "profiles.yml"]
    for folder in ("models", "macros", "tests", "seeds", "snapshots"):
        files.extend(p for p in (project_dir / folder).rglob("*") if p.is_file())
    return max((p.stat().st_mtime for p in files if p.exists()), default=0.0)


def _stale(project: DbtProject) -> bool:
    manifest = project.manifest_path
    return not manifest.exists() or manifest.stat().st_mtime < _newest_source_mtime(
        project.project_dir
    )


def ensure_manifest(project: DbtProject | None = None) -> Path:
    project = project or rapport_dbt_project()
    if _stale(project):
        # Several processes may load the definitions at once (tests, CLI, the UI):
        # one parses, the others wait and then find the manifest fresh.
        lock_path = project.project_dir / "target" / ".parse.lock"
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        with lock_path.open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if _stale(project):
                dbt_cli().cli(["parse", "--quiet"], target_path=project.target_path).wait()
    return project.manifest_path


def prune_run_targets(keep: int = 5) -> None:
    """dagster-dbt gives every invocation its own target folder (compiled SQL, run
    results, ~6 MB here); keep the newest few for debugging, not every run forever."""
    runs = sorted(
        (p for p in (DBT_PROJECT_DIR / "target").glob("rapport_dbt_models-*") if p.is_dir()),
        key=lambda p: p.stat().st_mtime,
    )
    for old in runs[:-keep]:
        shutil.rmtree(old, ignore_errors=True)


def keep_partial_parse(run_target: Path) -> None:
    """Copy a run's partial-parse file back to target/, where dagster-dbt seeds every
    next run's own target folder from. dbt keys the file on the profile's connection
    settings, the warehouse path among them, so the one `dbt parse` wrote (for whatever
    warehouse the definitions loaded with) never matches a build's and every build
    re-parsed the whole project. Now the next build on the same warehouse parses only
    what changed. Replaced atomically: another process may be copying it for its run."""
    produced = run_target / "partial_parse.msgpack"
    if not produced.exists():
        return
    kept = DBT_PROJECT_DIR / "target" / "partial_parse.msgpack"
    staging = kept.with_name(f".partial_parse.{os.getpid()}.tmp")
    shutil.copyfile(produced, staging)
    os.replace(staging, kept)
