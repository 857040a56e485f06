"""For tests/test_kill_trials.py: `rapport` as a real process in a private workspace,
killed with SIGKILL (its whole process group, dbt included) after a given delay, and
order-independent checksums of what a warehouse holds, to compare a killed-then-rerun
warehouse with one a clean run left."""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from pipelines.config.settings import PROJECT_ROOT

# The tables a rerun must bring back exactly as a clean run leaves them (every table
# and view of schema marts is added to these).
CANONICAL = (
    "canonical.posts",
    "canonical.accounts",
    "canonical.account_snapshots",
    "canonical.rejects",
)
RAW_FILES = "ops.raw_files"
# Files refused whole or forgotten: a kill must never be the reason a file ends up here.
FILE_LEDGERS = ("ops.refused_files", "ops.forgotten_files")

# Columns that record when the pipeline did something, not what the data says, and so
# legitimately differ between two runs on the same inputs:
# * ops.raw_files.landed_at / loaded_at: when the file was copied to raw and loaded;
#   likewise when (and how often) a file was refused or forgotten.
# * marts.post_mix._built_at: the wall-clock time of the dbt run that (re)counted the
#   row (its incremental bookkeeping). Every other *_at of the marts is data: e.g.
#   marts.accounts.snapshot_observed_at and marts.audit_follower_history.observed_at
#   are when X showed the profile (the page's retrieval time), the same in every run.
# Any column called _built_at is dropped wherever it appears.
WALL_CLOCK = {
    RAW_FILES: ("landed_at", "loaded_at"),
    "ops.refused_files": ("first_refused_at", "last_refused_at", "times_refused"),
    "ops.forgotten_files": ("forgotten_at",),
}
BUILD_STAMP = "_built_at"

# Seconds any one `rapport` command may take before the test gives up on it.
COMMAND_TIMEOUT = 180


@dataclass
class Workspace:
    """A private warehouse, raw landing, inbox, reports and Dagster home under root."""

    root: Path
    audits: Path = PROJECT_ROOT / "audits.yaml"
    extra_env: dict[str, str] = field(default_factory=dict)

    @property
    def warehouse(self) -> Path:
        return self.root / "wh" / "rapport.duckdb"

    @property
    def analyst_copy(self) -> Path:
        return self.warehouse.with_name(self.warehouse.stem + "_analyst.duckdb")

    @property
    def raw_dir(self) -> Path:
        return self.root / "wh" / "raw"

    def env(self) -> dict[str, str]:
        # This workspace's paths; no token or API of the caller's; the caller's memory
        # limits (RAPPORT_DUCKDB_*) stay.
        env = {
            k: v for k, v in os.environ.items() if k not in ("X_BEARER_TOKEN", "RAPPORT_X_API_URL")
        }
        env.update(
            {
                "RAPPORT_WAREHOUSE": str(self.warehouse),
                "RAPPORT_RAW_DIR": str(self.raw_dir),
                "RAPPORT_INBOX": str(self.root / "wh" / "inbox"),
                "RAPPORT_REPORTS_DIR": str(self.root / "wh" / "reports"),
                "RAPPORT_AUDITS": str(self.audits),
                "DAGSTER_HOME": str(self.root / "dagster_home"),
                # the defaults, whatever an operator put in the repo's x_ingest.yaml
                "RAPPORT_X_CONFIG": str(self.root / "no_x_ingest.yaml"),
                "PYTHONUNBUFFERED": "1",  # the log shows how far a killed run got
            }
        )
        env.update(self.extra_env)
        return env

    def discard(self) -> None:
        """Everything but the logs (a workspace is ~30 MB)."""
        for child in self.root.iterdir():
            if child.name != "logs":
                shutil.rmtree(child) if child.is_dir() else child.unlink()

    def copy_to(self, root: Path, **changes) -> Workspace:
        """The same workspace (warehouse, raw, Dagster home) copied under another root.
        Paths inside are relative to the raw folder or come from the environment, so
        the copy is a warehouse of its own."""
        shutil.copytree(self.root, root, symlinks=True, dirs_exist_ok=False)
        fields = {"root": root, "audits": self.audits, "extra_env": dict(self.extra_env)}
        return Workspace(**(fields | changes))


