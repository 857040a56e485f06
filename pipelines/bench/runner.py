"""Running one stage from the bench: start it under pipelines/bench/measure.py, log its
progress while it runs, fail with its last lines, and read back its measurement."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from pipelines.bench.progress import last_line

PROGRESS_EVERY_S = 60.0


@dataclass
class Stage:
    name: str
    rows: int
    wall_s: float
    peak_kb: int


class BenchFailed(Exception):
    """A stage failed: the message names it, its exit code, its log and its last lines."""


def run_stage(name: str, rows: int, cmd: list[str], env: dict, work: Path, log) -> Stage:
    slug = name.replace(" ", "_")
    out, output = work / f"measure-{slug}.json", work / f"{slug}.log"
    log(f"  {name}: {' '.join(Path(c).name if i == 0 else c for i, c in enumerate(cmd[:3]))} ...")
    started = time.perf_counter()
    with output.open("w") as fh:
        child = subprocess.Popen(
            [sys.executable, "-m", "pipelines.bench.measure", str(out), "--", *cmd],
            env=env,
            stdout=fh,
            stderr=subprocess.STDOUT,
        )
        # A 100M-post stage runs for many minutes: say where it is now and then.
        while True:
            try:
                child.wait(timeout=PROGRESS_EVERY_S)
                break
            except subprocess.TimeoutExpired:
                latest = last_line(
                    output, work / "dbt_logs" / "dbt.log" if Path(cmd[0]).name == "dbt" else None
                )
                log(f"    ... {time.perf_counter() - started:.0f} s: {latest}")
    if child.returncode != 0:
        tail = output.read_text(errors="replace").strip().splitlines()[-15:]
        raise BenchFailed(
            f"stage '{name}' failed (exit {child.returncode}); its output is in {output}; "
            "the last lines:\n" + "\n".join(f"    {ln}" for ln in tail)
        )
    return stage_from(out, name, rows, log)


def stage_from(out: Path, name: str, rows: int, log) -> Stage:
    m = json.loads(out.read_text())
    stage = Stage(name, rows, m["wall_s"], m["peak_rss_kb"])
    log(f"    {stage.wall_s:.1f} s, peak {stage.peak_kb / 1024**2:.2f} GB")
    return stage
