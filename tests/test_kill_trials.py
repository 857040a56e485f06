"""kill -9 trials: `rapport import`, `rapport build`, `rapport rebuild` and
`rapport ingest x` run as real processes and are killed with SIGKILL (the whole process
group, so dbt dies too) at seeded random points within a clean run's duration; the rerun
must leave the warehouse, and the analyst copy, exactly as the clean run left them
(order-independent checksums of the canonical tables, ops.raw_files and every mart,
without the columns that record wall-clock processing times: tests/kill_helpers.py).

A clean run of each command is made once for the module, on the same inputs (the TWCS
sample and the 25 X API v2 page files of ../shared/data); every trial starts from a copy
of the clean workspace at the right stage, so no trial redoes the others' work.

Rebuild (pipelines/canonical/rebuild.py): killed before it finished, the warehouse must say so
(ops.rebuilds), `rapport build` must refuse (exit 1, telling to run `rapport rebuild`),
the analyst copy must stay the last whole one, byte for byte, and a second
`rapport rebuild` must finish it."""

from __future__ import annotations

import random
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import SHARED_DATA, require_shared, shared_file
from tests.kill_helpers import (
    CANONICAL,
    FILE_LEDGERS,
    RAW_FILES,
    Outcome,
    Workspace,
    assert_no_writer,
    checksums,
    differences,
    file_sha256,
    has_table,
    query,
    rapport,
    rebuild_rows,
    table_rows,
)

SEED = 13
TRIALS = {"import": 4, "build": 2, "rebuild": 2, "ingest": 4}
# Where in the clean run's duration each kill lands, as a fraction of it, drawn once
# from the fixed seed (so every run of this file kills at the same stages): uniform,
# and stratified, trial j of n within [j/n, (j+1)/n), so a command's kills land at
# different stages of it rather than by chance all near its start.
_rng = random.Random(SEED)
FRACTIONS = {
    kind: [round((j + _rng.random()) / n, 3) for j in range(n)] for kind, n in TRIALS.items()
}

# Accounts of the inputs, so the audited models (conversation_metrics' targets, the
# audit intermediates) hold rows: TWCS brands and the X pages' most active author.
TRIAL_AUDITS = """clients:
  - name: chipotle
    brands: [{platform: twcs, handle: ChipotleTweets}]
    competitors: [{platform: twcs, handle: AmazonHelp}, {platform: x, handle: MariamBarghouti}]
"""
# The demo world's X accounts, which the fake X API serves (as tests/test_x_cli.py).
X_AUDITS = """clients:
  - name: northwind
    brands: [{platform: x, handle: NorthwindCoffee}, {platform: x, handle: NorthwindDeals}]
    competitors: [{platform: x, handle: BeanBarnCafe}]
  - name: acme
    brands: [{platform: x, handle: AcmeCo}, {platform: x, handle: AcmeLabs}]
    competitors: [{platform: x, handle: RivalCo}]
"""
UNFINISHED = ("replaying", "replayed")


def import_commands() -> list[list[str]]:
    twcs = shared_file("twcs/twcs_sample.csv")
    pages = require_shared(SHARED_DATA / "x_api_v2" / "twarc_pages")
    return [["import", "twcs", str(twcs)], ["import", "twarc2", str(pages)]]


def run_ok(ws: Workspace, *argv: str) -> Outcome:
    outcome = rapport(ws, *argv)
    assert outcome.returncode == 0, outcome.describe()
    return outcome


def imported_rows(ws: Workspace) -> dict[str, list[str]]:
    return table_rows(ws.warehouse, tables=[*CANONICAL, RAW_FILES, *FILE_LEDGERS])


def raw_landing(ws: Workspace) -> dict[str, str]:
    """Landed file -> sha256 of its bytes, for every file of raw (sidecars and all)."""
    return {
        str(p.relative_to(ws.raw_dir)): file_sha256(p)
        for p in sorted(ws.raw_dir.rglob("*"))
        if p.is_file()
    }


def assert_same(got: dict, want: dict, what: str) -> None:
    assert checksums(got) == checksums(want), f"{what}:\n{differences(got, want)}"


# ---------------------------------------------------------------------- clean runs


@dataclass
class Clean:
    seconds: dict[str, float]  # command -> its clean run's wall time
    imported: Workspace  # after the imports, never built
    built: Workspace  # after the imports and one build (analyst copy published)
    imported_rows: dict
    imported_raw: dict
    built_rows: dict
    built_analyst_rows: dict
    rebuilt_rows: dict
    rebuilt_analyst_rows: dict


