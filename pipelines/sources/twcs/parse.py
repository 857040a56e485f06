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
* Each physical line is decoded as strict UTF-8: a record touching a line that is not
  valid UTF-8 is rejected with its line (as twarc2 does per line), never loaded with
  U+FFFD in place of the bytes it could not read.

Every value is checked against the source contract (pipelines/sources/contract.py):
ids are digits (``3.0`` allowed, ``1e5`` not) below 2**63, authors
``[A-Za-z0-9_]{1,50}``, created_at between 2006-03-21 and a day after the file was
received (``not_after``). A row failing any of them is rejected whole: TWCS has no
field that could be dropped and leave a placeable post.

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
from pathlib import Path

from pipelines.sources import contract
from pipelines.sources.contract import Violation
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

# A bare '\r' is hidden from the csv module as two noncharacters; a U+FDD0 already in
# the text is escaped the same way, so masking is lossless (the SQL fast path, which
# masks nothing, then reads the same text).
_ESCAPE = "\ufdd0"
_ESCAPED_ESCAPE = "\ufdd0\ufdd1"
_CR_PLACEHOLDER = "\ufdd0\ufdd2"

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
# the result does not depend on the process locale. [0-9], not \d: \d takes any
# script's digits, which int() would read.
_TWITTER_TIME_RE = re.compile(
    r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) "
    r"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) +([0-9]{1,2}) "
    r"([0-9]{2}):([0-9]{2}):([0-9]{2}) ([+-])([0-9]{2})([0-9]{2}) ([0-9]{4})"
)


class _RowError(ValueError):
    """A row that cannot be loaded; the message is the reject reason."""


def parse_twitter_time(value: str) -> datetime:
    """Parse Twitter's ``Tue Oct 31 22:10:47 +0000 2017`` (or ISO 8601) to aware UTC."""
    s = value.strip()
    m = _TWITTER_TIME_RE.fullmatch(s)
    try:
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
    except OverflowError:  # year 1 or 9999 shifted by its offset out of datetime's range
        raise Violation(f"{contract.show(value)} is outside the years 1-9999 in UTC") from None


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


class _Lines:
    """The file's lines split on '\\n' only (a binary read splits on nothing else),
    bare '\\r' masked by a placeholder, for the csv reader.

    Each line read is also appended to ``consumed``, so the caller can quote the raw
    text of the record the csv reader just returned, and ``bad_utf8`` holds the first
    decoding error among them (the caller clears both before each record)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.consumed: list[str] = []
        self.bad_utf8: str | None = None

    def __iter__(self) -> Iterator[str]:
        with open(self.path, "rb") as fh:
            for line_no, raw in enumerate(fh, start=1):
                if line_no == 1 and raw.startswith(b"\xef\xbb\xbf"):
                    raw = raw[3:]  # a BOM, as utf-8-sig would drop it
                try:
                    line = raw.decode("utf-8")
                except UnicodeDecodeError as exc:
                    line = raw.decode("utf-8", errors="replace")  # for the excerpt only
                    if self.bad_utf8 is None:
                        self.bad_utf8 = (
                            f"line {line_no} is not valid UTF-8 (byte {exc.start} of the line)"
                        )
                self.consumed.append(line)
                yield _mask_cr(line)

    def start_record(self) -> None:
        self.consumed.clear()
        self.bad_utf8 = None


def _mask_cr(line: str) -> str:
    if line.endswith("\r\n"):
        line = line[:-2] + "\n"
    return line.replace(_ESCAPE, _ESCAPED_ESCAPE).replace("\r", _CR_PLACEHOLDER)


def _unmask(value: str) -> str:
    # every U+FDD0 in a masked line starts an escape, so '\ufdd0\ufdd2' is only ever '\r'
    return value.replace(_CR_PLACEHOLDER, "\r").replace(_ESCAPED_ESCAPE, _ESCAPE)


def _excerpt(consumed: list[str]) -> str:
    """The first 200 characters of the raw record (its line ending dropped)."""
    return "".join(consumed).rstrip("\r\n")[:EXCERPT_CHARS]


def parse_twcs(path: Path, not_after: datetime | None = None) -> ParsedBatch:
    """Parse one TWCS CSV file into posts and accounts (no snapshots).

    ``not_after`` is when the file was received (its landing time; None: now): a post
    created more than a day after it is rejected. Raises NotThisFormat when the header
    lacks the TWCS columns. Bad rows become rejects (1-based physical line where the
    record starts); the rest are kept. A repeated tweet_id keeps the first row and
    rejects the later ones.
    """
    path = Path(path)
    latest = contract.not_after(not_after)
    batch = ParsedBatch()
    lines = _Lines(path)
    consumed = lines.consumed  # raw lines of the record being read
    reader = csv.reader(lines, strict=False)

    try:
        header = next(reader)
    except StopIteration:
        raise NotThisFormat(
            f"{path}: file is empty, expected a TWCS CSV header with columns "
            f"{', '.join(REQUIRED_COLUMNS)}"
        ) from None
    except csv.Error as exc:
        raise NotThisFormat(f"{path}: first line is not a readable CSV header ({exc})") from None
    if lines.bad_utf8 is not None:
        raise NotThisFormat(f"{path}: the header is not UTF-8 text: not a TWCS CSV")

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
        lines.start_record()
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
            if lines.bad_utf8 is not None:
                raise _RowError(f"{lines.bad_utf8}: the row is not loaded")
            if len(fields) != n_fields:
                raise _RowError(
                    f"wrong number of fields: expected {n_fields} (as in the header), "
                    f"found {len(fields)}"
                )
            post, inbound = _row_to_post(fields, col, latest)
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


def _row_to_post(fields: list[str], col: dict[str, int], latest: datetime) -> tuple[dict, bool]:
    def get(name: str) -> str:
        return _unmask(fields[col[name]])

    raw_tweet_id = get("tweet_id").strip()
    if not raw_tweet_id:
        raise _RowError("tweet_id is missing")
    try:
        post_id = contract.twcs_tweet_id(raw_tweet_id)
    except Violation as exc:
        raise _RowError(f"tweet_id {exc}") from None

    author_id = get("author_id").strip()
    if not author_id:
        raise _RowError("author_id is missing")
    try:
        author_id = contract.twcs_author_id(author_id)
    except Violation as exc:
        raise _RowError(f"author_id {exc}") from None

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
    except Violation as exc:
        raise _RowError(f"created_at {exc}") from None
    except ValueError:
        raise _RowError(
            f"created_at {contract.show(raw_created)} is not a date like "
            "'Tue Oct 31 22:10:47 +0000 2017'"
        ) from None
    try:
        contract.moment(created_at, latest)
    except Violation as exc:
        raise _RowError(f"created_at {exc}") from None

    raw_parent = get("in_response_to_tweet_id").strip()
    if raw_parent:
        try:
            parent = contract.twcs_tweet_id(raw_parent)
        except Violation as exc:
            raise _RowError(f"in_response_to_tweet_id {exc}") from None
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
