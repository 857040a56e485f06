"""The canonical, platform-neutral tables every source loads into, and the ops tables
that record what was landed and rejected. dbt reads these as its sources.

Ids are VARCHAR everywhere (X ids overflow doubles; other platforms use strings) and
the platform is a column, so one warehouse can hold X, TWCS, Bluesky and Mastodon."""

from __future__ import annotations

import os
import re
import sys
import time
from pathlib import Path

import duckdb

# How long a writer waits for another process that holds the warehouse file open (an
# analyst's client on the main file instead of the analyst copy, say) before giving up.
HOLDER_WAIT_ENV = "RAPPORT_FILE_WAIT_SECONDS"
DEFAULT_HOLDER_WAIT_S = 600.0
_HOLDER = re.compile(r"Conflicting lock is held in (.*?) \(PID (\d+)\)")


class WarehouseConfigError(ValueError):
    """A DuckDB setting from the environment that DuckDB cannot take."""


DDL = """
CREATE SCHEMA IF NOT EXISTS canonical;
CREATE SCHEMA IF NOT EXISTS ops;
CREATE SCHEMA IF NOT EXISTS config;
CREATE SCHEMA IF NOT EXISTS audience;

-- One row per raw payload file landed (content-addressed: same bytes, same id).
CREATE TABLE IF NOT EXISTS ops.raw_files (
    raw_file_id    VARCHAR PRIMARY KEY,      -- sha256 of the bytes
    source         VARCHAR NOT NULL,         -- twcs | twarc2 | demo
    raw_path       VARCHAR NOT NULL,         -- relative to the raw landing dir
    original_name  VARCHAR,                  -- the path the operator gave
    bytes          BIGINT NOT NULL,
    landed_at      TIMESTAMPTZ NOT NULL,
    loaded_at      TIMESTAMPTZ,
    rows_loaded    INTEGER,
    rows_rejected  INTEGER
);

-- One row per `rapport rebuild` (pipelines/canonical/rebuild.py). While one is replaying or
-- replayed, the canonical tables hold part of the history: builds and the analyst copy
-- refuse until it completes.
CREATE TABLE IF NOT EXISTS ops.rebuilds (
    rebuild_id      VARCHAR PRIMARY KEY,
    status          VARCHAR NOT NULL,         -- replaying | replayed | complete | superseded
    started_at      TIMESTAMPTZ NOT NULL,
    files_total     INTEGER NOT NULL,
    files_replayed  INTEGER NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    finished_at     TIMESTAMPTZ
);

-- Raw files forgotten on purpose (`rapport raw forget`): imports and rebuilds skip them.
-- The landed bytes stay; the tombstone beside them in raw is what counts, this is its
-- copy for queries.
CREATE TABLE IF NOT EXISTS ops.forgotten_files (
    raw_file_id    VARCHAR PRIMARY KEY,
    source         VARCHAR NOT NULL,
    original_name  VARCHAR,
    forgotten_at   TIMESTAMPTZ NOT NULL,
    forgotten_by   VARCHAR NOT NULL,
    reason         VARCHAR NOT NULL
);

-- Files an import refused whole (not the format, unreadable, could not be loaded), so a
-- folder or inbox import can go on with the others. One row per file and content.
CREATE TABLE IF NOT EXISTS ops.refused_files (
    source            VARCHAR NOT NULL,
    file_name         VARCHAR NOT NULL,       -- the path the operator gave
    raw_file_id       VARCHAR NOT NULL,       -- sha256 of the bytes; '' if unreadable
    reason            VARCHAR NOT NULL,
    first_refused_at  TIMESTAMPTZ NOT NULL,
    last_refused_at   TIMESTAMPTZ NOT NULL,
    times_refused     INTEGER NOT NULL,
    PRIMARY KEY (source, file_name, raw_file_id)
);

-- One row per quality check evaluation (pipelines/quality), appended by every run that
-- checks: `rapport check`, `rapport build`, scheduled runs. Never updated, so analysts
-- can query how a figure's checks went over time.
CREATE TABLE IF NOT EXISTS ops.check_results (
    run_id            VARCHAR NOT NULL,       -- the Dagster run
    checked_at        TIMESTAMPTZ NOT NULL,
    check_name        VARCHAR NOT NULL,
    asset             VARCHAR NOT NULL,       -- e.g. marts/conversation_metrics
    severity          VARCHAR NOT NULL,       -- ERROR | WARN: what this failure means
    blocking          BOOLEAN NOT NULL,       -- an ERROR stops downstream assets (reports)
    passed            BOOLEAN NOT NULL,
    status            VARCHAR NOT NULL,       -- pass | warn | fail
    unexpected_count  BIGINT NOT NULL,        -- offending rows (or items) found
    detail            VARCHAR,                -- what was checked, or each failed expectation
    sample            VARCHAR,                -- JSON: a few offending rows
    PRIMARY KEY (run_id, asset, check_name)
);

-- Live API ingest (pipelines/sources/x_api). Cost is an estimate in USD: every object
-- a response returns, priced once per UTC day as the API bills (prices: x_ingest.yaml).
-- One row per ingest run.
CREATE TABLE IF NOT EXISTS ops.api_runs (
    run_id              VARCHAR PRIMARY KEY,  -- the Dagster run id, or the CLI's own
    platform            VARCHAR NOT NULL,
    started_at          TIMESTAMPTZ NOT NULL,
    finished_at         TIMESTAMPTZ,
    status              VARCHAR NOT NULL,     -- running | complete | stopped | failed | interrupted
    stop_reason         VARCHAR,              -- why it stopped early, in plain words
    max_cost_usd        DECIMAL(14, 6),       -- the run's budget
    requests            INTEGER NOT NULL DEFAULT 0,  -- HTTP requests, retries included
    posts_read          INTEGER NOT NULL DEFAULT 0,
    users_read          INTEGER NOT NULL DEFAULT 0,
    posts_charged       INTEGER NOT NULL DEFAULT 0,  -- not already read that UTC day
    users_charged       INTEGER NOT NULL DEFAULT 0,
    estimated_cost_usd  DECIMAL(14, 6) NOT NULL DEFAULT 0
);

-- One row per run, account and endpoint (users | timeline | mentions). A users lookup
-- serves up to 100 accounts in one request and is counted on each of their rows.
CREATE TABLE IF NOT EXISTS ops.api_usage (
    run_id              VARCHAR NOT NULL,
    platform            VARCHAR NOT NULL,
    handle              VARCHAR NOT NULL,
    account_id          VARCHAR,
    endpoint            VARCHAR NOT NULL,
    usage_date          DATE NOT NULL,        -- UTC day, the API's billing day
    requests            INTEGER NOT NULL,
    posts_read          INTEGER NOT NULL,
    users_read          INTEGER NOT NULL,
    posts_charged       INTEGER NOT NULL,
    users_charged       INTEGER NOT NULL,
    estimated_cost_usd  DECIMAL(14, 6) NOT NULL,
    -- timeline / mentions: complete | in_progress | stopped; users: the account status
    status              VARCHAR NOT NULL,
    error               VARCHAR,
    started_at          TIMESTAMPTZ NOT NULL,
    updated_at          TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (run_id, platform, handle, endpoint)
);

-- One row per object first read on a UTC day: the same post or user read again that
-- day is not billed again.
CREATE TABLE IF NOT EXISTS ops.api_charges (
    platform     VARCHAR NOT NULL,
    usage_date   DATE NOT NULL,
    resource     VARCHAR NOT NULL,            -- post | user
    resource_id  VARCHAR NOT NULL,
    PRIMARY KEY (platform, usage_date, resource, resource_id)
);

-- The ledger: one row per API page landed and applied to the ingest state.
CREATE TABLE IF NOT EXISTS ops.x_pages (
    raw_file_id         VARCHAR PRIMARY KEY,  -- the landed page (ops.raw_files)
    run_id              VARCHAR NOT NULL,
    endpoint            VARCHAR NOT NULL,     -- users | timeline | mentions
    account_id          VARCHAR,              -- whose timeline / mentions
    url                 VARCHAR NOT NULL,     -- the request; never holds the token
    retrieved_at        TIMESTAMPTZ NOT NULL,
    requests            INTEGER NOT NULL,     -- 1 plus retries
    posts_read          INTEGER NOT NULL,
    users_read          INTEGER NOT NULL,
    posts_charged       INTEGER NOT NULL,
    users_charged       INTEGER NOT NULL,
    estimated_cost_usd  DECIMAL(14, 6) NOT NULL,
    applied_at          TIMESTAMPTZ NOT NULL
);

-- One row per audited X handle: who it is and whether it can be read.
CREATE TABLE IF NOT EXISTS ops.x_accounts (
    handle_lower  VARCHAR PRIMARY KEY,
    handle        VARCHAR NOT NULL,
    account_id    VARCHAR,                    -- NULL until a lookup found it
    status        VARCHAR NOT NULL,   -- ok | protected | not_found | suspended | unavailable
    error         VARCHAR,                    -- X's own words when not ok
    checked_on    DATE,                       -- UTC day of the last profile lookup
    updated_at    TIMESTAMPTZ NOT NULL
);

-- One row per account and endpoint: where the next read starts (since_id) and, while
-- a sweep is unfinished, where it carries on (next_token, or until_id if that expired).
CREATE TABLE IF NOT EXISTS ops.x_sweeps (
    account_id        VARCHAR NOT NULL,
    endpoint          VARCHAR NOT NULL,       -- timeline | mentions
    since_id          VARCHAR,                -- newest post of the last complete sweep
    in_progress       BOOLEAN NOT NULL,
    sweep_since_id    VARCHAR,
    sweep_start_time  VARCHAR,
    next_token        VARCHAR,
    until_id          VARCHAR,
    newest_id         VARCHAR,                -- newest post the unfinished sweep has read
    updated_at        TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (account_id, endpoint)
);


-- Where an account's inbound messages were read from on a network without a timeline
-- of every message to an account (Bluesky, Mastodon): 'replies' (the threads under its
-- posts) and, where a session allows it, 'mentions' (a mention search). One row per
-- account and source, moved on each read; marts.conversation_metrics.inbound_coverage
-- says it in words.
CREATE TABLE IF NOT EXISTS ops.inbound_sources (
    platform      VARCHAR NOT NULL,
    account_id    VARCHAR NOT NULL,
    source        VARCHAR NOT NULL,           -- replies | mentions
    first_read_at TIMESTAMPTZ NOT NULL,
    last_read_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (platform, account_id, source)
);

-- The Bluesky and Mastodon live ingests (pipelines/sources/{live,sweeps}.py). One row per
-- audited account: what its last profile read said (ok | not_found | suspended |
-- deactivated | gone | unavailable) and why, and the UTC day of that read.
CREATE TABLE IF NOT EXISTS ops.network_accounts (
    platform      VARCHAR NOT NULL,           -- bluesky | mastodon
    handle_lower  VARCHAR NOT NULL,
    handle        VARCHAR NOT NULL,
    account_id    VARCHAR,                    -- DID, or <instance>:<id> on Mastodon
    status        VARCHAR NOT NULL,
    reason        VARCHAR,                    -- why it is not ok, or a note (hide_collections)
    checked_on    DATE,
    updated_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (platform, handle_lower)
);

-- Every response page, from before it lands to after it is applied: a page whose
-- applied_at is empty is finished from raw by the next run (a killed run loses nothing).
CREATE TABLE IF NOT EXISTS ops.network_pages (
    request_id    VARCHAR PRIMARY KEY,
    platform      VARCHAR NOT NULL,
    run_id        VARCHAR NOT NULL,
    handle_lower  VARCHAR NOT NULL,
    endpoint      VARCHAR NOT NULL,           -- profile | posts | thread | mentions
    url           VARCHAR NOT NULL,
    params        VARCHAR NOT NULL,           -- JSON: what the request asked for
    retrieved_at  TIMESTAMPTZ NOT NULL,
    staged_name   VARCHAR NOT NULL,
    raw_file_id   VARCHAR,                    -- set once landed (ops.raw_files)
    attempts      INTEGER NOT NULL,
    posts_read    INTEGER,
    applied_at    TIMESTAMPTZ
);

-- One row per account and endpoint: where the next read stops (stop_key: newest post
-- read: a sort time on Bluesky, a status id on Mastodon) and, while a Bluesky sweep
-- down its feed is unfinished, its cursor and the newest post it has read.
CREATE TABLE IF NOT EXISTS ops.network_sweeps (
    platform      VARCHAR NOT NULL,
    handle_lower  VARCHAR NOT NULL,
    endpoint      VARCHAR NOT NULL,           -- posts | mentions
    stop_key      VARCHAR,
    in_progress   BOOLEAN NOT NULL,
    cursor        VARCHAR,
    sweep_newest  VARCHAR,
    next_limit    INTEGER,                    -- the unfinished sweep's next page size
    updated_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (platform, handle_lower, endpoint)
);

-- The audited accounts' own posts whose reply threads are read, and when each was
-- last read (re-read after thread_refresh_hours, while inside thread_window_days).
CREATE TABLE IF NOT EXISTS ops.network_threads (
    platform      VARCHAR NOT NULL,
    post_id       VARCHAR NOT NULL,           -- at:// URI, or <instance>:<status id>
    handle_lower  VARCHAR NOT NULL,
    posted_at     TIMESTAMPTZ NOT NULL,
    last_read_at  TIMESTAMPTZ,
    replies       INTEGER,
    PRIMARY KEY (platform, post_id)
);

-- One row per run and network: how it ended and what it read.
CREATE TABLE IF NOT EXISTS ops.network_runs (
    run_id            VARCHAR NOT NULL,
    platform          VARCHAR NOT NULL,
    started_at        TIMESTAMPTZ NOT NULL,
    finished_at       TIMESTAMPTZ,
    status            VARCHAR NOT NULL,       -- running | complete | partial | stopped | failed
    stop_reason       VARCHAR,
    requests          INTEGER NOT NULL DEFAULT 0,
    pages             INTEGER NOT NULL DEFAULT 0,
    posts_read        INTEGER NOT NULL DEFAULT 0,
    threads_read      INTEGER NOT NULL DEFAULT 0,
    accounts_skipped  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (run_id, platform)
);

-- One row per account per platform.
CREATE TABLE IF NOT EXISTS canonical.accounts (
    platform       VARCHAR NOT NULL,
    account_id     VARCHAR NOT NULL,
    handle         VARCHAR,                  -- without '@'; latest seen
    is_brand       BOOLEAN NOT NULL DEFAULT FALSE,  -- the source says it is a brand
    first_seen_at  TIMESTAMPTZ,
    PRIMARY KEY (platform, account_id)
);

-- One row per account per observation time: the profile as a source showed it.
CREATE TABLE IF NOT EXISTS canonical.account_snapshots (
    platform            VARCHAR NOT NULL,
    account_id          VARCHAR NOT NULL,
    observed_at         TIMESTAMPTZ NOT NULL,
    handle              VARCHAR,
    display_name        VARCHAR,
    bio                 VARCHAR,
    location            VARCHAR,
    profile_image_url   VARCHAR,
    has_default_avatar  BOOLEAN,
    verified            BOOLEAN,
    protected           BOOLEAN,
    account_created_at  TIMESTAMPTZ,
    followers_count     BIGINT,
    following_count     BIGINT,
    post_count          BIGINT,
    listed_count        BIGINT,
    raw_file_id         VARCHAR NOT NULL,
    PRIMARY KEY (platform, account_id, observed_at)
);

-- One row per post per platform, merged over every time it was seen.
CREATE TABLE IF NOT EXISTS canonical.posts (
    platform                VARCHAR NOT NULL,
    post_id                 VARCHAR NOT NULL,
    account_id              VARCHAR,         -- the author
    created_at              TIMESTAMPTZ,
    text                    VARCHAR,
    lang                    VARCHAR,
    in_reply_to_post_id     VARCHAR,
    in_reply_to_account_id  VARCHAR,
    conversation_id         VARCHAR,
    quoted_post_id          VARCHAR,
    reposted_post_id        VARCHAR,
    mentions                VARCHAR[],       -- handles without '@', as written
    hashtags                VARCHAR[],
    urls                    VARCHAR[],
    like_count              BIGINT,
    repost_count            BIGINT,
    reply_count             BIGINT,
    quote_count             BIGINT,
    impression_count        BIGINT,
    edit_history_post_ids   VARCHAR[],       -- X: every version id, oldest first
    raw_file_id             VARCHAR NOT NULL,
    PRIMARY KEY (platform, post_id)
);

-- One row per follower sample: one read of an audited account's follower list (issue 17).
-- A sample is complete once this row exists; its followers are in sampled_followers.
-- An incremental sample reads only the followers newer than the previous sample's and
-- carries the previous sample's others forward (their profiles as observed then).
CREATE TABLE IF NOT EXISTS canonical.follower_samples (
    platform         VARCHAR NOT NULL,
    account_id       VARCHAR NOT NULL,           -- the audited account followed
    sampled_at       TIMESTAMPTZ NOT NULL,       -- the sample's time (its run's start)
    method           VARCHAR NOT NULL,           -- most_recent (the network's newest-first list)
    requested        INTEGER NOT NULL,           -- the sample size asked for
    sampled          INTEGER NOT NULL,           -- followers in the sample
    read_new         INTEGER NOT NULL,           -- of them, profiles read in this run
    followers_total  BIGINT,                     -- the account's follower count, when known
    hidden           BOOLEAN NOT NULL DEFAULT FALSE,  -- the network hides the list (Mastodon)
    stopped_by       VARCHAR NOT NULL,           -- size | known | end | budget | hidden
    incremental      BOOLEAN NOT NULL,           -- only followers newer than the last sample read
    raw_file_id      VARCHAR NOT NULL,           -- the sample file (its pages: sampled_followers)
    PRIMARY KEY (platform, account_id, sampled_at)
);

-- One row per follower of a sample: the follower's profile as observed at observed_at.
CREATE TABLE IF NOT EXISTS canonical.sampled_followers (
    platform            VARCHAR NOT NULL,
    account_id          VARCHAR NOT NULL,        -- the audited account followed
    sampled_at          TIMESTAMPTZ NOT NULL,    -- the sample (follower_samples)
    follower_id         VARCHAR NOT NULL,
    position            INTEGER NOT NULL,        -- 0 = the most recent follower
    observed_at         TIMESTAMPTZ NOT NULL,    -- when this profile was read
    handle              VARCHAR,
    display_name        VARCHAR,
    bio                 VARCHAR,
    location            VARCHAR,
    url                 VARCHAR,
    profile_image_url   VARCHAR,
    has_default_avatar  BOOLEAN,
    account_created_at  TIMESTAMPTZ,
    followers_count     BIGINT,
    following_count     BIGINT,
    post_count          BIGINT,
    listed_count        BIGINT,                  -- X only
    favourites_count    BIGINT,                  -- X only (likes given)
    raw_file_id         VARCHAR NOT NULL,        -- the page it was read from
    PRIMARY KEY (platform, account_id, sampled_at, follower_id)
);

-- The fake-follower model's verdict on each sampled follower (pipelines/audience/scores.py).
CREATE TABLE IF NOT EXISTS audience.follower_scores (
    platform          VARCHAR NOT NULL,
    account_id        VARCHAR NOT NULL,
    sampled_at        TIMESTAMPTZ NOT NULL,
    follower_id       VARCHAR NOT NULL,
    model_version     VARCHAR NOT NULL,          -- model file name @ sha256 prefix
    fake_probability  DOUBLE NOT NULL,
    is_fake           BOOLEAN NOT NULL,
    PRIMARY KEY (platform, account_id, sampled_at, follower_id)
);

-- Per follower sample: the share flagged and the corrected estimate (audience/estimate.py).
CREATE TABLE IF NOT EXISTS audience.sample_estimates (
    platform              VARCHAR NOT NULL,
    account_id            VARCHAR NOT NULL,
    sampled_at            TIMESTAMPTZ NOT NULL,
    model_version         VARCHAR NOT NULL,
    followers_sampled     INTEGER NOT NULL,
    scored                INTEGER NOT NULL,
    unscored              INTEGER NOT NULL,      -- profiles without the counts the model needs
    flagged               INTEGER NOT NULL,
    observed_fake_share   DOUBLE,                -- flagged / scored
    estimated_fake_share  DOUBLE,                -- corrected for the model's measured error
    interval_low          DOUBLE,                -- its 95% interval
    interval_high         DOUBLE,
    model_error           VARCHAR NOT NULL,      -- the model's measured error, in words
    PRIMARY KEY (platform, account_id, sampled_at)
);

-- Input that could not be loaded: kept with where it was and why, never dropped.
CREATE TABLE IF NOT EXISTS canonical.rejects (
    raw_file_id    VARCHAR NOT NULL,
    source         VARCHAR NOT NULL,
    file_name      VARCHAR NOT NULL,         -- the path the operator gave
    line_number    INTEGER NOT NULL,         -- 1-based line in the file where the item starts
    item           VARCHAR NOT NULL,         -- '' for a whole line/row, else e.g. 'data[3]'
    reason         VARCHAR NOT NULL,
    excerpt        VARCHAR,                  -- first 200 characters of the offending input
    PRIMARY KEY (raw_file_id, line_number, item)
);

-- The accounts audits.yaml names, refreshed from the file before every build.
CREATE TABLE IF NOT EXISTS config.audited_accounts (
    client    VARCHAR NOT NULL,
    role      VARCHAR NOT NULL,               -- brand | competitor
    platform  VARCHAR NOT NULL,
    handle    VARCHAR NOT NULL,
    PRIMARY KEY (client, platform, handle)
);
-- The brand's name (audits.yaml `name:`, else the handle); added after the first release.
ALTER TABLE config.audited_accounts ADD COLUMN IF NOT EXISTS name VARCHAR;

-- One row per client audit period a report was asked for (rapport report, the audit
-- schedules). dbt computes marts.audit_scorecard for every row, so past audits can be
-- reproduced; rows are never deleted. period_end is the data's latest observation (or
-- an explicit end), never the wall clock, so the same data gives the same period.
CREATE TABLE IF NOT EXISTS config.audit_periods (
    client         VARCHAR NOT NULL,
    period_start   TIMESTAMPTZ NOT NULL,      -- exclusive
    period_end     TIMESTAMPTZ NOT NULL,      -- inclusive
    timezone       VARCHAR NOT NULL,          -- the client's, when the period was asked for
    requested_at   TIMESTAMPTZ NOT NULL,      -- the last time an audit asked for it
    PRIMARY KEY (client, period_start, period_end)
);
"""


