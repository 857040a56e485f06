"""Shared fixtures. Tests use real parts: a real DuckDB file in a temp folder, real
dbt runs and real Dagster materializations; shared data is read from ../shared/data."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pipelines.config.settings import PROJECT_ROOT, Settings, load_settings

SHARED_DATA = PROJECT_ROOT.parent / "shared" / "data"


def shared_file(relative: str) -> Path:
    """A file from ../shared/data: missing fails under CI (it is always there), skips
    on a developer machine without it."""
    return require_shared(SHARED_DATA / relative)


def require_shared(path: Path) -> Path:
    if not path.exists():
        message = f"{path} is missing (../shared/data must sit beside the checkout)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture
def warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """A private warehouse, raw landing, inbox and Dagster home for one test."""
    monkeypatch.setenv("RAPPORT_WAREHOUSE", str(tmp_path / "wh" / "rapport.duckdb"))
    monkeypatch.setenv("RAPPORT_RAW_DIR", str(tmp_path / "wh" / "raw"))
    monkeypatch.setenv("RAPPORT_INBOX", str(tmp_path / "wh" / "inbox"))
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    if "RAPPORT_AUDITS" not in os.environ:
        monkeypatch.setenv("RAPPORT_AUDITS", str(PROJECT_ROOT / "audits.yaml"))
    return load_settings()


TWCS_SAMPLE = "twcs/twcs_sample.csv"


@pytest.fixture(scope="session")
def twcs_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real TWCS sample imported and built once for every test that checks marts on
    it (tests/test_twcs_*.py, tests/test_etiquette.py): the folder holding rapport.duckdb
    and its analyst copy rapport_analyst.duckdb. Tests only read it (re-importing the same
    file is a no-op), so one build serves them all."""
    from pipelines.cli import main

    csv_path = shared_file(TWCS_SAMPLE)
    root = tmp_path_factory.mktemp("twcs")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("RAPPORT_WAREHOUSE", str(root / "rapport.duckdb"))
        mp.setenv("RAPPORT_RAW_DIR", str(root / "raw"))
        mp.setenv("RAPPORT_INBOX", str(root / "inbox"))
        mp.setenv("DAGSTER_HOME", str(root / "dagster_home"))
        if "RAPPORT_AUDITS" not in os.environ:
            mp.setenv("RAPPORT_AUDITS", str(PROJECT_ROOT / "audits.yaml"))
        assert main(["import", "twcs", str(csv_path)]) == 0
        assert main(["build"]) == 0
    return root
