"""`rapport docs [--out DIR]`: dbt's docs site for the project and the warehouse, as one
self-contained page (`dbt docs generate --static`: manifest and catalog inlined, no
server, nothing fetched; tracking stays off because dbt_project.yml sets
send_anonymous_usage_stats: false, which the page reads from the inlined manifest).

The catalog is read from the pipeline's warehouse, which dbt-duckdb opens read-write:
the warehouse lock is held for that one dbt invocation only, and taken without
waiting, so a run writing the warehouse makes this command refuse (exit 1) at once."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from pathlib import Path

from pipelines.cli.preflight import writable_folder
from pipelines.config.settings import Settings
from pipelines.core.locking import warehouse_write_lock

PAGE = "static_index.html"


def cmd_docs(args: argparse.Namespace, settings: Settings) -> int:
    path = settings.warehouse_path
    out = (args.out or path.parent / "docs").resolve()
    if not path.exists():
        print(f"rapport: {path} does not exist; run `rapport build` first", file=sys.stderr)
        return 2
    writable_folder(out, "the docs folder (--out)")

    from pipelines.defs.dbt_project import dbt_cli, rapport_dbt_project

    # Its own target folder: the parse manifest Dagster reads stays untouched, and
    # partial parsing carries over from one `rapport docs` to the next.
    project = rapport_dbt_project()
    target = project.project_dir.joinpath(project.target_path, "docs")
    os.environ["RAPPORT_WAREHOUSE"] = str(path)  # the profile reads it
    page = out / PAGE
    try:
        with warehouse_write_lock(path, wait_seconds=0):
            (target / "dbt.log").unlink(missing_ok=True)  # this run's log only
            invocation = dbt_cli().cli(
                ["docs", "generate", "--static", "--quiet"],
                target_path=target,
                raise_on_error=False,
            )
            if invocation.is_successful():
                out.mkdir(parents=True, exist_ok=True)
                tmp = page.with_suffix(".tmp")
                shutil.copyfile(target / PAGE, tmp)
                tmp.replace(page)
            else:
                error = _first_error(target / "dbt.log")
                print(
                    f"rapport: dbt docs generate failed: {error} (log: {target / 'dbt.log'})",
                    file=sys.stderr,
                )
                return 1
    except TimeoutError:
        print(
            f"rapport: refused: another process is writing {path}; "
            "run `rapport docs` again when it has finished",
            file=sys.stderr,
        )
        return 1
    print(f"docs: open {page} in any browser (one file, it works offline)")
    return 0


def _first_error(log: Path) -> str:
    """The first line of dbt's first error in its JSON log, not the traceback after it."""
    lines = log.read_text(errors="replace").splitlines() if log.exists() else []
    for line in lines:
        try:
            info = json.loads(line).get("info", {})
        except ValueError:
            continue
        if info.get("level") == "error":
            text = [t.strip() for t in info.get("msg", "").splitlines() if t.strip()]
            text = [t for t in text if t != "Encountered an error:"]
            if text:
                return text[0]
    return "see the log"
