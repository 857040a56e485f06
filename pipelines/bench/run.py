"""`rapport bench`: generate data, time the pipeline against a pandas notebook and the
DuckDB floor, and write the table to benchmarks/results/.

Per size, each stage runs as its own process under pipelines/bench/measure.py:
  load             rapport import twcs <history>    (land raw, parse, load canonical)
  full build       dbt build                        (every model and dbt test)
  daily load       rapport import twcs <next day>   (1% more posts)
  incremental      dbt build                        (the same command, now incremental)
  pandas notebook  conversation_metrics + post_mix from the raw CSVs, in pandas
  duckdb notebook  the same, one DuckDB SQL script over read_csv
  polars notebook  the same, one polars lazy query
  duckdb floor     one pass over the raw CSVs: count per account
Each notebook's figures are compared with the marts after the incremental run.

This module's one concern is the orchestration: the sizes in turn, each in its own
folder, started afresh or resumed after its load (`--resume`), and removed or kept
(`--keep`). What a stage runs is pipelines/bench/stages.py; how it is run and measured,
runner.py and measure.py; the pandas check, compare.py; the table, report.py.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import duckdb

from pipelines.bench.compare import agreement as compare
from pipelines.bench.generate import Generated, generate
from pipelines.bench.report import render, write
from pipelines.bench.runner import BenchFailed, stage_from
from pipelines.bench.stages import NOTEBOOKS, Stages, time_copy

__all__ = ["BenchFailed", "bench_size", "label", "parse_size", "run"]

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


def _resume(work: Path, posts: int, seed: int, log) -> Generated:
    """Pick up a size whose data was generated and loaded by an earlier run that failed
    later (`--resume`): the load's own measurement is reused, and everything dbt built
    is dropped so the full build starts from loaded canonical tables, as it would."""
    if (work / "measure-daily_load.json").exists():
        raise BenchFailed(
            f"{work} ran past its load (the next day is loaded too): rerun without --resume"
        )
    manifest = json.loads((work / "data" / "manifest.json").read_text())
    if manifest["posts"] != posts or manifest["seed"] != seed:
        raise BenchFailed(
            f"{work} holds {manifest['posts']:,} posts of seed {manifest['seed']}, not "
            f"{posts:,} of seed {seed}: rerun without --resume"
        )
    with duckdb.connect(str(work / "warehouse.duckdb")) as con:
        for schema in ("staging", "intermediate", "marts"):
            con.execute(f"drop schema if exists {schema} cascade")
        if con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = 'ops' and table_name = 'check_results'"
        ).fetchone()[0]:
            con.execute("delete from ops.check_results")
    log(f"  resuming {work}: generated and loaded by an earlier run; dbt schemas dropped")
    return Generated(
        work / "data",
        [],
        sorted((work / "data" / "increment").glob("*.csv")),
        manifest["posts"],
        manifest["increment_posts"],
        manifest["brands"],
        manifest.get("seconds"),
    )


def default_memory_limit(posts: int) -> str:
    """1500MB up to 10M posts (a quarter of what the pandas notebook needs there); past
    that, operators such as the inbound matching over 50M+ rows cannot work in so little
    (DuckDB fails rather than spill), so 8GB: still two thirds under the 24 GB machine."""
    return "1500MB" if posts <= SIZES["10M"] else "8GB"


def bench_size(
    posts: int,
    root: Path,
    seed: int,
    keep: bool,
    log=print,
    memory_limit: str | None = None,
    pandas_max: int = SIZES["10M"],
    resume: bool = False,
) -> dict:
    memory_limit = memory_limit or default_memory_limit(posts)
    work = root / label(posts)
    resumed = resume and (work / "measure-load.json").exists()
    if resumed:
        data = _resume(work, posts, seed, log)
        load_memory_limit = json.loads((work / "bench.json").read_text())["memory_limit"]
    else:
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        (work / "bench.json").write_text(json.dumps({"memory_limit": memory_limit}))
        data = generate(work / "data", posts, seed=seed, log=log)
        load_memory_limit = memory_limit
    plan = Stages(work, data, memory_limit, log)
    if resumed:
        log("  load: measured by the earlier run")
        stages = [stage_from(work / "measure-load.json", "load", data.posts, log)]
    else:
        stages = [plan.load()]
    plan.configure()
    # From here on the landed copies are the raw files (byte for byte what was
    # generated), so the generated ones can go: at 100M posts they are 17 GB.
    if not keep:
        shutil.rmtree(data.folder / "main", ignore_errors=True)
    stages += plan.after_load()
    # pandas and polars hold every post in memory (8 GB at 10M posts): above
    # pandas_max they would not fit; the DuckDB notebook spills and runs at every size
    agreement = {}
    for name in NOTEBOOKS:
        if name != "duckdb notebook" and posts > pandas_max:
            log(f"  {name}: skipped above {label(pandas_max)} posts (--pandas-max)")
            agreement[name] = "not run"
            continue
        stages.append(plan.notebook(name))
        agreement[name] = compare(work / "warehouse.duckdb", work / name.replace(" ", "_"))
        log(f"  {name} vs marts: {agreement[name]}")
    stages.append(plan.floor())
    copy_s = time_copy(work / "warehouse.duckdb", work / "copy.duckdb")
    warehouse_bytes = (work / "warehouse.duckdb").stat().st_size
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
        "load_memory_limit": load_memory_limit,
        "resumed": resumed,
        "copy_s": copy_s,
        "warehouse_bytes": warehouse_bytes,
    }


def run(
    sizes: list[int],
    root: Path,
    seed: int = 42,
    keep: bool = False,
    log=print,
    memory_limit: str | None = None,
    pandas_max: int = SIZES["10M"],
    resume: bool = False,
) -> Path:
    results = []
    for n in sizes:
        log(f"== {label(n)} posts (data and warehouse under {root / label(n)})")
        started = time.perf_counter()
        results.append(bench_size(n, root, seed, keep, log, memory_limit, pandas_max, resume))
        log(f"== {label(n)} done in {time.perf_counter() - started:.0f} s")
    text = render(results, seed)
    out = write(text, results)
    print(text)
    log(f"written to {out}")
    return out