def duckdb_config(path: Path) -> dict[str, str]:
    """Memory limit and spill directory, from RAPPORT_DUCKDB_MEMORY_LIMIT (e.g. '8GB',
    default '80%' of RAM) and RAPPORT_DUCKDB_TEMP_DIR (default <warehouse>.tmp). dbt's
    profile reads the same variables, so every process writing the warehouse is bounded
    alike and spills to disk rather than running out of memory on a large history."""
    return {
        "memory_limit": os.environ.get("RAPPORT_DUCKDB_MEMORY_LIMIT", "80%"),
        "temp_directory": os.environ.get("RAPPORT_DUCKDB_TEMP_DIR", str(path) + ".tmp"),
    }


_ENV_OF = {
    "memory_limit": "RAPPORT_DUCKDB_MEMORY_LIMIT",
    "temp_directory": "RAPPORT_DUCKDB_TEMP_DIR",
}


def _bounded(con: duckdb.DuckDBPyConnection, path: Path) -> duckdb.DuckDBPyConnection:
    # SET, not connect(config=...): another connection to the same file in this process
    # (Dagster's resource, the analyst copy) would refuse a differing config.
    for name, value in duckdb_config(path).items():
        try:
            con.execute(f"SET {name} = ?", [value])
        except duckdb.Error as exc:
            con.close()
            raise WarehouseConfigError(
                f"{_ENV_OF[name]}={value!r}: DuckDB cannot use it as its {name} "
                f"({str(exc).splitlines()[0]}); e.g. 8GB, 1500MB or 80% for the memory limit"
            ) from None
    return con