@pytest.fixture(scope="module")
def trials_root(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("kill_trials")


@pytest.fixture(scope="module")
def clean(trials_root) -> Clean:
    audits = trials_root / "audits.yaml"
    audits.write_text(TRIAL_AUDITS)
    ws = Workspace(trials_root / "clean", audits=audits)
    import_seconds = sum(run_ok(ws, *argv).seconds for argv in import_commands())
    imported = ws.copy_to(trials_root / "template_imported")
    build = run_ok(ws, "build")
    built = ws.copy_to(trials_root / "template_built")
    built_rows, built_analyst_rows = table_rows(ws.warehouse), table_rows(ws.analyst_copy)
    rebuild = run_ok(ws, "rebuild")
    print(f"clean runs: import {import_seconds:.1f}s, build {build.seconds:.1f}s, ", end="")
    print(f"rebuild {rebuild.seconds:.1f}s; kill fractions (seed {SEED}): {FRACTIONS}")
    return Clean(
        seconds={"import": import_seconds, "build": build.seconds, "rebuild": rebuild.seconds},
        imported=imported,
        built=built,
        imported_rows=imported_rows(imported),
        imported_raw=raw_landing(imported),
        built_rows=built_rows,
        built_analyst_rows=built_analyst_rows,
        rebuilt_rows=table_rows(ws.warehouse),
        rebuilt_analyst_rows=table_rows(ws.analyst_copy),
    )


def delays(kind: str, seconds: float) -> list[float]:
    return [round(f * seconds, 2) for f in FRACTIONS[kind]]


def test_the_clean_runs_hold_every_input_and_a_rebuild_reproduces_the_build(clean):
    rows = clean.built_rows
    assert len(rows["canonical.posts"]) > 5000 and len(rows["canonical.rejects"]) > 0
    assert len(rows[RAW_FILES]) == 26  # the TWCS sample and 25 page files
    assert rows["marts.posts"] and rows["marts.conversation_metrics"]
    assert_same(clean.built_analyst_rows, rows, "the analyst copy is not the warehouse")
    assert_same(clean.rebuilt_rows, rows, "a clean rebuild differs from the clean build")
    assert_same(clean.rebuilt_analyst_rows, rows, "the rebuild's analyst copy differs")


# ---------------------------------------------------------------------- import


@dataclass
class ImportTrial:
    delay: float
    killed: Outcome | None  # the command the kill stopped (None: all had finished)
    finished: list[Outcome]  # commands of the script that finished before the kill
    reruns: list[Outcome]
    rows: dict
    raw: dict


@pytest.fixture(scope="module")
def import_trials(clean, trials_root) -> list[ImportTrial]:
    out = []
    for i, delay in enumerate(delays("import", clean.seconds["import"])):
        ws = Workspace(trials_root / f"import_{i}", audits=clean.imported.audits)
        # The imports as one script (the TWCS file, then the folder of pages): the
        # kill lands in whichever command is running `delay` seconds after the start.
        finished, killed, left = [], None, delay
        for argv in import_commands():
            outcome = rapport(ws, *argv, kill_after=left)
            left -= outcome.seconds
            if outcome.returncode != 0:
                killed = outcome
                break
            finished.append(outcome)
        assert_no_writer(ws)
        print(f"import trial {i}: kill due at {delay}s: " + (killed or finished[-1]).stage())
        reruns = [rapport(ws, *argv) for argv in import_commands()]
        out.append(ImportTrial(delay, killed, finished, reruns, imported_rows(ws), raw_landing(ws)))
        ws.discard()
    return out


@pytest.mark.parametrize("n", range(TRIALS["import"]))
def test_a_killed_import_rerun_loads_exactly_what_a_clean_import_does(import_trials, clean, n):
    trial = import_trials[n]
    if trial.killed is not None:
        assert trial.killed.killed, trial.killed.describe()  # our kill, not a failure
    for rerun in trial.reruns:
        assert rerun.returncode == 0, rerun.describe()
    assert_same(trial.rows, clean.imported_rows, f"import killed at {trial.delay}s, rerun")
    # raw is content-addressed: every landed file (and sidecar) as the clean run's, no
    # half-copied file under a final name, nothing more (temporary files excepted).
    landed = {k: v for k, v in trial.raw.items() if not Path(k).name.startswith("tmp")}
    assert landed.keys() == clean.imported_raw.keys()
    for name, digest in landed.items():
        if not name.endswith(".meta.json"):
            assert digest == Path(name).name.split(".")[0], f"{name} is not its own bytes"


# ---------------------------------------------------------------------- build


@dataclass
class BuildTrial:
    delay: float
    killed: Outcome
    analyst_after_kill: dict | None  # None: no analyst copy
    rerun: Outcome
    rows: dict
    analyst_rows: dict | None


def run_build_trials(clean: Clean, trials_root: Path) -> list[BuildTrial]:
    out = []
    for i, delay in enumerate(delays("build", clean.seconds["build"])):
        ws = clean.imported.copy_to(trials_root / f"build_{i}")
        killed = rapport(ws, "build", kill_after=delay)
        assert_no_writer(ws)
        print(f"build trial {i}: " + killed.stage())
        after_kill = table_rows(ws.analyst_copy) if ws.analyst_copy.exists() else None
        rerun = rapport(ws, "build")
        analyst = table_rows(ws.analyst_copy) if ws.analyst_copy.exists() else None
        out.append(BuildTrial(delay, killed, after_kill, rerun, table_rows(ws.warehouse), analyst))
        ws.discard()
    return out


# ---------------------------------------------------------------------- rebuild


@dataclass
class RebuildTrial:
    delay: float
    killed: Outcome
    markers_after_kill: list[tuple]
    canonical_after_kill: dict
    analyst_before: str | None
    analyst_after_kill: str | None
    build: Outcome
    analyst_after_build: str | None
    rerun: Outcome
    markers_after_rerun: list[tuple]
    rows: dict
    analyst_rows: dict


def run_rebuild_trials(clean: Clean, trials_root: Path) -> list[RebuildTrial]:
    out = []
    for i, delay in enumerate(delays("rebuild", clean.seconds["rebuild"])):
        ws = clean.built.copy_to(trials_root / f"rebuild_{i}")
        before = file_sha256(ws.analyst_copy)
        killed = rapport(ws, "rebuild", kill_after=delay)
        assert_no_writer(ws)
        markers = rebuild_rows(ws.warehouse)
        print(f"rebuild trial {i}: {killed.stage()}; ops.rebuilds: {markers}")
        canonical = imported_rows(ws)
        after_kill = file_sha256(ws.analyst_copy)
        build = rapport(ws, "build")
        after_build = file_sha256(ws.analyst_copy)
        rerun = rapport(ws, "rebuild")
        out.append(
            RebuildTrial(
                delay,
                killed,
                markers,
                canonical,
                before,
                after_kill,
                build,
                after_build,
                rerun,
                rebuild_rows(ws.warehouse),
                table_rows(ws.warehouse),
                table_rows(ws.analyst_copy),
            )
        )
        ws.discard()
    return out


@pytest.fixture(scope="module")
def warehouse_trials(clean, trials_root) -> dict[str, list]:
    """The build trials and the rebuild trials, side by side (two chains of whole dbt
    builds, ~1 core each: one after the other they would take most of the file's time
    budget). Contention makes each command slower than the clean run it was timed on,
    so a kill lands somewhat earlier in it than its fraction says; still within it."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        builds = pool.submit(run_build_trials, clean, trials_root)
        rebuilds = pool.submit(run_rebuild_trials, clean, trials_root)
        return {"build": builds.result(), "rebuild": rebuilds.result()}


@pytest.fixture(scope="module")
def build_trials(warehouse_trials) -> list[BuildTrial]:
    return warehouse_trials["build"]


@pytest.fixture(scope="module")
def rebuild_trials(warehouse_trials) -> list[RebuildTrial]:
    return warehouse_trials["rebuild"]


@pytest.mark.parametrize("n", range(TRIALS["build"]))
def test_a_killed_build_rerun_builds_what_a_clean_build_does(build_trials, clean, n):
    trial = build_trials[n]
    assert trial.killed.returncode in (0, -9), trial.killed.describe()
    # Published atomically and only by a whole build: none yet, or the clean one.
    if trial.analyst_after_kill is not None:
        assert_same(trial.analyst_after_kill, clean.built_analyst_rows, "analyst copy after kill")
    assert trial.rerun.returncode == 0, trial.rerun.describe()
    assert_same(trial.rows, clean.built_rows, f"build killed at {trial.delay}s, rerun")
    assert trial.analyst_rows is not None
    assert_same(trial.analyst_rows, clean.built_analyst_rows, "analyst copy after the rerun")


@pytest.mark.parametrize("n", range(TRIALS["rebuild"]))
def test_a_killed_rebuild_blocks_builds_until_a_rerun_finishes_it(rebuild_trials, clean, n):
    t = rebuild_trials[n]
    assert t.killed.returncode in (0, -9), t.killed.describe()
    latest = t.markers_after_kill[-1][1] if t.markers_after_kill else None
    finished = t.killed.returncode == 0 or latest == "complete"
    if not finished:
        if latest not in UNFINISHED:
            # Killed before the rebuild recorded itself: then it cannot have emptied
            # anything (the marker commits with the emptying).
            assert_same(
                t.canonical_after_kill,
                imported_rows(clean.built),
                f"rebuild killed at {t.delay}s emptied or changed the canonical tables "
                f"without an unfinished ops.rebuilds row (rows: {t.markers_after_kill})",
            )
        else:
            assert t.build.returncode == 1, "a build ran on a half-rebuilt warehouse\n" + (
                t.build.describe()
            )
            assert "rapport rebuild" in t.build.output, t.build.describe()
            assert "Traceback" not in t.build.output, t.build.describe()
            assert t.analyst_after_kill == t.analyst_before, "the analyst copy changed"
            assert t.analyst_after_build == t.analyst_before, "the refused build published"
    if finished or latest not in UNFINISHED:
        assert t.build.returncode == 0, t.build.describe()
    assert t.rerun.returncode == 0, t.rerun.describe()
    assert t.markers_after_rerun and t.markers_after_rerun[-1][1] == "complete"
    assert not [m for m in t.markers_after_rerun if m[1] in UNFINISHED]
    assert_same(t.rows, clean.built_rows, f"rebuild killed at {t.delay}s, rerun")
    assert_same(t.analyst_rows, clean.built_analyst_rows, "analyst copy after the rerun")


# ---------------------------------------------------------------------- ingest x

# The ingested pages carry the wall-clock time they were retrieved: the landed page
# (raw_file_id), its staging name (rejects.file_name) and the snapshots' observed_at
# differ between any two runs; everything else must not.
INGEST_LOOSE = {
    "canonical.posts": ("raw_file_id",),
    "canonical.account_snapshots": ("raw_file_id", "observed_at"),
    "canonical.rejects": ("raw_file_id", "file_name"),
}


@dataclass
class Ingested:
    outcome: Outcome
    rows: dict
    served_ids: list[str]  # every post id the fake served in `data`
    charged: tuple  # ops.api_runs: posts and users charged, estimated cost


@dataclass
class IngestTrial:
    delay: float
    killed: Outcome
    runs_after_kill: list[tuple]
    last_killed_ids: list[str]  # the data of the last response served to the killed run
    rerun: Outcome
    served_ids: list[str]  # by the killed run and the rerun
    charged: tuple
    rows: dict
    runs: list[tuple]
    sweeps_in_progress: int
    landed_pages: set[str]
    applied_pages: set[str]
    staged: list[str]


@pytest.fixture(scope="module")
def x_world(trials_root):
    from tests.x_helpers import demo_pages

    pages = demo_pages(trials_root / "x_pages_src")
    audits = trials_root / "x_audits.yaml"
    audits.write_text(X_AUDITS)
    return pages, audits


def ingest_workspace(root: Path, audits: Path, api) -> Workspace:
    from tests.x_helpers import TOKEN

    return Workspace(
        root, audits=audits, extra_env={"X_BEARER_TOKEN": TOKEN, "RAPPORT_X_API_URL": api.url}
    )


def api_runs(db: Path) -> list[tuple]:
    """ops.api_runs' statuses, oldest first ([] before the table exists)."""
    if not db.exists():
        return []
    sql = "SELECT status FROM ops.api_runs ORDER BY started_at"
    return query(db, sql) if has_table(db, "ops", "api_runs") else []


def charged(db: Path) -> tuple:
    """What the runs were charged (a page read but never landed is never charged)."""
    sql = "SELECT sum(posts_charged), sum(users_charged), sum(estimated_cost_usd) FROM ops.api_runs"
    return query(db, sql)[0]


def x_rows(ws: Workspace) -> dict:
    return table_rows(ws.warehouse, exclude=INGEST_LOOSE, tables=list(CANONICAL))


@pytest.fixture(scope="module")
def clean_ingest(x_world, trials_root) -> Ingested:
    from tests.fake_x_api import FakeXApi
    from tests.x_helpers import TOKEN, new_world

    pages, audits = x_world
    with FakeXApi(new_world(pages), TOKEN) as api:
        ws = ingest_workspace(trials_root / "ingest_clean", audits, api)
        outcome = run_ok(ws, "ingest", "x")
        print(f"clean ingest: {outcome.seconds:.1f}s, {len(api.served)} request(s)")
        served = [post for s in api.served for post in s.data_ids]
    return Ingested(outcome, x_rows(ws), served, charged(ws.warehouse))


@pytest.fixture(scope="module")
def ingest_trials(x_world, clean_ingest, trials_root) -> list[IngestTrial]:
    from tests.fake_x_api import FakeXApi
    from tests.x_helpers import TOKEN, new_world

    pages, audits = x_world
    out = []
    for i, delay in enumerate(delays("ingest", clean_ingest.outcome.seconds)):
        with FakeXApi(new_world(pages), TOKEN) as api:
            ws = ingest_workspace(trials_root / f"ingest_{i}", audits, api)
            killed = rapport(ws, "ingest", "x", kill_after=delay)
            assert_no_writer(ws)
            print(f"ingest trial {i}: {killed.stage()}; {len(api.served)} request(s) served")
            served_to_killed = list(api.served)
            runs_after_kill = api_runs(ws.warehouse)
            rerun = rapport(ws, "ingest", "x")
            served = [post for s in api.served for post in s.data_ids]
        db = ws.warehouse
        staging = ws.raw_dir / ".staging" / "x-api"
        out.append(
            IngestTrial(
                delay,
                killed,
                runs_after_kill,
                served_to_killed[-1].data_ids if served_to_killed else [],
                rerun,
                served,
                charged(db),
                x_rows(ws),
                api_runs(db),
                query(db, "SELECT count(*) FROM ops.x_sweeps WHERE in_progress")[0][0],
                {p.stem for p in (ws.raw_dir / "x-api").glob("*/*.jsonl")},
                {r for (r,) in query(db, "SELECT raw_file_id FROM ops.x_pages")},
                sorted(p.name for p in staging.glob("*")) if staging.is_dir() else [],
            )
        )
        ws.discard()
    return out


@pytest.mark.parametrize("n", range(TRIALS["ingest"]))
def test_a_killed_ingest_rerun_reads_each_post_once_and_loads_what_a_clean_one_does(
    ingest_trials, clean_ingest, n
):
    t = ingest_trials[n]
    assert t.killed.returncode in (0, -9), t.killed.describe()
    assert t.rerun.returncode == 0 and ": complete:" in t.rerun.output, t.rerun.describe()
    assert_same(t.rows, clean_ingest.rows, f"ingest killed at {t.delay}s, rerun")
    # Each post served once, but for the response that was on the wire at the kill
    # (served, never staged: the rerun asks again).
    clean, got = Counter(clean_ingest.served_ids), Counter(t.served_ids)
    assert got in (clean, clean + Counter(t.last_killed_ids)), (
        f"posts read twice: {sorted((got - clean).elements())[:10]}; "
        f"never read: {sorted((clean - got).elements())[:10]}"
    )
    # The killed run is marked interrupted by the rerun, which completes.
    if t.killed.killed:
        # (complete already, when the kill came as the process was exiting)
        assert {s for (s,) in t.runs_after_kill} <= {"running", "complete"}
        marked = [("interrupted",) if r == ("running",) else r for r in t.runs_after_kill]
        assert t.runs == [*marked, ("complete",)]
    else:
        assert t.runs == [("complete",), ("complete",)]
    assert t.charged == clean_ingest.charged
    assert t.sweeps_in_progress == 0 and t.staged == []
    assert t.landed_pages == t.applied_pages, "a landed page was never applied, or twice"


# ---------------------------------------------------------------------- the kills


@pytest.mark.parametrize("kind", list(TRIALS))
def test_the_seeded_kills_interrupted_each_command_at_least_once(kind, request):
    """Kills that all landed after the command finished would test nothing."""
    trials = request.getfixturevalue(f"{kind}_trials")
    outcomes = [t.killed for t in trials]
    interrupted = [o for o in outcomes if o is not None and o.killed]
    assert interrupted, f"no {kind} kill landed before the command finished: " + ", ".join(
        "finished" if o is None else f"exit {o.returncode} at {o.seconds:.1f}s" for o in outcomes
    )
