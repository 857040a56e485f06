"""`rapport ingest x`: the live X ingest from the command line, with the same code the
Dagster assets run. Exit 0 when every account is read or the budget stopped the run
(as asked); 1 when X stopped it (rate limit, outage: run again to resume); 2 when it
cannot start or X refuses the credentials (the message says why)."""

from __future__ import annotations

import argparse
import os
import sys

from pipelines.canonical.imports import page_loader
from pipelines.canonical.tables import connect
from pipelines.config.settings import Settings
from pipelines.core.locking import warehouse_write_lock
from pipelines.core.secrets import scrub
from pipelines.sources.x_api.config import (
    TOKEN_ENV,
    XConfigError,
    api_url,
    config_path,
    load_x_config,
)
from pipelines.sources.x_api.ingest import (
    SOURCE,
    IngestResult,
    audited_x_handles,
    new_run_id,
    x_ingest,
)
from pipelines.sources.x_api.policy import XAccessError


def cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    return ingest_x(settings, max_cost=args.max_cost)


def _fail(message: str) -> int:
    # X's refusal quotes the response, which a proxy may have filled with the token
    print(f"rapport: {scrub(message)}", file=sys.stderr)
    return 2


def summary(result: IngestResult, budget_usd: float) -> str:
    t = result.totals
    return (
        f"X ingest {result.run_id}: {result.status}: {t['requests']} request(s), "
        f"{t['posts_read']} posts and {t['users_read']} users read "
        f"({t['posts_charged']} and {t['users_charged']} new today), "
        f"estimated ${t['cost_usd']:.3f} of a ${budget_usd:.2f} budget"
    )


def ingest_x(settings: Settings, max_cost: float | None = None) -> int:
    token = os.environ.get(TOKEN_ENV, "").strip()
    if not token:
        return _fail(
            f"{TOKEN_ENV} is not set: export the bearer token of your X developer app "
            f"(its Keys and tokens page) as {TOKEN_ENV} in this shell; Rapport never reads "
            "it from a file"
        )
    if max_cost is not None and max_cost < 0:
        return _fail(f"--max-cost must not be negative, got {max_cost}")
    try:
        config = load_x_config().with_max_cost(max_cost)
    except XConfigError as exc:
        return _fail(str(exc))
    handles = audited_x_handles(settings.audits_path)
    if not handles:
        return _fail(f"{settings.audits_path}: no account with platform x to ingest")
    print(
        f"X ingest of {len(handles)} account(s) from {api_url()} "
        f"(config {config_path()}, budget ${config.max_cost_per_run_usd:.2f})"
    )
    with warehouse_write_lock(settings.warehouse_path):
        con = connect(settings.warehouse_path)
        try:
            ingest = x_ingest(
                con,
                settings.raw_dir,
                token,
                api_url(),
                config,
                new_run_id(),
                load_page=page_loader(con, settings.raw_dir, SOURCE),
            )
            result = ingest.run(handles)
        except XAccessError as exc:
            return _fail(str(exc))
        finally:
            con.close()
    print(summary(result, config.max_cost_per_run_usd))
    print("per account and endpoint: ops.api_usage; next: rapport build")
    if result.status == "stopped" and result.stopped_by != "budget":
        return 1
    return 0
