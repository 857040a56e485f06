"""Parser for the TWCS "Customer Support on Twitter" CSV (Kaggle thoughtvector).

Header: ``tweet_id,author_id,inbound,created_at,text,response_tweet_id,
in_response_to_tweet_id``, sometimes after a leading unnamed index column (pandas'
``to_csv`` writes one). Columns are found by name, so their order does not matter.

Quirks handled here:

* ``in_response_to_tweet_id`` is written as a float (``3.0``); it is normalised to the
  integer string (``'3'``) so it joins against ``tweet_id``.
* Some unquoted ``text`` fields hold bare ``\\r`` characters. The ``csv`` module treats
  a bare ``\\r`` as the end of a record even with ``newline=''``, which splits such a row
  in two. Only ``\\n`` ends a record in this format, so each physical line is fed to the
  reader with its bare ``\\r`` swapped for a placeholder (restored in the fields). A
  ``\\r\\n`` line ending is read as ``\\n``.
* Line numbers in rejects are physical lines (``\\n`` characters + 1), counted from the
  header as line 1; a record spanning lines is reported at the line where it starts.

Every author becomes an account (handle = author_id: TWCS anonymises customers to
numeric ids and keeps brand handles). An author is a brand when it wrote any row with
``inbound == False``. ``in_reply_to_account_id`` is filled from the parent row's author
when the parent is in the same file; ``conversation_id`` is left to dbt.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from pathlib import Path

from pipelines.sources.records import NotThisFormat, ParsedBatch, Reject

PLATFORM = "twcs"

REQUIRED_COLUMNS = (
    "tweet_id",
    "author_id",
    "inbound",
    "created_at",
    "text",
    "response_tweet_id",
    "in_response_to_tweet_id",
)

EXCERPT_CHARS = 200

# A noncharacter code point: stands in for a bare '\r' while the csv module reads a line.
_CR_PLACEHOLDER = "\ufdd0"

# X's handle rule: '@' then 1-15 of [A-Za-z0-9_], not preceded by a word character and
# not running on into a 16th handle character (that would not be a mention on X).
MENTION_RE = re.compile(r"(?<!\w)@([A-Za-z0-9_]{1,15})(?![A-Za-z0-9_])")
# '#' then word characters with at least one letter ('#1' is not a hashtag on X).
HASHTAG_RE = re.compile(r"(?<![\w&])#(\w*[^\W\d_]\w*)")
URL_RE = re.compile(r"https?://\S+", re.IGNORECASE)
_URL_TRAILING = ".,;:!?)]}'\"\u2026>"

_MONTHS = {
    m: i
    for i, m in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
        start=1,
    )
}
# 'Tue Oct 31 22:10:47 +0000 2017' (Twitter's v1.1 format), parsed without strptime so
# the result does not depend on the process locale.
_TWITTER_TIME_RE = re.compile(
    r"^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) "
    r"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) +(\d{1,2}) "
    r"(\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2}) (\d{4})$"
)


class _RowError(ValueError):
    """A row that cannot be loaded; the message is the reject reason."""


def parse_twitter_time(value: str) -> datetime:
    """Parse Twitter's ``Tue Oct 31 22:10:47 +0000 2017`` (or ISO 8601) to aware UTC."""
    s = value.strip()
    m = _TWITTER_TIME_RE.match(s)
    if m:
        mon, day, hh, mm, ss, sign, oh, om, year = m.groups()
        offset = timedelta(hours=int(oh), minutes=int(om))
        if sign == "-":
            offset = -offset
        dt = datetime(
            int(year), _MONTHS[mon], int(day), int(hh), int(mm), int(ss),
            tzinfo=timezone(offset),
        )  # fmt: skip
        return dt.astimezone(UTC)
    dt = datetime.fromisoformat(s)  # raises ValueError on anything else
    if dt.tzinfo is None:
        raise ValueError("no UTC offset")
    return dt.astimezone(UTC)


