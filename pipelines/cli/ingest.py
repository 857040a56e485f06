"""`rapport ingest x|bluesky|mastodon|followers`: the live ingests and the follower
samples from the command line, with the same code the Dagster assets run.

X: exit 0 when every account is read or the budget stopped the run (as asked); 1 when
X stopped it (rate limit, outage: run again to resume); 2 when it cannot start or X
refuses the credentials (the message says why).

Bluesky and Mastodon: exit 0 when every account was read; 3 when some accounts were
skipped (unknown, suspended, gone: ops.network_accounts says why) or the network
stopped the run (a rate limit past its wait, an outage: run again to resume); 2 when
it cannot start (networks.yaml, audits.yaml, a refused Bluesky login).

Followers (`--network`, `--force`): 0 when every network was sampled (an account
sampled within follower_refresh_days is skipped, saying so); 3 when some accounts were
skipped or a network stopped resumably (the X budget stopping a sample is not a stop:
the sample records it); 2 when it cannot start."""

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
from pipelines.sources.bluesky.followers import bluesky_follower_sampler
from pipelines.sources.bluesky.ingest import SOURCE as BLUESKY_SOURCE
from pipelines.sources.bluesky.ingest import bluesky_ingest
from pipelines.sources.follower_sampling import SamplingResult
from pipelines.sources.live import NetworkIngest, NetworkResult, audited_handles
from pipelines.sources.mastodon.client import TOKEN_ENV as MASTODON_TOKEN_ENV
from pipelines.sources.mastodon.followers import mastodon_follower_sampler
from pipelines.sources.mastodon.ingest import SOURCE as MASTODON_SOURCE
from pipelines.sources.mastodon.ingest import mastodon_ingest
from pipelines.sources.x_api.config import (
    TOKEN_ENV,
    XConfigError,
    api_url,
    config_path,
    load_x_config,
)
from pipelines.sources.x_api.followers import x_follower_sampler
from pipelines.sources.x_api.ingest import (
    SOURCE,
    IngestResult,
    audited_x_handles,
    new_run_id,
    x_ingest,
)
from pipelines.sources.x_api.policy import XAccessError


def cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    if args.platform == "followers":
        if args.max_cost is not None:
            return _fail("--max-cost is for x; follower samples: max_follower_cost_per_audit_usd")
        return ingest_followers(settings, args.network, args.force)
    if args.network is not None or args.force:
        return _fail("--network and --force are for `rapport ingest followers`")
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


# ------------------------------------------------------------------ follower samples


def follower_summary(name: str, result: SamplingResult) -> str:
    cost = f", estimated ${result.cost_usd:.3f} (profiles included)" if name == "X" else ""
    skipped = f"; skipped: {', '.join(result.skipped)}" if result.skipped else ""
    return (
        f"{name} follower samples {result.run_id}: {result.status}: {result.samples} "
        f"sample(s), {result.followers_read} followers read, {result.requests} "
        f"request(s){cost}{skipped}"
    )


def _follower_sampler(network: str, con, settings: Settings, store, run_id: str):  # noqa: ANN001, ANN202
    raw = settings.raw_dir
    if network == "x":
        token = os.environ.get(TOKEN_ENV, "").strip()
        load = page_loader(con, raw, SOURCE)
        config = load_x_config()
        return x_follower_sampler(con, raw, store, token, api_url(), config, run_id, load_page=load)
    config = load_network_config(network)
    if network == "bluesky":
        load = page_loader(con, raw, BLUESKY_SOURCE)
        return bluesky_follower_sampler(con, raw, store, config, run_id, load_page=load)
    token = os.environ.get(MASTODON_TOKEN_ENV, "").strip() or None
    load = page_loader(con, raw, MASTODON_SOURCE)
    return mastodon_follower_sampler(con, raw, store, config, run_id, token=token, load_page=load)


def ingest_followers(settings: Settings, network: str | None, force: bool) -> int:
    """A follower sample of every audited account of `network` (or of each network
    audits.yaml names), printing each page and each account as it goes."""
    # Imported here: the store (canonical/followers.py's format) lives with the assets.
    from pipelines.defs.assets.followers import sample_store

    networks = [network] if network else ["x", "bluesky", "mastodon"]
    todo = {n: audited_handles(settings.audits_path, n) for n in networks}
    todo = {n: h for n, h in todo.items() if h}
    if not todo:
        where = f"platform {network}" if network else "platform x, bluesky or mastodon"
        return _fail(f"{settings.audits_path}: no account with {where} to sample")
    if "x" in todo and not os.environ.get(TOKEN_ENV, "").strip():
        if network == "x":
            return _fail(f"{TOKEN_ENV} is not set: export the bearer token of your X app")
        print(f"{TOKEN_ENV} is not set: X follower samples skipped")
        del todo["x"]
    try:  # every config first: refuse a bad file before reading anything
        x_config = load_x_config() if "x" in todo else None
        for n in todo:
            if n != "x":
                load_network_config(n)
    except (XConfigError, NetworksConfigError) as exc:
        return _fail(str(exc))
    code = 0
    with warehouse_write_lock(settings.warehouse_path):
        con = connect(settings.warehouse_path)
        try:
            for n, handles in todo.items():
                name = {"x": "X", "bluesky": "Bluesky", "mastodon": "Mastodon"}[n]
                note = ""
                if x_config is not None and n == "x":
                    note = (
                        f", {x_config.follower_sample_size} a sample, at most "
                        f"${x_config.max_follower_cost_per_audit_usd:.2f} each"
                    )
                print(f"{name} follower samples of {len(handles)} account(s){note}")
                store = sample_store(con, settings.raw_dir)
                run_id = f"{new_run_id()}-followers"
                sampler = _follower_sampler(n, con, settings, store, run_id)
                try:
                    result = sampler.run(handles, force=force)
                except XAccessError as exc:
                    print(f"rapport: {scrub(str(exc))}", file=sys.stderr)
                    code = 2
                    continue
                print(follower_summary(name, result))
                code = max(code, result.exit_code)
        finally:
            con.close()
    print("samples: canonical.follower_samples, canonical.sampled_followers; next: rapport build")
    return code
