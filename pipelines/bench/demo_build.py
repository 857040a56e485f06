"""`rapport bench --demo-build`: what a small `rapport build` costs, on the demo warehouse.

`rapport demo` builds the demo world once; then each round times, as separate
processes (a person's commands):
  start-up   the imports and code location a `rapport build` loads before its run
             (Python, Dagster, dbt's manifest), and nothing else;
  build      `rapport build`, end to end (wall time), with its stage lines.
The figure the README quotes is the median of build minus the median start-up, against
the 10 s target; the result is written to benchmarks/results/demo-build-<time>.md with
the machine it ran on. Run it on an idle machine: other work slows every figure."""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from pipelines.bench.report import RESULTS_DIR, machine
from pipelines.config.settings import PROJECT_ROOT

TARGET_S = 10.0
# What `rapport build` loads before its run starts: its module and the code location.
START_UP = (
    "import pipelines.cli.build; from pipelines.defs.location import build_definitions; "
    "build_definitions()"
)
STAGE_LINE = re.compile(r"^  (\w+) +(.*?)\s*\((\d+\.\d) s\)$|^  total +(\d+\.\d) s$", re.M)


class DemoBuildFailed(RuntimeError):
    pass


def environment(root: Path) -> dict[str, str]:
    return {
        **os.environ,
        "RAPPORT_WAREHOUSE": str(root / "rapport.duckdb"),
        "RAPPORT_RAW_DIR": str(root / "raw"),
        "RAPPORT_INBOX": str(root / "inbox"),
        "RAPPORT_REPORTS_DIR": str(root / "reports"),
        "DAGSTER_HOME": str(root / "dagster_home"),
    }


def timed(args: list[str], env: dict[str, str]) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(
        args, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=1800
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise DemoBuildFailed(
            f"{' '.join(args[-2:])} exited {done.returncode}:\n{done.stdout[-2000:]}"
            f"{done.stderr[-2000:]}"
        )
    return seconds, done.stdout


def stages(output: str) -> dict[str, float]:
    """The seconds of each stage line a build printed (pipelines/cli/stages.py)."""
    found = {}
    for m in STAGE_LINE.finditer(output):
        if m.group(4):
            found["total"] = float(m.group(4))
        else:
            found[m.group(1)] = float(m.group(3))
    return found


def measure(root: Path, runs: int, log=print) -> dict:
    env = environment(root)
    rapport = [sys.executable, "-m", "pipelines.cli"]
    log(f"demo build: building the demo world in {root} ...")
    demo_s, _ = timed([*rapport, "demo"], env)
    log(f"  rapport demo: {demo_s:.1f} s")
    rounds = []
    for i in range(runs):
        start_up, _ = timed([sys.executable, "-c", START_UP], env)
        build, output = timed([*rapport, "build"], env)
        found = stages(output)
        if "models" not in found or "checks" not in found:
            raise DemoBuildFailed(f"no stage lines in the build's output:\n{output[-2000:]}")
        rounds.append({"start_up": start_up, "build": build, **found})
        log(
            f"  round {i + 1}: build {build:.1f} s, start-up {start_up:.1f} s, "
            f"beyond start-up {build - start_up:.1f} s"
        )
    return {"demo_s": demo_s, "rounds": rounds}


def render(result: dict) -> str:
    rounds = result["rounds"]

    def median(name: str) -> float:
        return statistics.median(r.get(name, 0.0) for r in rounds)

    beyond = median("build") - median("start_up")
    verdict = "met" if beyond <= TARGET_S else "not met"
    lines = [
        "# Demo build: `rapport build` on the demo warehouse "
        f"({datetime.now(UTC):%Y-%m-%d %H:%M} UTC)",
        "",
        f"Machine: {machine()}.",
        "",
        f"`rapport demo` built the demo world once ({result['demo_s']:.1f} s); then "
        f"{len(rounds)} rounds each timed a start-up (the imports and code location a "
        "build loads, alone) and a `rapport build`, each as its own process. Medians:",
        "",
        "| | seconds |",
        "|---|---:|",
        f"| `rapport build`, wall | {median('build'):.1f} |",
        f"| process start-up (imports, code location) | {median('start_up'):.1f} |",
        f"| **build beyond start-up** (target at most {TARGET_S:.0f} s: {verdict}) | "
        f"**{beyond:.1f}** |",
        f"| of which the run's stages (stage lines' total) | {median('total'):.1f} |",
        f"| models (dbt build: every model and dbt test) | {median('models'):.1f} |",
        f"| checks (quality checks) | {median('checks'):.1f} |",
        "",
        "Every round:",
        "",
        "| round | build | start-up | beyond start-up | run total | models | checks |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for i, r in enumerate(rounds, 1):
        lines.append(
            f"| {i} | {r['build']:.1f} | {r['start_up']:.1f} | {r['build'] - r['start_up']:.1f}"
            f" | {r.get('total', 0):.1f} | {r['models']:.1f} | {r['checks']:.1f} |"
        )
    return "\n".join(lines) + "\n"


def run(root: Path, runs: int = 5, log=print, out_dir: Path = RESULTS_DIR) -> Path:
    result = measure(root, runs, log)
    text = render(result)
    out_dir.mkdir(parents=True, exist_ok=True)
    out = out_dir / f"demo-build-{datetime.now(UTC):%Y%m%d-%H%M}.md"
    out.write_text(text)
    print(text)
    log(f"written to {out}")
    return out
