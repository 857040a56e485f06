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
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd

from pipelines.bench.generate import Generated, generate
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


class BenchFailed(Exception):
    """A stage failed: the message names it, its exit code, its log and its last lines."""


PROGRESS_EVERY_S = 60.0


_DBT_NODE = re.compile(r"\d+ of \d+ (START|OK|PASS|FAIL|ERROR)\b.*")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _last_line(path: Path, dbt_log: Path | None = None) -> str:
    """The stage's latest output line; for dbt (quiet on stdout), the latest node line of
    its log file."""
    source = dbt_log if dbt_log is not None and dbt_log.exists() else path
    try:
        with source.open("rb") as fh:
            fh.seek(max(0, source.stat().st_size - 65536))
            lines = [ln.strip() for ln in fh.read().decode(errors="replace").splitlines()]
    except OSError:
        return ""
    for line in reversed(lines):
        line = _ANSI.sub("", line)
        if source is dbt_log:
            found = _DBT_NODE.search(line)
            if found:
                return found.group(0)[:160]
        elif line:
            return line[:160]
    return ""


def _measure(name: str, rows: int, cmd: list[str], env: dict, work: Path, log) -> Stage:
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
                latest = _last_line(
                    output, work / "dbt_logs" / "dbt.log" if Path(cmd[0]).name == "dbt" else None
                )
                log(f"    ... {time.perf_counter() - started:.0f} s: {latest}")
    if child.returncode != 0:
        tail = output.read_text(errors="replace").strip().splitlines()[-15:]
        raise BenchFailed(
            f"stage '{name}' failed (exit {child.returncode}); its output is in {output}; "
            "the last lines:\n" + "\n".join(f"    {ln}" for ln in tail)
        )
    return _stage_from(out, name, rows, log)


def _stage_from(out: Path, name: str, rows: int, log) -> Stage:
    m = json.loads(out.read_text())
    stage = Stage(name, rows, m["wall_s"], m["peak_rss_kb"])
    log(f"    {stage.wall_s:.1f} s, peak {stage.peak_kb / 1024**2:.2f} GB")
    return stage


def _compare(warehouse: Path, pandas_dir: Path) -> str:
    """Do the marts and the pandas notebook agree? Every shared column, every row."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        cm = con.execute(
            # an audited handle never seen has no account_id; in TWCS the handle is the id
            "SELECT coalesce(account_id, handle) AS account_id, posts, replies, inbound, answered, "
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


def _configure(warehouse: Path, audits: Path) -> None:
    """What a `rapport build` run does before dbt, and what the audit schedule leaves
    behind: the audited accounts from audits.yaml, and one 28-day audit period of the
    bench client ending at its latest post, so the audit marts have work to do. A few
    rows, not timed."""
    from pipelines.audits import load_audits, sync_audited_accounts
    from pipelines.reports.periods import register_period, resolve_period
    from pipelines.warehouse import connect

    con = connect(warehouse)
    try:
        sync_audited_accounts(con, load_audits(audits))
        register_period(con, resolve_period(con, "bench", "UTC", 28))
    finally:
        con.close()


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
    """1500MB up to 10M posts (a quarter of what the pandas baseline needs there); past
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
        "DAGSTER_HOME": str(work / "dagster_home"),
    }
    (work / "dagster_home").mkdir(exist_ok=True)
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
    # The quality checks the build ends with (GX suites and the contract checks), as
    # `rapport check` runs them; --no-publish: the analyst copy is a copy of the whole
    # file, timed apart from the checks (see the notes under the table).
    checks = [rapport, "check", "--no-publish"]
    main_dir, inc_dir = str(data.folder / "main"), str(data.folder / "increment")
    raw_dir = str(work / "raw")
    total = data.posts + data.increment_posts
    # The manifest is built once, before the clock starts, as a deployment does (the
    # Dagster code location parses the project when it loads); each timed build then
    # parses only what changed, as a scheduled run does.
    subprocess.run(
        [dbt, "parse", "--quiet", *dbt_paths],
        env=env, check=True,
    )  # fmt: skip

    def stage(name: str, rows: int, cmd: list[str]) -> Stage:
        return _measure(name, rows, cmd, env, work, log)

    if resumed:
        log("  load: measured by the earlier run")
        stages = [_stage_from(work / "measure-load.json", "load", data.posts, log)]
    else:
        stages = [stage("load", data.posts, [rapport, "import", "twcs", main_dir])]
    _configure(work / "warehouse.duckdb", audits)
    # From here on the landed copies are the raw files (byte for byte what was
    # generated), so the generated ones can go: at 100M posts they are 17 GB.
    if not keep:
        shutil.rmtree(data.folder / "main", ignore_errors=True)
    stages += [
        stage("full build", data.posts, dbt_build),
        stage("full checks", data.posts, checks),
        stage("daily load", data.increment_posts, [rapport, "import", "twcs", inc_dir]),
        stage("incremental build", data.increment_posts, dbt_build),
        stage("incremental checks", data.increment_posts, checks),
        # the same build again with nothing new: what a daily run costs before any data
        stage("no-change build", 0, dbt_build),
    ]
    if posts <= pandas_max:
        stages.append(
            stage(
                "pandas baseline",
                total,
                [
                    py,
                    "-m",
                    "pipelines.bench.baseline",
                    str(work / "pandas"),
                    ",".join(AUDITED),
                    raw_dir,
                ],
            )  # fmt: skip
        )
    else:
        log(f"  pandas baseline: skipped above {label(pandas_max)} posts (--pandas-max)")
    stages.append(stage("duckdb floor", total, [py, "-m", "pipelines.bench.floor", raw_dir]))
    agreement = (
        _compare(work / "warehouse.duckdb", work / "pandas") if posts <= pandas_max else "not run"
    )
    log(f"  pandas vs marts: {agreement}")
    copy_s = _time_copy(work / "warehouse.duckdb", work / "copy.duckdb")
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