@dataclass
class Outcome:
    argv: list[str]
    returncode: int | None  # -9: killed by SIGKILL
    seconds: float
    output: str
    delay: float | None = None  # when the kill was due; None: never killed

    @property
    def killed(self) -> bool:
        """Stopped by our SIGKILL before it finished on its own."""
        return self.returncode == -signal.SIGKILL

    def stage(self) -> str:
        """One line: how it ended, and the last line it printed (how far it got)."""
        lines = [line for line in self.output.splitlines() if line.strip()]
        how = "killed" if self.killed else f"exit {self.returncode}"
        return (
            f"`rapport {' '.join(self.argv)[:60]}` {how} at {self.seconds:.2f}s; "
            f"last line: {lines[-1][:120] if lines else '(nothing printed)'}"
        )

    def describe(self) -> str:
        tail = "\n".join(self.output.splitlines()[-25:])
        return (
            f"`rapport {' '.join(self.argv)}` exit {self.returncode} after {self.seconds:.1f}s"
            + (f" (kill due at {self.delay:.2f}s)" if self.delay is not None else "")
            + f"\n--- last lines of its output ---\n{tail}"
        )


def _group_alive(pgid: int) -> list[int]:
    """Live (not zombie) processes of the process group."""
    alive = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        state, _ppid, pgrp = text[text.rindex(")") + 2 :].split()[:3]
        if int(pgrp) == pgid and state not in ("Z", "X"):
            alive.append(int(stat.parent.name))
    return alive


def _kill_group(pgid: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            os.killpg(pgid, signal.SIGKILL)
        except ProcessLookupError:
            return
        if not _group_alive(pgid):
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"processes {_group_alive(pgid)} survived SIGKILL")
        time.sleep(0.05)


def rapport(
    ws: Workspace,
    *argv: str,
    kill_after: float | None = None,
    timeout: float = COMMAND_TIMEOUT,
    log_name: str | None = None,
) -> Outcome:
    """Run `python -m pipelines.cli ARGV` from the project root in its own session.
    With kill_after, SIGKILL its whole process group (dbt's processes included) that
    many seconds after it started, unless it has exited by then."""
    ws.root.mkdir(parents=True, exist_ok=True)
    log = ws.root / "logs" / (log_name or f"{argv[0]}-{time.monotonic_ns()}.log")
    log.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "pipelines.cli", *argv],
            cwd=PROJECT_ROOT,
            env=ws.env(),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: the kill reaches dbt too
        )
        try:
            wait = timeout if kill_after is None else min(kill_after, timeout)
            try:
                proc.wait(timeout=max(wait, 0))
            except subprocess.TimeoutExpired:
                _kill_group(proc.pid)
                proc.wait(timeout=30)
                if kill_after is None or kill_after > timeout:
                    raise AssertionError(
                        f"`rapport {' '.join(argv)}` took over {timeout}s; killed"
                    ) from None
        finally:
            if proc.poll() is None:  # whatever went wrong, leave nothing running
                _kill_group(proc.pid)
                proc.wait(timeout=30)
        # A child could outlive a leader that exited on its own: none may go on writing.
        _kill_group(proc.pid)
    seconds = time.monotonic() - started
    return Outcome(
        list(argv), proc.returncode, seconds, log.read_text(errors="replace"), kill_after
    )


def assert_no_writer(ws: Workspace, timeout: float = 30) -> None:
    """The warehouse write lock is free: no process of a killed run still writes."""
    lock = ws.warehouse.with_name(ws.warehouse.name + ".lock")
    if not lock.exists():
        return
    deadline = time.monotonic() + timeout
    with lock.open("a") as handle:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                fcntl.flock(handle, fcntl.LOCK_UN)
                return
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise AssertionError(f"{lock} is still held after the kill") from None
                time.sleep(0.1)


# ---------------------------------------------------------------------- checksums


