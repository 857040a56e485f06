"""Shared by the test_x_* modules: the demo world served by the fake X API, a run of
the real ingest against it, and snapshots of the canonical tables to compare runs."""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from pipelines.canonical.imports import page_loader
from pipelines.canonical.tables import connect
from pipelines.sources import demo
from pipelines.sources.x_api.config import XIngestConfig
from pipelines.sources.x_api.ingest import SOURCE, IngestResult, x_ingest
from tests.fake_x_api import FakeClock, FakeXApi, World

# A sentinel: tests grep every file and log for it.
TOKEN = "rapport-sentinel-bearer-9f1c2d7e4b"
HANDLES = list(demo.AUDITED_HANDLES)
# The demo world's posts end at its anchor; the runs happen an hour later.
START = demo.DEFAULT_ANCHOR.replace(hour=7)
CANONICAL = ("posts", "account_snapshots", "accounts", "rejects")


class Killed(BaseException):
    """Stands for the process dying: not an Exception, so nothing catches it."""


def kill_at(step: str, nth: int):
    """A checkpoint hook that kills the run the nth time it reaches `step`."""
    seen = {"n": 0}

    def checkpoint(where: str) -> None:
        if where == step:
            seen["n"] += 1
            if seen["n"] == nth:
                raise Killed(f"killed after {step} #{nth}")

    return checkpoint


def demo_pages(root: Path) -> Path:
    folder = root / "demo_pages"
    if not folder.exists():
        demo.generate(folder)
    return folder


def new_world(pages: Path) -> World:
    return World.from_pages(pages)


def run_ingest(
    root: Path,
    api: FakeXApi,
    clock: FakeClock,
    run_id: str,
    config: XIngestConfig | None = None,
    handles: list[str] | None = None,
    token: str = TOKEN,
    **kwargs,
) -> IngestResult:
    con = connect(root / "rapport.duckdb")
    try:
        ingest = x_ingest(
            con,
            root / "raw",
            token,
            api.url,
            config or XIngestConfig(),
            run_id,
            clock=clock,
            sleep=clock.sleep,
            log=kwargs.pop("log", lambda message: None),
            load_page=page_loader(con, root / "raw", SOURCE),
            **kwargs,
        )
        return ingest.run(handles or HANDLES)
    finally:
        con.close()


