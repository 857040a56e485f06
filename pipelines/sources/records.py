"""What a parser hands the loader: plain rows keyed by canonical column names, plus the
input it had to reject. Parsers never touch the database, so they test as functions."""

from __future__ import annotations

from dataclasses import dataclass, field


class NotThisFormat(ValueError):
    """The file is not the format asked for at all: refused whole, nothing is landed."""


@dataclass(frozen=True)
class Reject:
    line_number: int  # 1-based physical line where the offending item starts
    reason: str  # plain words: what is wrong
    item: str = ""  # '' for the whole line / row, else where in it, e.g. 'data[3]'
    excerpt: str = ""  # the first 200 characters of the offending input


@dataclass
class ParsedBatch:
    """Rows from one file. Keys follow the canonical tables in pipelines/warehouse.py
    (posts and snapshots without raw_file_id, which the loader adds)."""

    posts: list[dict] = field(default_factory=list)
    snapshots: list[dict] = field(default_factory=list)
    accounts: list[dict] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    items_read: int = 0  # lines or rows read, for progress and reporting