def check_duckdb_config(path: Path) -> None:
    """Refuse a bad RAPPORT_DUCKDB_* setting before any run starts."""
    _bounded(duckdb.connect(":memory:"), path).close()


def holder_wait_seconds() -> float:
    raw = os.environ.get(HOLDER_WAIT_ENV, "")
    try:
        return float(raw) if raw else DEFAULT_HOLDER_WAIT_S
    except ValueError:
        raise WarehouseConfigError(
            f"{HOLDER_WAIT_ENV}={raw!r} is not a number of seconds"
        ) from None


def _holder(exc: duckdb.Error) -> str | None:
    """Who holds the file, from DuckDB's lock error ('... held in PROGRAM (PID n)')."""
    m = _HOLDER.search(str(exc))
    if not m:
        return None
    program, pid = m.groups()
    try:  # the whole command line says more than the interpreter's path
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        program = cmdline.strip()[:160] or program
    except OSError:
        pass
    return f"PID {pid} ({program})"


def _open_for_writing(path: Path) -> duckdb.DuckDBPyConnection:
    """duckdb.connect, waiting while another process holds the file open: a reader on
    the main file should not make a build fail at once, nor hang it silently."""
    deadline = None
    told = False
    while True:
        try:
            return duckdb.connect(str(path))
        except duckdb.IOException as exc:
            holder = _holder(exc)
            if holder is None:
                raise
            if deadline is None:
                deadline = time.monotonic() + holder_wait_seconds()
            if time.monotonic() >= deadline:
                raise TimeoutError(
                    f"{path} is held open by {holder}; Rapport waited "
                    f"{holder_wait_seconds():.0f}s ({HOLDER_WAIT_ENV}) for it to close. Point "
                    "analysts' clients at the analyst copy, not the pipeline's file"
                ) from None
            if not told:
                print(
                    f"waiting: {holder} holds {path} open (analysts should query the "
                    "analyst copy); carrying on when it closes",
                    file=sys.stderr,
                )
                told = True
            time.sleep(0.5)


def connect(path: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the warehouse, creating the file and the canonical schema on first use."""
    if read_only:
        return _bounded(duckdb.connect(str(path), read_only=True), path)
    path.parent.mkdir(parents=True, exist_ok=True)
    con = _bounded(_open_for_writing(path), path)
    con.execute(DDL)
    return con
