"""`rapport bench`: generate data, time the pipeline against a pandas notebook and the
DuckDB floor, and write the table to benchmarks/results/.

Per size, each stage runs as its own process under pipelines/bench/measure.py:
  load             rapport import twcs <history>    (land raw, parse, load canonical)
  full build       dbt build                        (every model and dbt test)
  daily load       rapport import twcs <next day>   (1% more posts)
  incremental      dbt build                        (the same command, now incremental)
  pandas baseline  conversation_metrics + post_mix from the raw CSVs
  duckdb floor     one pass over the raw CSVs: count per account
The pandas figures are compared with the marts after the incremental run.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd

from pipelines.bench.generate import generate
from pipelines.settings import DBT_PROJECT_DIR, PRODUCTION_BUILD_ARGS, PROJECT_ROOT

RESULTS_DIR = PROJECT_ROOT / "benchmarks" / "results"
AUDITED = ("brand0000", "brand0001", "brand0002")
SIZES = {"1M": 1_000_000, "10M": 10_000_000, "100M": 100_000_000}


def parse_size(text: str) -> int:
    t = text.strip().upper()
    if t in SIZES:
        return SIZES[t]
    if t.endswith("K"):
        return int(float(t[:-1]) * 1_000)
    if t.endswith("M"):
        return int(float(t[:-1]) * 1_000_000)
    return int(t)


def label(n: int) -> str:
    return f"{n // 1_000_000}M" if n % 1_000_000 == 0 else f"{n / 1_000_000:g}M"


@dataclass
class Stage:
    name: str
    rows: int
    wall_s: float
    peak_kb: int


def _measure(name: str, rows: int, cmd: list[str], env: dict, work: Path, log) -> Stage:
    out = work / f"measure-{name.replace(' ', '_')}.json"
    log(f"  {name}: {' '.join(cmd[:3])} ...")
    subprocess.run(
        [sys.executable, "-m", "pipelines.bench.measure", str(out), "--", *cmd],
        env=env,
        check=True,
        stdout=(work / f"{name.replace(' ', '_')}.log").open("w"),
        stderr=subprocess.STDOUT,
    )
    m = json.loads(out.read_text())
    stage = Stage(name, rows, m["wall_s"], m["peak_rss_kb"])
    log(f"    {stage.wall_s:.1f} s, peak {stage.peak_kb / 1024**2:.2f} GB")
    return stage


def _compare(warehouse: Path, pandas_dir: Path) -> str:
    """Do the marts and the pandas notebook agree? Every shared column, every row."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        cm = con.execute(
            "SELECT account_id, posts, replies, inbound, answered, "
            "median_first_response_min, p90_first_response_min FROM marts.conversation_metrics"
        ).df()
        mix = con.execute(
            "SELECT account_id, posts, originals, replies, broadcast_posts FROM marts.post_mix"
        ).df()
    p_cm = pd.read_csv(pandas_dir / "conversation_metrics.csv", dtype={"account_id": str})
    p_mix = pd.read_csv(pandas_dir / "post_mix.csv", dtype={"account_id": str})
    problems = []
    for name, ours, theirs in (("conversation_metrics", cm, p_cm), ("post_mix", mix, p_mix)):
        joined = ours.merge(theirs, on="account_id", how="outer", suffixes=("", "_pd"))
        if len(joined) != len(ours) or len(joined) != len(theirs):
            problems.append(f"{name}: {len(ours)} vs {len(theirs)} rows")
            continue
        for col in ours.columns.drop("account_id"):
            a, b = joined[col].astype(float), joined[col + "_pd"].astype(float)
            bad = ~(((a - b).abs() < 1e-6) | (a.isna() & b.isna()))
            if bad.any():
                problems.append(f"{name}.{col}: {int(bad.sum())} rows differ")
    return "identical" if not problems else "DIFFER: " + "; ".join(problems)


