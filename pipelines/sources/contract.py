"""The source contract: what every value read from a file must be before it becomes a
row. Parsers check each value here WHILE PARSING, so nothing a parser emits can make
the loader (DuckDB's read_json, BIGINT and TIMESTAMPTZ columns) raise, and nothing the
world does not allow reaches the marts' blocking checks. What fails becomes a reject
(line, item, reason, excerpt) and the rest of the file loads.

The rules and their ceilings:

* Counts (followers, following, posts, listed, likes, reposts, replies, quotes,
  impressions): a JSON integer or a string of ASCII digits, 0 <= n <= MAX_COUNT =
  10**12. No real account or post comes near it (the most followed account has about
  2e8 followers, the most viewed post about 1e10 impressions) and it sits far below
  BIGINT's 9.2e18. A JSON bool, a float (5.0 too), a negative number, a numeric
  string past the ceiling or any other type is not a count.
* X ids (posts, users, conversations, references, edit history): a JSON integer or a
  string of 1-19 ASCII digits, below 2**63 (snowflakes are 63-bit). Surrounding spaces
  are dropped; an empty string or null is a missing id, not a bad one.
* TWCS tweet ids (tweet_id, in_response_to_tweet_id): ASCII digits, optionally
  followed by '.' and zeros (the float form '3.0' the corpus writes), normalised to
  the integer string ('007.0' -> '7'), below 2**63. No exponent ('1e5'), sign or other
  decimal: Python's Decimal would read '1e5' as post 100000.
* TWCS author ids: [A-Za-z0-9_]{1,50} (customers are numeric ids, brands their handle).
* Times (a post's created_at, an account's created_at, a snapshot's observed_at, i.e.
  `__twarc.retrieved_at` or an archive's generation date): not before EARLIEST =
  2006-03-21T00:00Z (the day of the first post on Twitter) and not after the file's
  landing time + CLOCK_SKEW = 1 day (nothing is created or observed after we received
  it; a day allows for a collector's clock running ahead). Year 1, 1970 and 9999 fail.
  An absent created_at is not a bad one: the post loads with it NULL and dbt keeps it
  out of every metric (int_posts__quarantined), as before.
* Text (post text, lang, handles, names, bios, locations, image URLs, mentions,
  hashtags, URLs): a string of valid Unicode. A lone surrogate (a JSON "\\ud800"
  escape without its pair) fails, as does invalid UTF-8 in a file (twarc2 lines and
  TWCS rows are rejected whole, with their line, as twarc2 itself does per line).
  Booleans (verified, protected) must be JSON booleans. Length is not bounded: the
  columns are VARCHAR and DuckDB stores a 2 MB text; only the TWCS reader refuses a
  field past the csv module's 131,072 characters (and the SQL fast path with it).
* JSON nesting: at most MAX_JSON_DEPTH = 64 levels (real pages nest under 10), checked
  without recursion; a line nested past Python's own recursion limit is rejected too
  instead of raising RecursionError.

What a failure rejects (canonical.rejects' key is raw_file_id, line, item, so items
are distinct within a line):

* The whole object (item ``data[2]``, ``''`` for a TWCS row): a bad id, author,
  reference to another post (replied to, quoted, reposted, conversation, reply-to
  user, edit history) or created_at. Such a post cannot be placed: loaded without its
  id it is lost, without its parent it would count as an original post, without its
  time it would be quarantined downstream anyway.
* Only that field (item naming it, e.g. ``data[0].public_metrics.followers_count``):
  a count, an account's created_at, a text or flag field, or one element of a list
  (``entities.mentions[2].username``). The object keeps everything else, the field is
  NULL (or the element left out), and the reject's reason says the value was dropped
  and the rest loaded. A user with followers_count -50 still has a snapshot with its
  other counts; its follower count is simply unknown for that observation.
* A snapshot time out of range (``__twarc.retrieved_at``, an archive's manifest):
  the landing time is used instead, and a reject says so.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

MAX_COUNT = 10**12
ID_LIMIT = 2**63  # ids are below this (a snowflake is 63 bits; BIGINT's max + 1)
MAX_ID_DIGITS = 19
EARLIEST = datetime(2006, 3, 21, tzinfo=UTC)  # the first post on Twitter was that day
CLOCK_SKEW = timedelta(days=1)
MAX_JSON_DEPTH = 64
MAX_TWCS_AUTHOR_CHARS = 50

# fullmatch only: re.match with '^...$' would accept a trailing newline.
X_ID_RE = re.compile(r"[0-9]{1,19}")
TWCS_TWEET_ID_RE = re.compile(r"([0-9]+)(?:\.0*)?")
TWCS_AUTHOR_RE = re.compile(r"[A-Za-z0-9_]{1,50}")
_DIGITS_RE = re.compile(r"[0-9]+")
_SURROGATE_RE = re.compile("[\ud800-\udfff]")
_SHOWN_CHARS = 60


class Violation(ValueError):
    """A value outside the contract; the message says what is wrong with it."""


def show(value: Any) -> str:
    """A value as a reason quotes it: repr (so control characters and surrogates are
    escaped), cut short so a huge value never makes a huge reason."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 10**40:
        # str() of a number past 4,300 digits raises: count its digits from its bits
        return f"a number of about {int(value.bit_length() * 0.30103) + 1} digits"
    text = repr(value)
    return text if len(text) <= _SHOWN_CHARS else text[: _SHOWN_CHARS - 3] + "..."