def _time_copy(source: Path, target: Path) -> float:
    """What publishing the analyst copy costs at this size: a copy of the whole file."""
    started = time.perf_counter()
    shutil.copyfile(source, target)
    seconds = time.perf_counter() - started
    target.unlink()
    return seconds


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
        "`pandas baseline` = conversation_metrics and post_mix from the landed raw CSVs in "
        "a pandas notebook; `duckdb floor` = one DuckDB pass over the same raw CSVs "
        "counting posts per account.",
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
        "Ratios against issue 6's targets (in brackets). `build` is `dbt build` alone; "
        "`build + checks` adds the quality checks' time and takes the larger peak.",
        "",
        "| size | what | pandas time / ours [>= 10] | our peak / pandas peak [<= 0.25] "
        "| ours / duckdb floor time [<= 5] | incremental / full time [<= 0.10] "
        "| no-change / full time | pandas vs marts |",
        "|---|---|---:|---:|---:|---:|---:|---|",
    ]
    for r in results:
        st = {x.name: x for x in r["stages"]}
        floor, pandas_ = st["duckdb floor"], st.get("pandas baseline")
        full, inc, noop = st["full build"], st["incremental build"], st["no-change build"]
        fc, ic = st["full checks"], st["incremental checks"]
        for what, full_s, full_kb, inc_s in (
            ("build", full.wall_s, full.peak_kb, inc.wall_s),
            (
                "build + checks",
                full.wall_s + fc.wall_s,
                max(full.peak_kb, fc.peak_kb),
                inc.wall_s + ic.wall_s,
            ),
        ):
            vs_pandas = (
                f"{_ratio(pandas_.wall_s, full_s)} | {_ratio(full_kb, pandas_.peak_kb)}"
                if pandas_
                else "not run | not run"
            )
            lines.append(
                f"| {r['size']} | {what} | {vs_pandas} | {_ratio(full_s, floor.wall_s, 1)} | "
                f"{_ratio(inc_s, full_s)} | {_ratio(noop.wall_s, full.wall_s)} | "
                f"{r['agreement']} |"
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
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    out = RESULTS_DIR / (
        f"bench-{'-'.join(r['size'] for r in results)}-{datetime.now(UTC):%Y%m%d-%H%M}.md"
    )
    out.write_text(text)
    print(text)
    log(f"written to {out}")
    return out