def bench_size(
    posts: int,
    root: Path,
    seed: int,
    keep: bool,
    log=print,
    memory_limit: str = "1500MB",
    pandas_max: int = SIZES["10M"],
) -> dict:
    work = root / label(posts)
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    data = generate(work / "data", posts, seed=seed, log=log)
    audits = work / "audits.yaml"
    audits.write_text(
        "clients:\n  - name: bench\n    brands:\n"
        + "".join(f"      - {{platform: twcs, handle: {h}}}\n" for h in AUDITED)
    )
    env = os.environ | {
        "RAPPORT_WAREHOUSE": str(work / "warehouse.duckdb"),
        "RAPPORT_RAW_DIR": str(work / "raw"),
        "RAPPORT_INBOX": str(work / "inbox"),
        "RAPPORT_REPORTS_DIR": str(work / "reports"),
        "RAPPORT_AUDITS": str(audits),
        "RAPPORT_DUCKDB_MEMORY_LIMIT": memory_limit,
    }
    rapport = str(Path(sys.executable).with_name("rapport"))
    py = sys.executable
    # The build is `dbt build` (every model and dbt test), the command the Dagster dbt
    # asset runs, with its own target folder so a bench never touches the project's.
    dbt = str(Path(sys.executable).with_name("dbt"))
    dbt_paths = [
        "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
        "--target-path", str(work / "dbt_target"), "--log-path", str(work / "dbt_logs"),
    ]  # fmt: skip
    dbt_build = [dbt, "build", "--quiet", *PRODUCTION_BUILD_ARGS, *dbt_paths]
    main_dir, inc_dir = str(data.folder / "main"), str(data.folder / "increment")
    total = data.posts + data.increment_posts
    # The manifest is built once, before the clock starts, as a deployment does (the
    # Dagster code location parses the project when it loads); each timed build then
    # parses only what changed, as a scheduled run does.
    subprocess.run(
        [dbt, "parse", "--quiet", *dbt_paths],
        env=env, check=True,
    )  # fmt: skip
    stages = [
        _measure("load", data.posts, [rapport, "import", "twcs", main_dir], env, work, log),
        _measure("full build", data.posts, dbt_build, env, work, log),
        _measure(
            "daily load", data.increment_posts, [rapport, "import", "twcs", inc_dir], env, work, log
        ),
        _measure("incremental build", data.increment_posts, dbt_build, env, work, log),
    ]
    if posts <= pandas_max:
        stages.append(_measure(
            "pandas baseline",
            total,
            [
                py,
                "-m",
                "pipelines.bench.baseline",
                str(work / "pandas"),
                ",".join(AUDITED),
                main_dir,
                inc_dir,
            ],
            env,
            work,
            log,
        ))  # fmt: skip
    else:
        log(f"  pandas baseline: skipped above {label(pandas_max)} posts (--pandas-max)")
    stages += [
        _measure(
            "duckdb floor",
            total,
            [py, "-m", "pipelines.bench.floor", main_dir, inc_dir],
            env,
            work,
            log,
        ),  # fmt: skip
    ]
    agreement = (
        _compare(work / "warehouse.duckdb", work / "pandas") if posts <= pandas_max else "not run"
    )
    log(f"  pandas vs marts: {agreement}")
    disk = sum(f.stat().st_size for f in work.rglob("*") if f.is_file())
    manifest = json.loads((data.folder / "manifest.json").read_text())
    if not keep:
        shutil.rmtree(work, ignore_errors=True)
    return {
        "size": label(posts),
        "posts": data.posts,
        "increment_posts": data.increment_posts,
        "brands": data.brands,
        "generate_s": data.seconds,
        "stages": stages,
        "agreement": agreement,
        "disk_bytes": disk,
        "manifest": manifest,
        "memory_limit": memory_limit,
    }


def machine() -> str:
    cpu = "?"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kb = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    return (
        f"{os.cpu_count()} cores (nproc), {mem_kb / 1024**2:.1f} GB RAM, {cpu}; "
        f"{platform.system()} {platform.release()}; Python {platform.python_version()}, "
        f"DuckDB {duckdb.__version__}, pandas {pd.__version__}"
    )


