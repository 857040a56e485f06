"""Profiles to score (`rapport audience score`): CSV with the columns of
../shared/data/bot_detection (X API v1.1 user fields), or JSON / JSONL of X v2 or v1.1
user objects (one object, a list, or a response `{"data": [...]}` per document or line).

Every record becomes v1.1 text fields, then profiles.profile_fields reads it: one parser.
The observation time is the record's `observed_at`, `crawled_at` or `updated` (first
present), else --as-of; a file without either stops the run (NoObservationTime): account
age would otherwise be measured against today, silently. A record that cannot be read is
kept out with its file, line and reason, and the others are read. For a JSON document
(not JSONL) the "line" is the object's position in it, from 1."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

from pipelines.audience.profiles import (
    Profile,
    check_width,
    parse_crawl,
    parse_iso,
    profile_fields,
    text,
)
from pipelines.audience.x_json import V2_METRICS, json_items, v11_fields

OBSERVED = ("observed_at", "crawled_at", "updated")
# Counts only some models use: absent is unknown, not 0 (v2 gives like_count only lately).
NEEDED_COUNTS = {"log_listed": "listed_count", "log_favourites": "favourites_count"}


class NoObservationTime(ValueError):
    """Neither an observation time in the input nor --as-of."""


@dataclass(frozen=True)
class Unscored:
    file: str
    line: int
    id: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file} line {self.line}: {self.reason}"


@dataclass
class Read:
    profiles: list[Profile] = field(default_factory=list)
    unscored: list[Unscored] = field(default_factory=list)

    @property
    def records(self) -> int:
        return len(self.profiles) + len(self.unscored)

    def unscored_dicts(self) -> list[dict]:
        return [asdict(u) for u in self.unscored]


def needed_counts(model: dict) -> tuple[str, ...]:
    """The X-only counts the model's features read, which must be present to score."""
    return tuple(NEEDED_COUNTS[f["name"]] for f in model["features"] if f["name"] in NEEDED_COUNTS)


def parse_time(value: str) -> datetime:
    """A crawl time as the labelled files write it, or ISO 8601 (UTC without a zone)."""
    try:
        return parse_crawl(value)
    except ValueError:
        pass
    try:
        return parse_iso(value)
    except ValueError:
        raise ValueError(f"observation time {value!r} is not ISO 8601") from None


def observed_at(record: dict, as_of: datetime | None, where: str) -> datetime:
    column = next((c for c in OBSERVED if c in record), None)
    if column is None:
        if as_of is None:
            raise NoObservationTime(
                f"{where}: no observed_at, crawled_at or updated, and no --as-of "
                "(the observation time is needed; it is never taken as today)"
            )
        return as_of
    if not text(record[column]):
        if as_of is None:
            raise ValueError(f"{column} (the observation time) is empty and no --as-of")
        return as_of
    return parse_time(record[column])


def check_needed(record: dict, needed) -> None:
    for column in needed:
        if not text(record.get(column)):
            v2 = next(k for k, v in V2_METRICS.items() if v == column)
            raise ValueError(
                f"{column} (X v2 public_metrics.{v2}) is missing: this model reads it "
                "(--features reduced does not)"
            )


def read_record(record: dict, as_of, needed, path: Path, line: int, read: Read) -> None:
    try:
        observed = observed_at(record, as_of, f"{path} line {line}")
        check_needed(record, needed)
        read.profiles.append(profile_fields(record, observed, needed))
    except NoObservationTime:
        raise
    except ValueError as exc:
        read.unscored.append(Unscored(path.name, line, text(record.get("id")), str(exc)))


def read_csv(path: Path, as_of, needed, read: Read) -> None:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        if as_of is None and not set(OBSERVED) & set(reader.fieldnames or ()):
            raise NoObservationTime(
                f"{path}: no observed_at, crawled_at or updated column, and no --as-of "
                "(the observation time is needed; it is never taken as today)"
            )
        for row in reader:
            try:
                check_width(row, reader)
            except ValueError as exc:
                read.unscored.append(
                    Unscored(path.name, reader.line_num, text(row.get("id")), str(exc))
                )
                continue
            read_record(row, as_of, needed, path, reader.line_num, read)


def read_json(path: Path, as_of, needed, read: Read) -> None:
    for line, item in json_items(path):
        if isinstance(item, ValueError):
            read.unscored.append(Unscored(path.name, line, "", str(item)))
        elif not isinstance(item, dict):
            read.unscored.append(Unscored(path.name, line, "", "not a user object"))
        else:
            read_record(v11_fields(item), as_of, needed, path, line, read)


def read(paths: Sequence[Path], as_of: datetime | None, needed: Sequence[str] = ()) -> Read:
    """Every profile of `paths`, in order. FileNotFoundError names a missing path;
    NoObservationTime a file without an observation time when `as_of` is None."""
    out = Read()
    for path in paths:
        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(f"{path} is not a file")
        if path.suffix.lower() == ".csv":
            read_csv(path, as_of, needed, out)
        else:
            read_json(path, as_of, needed, out)
    return out