def query(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def _page_names(raw_dir: Path) -> dict[str, str]:
    """raw_file_id -> the hash of the page with the fake server's port taken out, so
    pages fetched from two fake servers compare equal when nothing else differs."""
    names = {}
    for path in (raw_dir / "x-api").glob("*/*.jsonl"):
        normal = re.sub(rb"http://127\.0\.0\.1:\d+", b"http://fake-x-api", path.read_bytes())
        names[path.stem] = hashlib.sha256(normal).hexdigest()
    return names


def canonical(db: Path, exclude: tuple[str, ...] = ()) -> dict[str, list[tuple]]:
    """Every canonical table, sorted, without the excluded columns; raw_file_ids of
    ingested pages are named by their content with the fake server's port left out."""
    names = _page_names(db.parent / "raw")
    out = {}
    with duckdb.connect(str(db), read_only=True) as con:
        for table in CANONICAL:
            columns = [
                r[0]
                for r in con.execute(
                    "SELECT column_name FROM information_schema.columns WHERE "
                    "table_schema = 'canonical' AND table_name = ? ORDER BY ordinal_position",
                    [table],
                ).fetchall()
                if r[0] not in exclude
            ]
            rows = con.execute(f"SELECT {', '.join(columns)} FROM canonical.{table}").fetchall()
            if "raw_file_id" in columns:
                at = columns.index("raw_file_id")
                rows = [(*r[:at], names.get(r[at], r[at]), *r[at + 1 :]) for r in rows]
            out[table] = sorted(rows, key=repr)
    return out


def fewest_requests(world: World, handles: list[str], page_size: int = 100) -> int:
    """One users lookup per 100 handles, then ceil(posts / page) per stream (at least 1)."""
    total = math.ceil(len(handles) / 100)
    for handle in handles:
        user = world.user_by_handle(handle)
        for endpoint in ("tweets", "mentions"):
            total += max(1, math.ceil(len(world.stream(user["id"], endpoint)) / page_size))
    return total


def clock_at(when: datetime = START) -> FakeClock:
    return FakeClock(when.astimezone(UTC))


def files_holding(root: Path, secrets: Iterable[str]) -> list[str]:
    """Every file under `root` whose bytes contain one of `secrets`."""
    needles = [s.encode() for s in secrets]
    return [
        str(p) for p in root.rglob("*") if p.is_file() and any(n in p.read_bytes() for n in needles)
    ]


def cells_holding(db: Path, secrets: Iterable[str]) -> list[str]:
    """schema.table.column of every cell of every table and view, of any type read as
    text (VARCHAR, lists, structs), holding one of `secrets`. DuckDB compresses strings
    on disk, so a byte grep of the file alone could miss one."""
    needles = list(secrets)
    hits = []
    with duckdb.connect(str(db), read_only=True) as con:
        columns = con.execute(
            "SELECT table_schema, table_name, column_name FROM information_schema.columns "
            "WHERE table_catalog = current_database()"
        ).fetchall()
        for schema, table, column in columns:
            for needle in needles:
                (n,) = con.execute(
                    f'SELECT count(*) FROM "{schema}"."{table}" '
                    f'WHERE contains(CAST("{column}" AS VARCHAR), ?)',
                    [needle],
                ).fetchone()
                if n:
                    hits.append(f"{schema}.{table}.{column}")
    return hits


# ------------------------------------------------------------------------- Dagster

DAGSTER_AUDITS = "clients:\n" + "".join(
    f"  - name: c{i}\n    brands: [{{platform: x, handle: {h}}}]\n" for i, h in enumerate(HANDLES)
)


def dagster_environment(root: Path, api_url: str, token: str | None) -> dict[str, str | None]:
    """The variables of a private warehouse, audits file and DAGSTER_HOME under `root`,
    reading the X API at `api_url`; a token of None means the variable is unset."""
    (root / "audits.yaml").write_text(DAGSTER_AUDITS)
    return {
        "RAPPORT_WAREHOUSE": str(root / "wh" / "rapport.duckdb"),
        "RAPPORT_RAW_DIR": str(root / "wh" / "raw"),
        "RAPPORT_INBOX": str(root / "wh" / "inbox"),
        "RAPPORT_AUDITS": str(root / "audits.yaml"),
        "DAGSTER_HOME": str(root / "dagster_home"),
        "RAPPORT_X_API_URL": api_url,
        "X_BEARER_TOKEN": token,
        # dbt runs only the tests of the selected models, not those that also read
        # models outside the selection (other marts' relationship tests)
        "DBT_INDIRECT_SELECTION": "cautious",
        "RAPPORT_X_CONFIG": str(root / "no_x_ingest.yaml"),  # the defaults
    }


def materialize(env: dict, selection: list[str] | None = None):
    """The X ingest assets (or `selection` and everything upstream of it) materialized
    in-process on the persistent instance of env's DAGSTER_HOME."""
    # Imported here: the other test_x_* modules need no Dagster definitions.
    import dagster as dg
    import pytest

    from pipelines.config.settings import load_settings
    from pipelines.defs.assets.dbt_models import dbt_models
    from pipelines.defs.assets.ingest import audited_accounts, canonical_tables
    from pipelines.defs.assets.x_ingest import X_INGEST_ASSETS
    from pipelines.defs.dagster_home import ensure_dagster_home
    from pipelines.defs.resources import build_resources, x_api_resource

    with pytest.MonkeyPatch.context() as mp:
        for key, value in env.items():
            if value is None:
                mp.delenv(key, raising=False)
            else:
                mp.setenv(key, value)
        settings = load_settings()
        ensure_dagster_home(settings)
        assets = [*X_INGEST_ASSETS, audited_accounts, canonical_tables, dbt_models()]
        targets = dg.AssetSelection.assets(*X_INGEST_ASSETS)
        if selection:
            keys = [dg.AssetKey.from_user_string(k) for k in selection]
            targets = dg.AssetSelection.assets(*keys).upstream()
        return dg.materialize(
            assets,
            selection=targets,
            resources={**build_resources(settings), "x_api": x_api_resource()},
            instance=dg.DagsterInstance.get(),
            raise_on_error=False,
        )
