"""Bad configuration or environment: exit 2 and one line naming the file or variable and
the reason, before any run starts; never a traceback (issue 13, point 6)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from pipelines.config.settings import PROJECT_ROOT

GOOD_AUDITS = PROJECT_ROOT / "audits.yaml"


def _rapport(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pipelines.cli", *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def env(tmp_path) -> dict[str, str]:
    wh = tmp_path / "wh"
    return {
        **os.environ,
        "RAPPORT_WAREHOUSE": str(wh / "rapport.duckdb"),
        "RAPPORT_RAW_DIR": str(wh / "raw"),
        "RAPPORT_INBOX": str(wh / "inbox"),
        "DAGSTER_HOME": str(tmp_path / "dagster_home"),
        "RAPPORT_AUDITS": str(GOOD_AUDITS),
    }


def _file(tmp_path, name: str, text: str = "") -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


CASES = {
    "memory limit that is not a size": (
        {"RAPPORT_DUCKDB_MEMORY_LIMIT": "lots"},
        ["build"],
        "RAPPORT_DUCKDB_MEMORY_LIMIT='lots'",
    ),
    "file wait that is not a number": (
        {"RAPPORT_FILE_WAIT_SECONDS": "soon"},
        ["import", "twcs", "x.csv"],
        "RAPPORT_FILE_WAIT_SECONDS='soon'",
    ),
    "DAGSTER_HOME that is a file": (
        {"DAGSTER_HOME": "{tmp}/home-file"},
        ["build"],
        "is a file, not a folder",
    ),
    "audits.yaml missing": (
        {"RAPPORT_AUDITS": "{tmp}/nowhere/audits.yaml"},
        ["build"],
        "audits.yaml: no such file",
    ),
    "audits.yaml malformed, under build": (
        {"RAPPORT_AUDITS": "{tmp}/bad.yaml"},
        ["build"],
        "bad.yaml:2:",
    ),
    "audits.yaml malformed, under check": (
        {"RAPPORT_AUDITS": "{tmp}/bad.yaml"},
        ["check"],
        "bad.yaml:2:",
    ),
    **{
        f"audits.yaml malformed, under {' '.join(args)}": (
            {"RAPPORT_AUDITS": "{tmp}/bad.yaml"},
            args,
            "bad.yaml:2:",
        )
        # every other command that reads audits.yaml (build and check are above)
        for args in (
            ["report", "acme"],
            ["demo"],
            ["rebuild"],
            ["ingest", "x"],
            ["ingest", "bluesky"],
            ["ingest", "mastodon"],
            ["dev"],
        )
    },
    "a handle with a trailing newline": (
        {"RAPPORT_AUDITS": "{tmp}/newline.yaml"},
        ["build"],
        "is not a valid x handle",
    ),
    "warehouse folder under a file": (
        {"RAPPORT_WAREHOUSE": "{tmp}/home-file/wh/rapport.duckdb"},
        ["import", "twcs", "x.csv"],
        "is a file, not a folder",
    ),
    "read-only warehouse folder": (
        {"RAPPORT_WAREHOUSE": "/sys/rapport.duckdb", "RAPPORT_RAW_DIR": "{tmp}/raw"},
        ["build"],
        "(RAPPORT_WAREHOUSE) /sys cannot be written: Permission denied",
    ),
    "warehouse path that is a folder": (
        {"RAPPORT_WAREHOUSE": "{tmp}"},
        ["build"],
        "is a folder; it names the DuckDB file",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_configuration_is_one_line_and_exit_2(case, env, tmp_path):
    overrides, args, expected = CASES[case]
    _file(tmp_path, "home-file")
    _file(tmp_path, "bad.yaml", "clients:\n  - name: acme\n    brandz: []\n")
    # A double-quoted YAML string keeps the newline inside the handle.
    _file(
        tmp_path,
        "newline.yaml",
        'clients:\n  - name: acme\n    brands:\n      - {platform: x, handle: "acme\\n"}\n',
    )
    env.update({k: v.format(tmp=tmp_path) for k, v in overrides.items()})
    done = _rapport(env, *args)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("rapport: "), done.stderr
    assert expected in lines[0]
    assert "Traceback" not in done.stdout + done.stderr
    # Nothing ran: no Dagster run was recorded.
    home = tmp_path / "dagster_home"
    assert not (home / "history").exists()
