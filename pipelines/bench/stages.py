"""What each stage of one size runs, and against what: the size's own warehouse, raw,
inbox, reports, audits.yaml and Dagster home (the environment every command gets), then
the commands of the load, the full build, the checks, the next day, the no-change build,
the three notebooks (pandas, DuckDB SQL, polars) and the DuckDB floor; also what
publishing the analyst copy costs."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from pipelines.bench.generate import Generated
from pipelines.bench.runner import Stage, run_stage
from pipelines.config.settings import DBT_PROJECT_DIR, PRODUCTION_BUILD_ARGS

AUDITED = ("brand0000", "brand0001", "brand0002")

# The analyst's alternatives, each a script an analyst would write: stage name -> module.
NOTEBOOKS = {
    "pandas notebook": "pipelines.bench.baseline",
    "duckdb notebook": "pipelines.bench.notebook_duckdb",
    "polars notebook": "pipelines.bench.notebook_polars",
}


class Stages:
    """One size's stages. Setting them up writes the size's audits.yaml and parses the
    dbt manifest (untimed)."""

    def __init__(self, work: Path, data: Generated, memory_limit: str, log) -> None:
        self.work, self.data, self.log = work, data, log
        self.audits = work / "audits.yaml"
        self.audits.write_text(
            "clients:\n  - name: bench\n    brands:\n"
            + "".join(f"      - {{platform: twcs, handle: {h}}}\n" for h in AUDITED)
        )
        self.env = os.environ | {
            "RAPPORT_WAREHOUSE": str(work / "warehouse.duckdb"),
            "RAPPORT_RAW_DIR": str(work / "raw"),
            "RAPPORT_INBOX": str(work / "inbox"),
            "RAPPORT_REPORTS_DIR": str(work / "reports"),
            "RAPPORT_AUDITS": str(self.audits),
            "RAPPORT_DUCKDB_MEMORY_LIMIT": memory_limit,
            "DAGSTER_HOME": str(work / "dagster_home"),
        }
        (work / "dagster_home").mkdir(exist_ok=True)
        self.rapport = str(Path(sys.executable).with_name("rapport"))
        # The build is `dbt build` (every model and dbt test), the command the Dagster dbt
        # asset runs, with its own target folder so a bench never touches the project's.
        dbt = str(Path(sys.executable).with_name("dbt"))
        dbt_paths = [
            "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
            "--target-path", str(work / "dbt_target"), "--log-path", str(work / "dbt_logs"),
        ]  # fmt: skip
        self.dbt_build = [dbt, "build", "--quiet", *PRODUCTION_BUILD_ARGS, *dbt_paths]
        # The quality checks the build ends with (GX suites and the contract checks), as
        # `rapport check` runs them; --no-publish: the analyst copy is a copy of the whole
        # file, timed apart from the checks (see the notes under the table).
        self.checks = [self.rapport, "check", "--no-publish"]
        self.raw_dir = str(work / "raw")
        self.total = data.posts + data.increment_posts
        # The manifest is built once, before the clock starts, as a deployment does (the
        # Dagster code location parses the project when it loads); each timed build then
        # parses only what changed, as a scheduled run does.
        subprocess.run(
            [dbt, "parse", "--quiet", *dbt_paths],
            env=self.env, check=True,
        )  # fmt: skip

    def _stage(self, name: str, rows: int, cmd: list[str]) -> Stage:
        return run_stage(name, rows, cmd, self.env, self.work, self.log)

    def load(self) -> Stage:
        main_dir = str(self.data.folder / "main")
        return self._stage("load", self.data.posts, [self.rapport, "import", "twcs", main_dir])

    def configure(self) -> None:
        """What a `rapport build` run does before dbt, and what the audit schedule leaves
        behind: the audited accounts from audits.yaml, and one 28-day audit period of the
        bench client ending at its latest post, so the audit marts have work to do. A few
        rows, not timed."""
        from pipelines.canonical.tables import connect
        from pipelines.config.audits import load_audits, sync_audited_accounts
        from pipelines.reports.periods import register_period, resolve_period

        con = connect(self.work / "warehouse.duckdb")
        try:
            sync_audited_accounts(con, load_audits(self.audits))
            register_period(con, resolve_period(con, "bench", "UTC", 28))
        finally:
            con.close()

    def after_load(self) -> list[Stage]:
        """The full build and checks, the next day's load, build and checks, and a build
        with nothing new."""
        inc_dir, inc = str(self.data.folder / "increment"), self.data.increment_posts
        return [
            self._stage("full build", self.data.posts, self.dbt_build),
            self._stage("full checks", self.data.posts, self.checks),
            self._stage("daily load", inc, [self.rapport, "import", "twcs", inc_dir]),
            self._stage("incremental build", inc, self.dbt_build),
            self._stage("incremental checks", inc, self.checks),
            # the same build again with nothing new: what a daily run costs before any data
            self._stage("no-change build", 0, self.dbt_build),
        ]

    def notebook(self, name: str) -> Stage:
        """One of NOTEBOOKS: conversation_metrics and post_mix recomputed from the raw
        CSVs from scratch, written to work/<name> for the comparison with the marts."""
        module = NOTEBOOKS[name]
        out_dir = str(self.work / name.replace(" ", "_"))
        cmd = [sys.executable, "-m", module, out_dir, ",".join(AUDITED), self.raw_dir]
        return self._stage(name, self.total, cmd)

    def floor(self) -> Stage:
        cmd = [sys.executable, "-m", "pipelines.bench.floor", self.raw_dir]
        return self._stage("duckdb floor", self.total, cmd)


def time_copy(source: Path, target: Path) -> float:
    """What publishing the analyst copy costs at this size: a copy of the whole file."""
    started = time.perf_counter()
    shutil.copyfile(source, target)
    seconds = time.perf_counter() - started
    target.unlink()
    return seconds
