"""The fast path for large TWCS files: DuckDB reads the CSV and loads the canonical
tables in SQL, with no row passing through Python. At 100k rows a file this is what
makes a 10M-post history load in minutes rather than the better part of an hour.

It gives exactly the rows `parse_twcs` + `load_batch` give (tests/test_twcs_bulk.py
compares the two on the real sample and on awkward text), but only for files it can
vouch for: every row well-formed, in the common shape (plain numeric ids, Twitter's
timestamp, no bare '\\r', no repeated tweet_id) and within the source contract
(pipelines/sources/contract.py: ids below 2**63, authors of 1-50 [A-Za-z0-9_], times
from 2006-03-21 to a day after the file landed, valid UTF-8, which DuckDB's reader
itself insists on). Anything else, one odd row is enough,
returns a reason and the file goes through the Python parser, which names the file,
line and reason of each bad row and keeps the good ones. So rejects keep their exact
line numbers and the fast path never has to guess at them.

The mention, hashtag and URL patterns are RE2 translations of the Python ones in
twcs.py (RE2 has no look-around):

* mention: '@' not preceded by a word character, then the whole run of
  [A-Za-z0-9_]; a run longer than 15 is not a handle on X, so it is dropped after.
* hashtag: '#' not preceded by a word character or '&', then the whole word run,
  kept if it has a character that is neither a digit nor '_'.
* URL: 'http(s)://' then non-space (Python's Unicode idea of space), trailing
  punctuation stripped, kept if anything is left after the scheme.
"""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path

import duckdb

from pipelines.canonical.loader import LoadCounts, record_loaded
from pipelines.raw.landing import LandedFile
from pipelines.sources import contract
from pipelines.sources.twcs.parse import PLATFORM, REQUIRED_COLUMNS

# Python's str.isspace() characters, for RE2 (whose \s is ASCII only).
_SPACE = (
    r"\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0\x{1680}\x{2000}-\x{200a}"
    r"\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}"
)
# Python's \w in a str pattern: letters, numbers and '_'.
_WORD = r"\pL\pN_"


def mentions_sql(t: str) -> str:
    return (
        f"list_filter(regexp_extract_all({t}, '(?:^|[^{_WORD}])@([A-Za-z0-9_]+)', 1), "
        "lambda m: length(m) <= 15)"
    )


def hashtags_sql(t: str) -> str:
    return (
        f"list_filter(regexp_extract_all({t}, '(?:^|[^{_WORD}&])#([{_WORD}]+)', 1), "
        + r"lambda h: regexp_matches(h, '[\pL\p{Nl}\p{No}]'))"
    )


def urls_sql(t: str) -> str:
    return (
        f"list_filter(list_transform(regexp_extract_all({t}, '(?i)https?://[^{_SPACE}]+'), "
        "lambda u: rtrim(u, '.,;:!?)]}''\"\u2026>')), lambda u: length(u) > 8)"
    )


_ID_RE = r"^[0-9]+(\.0*)?$"
_AUTHOR_RE = f"^[A-Za-z0-9_]{{1,{contract.MAX_TWCS_AUTHOR_CHARS}}}$"
_TIME_RE = (
    r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
    r"[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2} [+-][0-9]{4} [0-9]{4}$"
)


def _norm_id(expr: str) -> str:
    # '007.0' -> '7', '0' -> '0': what contract.twcs_tweet_id gives for these shapes.
    return f"coalesce(nullif(ltrim(split_part(trim({expr}), '.', 1), '0'), ''), '0')"


def _id_ok(expr: str) -> str:
    # the shape, then below 2**63: the normalised digits fit a BIGINT exactly then
    return (
        f"(regexp_matches(trim({expr}), '{_ID_RE}') "
        f"AND try_cast({_norm_id(expr)} AS BIGINT) IS NOT NULL)"
    )


def _header(path: Path) -> list[str] | None:
    with open(path, encoding="utf-8-sig", errors="replace", newline="") as fh:
        line = fh.readline()
    try:
        return [h.strip() for h in next(csv.reader([line]))]
    except (csv.Error, StopIteration):
        return None


def _has_bare_cr(path: Path) -> bool:
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 24):
            if b"\r" in chunk:
                return True
    return False


def bulk_load_twcs(con: duckdb.DuckDBPyConnection, landed: LandedFile) -> LoadCounts | str:
    """Load one landed TWCS file in SQL and return its counts, or return why this file
    needs the Python parser instead (nothing is written then)."""
    path = landed.raw_path
    names = _header(path)
    if names is None or any(c not in names for c in REQUIRED_COLUMNS):
        return "header is not the TWCS header"
    if len(set(names)) != len(names):
        return "repeated column names"
    if _has_bare_cr(path):
        return "the file holds '\\r' characters"
    col = {c: f"c{names.index(c)}" for c in REQUIRED_COLUMNS}
    con.execute("BEGIN TRANSACTION")
    try:
        reason = _stage(con, str(path), len(names), col, contract.not_after(landed.landed_at))
        if reason:
            con.execute("ROLLBACK")
            return reason
        counts = _merge(con, landed)
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    finally:
        con.execute("DROP TABLE IF EXISTS temp._twcs_rows")
        con.execute("DROP TABLE IF EXISTS temp._twcs_posts")
    return counts


