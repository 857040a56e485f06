"""What a parser hands the loader: plain rows keyed by canonical column names, plus the
input it had to reject. Parsers never touch the database, so they test as functions."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipelines.sources import contract
from pipelines.sources.contract import Drops, Violation, dropped_reason


class NotThisFormat(ValueError):
    """The file is not the format asked for at all: refused whole, nothing is landed."""


EXCERPT_CHARS = 200
_SURROGATE_RE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True)
class Reject:
    line_number: int  # 1-based physical line where the offending item starts
    reason: str  # plain words: what is wrong
    item: str = ""  # '' for the whole line / row, else where in it, e.g. 'data[3]'
    excerpt: str = ""  # the first 200 characters of the offending input

    def __post_init__(self) -> None:
        # A reject quotes bad input, which may hold what DuckDB cannot store (a lone
        # surrogate): U+FFFD stands in, so recording a reject can never fail the load.
        for name in ("reason", "item", "excerpt"):
            value = getattr(self, name)
            if _SURROGATE_RE.search(value):
                object.__setattr__(self, name, _SURROGATE_RE.sub("\ufffd", value))
        if len(self.excerpt) > EXCERPT_CHARS:
            object.__setattr__(self, "excerpt", self.excerpt[:EXCERPT_CHARS])


@dataclass
class ParsedBatch:
    """Rows from one file. Keys follow the canonical tables in pipelines/canonical/tables.py
    (posts and snapshots without raw_file_id, which the loader adds)."""

    posts: list[dict] = field(default_factory=list)
    snapshots: list[dict] = field(default_factory=list)
    accounts: list[dict] = field(default_factory=list)
    follower_samples: list[dict] = field(default_factory=list)  # canonical/followers.py
    sampled_followers: list[dict] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    items_read: int = 0  # lines or rows read, for progress and reporting


def excerpt_of(value: Any) -> str:
    """The first characters of an offending input: a string as it is, anything else as
    JSON (its nesting is bounded by the parsers' depth check, so this cannot recurse
    far)."""
    if isinstance(value, str):
        return value[:EXCERPT_CHARS]
    try:
        return json.dumps(value, ensure_ascii=False)[:EXCERPT_CHARS]
    except (TypeError, ValueError, RecursionError):
        return repr(value)[:EXCERPT_CHARS]


class RejectCollector:
    """What the JSON parsers' collectors share: the batch they fill and how they record
    what they reject, a whole object or a field dropped from one."""

    def __init__(self) -> None:
        self.batch = ParsedBatch()

    def reject(self, line_no: int, item: str, reason: str, excerpt: Any) -> None:
        self.batch.rejects.append(Reject(line_no, reason, item, excerpt_of(excerpt)))

    def dropped(self, line_no: int, item: str, drops: Drops, what: str) -> None:
        """One reject per field dropped from a loaded object, its item naming the field."""
        for path, why, value in drops.found:
            where = f"{item}.{path}" if item else path
            self.reject(line_no, where, dropped_reason(path, why, what), value)


def json_documents(path: Path) -> list[tuple[int, str, Any]]:
    """(line, text, value or the error) for a saved JSON response file (Bluesky,
    Mastodon): one document, else JSON lines. A BOM is skipped; invalid UTF-8 raises
    UnicodeDecodeError (the importer refuses the file)."""
    raw = path.read_bytes()
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    text = raw.decode("utf-8")  # invalid UTF-8: the importer refuses the file
    if not text.strip():
        return []
    try:  # one document: the parser bounds each item's depth
        return [(1, text, json.loads(text))]
    except RecursionError:
        return [(1, text, Violation("JSON nested deeper than Python can parse"))]
    except ValueError:
        pass
    out: list[tuple[int, str, Any]] = []
    for line_no, line in enumerate(text.split("\n"), start=1):
        line = line.strip()
        if not line:
            continue
        try:
            out.append((line_no, line, contract.load_json(line)))
        except ValueError as exc:  # not JSON, or nested too deep (a Violation)
            out.append((line_no, line, exc))
    return out
