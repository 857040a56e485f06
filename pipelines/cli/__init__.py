"""`rapport`: import data, build the warehouse, run the demo, open the UI.

One module per command or command group (imports, ingest, build: build / rebuild /
demo, check, report, raw, sql, bench, dev), the parser in parser.py, what they print
in output.py (query results: results.py), the environment checks in preflight.py.

Exit codes: 0 success; 1 a run failed, or cannot run on the warehouse as it is (an
unfinished rebuild); 2 bad input, usage, configuration or environment, before anything
ran (the message names the file or variable and why); 3 some files were refused and
the others imported (each refused file is named, and kept in ops.refused_files)."""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Callable

from pipelines.canonical import rebuild as rebuilds
from pipelines.canonical.imports import ImportRefused
from pipelines.cli import preflight
from pipelines.cli.parser import build_parser
from pipelines.cli.progress import quiet_dbt
from pipelines.config.audits import AuditConfigError
from pipelines.config.settings import load_settings
from pipelines.core.secrets import install_output_scrubbing


def command(target: str) -> Callable:
    """The command function a parser entry names (`build:cmd_build` is
    pipelines.cli.build.cmd_build), imported only now."""
    module, name = target.split(":")
    return getattr(importlib.import_module(f"pipelines.cli.{module}"), name)


def main(argv: list[str] | None = None) -> int:
    install_output_scrubbing()  # before anything can print or log a secret
    args = build_parser().parse_args(argv)
    settings = load_settings()
    try:
        writes, dagster, audits = args.needs
        preflight.check(settings, writes=writes, dagster=dagster, audits=audits)
        with quiet_dbt(args.verbose or not dagster):
            return command(args.func)(args, settings)
    except (ImportRefused, AuditConfigError, preflight.EnvironmentProblem) as exc:
        print(f"rapport: {exc}", file=sys.stderr)
        return 2
    except rebuilds.RebuildUnfinished as exc:
        print(f"rapport: refused: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # a failed run: say what failed, not a traceback
        from pipelines.canonical.tables import WarehouseConfigError
        from pipelines.defs.launcher import RunFailed
        from pipelines.quality.thresholds import QualityConfigError

        if isinstance(exc, QualityConfigError | WarehouseConfigError):
            print(f"rapport: {exc}", file=sys.stderr)
            return 2
        if isinstance(exc, RunFailed | TimeoutError):
            print(f"rapport: {exc}", file=sys.stderr)
            return 1
        import duckdb

        if isinstance(exc, duckdb.OutOfMemoryException):
            limit = os.environ.get("RAPPORT_DUCKDB_MEMORY_LIMIT", "80%")
            print(
                f"rapport: DuckDB ran out of memory under its limit of {limit} "
                f"(RAPPORT_DUCKDB_MEMORY_LIMIT): {str(exc).splitlines()[0]}. The step "
                "that failed was rolled back (each file loads in one transaction); what "
                "was loaded before it stays. Raise the limit and run it again.",
                file=sys.stderr,
            )
            return 1
        raise