def _normal(value: object) -> object:
    # Floats to 12 significant digits: DuckDB's parallel aggregates (avg, quantiles over
    # several threads) may add in another order from one run to the next and differ in
    # the last bits; no figure this project reports needs more than 12 digits.
    if isinstance(value, float):
        return float(f"{value:.12g}")
    if isinstance(value, list | tuple):
        return type(value)(_normal(v) for v in value)
    if isinstance(value, dict):
        return {k: _normal(v) for k, v in value.items()}
    return value


def tables_to_check(con: duckdb.DuckDBPyConnection) -> list[str]:
    marts = [
        f"marts.{name}"
        for (name,) in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'marts' "
            "ORDER BY table_name"
        ).fetchall()
    ]
    return [*CANONICAL, RAW_FILES, *FILE_LEDGERS, *marts]


def table_rows(
    db: Path, exclude: dict[str, tuple[str, ...]] | None = None, tables: list[str] | None = None
) -> dict[str, list[str]]:
    """Per table: its rows, each as a repr without the excluded (wall-clock) columns,
    sorted. Opened read-only; a table that does not exist maps to None."""
    exclude = {**WALL_CLOCK, **(exclude or {})}
    out: dict[str, list[str]] = {}
    with duckdb.connect(str(db), read_only=True) as con:
        for table in tables or tables_to_check(con):
            schema, name = table.split(".")
            columns = [
                c
                for (c,) in con.execute(
                    "SELECT column_name FROM information_schema.columns "
                    "WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position",
                    [schema, name],
                ).fetchall()
                if c != BUILD_STAMP and c not in exclude.get(table, ())
            ]
            if not columns:
                out[table] = None
                continue
            select = ", ".join(f'"{c}"' for c in columns)
            rows = con.execute(f'SELECT {select} FROM "{schema}"."{name}"').fetchall()
            out[table] = sorted(repr(tuple(_normal(v) for v in row)) for row in rows)
    return out


def checksums(rows: dict[str, list[str] | None]) -> dict[str, str]:
    """Per table: row count and a sha256 of its sorted rows (independent of row order)."""
    out = {}
    for table, values in rows.items():
        if values is None:
            out[table] = "missing"
            continue
        digest = hashlib.sha256("\n".join(values).encode()).hexdigest()
        out[table] = f"{len(values)} rows, sha256 {digest[:16]}"
    return out


def differences(got: dict[str, list[str]], want: dict[str, list[str]], show: int = 3) -> str:
    """What differs, table by table: rows only in one of them (a few each)."""
    lines = []
    for table in sorted(set(got) | set(want)):
        g, w = got.get(table), want.get(table)
        if g == w:
            continue
        if g is None or w is None:
            lines.append(f"{table}: {'missing' if g is None else 'present'} here, not in clean")
            continue
        extra = list((Counter(g) - Counter(w)).elements())
        lost = list((Counter(w) - Counter(g)).elements())
        lines.append(
            f"{table}: {len(g)} rows vs clean {len(w)}; {len(extra)} extra, {len(lost)} lost"
        )
        lines += [f"  + {r[:300]}" for r in extra[:show]]
        lines += [f"  - {r[:300]}" for r in lost[:show]]
    return "\n".join(lines) or "no differences"


def file_sha256(path: Path) -> str | None:
    if not path.exists():
        return None
    return hashlib.sha256(path.read_bytes()).hexdigest()


def has_table(db: Path, schema: str, name: str) -> bool:
    with duckdb.connect(str(db), read_only=True) as con:
        return bool(
            con.execute(
                "SELECT count(*) FROM information_schema.tables "
                "WHERE table_schema = ? AND table_name = ?",
                [schema, name],
            ).fetchone()[0]
        )


def rebuild_rows(db: Path) -> list[tuple[str, str, int, int]]:
    """ops.rebuilds oldest first: (rebuild_id, status, files_total, files_replayed);
    [] when the warehouse has no such table (yet)."""
    if not has_table(db, "ops", "rebuilds"):
        return []
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(
            "SELECT rebuild_id, status, files_total, files_replayed FROM ops.rebuilds "
            "ORDER BY started_at"
        ).fetchall()


def query(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()
