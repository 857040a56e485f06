"""Bad configuration or environment is refused before any run starts, in one line that
names the file or variable and the reason (exit 2), never as a traceback from deep
inside a Dagster run: the audits file, the folders Rapport writes, DAGSTER_HOME, and
the DuckDB settings taken from the environment."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from pipelines.config.settings import Settings


class EnvironmentProblem(ValueError):
    """A setting or folder that cannot work; the message says which and why."""


def _nearest_existing(path: Path) -> Path:
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def writable_folder(path: Path, what: str) -> None:
    """`path` is, or can be made, a folder this process can write in. Nothing is
    created: the check writes (and removes) a file in the nearest folder that exists."""
    existing = _nearest_existing(path)
    if not existing.is_dir():
        raise EnvironmentProblem(f"{what} {path}: {existing} is a file, not a folder")
    try:
        # Write a file for real: permission bits do not say everything (a read-only
        # mount, or root, for whom os.access always says yes).
        with tempfile.NamedTemporaryFile(dir=existing, prefix=".rapport-write-test-"):
            pass
    except OSError as exc:
        raise EnvironmentProblem(
            f"{what} {path} cannot be written: {exc.strerror or exc}"
        ) from None


def check(settings: Settings, *, writes: bool, dagster: bool, audits: bool) -> None:
    """Raise EnvironmentProblem (or AuditConfigError, with the file's line) for the
    first problem found."""
    from pipelines.canonical.tables import (
        WarehouseConfigError,
        check_duckdb_config,
        holder_wait_seconds,
    )

    if audits:
        from pipelines.config.audits import load_clients

        load_clients(settings.audits_path)
    try:
        check_duckdb_config(settings.warehouse_path)
        holder_wait_seconds()
    except WarehouseConfigError as exc:
        raise EnvironmentProblem(str(exc)) from None
    temp_dir = os.environ.get("RAPPORT_DUCKDB_TEMP_DIR")
    if temp_dir and Path(temp_dir).exists() and not Path(temp_dir).is_dir():
        raise EnvironmentProblem(f"RAPPORT_DUCKDB_TEMP_DIR={temp_dir}: a file, not a folder")
    if writes:
        if settings.warehouse_path.is_dir():
            raise EnvironmentProblem(
                f"RAPPORT_WAREHOUSE {settings.warehouse_path} is a folder; it names the DuckDB file"
            )
        writable_folder(settings.warehouse_path.parent, "the warehouse folder (RAPPORT_WAREHOUSE)")
        writable_folder(settings.raw_dir, "the raw landing folder (RAPPORT_RAW_DIR)")
    if dagster:
        home = settings.dagster_home
        writable_folder(home, "DAGSTER_HOME" if os.environ.get("DAGSTER_HOME") else "Dagster home")