# --------------------------------------------------------------------------- counts


def count(value: Any) -> int | None:
    """A count, or None when absent. Raises Violation for anything else."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise Violation(f"{value!r} is a boolean, not a count")
    if isinstance(value, int):
        n = value
    elif isinstance(value, str) and _DIGITS_RE.fullmatch(value.strip()):
        digits = value.strip().lstrip("0") or "0"
        if len(digits) > len(str(MAX_COUNT)):  # int() of a huge string is slow
            raise Violation(f"{show(value)} is above the ceiling of {MAX_COUNT:,}")
        n = int(digits)
    else:
        raise Violation(f"{show(value)} is not a whole number")
    if n < 0:
        raise Violation(f"{show(n)} is negative")
    if n > MAX_COUNT:
        raise Violation(f"{show(n)} is above the ceiling of {MAX_COUNT:,}")
    return n


# --------------------------------------------------------------------------- ids


def x_id(value: Any) -> str | None:
    """An X post/user id as a string, or None when absent (null, '' or spaces)."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise Violation(f"{value!r} is a boolean, not an id")
    if isinstance(value, int):
        if 0 <= value < ID_LIMIT:
            return str(value)
        raise Violation(f"{show(value)} is not an id between 0 and 2**63 - 1")
    if isinstance(value, str):
        s = value.strip()
        if not s:
            return None
        if X_ID_RE.fullmatch(s) and int(s) < ID_LIMIT:
            return s
        raise Violation(f"{show(value)} is not an id of 1-19 digits below 2**63")
    raise Violation(f"{show(value)} is a JSON {json_type(value)}, not an id")


def twcs_tweet_id(value: str) -> str:
    """'3' / '3.0' / ' 007 ' -> '3' / '3' / '7'. Raises Violation otherwise."""
    m = TWCS_TWEET_ID_RE.fullmatch(value.strip())
    if m is None:
        raise Violation(f"{show(value)} is not a numeric id (digits, optionally '.0')")
    digits = m.group(1).lstrip("0") or "0"
    if len(digits) > MAX_ID_DIGITS or int(digits) >= ID_LIMIT:
        raise Violation(f"{show(value)} is not an id below 2**63")
    return digits


def twcs_author_id(value: str) -> str:
    s = value.strip()
    if TWCS_AUTHOR_RE.fullmatch(s) is None:
        raise Violation(
            f"{show(value)} is not an author id of 1-{MAX_TWCS_AUTHOR_CHARS} letters, digits or '_'"
        )
    return s


# --------------------------------------------------------------------------- times


