"""`rapport ingest x|bluesky|mastodon`: the live ingests from the command line, with the
same code the Dagster assets run.

X: exit 0 when every account is read or the budget stopped the run (as asked); 1 when
X stopped it (rate limit, outage: run again to resume); 2 when it cannot start or X
refuses the credentials (the message says why).

Bluesky and Mastodon: exit 0 when every account was read; 3 when some accounts were
skipped (unknown, suspended, gone: ops.network_accounts says why) or the network
stopped the run (a rate limit past its wait, an outage: run again to resume); 2 when
it cannot start (networks.yaml, audits.yaml, a refused Bluesky login)."""

from __future__ import annotations

import argparse
import functools
import os
import sys
from collections.abc import Callable

from pipelines.canonical.imports import page_loader
from pipelines.canonical.tables import connect
from pipelines.config.networks import NetworksConfigError, load_network_config
from pipelines.config.networks import config_path as networks_config_path
from pipelines.config.settings import Settings
from pipelines.core.locking import warehouse_write_lock
from pipelines.core.secrets import scrub
from pipelines.sources.bluesky.client import HANDLE_ENV as BLUESKY_HANDLE_ENV
from pipelines.sources.bluesky.client import PASSWORD_ENV as BLUESKY_PASSWORD_ENV
from pipelines.sources.bluesky.client import BlueskyRefused
from pipelines.sources.bluesky.ingest import SOURCE as BLUESKY_SOURCE
from pipelines.sources.bluesky.ingest import bluesky_ingest
from pipelines.sources.live import NetworkIngest, NetworkResult, audited_handles
from pipelines.sources.mastodon.client import TOKEN_ENV as MASTODON_TOKEN_ENV
from pipelines.sources.mastodon.ingest import SOURCE as MASTODON_SOURCE
from pipelines.sources.mastodon.ingest import mastodon_ingest
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
    if args.platform != "x" and args.max_cost is not None:
        return _fail("--max-cost is for x only: Bluesky and Mastodon reads are free")
    if args.platform == "bluesky":
        return ingest_bluesky(settings)
    if args.platform == "mastodon":
        return ingest_mastodon(settings)
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


# ------------------------------------------------------------------ Bluesky, Mastodon


def network_summary(name: str, result: NetworkResult) -> str:
    t = result.totals
    skipped = f"; skipped: {', '.join(result.skipped)}" if result.skipped else ""
    return (
        f"{name} ingest {result.run_id}: {result.status}: {t['requests']} request(s), "
        f"{t['pages']} page(s), {t['posts_read']} new posts, {t['threads_read']} threads "
        f"read, {t['accounts_skipped']} account(s) skipped{skipped}"
    )


def _network_run(
    settings: Settings, network: str, make: Callable[..., NetworkIngest], source: str
) -> int:
    """`make` (bluesky_ingest / mastodon_ingest) run on the audited accounts."""
    name = network.capitalize()
    try:
        config = load_network_config(network)
    except NetworksConfigError as exc:
        return _fail(str(exc))
    handles = audited_handles(settings.audits_path, network)
    if not handles:
        return _fail(f"{settings.audits_path}: no account with platform {network} to ingest")
    print(f"{name} ingest of {len(handles)} account(s) (config {networks_config_path()})")
    if network == "mastodon" and MASTODON_TOKEN_ENV in os.environ and not config.token_instance:
        print(f"{MASTODON_TOKEN_ENV} is set but mastodon.token_instance is not: not sent")
    with warehouse_write_lock(settings.warehouse_path):
        con = connect(settings.warehouse_path)
        try:
            load_page = page_loader(con, settings.raw_dir, source)
            result = make(con, settings.raw_dir, config, new_run_id(), load_page=load_page).run(
                handles
            )
        finally:
            con.close()
    print(network_summary(name, result))
    print("per account: ops.network_accounts, ops.network_pages; next: rapport build")
    return result.exit_code


def ingest_bluesky(settings: Settings) -> int:
    handle = os.environ.get(BLUESKY_HANDLE_ENV, "").strip()
    password = os.environ.get(BLUESKY_PASSWORD_ENV, "").strip()
    if bool(handle) != bool(password):
        return _fail(
            f"set both {BLUESKY_HANDLE_ENV} and {BLUESKY_PASSWORD_ENV} for the mention "
            "search, or neither for public reads only"
        )
    if not handle:
        print(f"no {BLUESKY_HANDLE_ENV}: public reads only (no mention search)")
    make = functools.partial(bluesky_ingest, login=(handle, password) if handle else None)
    try:
        return _network_run(settings, "bluesky", make, BLUESKY_SOURCE)
    except BlueskyRefused as exc:
        return _fail(str(exc))


def ingest_mastodon(settings: Settings) -> int:
    token = os.environ.get(MASTODON_TOKEN_ENV, "").strip() or None
    make = functools.partial(mastodon_ingest, token=token)
    return _network_run(settings, "mastodon", make, MASTODON_SOURCE)