def normalise_id(value: str) -> str:
    """``'3'``/``'3.0'``/``' 3 '`` -> ``'3'``. Raises ValueError unless a whole number >= 0."""
    s = value.strip()
    try:
        d = Decimal(s)
    except InvalidOperation as exc:
        raise ValueError(f"not a number: {value!r}") from exc
    if not d.is_finite() or d != d.to_integral_value() or d < 0:
        raise ValueError(f"not a whole non-negative number: {value!r}")
    return str(int(d))


def extract_mentions(text: str) -> list[str]:
    return MENTION_RE.findall(text)


def extract_hashtags(text: str) -> list[str]:
    return HASHTAG_RE.findall(text)


def extract_urls(text: str) -> list[str]:
    urls = []
    for m in URL_RE.finditer(text):
        url = m.group(0).rstrip(_URL_TRAILING)
        if len(url) > len("https://"):
            urls.append(url)
    return urls


def _lf_lines(path: Path, consumed: list[str]) -> Iterator[str]:
    """Yield the file's lines split on '\\n' only, bare '\\r' masked by a placeholder.

    Each line yielded is also appended to ``consumed``, so the caller can quote the raw
    text of the record the csv reader just returned."""
    buf = ""
    with open(path, encoding="utf-8-sig", errors="replace", newline="") as fh:
        # newline='' keeps line endings but also splits on a bare '\r': re-join up to '\n'
        for piece in fh:
            buf += piece
            if buf.endswith("\n"):
                consumed.append(buf)
                yield _mask_cr(buf)
                buf = ""
    if buf:
        consumed.append(buf)
        yield _mask_cr(buf)


def _mask_cr(line: str) -> str:
    if line.endswith("\r\n"):
        line = line[:-2] + "\n"
    return line.replace("\r", _CR_PLACEHOLDER)


def _unmask(value: str) -> str:
    return value.replace(_CR_PLACEHOLDER, "\r")


def _excerpt(consumed: list[str]) -> str:
    """The first 200 characters of the raw record (its line ending dropped)."""
    return "".join(consumed).rstrip("\r\n")[:EXCERPT_CHARS]