def not_after(landed_at: datetime | None) -> datetime:
    """The latest time a file received at ``landed_at`` can hold (None: now)."""
    received = datetime.now(UTC) if landed_at is None else as_utc(landed_at)
    return received + CLOCK_SKEW


def moment(dt: datetime, latest: datetime) -> datetime:
    """``dt`` when EARLIEST <= dt <= latest (see not_after). Raises Violation."""
    if dt < EARLIEST:
        raise Violation(f"{dt.isoformat()} is before 2006-03-21, the first post on Twitter")
    if dt > latest:
        received = (latest - CLOCK_SKEW).isoformat()
        raise Violation(f"{dt.isoformat()} is after the file was received ({received}) plus a day")
    return dt


def as_utc(dt: datetime) -> datetime:
    """An aware UTC datetime; a naive one is taken as UTC."""
    if dt.tzinfo is None:
        return dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)


# --------------------------------------------------------------------------- text


def has_lone_surrogate(value: str) -> bool:
    return _SURROGATE_RE.search(value) is not None


def text(value: Any) -> str | None:
    """A text field, or None when absent. Raises Violation for a non-string or a
    string with a lone surrogate (DuckDB, rightly, cannot store one)."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise Violation(f"{show(value)} is a JSON {json_type(value)}, not a string")
    if has_lone_surrogate(value):
        raise Violation(f"{show(value)} holds a lone surrogate, which is not valid Unicode")
    return value


def flag(value: Any) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    raise Violation(f"{show(value)} is a JSON {json_type(value)}, not true or false")


# --------------------------------------------------------------------------- JSON


def load_json(text: str) -> Any:
    """json.loads, bounded: raises Violation when the value nests deeper than
    MAX_JSON_DEPTH (or than Python can recurse), ValueError when it is not JSON."""
    try:
        value = json.loads(text)
    except RecursionError:
        raise Violation(f"JSON nested deeper than {MAX_JSON_DEPTH} levels") from None
    if too_deep(value):
        raise Violation(f"JSON nested deeper than {MAX_JSON_DEPTH} levels")
    return value


def too_deep(value: Any, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether ``value`` nests more than ``limit`` arrays/objects, checked a level at a
    time with no recursion (a recursive walk would itself hit the recursion limit)."""
    level = [value] if isinstance(value, dict | list) else []
    depth = 0
    while level:
        depth += 1
        if depth > limit:
            return True
        deeper = []
        for node in level:  # type() rather than isinstance: json.loads makes exact types
            for child in node.values() if type(node) is dict else node:
                if type(child) is dict or type(child) is list:
                    deeper.append(child)
        level = deeper
    return False


def json_type(value: Any) -> str:
    return {
        bool: "boolean",
        int: "number",
        float: "number",
        str: "string",
        list: "array",
        dict: "object",
    }.get(type(value), type(value).__name__)


# --------------------------------------------------------------------------- drops


@dataclass
class Drops:
    """The fields dropped from one object while mapping it: each becomes a reject
    whose item names the field; the object loads with that field NULL."""

    found: list[tuple[str, str, Any]] = field(default_factory=list)  # (path, reason, value)

    def add(self, path: str, why: str, value: Any) -> None:
        self.found.append((path, why, value))

    def check(self, rule: Callable[[Any], Any], value: Any, path: str) -> Any:
        """``rule(value)``, or None (and the drop recorded) when it raises Violation."""
        try:
            return rule(value)
        except Violation as exc:
            self.add(path, str(exc), value)
            return None

    def texts(self, values: list[tuple[str, Any]]) -> list[str]:
        """The strings of a list field, each (path, value) checked alone: a bad one is
        left out, the others kept. Absent values (None) are skipped silently."""
        out = []
        for path, value in values:
            kept = self.check(text, value, path)
            if kept is not None:
                out.append(kept)
        return out


def dropped_reason(path: str, why: str, what: str) -> str:
    return f"{path}: {why}; the value was dropped (NULL) and the rest of the {what} loaded"
