"""The benchmark's report: the Markdown stage table, the ratios against issue 19's
targets (Rapport beside the analyst's three notebooks) and the notes on the machine and
the data, written to benchmarks/results/."""

from __future__ import annotations

import os
import platform
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd

from pipelines.bench.stages import NOTEBOOKS
from pipelines.config.settings import PROJECT_ROOT

RESULTS_DIR = PROJECT_ROOT / "benchmarks" / "results"


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


def _ratio(a: float, b: float, digits: int = 2) -> str:
    return f"{a / b:.{digits}f}" if b else "-"


def render(results: list[dict], seed: int) -> str:
    lines = [
        f"# Rapport benchmark, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "",
        f"Machine: {machine()}.",
        f"Command: `rapport bench --sizes {','.join(r['size'] for r in results)} --seed {seed}"
        + (" --resume" if any(x["resumed"] for x in results) else "")
        + "`. DuckDB memory limit (RAPPORT_DUCKDB_MEMORY_LIMIT) for load, builds and checks: "
        + ", ".join(
            f"{r['memory_limit']} at {r['size']}"
            + (
                f" (its load, by the earlier run: {r['load_memory_limit']})"
                if r["load_memory_limit"] != r["memory_limit"]
                else ""
            )
            for r in results
        )
        + " (spilling to disk past it). The dbt "
        "manifest is parsed once before the clock starts, as a deployment does; each build "
        "then parses only what changed. Each stage is its own process; peak memory is the "
        "whole process tree's (pipelines/bench/measure.py). Load average at the end "
        "(1/5/15 min): "
        + "/".join(f"{x:.1f}" for x in os.getloadavg())
        + f" on {os.cpu_count()} cores (other work on the machine slows every stage).",
        "",
        "Stages: `load` = `rapport import twcs` of the history (land raw, load canonical; "
        "then, untimed, audits.yaml's accounts and one 28-day audit period go into "
        "`config`, as a scheduled run and an audit would leave them); "
        "`full build` = `dbt build` on an empty warehouse (every model and dbt data test; "
        "unit tests belong to the test suite); `full checks` = `rapport check` (every GX "
        "suite and contract check); `daily load` + `incremental build` + `incremental "
        "checks` = the next day's 1% the same way; `no-change build` = `dbt build` again "
        "with nothing new (the part of a daily run that does not depend on the new data); "
        "`pandas notebook`, `duckdb notebook`, `polars notebook` = conversation_metrics "
        "and post_mix recomputed from scratch from the landed raw CSVs, as an analyst's "
        "notebook would (pipelines/bench/baseline.py, notebook_duckdb.py, "
        "notebook_polars.py), each compared with the marts row for row; `duckdb floor` = "
        "one DuckDB pass over the same raw CSVs counting posts per account.",
        "",
        "| size | stage | wall s | peak RSS GB | rows/s |",
        "|---|---|---:|---:|---:|",
    ]
    for r in results:
        for st in r["stages"]:
            rate = f"{st.rows / st.wall_s:,.0f}" if st.rows else "-"
            lines.append(
                f"| {r['size']} | {st.name} | {st.wall_s:.1f} | {_gb(st.peak_kb)} | {rate} |"
            )
    lines += [
        "",
        "Ratios against issue 19's targets (in brackets). `full` = load + full build + full "
        "checks; `daily` = daily load + incremental build + incremental checks (1% new "
        "posts); `fastest` = the fastest notebook run at that size; `peak / duckdb nb` = "
        "the largest peak of any Rapport stage over the DuckDB notebook's.",
        "",
        "| size | full s | daily s | fastest notebook s | daily / fastest [<= 0.25] "
        "| daily / full [<= 0.05] | full / fastest [<= 1.5] | load posts/s [>= 500,000] "
        "| no-change build s [< 2 beyond start-up] | peak / duckdb nb [<= 1] "
        "| notebooks vs marts |",
        "|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in results:
        st = {x.name: x for x in r["stages"]}
        full = [st[n] for n in ("load", "full build", "full checks")]
        daily = [st[n] for n in ("daily load", "incremental build", "incremental checks")]
        full_s, daily_s = sum(x.wall_s for x in full), sum(x.wall_s for x in daily)
        ran = [st[n] for n in NOTEBOOKS if n in st]
        fastest = min(ran, key=lambda x: x.wall_s)
        ours = max(x.peak_kb for x in (*full, *daily, st["no-change build"]))
        duck = st.get("duckdb notebook")
        load = st["load"]
        lines.append(
            f"| {r['size']} | {full_s:.1f} | {daily_s:.1f} | {fastest.name} "
            f"{fastest.wall_s:.1f} | {_ratio(daily_s, fastest.wall_s)} | "
            f"{_ratio(daily_s, full_s, 3)} | {_ratio(full_s, fastest.wall_s)} | "
            f"{load.rows / load.wall_s:,.0f} | {st['no-change build'].wall_s:.1f} | "
            f"{_ratio(ours, duck.peak_kb) if duck else '-'} | "
            + "; ".join(f"{n}: {a}" for n, a in r["agreement"].items())
            + " |"
        )
    lines += ["", "Data (generated, deterministic by seed; fitted to ../shared/data):", ""]
    for r in results:
        m = r["manifest"]
        load = next(x for x in r["stages"] if x.name == "load")
        lines.append(
            f"- {r['size']}: {r['posts']:,} posts in {m['main_files']} files + "
            f"{r['increment_posts']:,} next-day posts ({m['late_replies_in_increment']:,} of "
            f"them late replies to old threads), {r['brands']} brands, {m['customers']:,} "
            f"customer ids, {m['days']} days; "
            + (
                f"generated in {r['generate_s']:.0f} s"
                if r["generate_s"] is not None
                else "generated by an earlier run"
            )
            + (
                " (this run resumed after it: generation and load, with the load's own "
                "measurement, are that run's)"
                if r["resumed"]
                else ""
            )
            + "; loaded "
            f"at {load.rows / load.wall_s:,.0f} posts/s; warehouse file "
            f"{r['warehouse_bytes'] / 1024**3:.1f} GB (copying it, which is what publishing "
            f"the analyst copy costs, took {r['copy_s']:.1f} s); "
            f"{r['disk_bytes'] / 1024**3:.1f} GB on disk at the end (raw copy, warehouse)"
        )
    lines += ["", "How the shape was fitted:", ""]
    lines += [f"- {note}" for note in results[0]["manifest"]["fitted"]]
    return "\n".join(lines) + "\n"


def write(text: str, results: list[dict]) -> Path:
    """The report as benchmarks/results/bench-<sizes>-<UTC time>.md."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    out = RESULTS_DIR / (
        f"bench-{'-'.join(r['size'] for r in results)}-{datetime.now(UTC):%Y%m%d-%H%M}.md"
    )
    out.write_text(text)
    return out