def parse_twcs(path: Path) -> ParsedBatch:
    """Parse one TWCS CSV file into posts and accounts (no snapshots).

    Raises NotThisFormat when the header lacks the TWCS columns. Bad rows become
    rejects (1-based physical line where the record starts); the rest are kept. A
    repeated tweet_id keeps the first row and rejects the later ones.
    """
    path = Path(path)
    batch = ParsedBatch()
    consumed: list[str] = []  # raw lines of the record being read
    reader = csv.reader(_lf_lines(path, consumed), strict=False)

    try:
        header = next(reader)
    except StopIteration:
        raise NotThisFormat(
            f"{path}: file is empty, expected a TWCS CSV header with columns "
            f"{', '.join(REQUIRED_COLUMNS)}"
        ) from None
    except csv.Error as exc:
        raise NotThisFormat(f"{path}: first line is not a readable CSV header ({exc})") from None

    names = [_unmask(h).strip() for h in header]
    missing = [c for c in REQUIRED_COLUMNS if c not in names]
    if missing:
        raise NotThisFormat(
            f"{path}: not a TWCS CSV: header is missing column(s) {', '.join(missing)} "
            f"(the first line starts {','.join(names)[:80]!r})"
        )
    col = {c: names.index(c) for c in REQUIRED_COLUMNS}
    n_fields = len(names)

    first_line_of: dict[str, int] = {}  # post_id -> line it was first seen on
    accounts: dict[str, dict] = {}
    lines_read = reader.line_num  # physical lines consumed so far

    while True:
        start_line = lines_read + 1
        consumed.clear()
        try:
            fields = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            lines_read = reader.line_num
            batch.items_read += 1
            batch.rejects.append(
                Reject(start_line, f"CSV record could not be read: {exc}", "", _excerpt(consumed))
            )
            continue
        lines_read = reader.line_num
        if not fields or fields == [""]:
            continue  # blank line: not a record
        batch.items_read += 1

        try:
            if len(fields) != n_fields:
                raise _RowError(
                    f"wrong number of fields: expected {n_fields} (as in the header), "
                    f"found {len(fields)}"
                )
            post, inbound = _row_to_post(fields, col)
        except _RowError as exc:
            batch.rejects.append(Reject(start_line, str(exc), "", _excerpt(consumed)))
            continue

        pid = post["post_id"]
        if pid in first_line_of:
            batch.rejects.append(
                Reject(
                    start_line,
                    f"duplicate tweet_id {pid!r}: already read on line {first_line_of[pid]}; "
                    "the first row is kept",
                    "",
                    _excerpt(consumed),
                )
            )
            continue
        first_line_of[pid] = start_line
        batch.posts.append(post)

        aid = post["account_id"]
        acct = accounts.get(aid)
        if acct is None:
            accounts[aid] = {
                "platform": PLATFORM,
                "account_id": aid,
                "handle": aid,
                "is_brand": not inbound,
                "first_seen_at": post["created_at"],
            }
        else:
            if not inbound:
                acct["is_brand"] = True
            if post["created_at"] < acct["first_seen_at"]:
                acct["first_seen_at"] = post["created_at"]

    # Second pass: the parent's author, when the parent row is in this file.
    author_of = {p["post_id"]: p["account_id"] for p in batch.posts}
    for p in batch.posts:
        parent = p["in_reply_to_post_id"]
        if parent is not None:
            p["in_reply_to_account_id"] = author_of.get(parent)

    batch.accounts = list(accounts.values())
    return batch


def _row_to_post(fields: list[str], col: dict[str, int]) -> tuple[dict, bool]:
    def get(name: str) -> str:
        return _unmask(fields[col[name]])

    raw_tweet_id = get("tweet_id").strip()
    if not raw_tweet_id:
        raise _RowError("tweet_id is missing")
    try:
        post_id = normalise_id(raw_tweet_id)
    except ValueError:
        raise _RowError(f"tweet_id {raw_tweet_id!r} is not a numeric id") from None

    author_id = get("author_id").strip()
    if not author_id:
        raise _RowError("author_id is missing")

    raw_inbound = get("inbound").strip()
    if raw_inbound.lower() == "true":
        inbound = True
    elif raw_inbound.lower() == "false":
        inbound = False
    else:
        raise _RowError(f"inbound {raw_inbound!r} is not True or False")

    raw_created = get("created_at")
    try:
        created_at = parse_twitter_time(raw_created)
    except ValueError:
        raise _RowError(
            f"created_at {raw_created!r} is not a date like 'Tue Oct 31 22:10:47 +0000 2017'"
        ) from None

    raw_parent = get("in_response_to_tweet_id").strip()
    if raw_parent:
        try:
            parent = normalise_id(raw_parent)
        except ValueError:
            raise _RowError(f"in_response_to_tweet_id {raw_parent!r} is not a numeric id") from None
    else:
        parent = None

    text = get("text")
    post = {
        "platform": PLATFORM,
        "post_id": post_id,
        "account_id": author_id,
        "created_at": created_at,
        "text": text,
        "lang": None,
        "in_reply_to_post_id": parent,
        "in_reply_to_account_id": None,  # filled in the second pass
        "conversation_id": None,  # dbt derives threads
        "quoted_post_id": None,
        "reposted_post_id": None,
        "mentions": extract_mentions(text),
        "hashtags": extract_hashtags(text),
        "urls": extract_urls(text),
        "like_count": None,
        "repost_count": None,
        "reply_count": None,
        "quote_count": None,
        "impression_count": None,
        "edit_history_post_ids": None,
    }
    return post, inbound
