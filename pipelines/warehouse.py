"""The canonical, platform-neutral tables every source loads into, and the ops tables
that record what was landed and rejected. dbt reads these as its sources.

Ids are VARCHAR everywhere (X ids overflow doubles; other platforms use strings) and
the platform is a column, so one warehouse can hold X, TWCS, Bluesky and Mastodon."""

from __future__ import annotations

from pathlib import Path

import duckdb

DDL = """
CREATE SCHEMA IF NOT EXISTS canonical;
CREATE SCHEMA IF NOT EXISTS ops;
CREATE SCHEMA IF NOT EXISTS config;

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
"""


def connect(path: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the warehouse, creating the file and the canonical schema on first use."""
    if read_only:
        return duckdb.connect(str(path), read_only=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    con.execute(DDL)
    return con
