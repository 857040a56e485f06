"""Where things live. Every path can be overridden from the environment so tests,
CI and operators can point Rapport at another warehouse without editing files."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]  # pipelines/config/settings.py
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
# Every scheduled or CLI build, and the benchmark, runs `dbt build` with these. dbt's
# unit tests check the SQL on fixed inputs, not the data, so they belong to the test
# suite (tests/test_incremental.py runs them), not to every build.
PRODUCTION_BUILD_ARGS = ("--exclude-resource-type", "unit_test")


@dataclass(frozen=True)
class Settings:
    warehouse_path: Path
    raw_dir: Path
    audits_path: Path
    reports_dir: Path
    inbox_dir: Path  # files dropped here are imported by every scheduled run

    @property
    def dagster_home(self) -> Path:
        """DAGSTER_HOME, or a persistent one beside the warehouse: without it, Dagster
        keeps run history in a temporary folder."""
        return Path(os.environ.get("DAGSTER_HOME") or self.warehouse_path.parent / "dagster_home")

    @property
    def analyst_copy_path(self) -> Path:
        """A read-only copy published after each build, so analysts' queries never hold
        the lock the pipeline needs (DuckDB allows one writer per file)."""
        return self.warehouse_path.with_name(self.warehouse_path.stem + "_analyst.duckdb")


def load_settings() -> Settings:
    env = os.environ
    warehouse = Path(env.get("RAPPORT_WAREHOUSE", PROJECT_ROOT / "warehouse" / "rapport.duckdb"))
    return Settings(
        warehouse_path=warehouse.resolve(),
        raw_dir=Path(env.get("RAPPORT_RAW_DIR", warehouse.resolve().parent / "raw")).resolve(),
        audits_path=Path(env.get("RAPPORT_AUDITS", PROJECT_ROOT / "audits.yaml")).resolve(),
        reports_dir=Path(
            env.get("RAPPORT_REPORTS_DIR", warehouse.resolve().parent / "reports")
        ).resolve(),
        inbox_dir=Path(env.get("RAPPORT_INBOX", warehouse.resolve().parent / "inbox")).resolve(),
    )