def _gb(kb: int) -> str:
    return f"{kb / 1024**2:.2f}"


def render(results: list[dict], seed: int) -> str:
    lines = [
        f"# Rapport benchmark, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "",
        f"Machine: {machine()}.",
        f"Command: `rapport bench --sizes {','.join(r['size'] for r in results)} --seed {seed} "
        f"--memory-limit {results[0]['memory_limit']}`. DuckDB memory limit for load and "
        f"builds: {results[0]['memory_limit']} (spilling to disk past it). The dbt manifest "
        "is parsed once before the clock starts, as a deployment does; each build then "
        "parses only what changed. Each stage is its own process; peak memory is the whole "
        "process tree's "
        "(pipelines/bench/measure.py). Load average at the end (1/5/15 min): "
        + "/".join(f"{x:.1f}" for x in os.getloadavg())
        + f" on {os.cpu_count()} cores (other work on the machine slows every stage).",
        "",
        "| size | stage | wall s | peak RSS GB | rows/s |",
        "|---|---|---:|---:|---:|",
    ]
    for r in results:
        for s in r["stages"]:
            lines.append(
                f"| {r['size']} | {s.name} | {s.wall_s:.1f} | {_gb(s.peak_kb)} | "
                f"{s.rows / s.wall_s:,.0f} |"
            )
    lines += ["", "Ratios (targets from issue 6 in brackets):", ""]
    lines += [
        "| size | pandas / full build time [>= 10] | build / pandas peak memory [<= 0.25] "
        "| full build / duckdb floor time [<= 5] | incremental / full build time [<= 0.10] "
        "| load rows/s | pandas vs marts |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for r in results:
        s = {x.name: x for x in r["stages"]}
        build, floor, inc = s["full build"], s["duckdb floor"], s["incremental build"]
        pandas_ = s.get("pandas baseline")
        vs_pandas = (
            f"{pandas_.wall_s / build.wall_s:.2f} | {build.peak_kb / pandas_.peak_kb:.2f}"
            if pandas_
            else "not run | not run"
        )
        lines.append(
            f"| {r['size']} | {vs_pandas} | {build.wall_s / floor.wall_s:.1f} | "
            f"{inc.wall_s / build.wall_s:.2f} | {s['load'].rows / s['load'].wall_s:,.0f} | "
            f"{r['agreement']} |"
        )
    lines += ["", "Data (generated, deterministic by seed; fitted to ../shared/data):", ""]
    for r in results:
        m = r["manifest"]
        lines.append(
            f"- {r['size']}: {r['posts']:,} posts in {m['main_files']} files + "
            f"{r['increment_posts']:,} next-day posts ({m['late_replies_in_increment']:,} of "
            f"them late replies to old threads), {r['brands']} brands, {m['customers']:,} "
            f"customer ids, {m['days']} days; generated in {r['generate_s']:.0f} s; "
            f"{r['disk_bytes'] / 1024**3:.1f} GB on disk at the end (data, raw copy, warehouse)"
        )
    lines += ["", "How the shape was fitted:", ""]
    lines += [f"- {note}" for note in results[0]["manifest"]["fitted"]]
    return "\n".join(lines) + "\n"


def run(
    sizes: list[int],
    root: Path,
    seed: int = 42,
    keep: bool = False,
    log=print,
    memory_limit: str = "1500MB",
    pandas_max: int = SIZES["10M"],
) -> Path:
    results = []
    for n in sizes:
        log(f"== {label(n)} posts (data and warehouse under {root / label(n)})")
        started = time.perf_counter()
        results.append(bench_size(n, root, seed, keep, log, memory_limit, pandas_max))
        log(f"== {label(n)} done in {time.perf_counter() - started:.0f} s")
    text = render(results, seed)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    out = RESULTS_DIR / (
        f"bench-{'-'.join(r['size'] for r in results)}-{datetime.now(UTC):%Y%m%d-%H%M}.md"
    )
    out.write_text(text)
    print(text)
    log(f"written to {out}")
    return out
