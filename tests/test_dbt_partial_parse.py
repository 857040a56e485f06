"""What a build costs and says. dbt parses the project once per warehouse, not once per
build: a second `rapport build` on the same warehouse starts from the first one's
partial-parse file (dbt keys it on the profile, whose warehouse path differs from the
`dbt parse` the definitions ran), so it logs no "Unable to do partial parsing". And a
build prints what a person reads: no dbt node lines and no Dagster chatter unless
--verbose asks for them, but one line per stage with its counts and time."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from pipelines.bench.demo_build import stages
from pipelines.config.settings import PROJECT_ROOT
from tests.conftest import SHARED_DATA, shared_file

REPARSE = "Unable to do partial parsing"
NODE_LINE = re.compile(r"^\d+ of \d+ (START|PASS|OK) ", re.M)


def _rapport(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "pipelines.cli", *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return done.stdout + done.stderr


def test_a_second_build_on_the_same_warehouse_does_not_reparse(tmp_path):
    shared_file("bluesky/profile.json")
    audits = tmp_path / "audits.yaml"
    audits.write_text(
        "clients:\n  - name: sky\n    brands:\n      - {platform: bluesky, handle: bsky.app}\n"
    )
    env = {
        **os.environ,
        "RAPPORT_WAREHOUSE": str(tmp_path / "wh" / "rapport.duckdb"),
        "RAPPORT_RAW_DIR": str(tmp_path / "wh" / "raw"),
        "RAPPORT_INBOX": str(tmp_path / "wh" / "inbox"),
        "RAPPORT_AUDITS": str(audits),
        "DAGSTER_HOME": str(tmp_path / "dagster_home"),
    }
    _rapport(env, "import", "bluesky", str(SHARED_DATA / "bluesky"))
    first = _rapport(env, "build")  # may re-parse: the last build was on another warehouse
    assert not NODE_LINE.search(first)
    assert "AssetObservation" not in first and " - dagster - INFO - " not in first
    assert "Finished running" not in first and "quality checks:" in first
    # one line per stage, with what it did and its time
    assert re.search(
        r"^  models +\d+ models built, (\d+) of \1 dbt tests passed +\(\d+\.\d s\)$", first, re.M
    ), first
    checks = re.search(r"^  checks +(\d+) of \1 quality checks passed +\(\d+\.\d s\)$", first, re.M)
    assert checks
    assert re.search(r"^  total +\d+\.\d s$", first, re.M)
    # quiet: the check table (a header, a rule, one row per check) and under 25 lines
    # besides it, however many marts the checks guard
    rows = [line for line in first.splitlines() if re.match(r"^  \w+ +\S+ +(pass|FAIL|warn)", line)]
    assert len(rows) == int(checks.group(1)), first
    assert len(first.splitlines()) - len(rows) < 25, first
    # the demo-build benchmark (pipelines/bench/demo_build.py) reads the same lines
    timed = stages(first)
    assert {"config", "models", "checks", "total"} <= set(timed)
    assert timed["total"] >= timed["models"] + timed["checks"]
    second = _rapport(env, "build", "--verbose")
    assert "Found " in second  # dbt ran and said what it loaded
    assert REPARSE not in second
    assert len(NODE_LINE.findall(second)) > 100  # --verbose shows every node
    assert " - dagster - INFO - " in second