def _stage(
    con: duckdb.DuckDBPyConnection,
    path: str,
    n_columns: int,
    col: dict[str, str],
    latest: datetime,  # the latest created_at the file can hold (contract.not_after)
) -> str:
    columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(n_columns)) + "}"
    try:
        con.execute(
            "CREATE OR REPLACE TEMP TABLE _twcs_rows AS SELECT * FROM read_csv(?, "
            f"columns = {columns}, header = true, auto_detect = false, delim = ',', "
            "quote = '\"', escape = '\"', new_line = '\\n', strict_mode = true, "
            "null_padding = false, ignore_errors = false, encoding = 'utf-8')",
            [path],
        )
    except duckdb.Error as exc:
        return f"DuckDB's CSV reader refused it ({str(exc).splitlines()[0]})"
    tid, aid, inb, created, parent = (
        col["tweet_id"], col["author_id"], col["inbound"], col["created_at"],
        col["in_response_to_tweet_id"],
    )  # fmt: skip
    # The parser's csv module rejects a field longer than its limit: so must this.
    limit = csv.field_size_limit()
    fields_fit = " AND ".join(f"coalesce(length(c{i}), 0) <= {limit}" for i in range(n_columns))
    odd = con.execute(
        f"""
        SELECT count(*) FILTER (WHERE NOT coalesce(
                   {fields_fit}
               AND {_id_ok(tid)}
               AND regexp_matches({aid}, '{_AUTHOR_RE}')
               AND lower({inb}) IN ('true', 'false')
               AND regexp_matches({created}, '{_TIME_RE}')
               AND try_strptime({created}, '%a %b %d %H:%M:%S %z %Y')
                   BETWEEN $earliest AND $latest
               AND ({parent} IS NULL OR {_id_ok(parent)}), false)),
               count(*) - count(DISTINCT {_norm_id(tid)})
        FROM _twcs_rows
        """,
        {"earliest": contract.EARLIEST, "latest": latest},
    ).fetchone()
    if odd[0]:
        return f"{odd[0]} row(s) not in the common shape"
    if odd[1]:
        return "a tweet_id is repeated"
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _twcs_posts AS
        SELECT
            {_norm_id(tid)} AS post_id,
            {aid} AS account_id,
            lower({inb}) = 'true' AS inbound,
            strptime({created}, '%a %b %d %H:%M:%S %z %Y') AS created_at,
            coalesce({col["text"]}, '') AS text,
            CASE WHEN {parent} IS NOT NULL THEN {_norm_id(parent)} END AS in_reply_to_post_id
        FROM _twcs_rows
        """
    )
    return ""


def _merge(con: duckdb.DuckDBPyConnection, landed: LandedFile) -> LoadCounts:
    """The same merge as loader.load_batch: a later sighting's non-null values win."""
    # Columns TWCS cannot fill stay out: COALESCE(NULL, old) would keep them anyway.
    updates = ", ".join(
        f"{c} = COALESCE(EXCLUDED.{c}, {c})"
        for c in (
            "account_id", "created_at", "text", "in_reply_to_post_id",
            "in_reply_to_account_id", "mentions", "hashtags", "urls", "raw_file_id",
        )
    )  # fmt: skip
    n_posts = con.execute(
        f"""
        INSERT INTO canonical.posts BY NAME
        SELECT
            '{PLATFORM}' AS platform,
            p.post_id,
            p.account_id,
            p.created_at,
            p.text,
            p.in_reply_to_post_id,
            parent.account_id AS in_reply_to_account_id,
            {mentions_sql("p.text")} AS mentions,
            {hashtags_sql("p.text")} AS hashtags,
            {urls_sql("p.text")} AS urls,
            ? AS raw_file_id
        FROM _twcs_posts AS p
        LEFT JOIN _twcs_posts AS parent ON parent.post_id = p.in_reply_to_post_id
        ON CONFLICT (platform, post_id) DO UPDATE SET {updates}
        """,
        [landed.raw_file_id],
    ).fetchone()[0]
    n_accounts = con.execute(
        f"""
        INSERT INTO canonical.accounts
        SELECT '{PLATFORM}', account_id, account_id, bool_or(NOT inbound), min(created_at)
        FROM _twcs_posts
        GROUP BY account_id
        ON CONFLICT (platform, account_id) DO UPDATE SET
            handle = COALESCE(EXCLUDED.handle, handle),
            is_brand = is_brand OR EXCLUDED.is_brand,
            first_seen_at = LEAST(EXCLUDED.first_seen_at, first_seen_at)
        """
    ).fetchone()[0]
    record_loaded(con, landed, n_posts, 0)
    return LoadCounts(n_posts, 0, n_accounts, 0)
