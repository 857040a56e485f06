"""Labelled X (API v1.1) profiles from ../shared/data/bot_detection, one row each.

Each collection was crawled at a different time (2013-2015), so every row carries its own
observation time, read from the row's crawl column: `crawled_at` in the 2017 files (their
`updated` is a 2016 database stamp), `updated` in the 2015 files (fakes: YYYY-mm-dd
HH:MM:SS; TFP: dd-mm-YYYY HH:MM). Times without a zone are taken as UTC (at most 2 h off).
A row that cannot be read is reported (file, line, reason) and the others are kept."""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Collection
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

HUMAN, FAKE = "human", "fake"

# file -> label. The fakes file holds two vendors' accounts without a `dataset` column.
FILES = {
    "cresci2017_genuine_accounts.csv": HUMAN,
    "cresci2015_humans_TFP.csv": HUMAN,
    "cresci2015_fake_followers_FSF_TWT.csv": FAKE,
}
COLLECTION = {
    "cresci2017_genuine_accounts.csv": "GEN",
    "cresci2015_humans_TFP.csv": "TFP",
}
FAKE_COLLECTIONS = ("FSF", "TWT")
HUMAN_COLLECTIONS = ("GEN", "TFP")
FAKES_FILE = "cresci2015_fake_followers_FSF_TWT.csv"
# Vendor of a fake: the public Cresci-2015 export that does carry `dataset` (Social-Suraksha
# fusers.csv @8903303ef97a) shows every FSF account created Jan-Mar 2013, TWT before 2013
# except these five ids; that gives the paper's 1,169 FSF / 845 TWT.
TWT_2013_IDS = frozenset({"1098285654", "1122936860", "1129397028", "1151673038", "1281271908"})
VENDOR_CUTOFF = datetime(2013, 1, 1, tzinfo=UTC)

TWITTER_TIME = "%a %b %d %H:%M:%S %z %Y"
CRAWL_FORMATS = ("%Y-%m-%d %H:%M:%S", "%d-%m-%Y %H:%M")


@dataclass(frozen=True)
class Profile:
    """One profile as observed at `observed_at`. `following` is X's friends_count."""

    id: str
    followers: int
    following: int
    posts: int
    bio: str
    avatar_url: str
    default_avatar: bool
    created_at: datetime
    observed_at: datetime
    collection: str = ""
    label: str = ""
    listed: int = 0
    favourites: int = 0
    url: str = ""
    location: str = ""


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.file} line {self.line}: {self.reason}"


@dataclass
class Collections:
    """What was read: the profiles, the rows refused, and each file's rows and sha256."""

    profiles: list[Profile] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    files: dict[str, dict] = field(default_factory=dict)


def text(value: str | None) -> str:
    """The CSVs write a missing text as empty or `NULL`."""
    value = (value or "").strip()
    return "" if value == "NULL" else value


def parse_created(value: str) -> datetime:
    """X's creation time: v1.1's Twitter format, epoch milliseconds, or v2's ISO 8601."""
    value = value.strip()
    if value.endswith("L") and value[:-1].isdigit():  # epoch milliseconds (a 2017 file)
        return datetime.fromtimestamp(int(value[:-1]) / 1000, tz=UTC)
    try:
        return datetime.strptime(value, TWITTER_TIME)
    except ValueError:
        return parse_iso(value)


def parse_iso(value: str) -> datetime:
    """ISO 8601 (X v2 writes 2010-03-03T12:49:24.000Z); without a zone, UTC."""
    parsed = datetime.fromisoformat(value.strip())
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def parse_crawl(value: str) -> datetime:
    for fmt in CRAWL_FORMATS:
        try:
            return datetime.strptime(value.strip(), fmt).replace(tzinfo=UTC)
        except ValueError:
            continue
    raise ValueError(f"crawl time {value!r} is not YYYY-mm-dd HH:MM:SS or dd-mm-YYYY HH:MM")


def count(row: dict, column: str, required: bool) -> int:
    raw = text(row.get(column))
    if raw == "" and not required:
        return 0
    if column not in row or raw == "":
        raise ValueError(f"{column} is missing")
    if not raw.isdigit():
        raise ValueError(f"{column} {raw!r} is not a whole number")
    return int(raw)


def profile_fields(row: dict, observed: datetime, required: Collection[str] = ()) -> Profile:
    """A profile from X API v1.1 user fields as text, observed at `observed`; ValueError
    says why it cannot be read. listed_count and favourites_count count as 0 when absent
    unless `required` names them (a model that uses them must not read absent as 0)."""
    if not text(row.get("id")):
        raise ValueError("id is empty")
    try:
        created = parse_created(text(row.get("created_at")))
    except ValueError:
        raise ValueError(
            f"created_at {row.get('created_at')!r} is not a Twitter or ISO 8601 time"
        ) from None
    if created > observed:
        raise ValueError(f"created_at {created:%Y-%m-%d} is after the crawl {observed:%Y-%m-%d}")
    avatar = text(row.get("profile_image_url"))
    # The default_profile_image column is NULL for whole collections: the URL is the signal.
    default_avatar = (
        "default_profile_images" in avatar or text(row.get("default_profile_image")) == "1"
    )
    return Profile(
        id=text(row["id"]),
        followers=count(row, "followers_count", True),
        following=count(row, "friends_count", True),
        posts=count(row, "statuses_count", True),
        bio=text(row.get("description")),
        avatar_url=avatar,
        default_avatar=default_avatar,
        created_at=created,
        observed_at=observed,
        listed=count(row, "listed_count", "listed_count" in required),
        favourites=count(row, "favourites_count", "favourites_count" in required),
        url=text(row.get("url")),
        location=text(row.get("location")),
    )


def profile_from_row(row: dict, file: str, label: str) -> Profile:
    """One labelled CSV row; ValueError says why it cannot be read."""
    if not text(row.get("id")):
        raise ValueError("id is empty")
    crawl_column = "crawled_at" if "crawled_at" in row else "updated"
    if not text(row.get(crawl_column)):
        raise ValueError(f"{crawl_column} (the crawl time) is empty")
    profile = profile_fields(row, parse_crawl(row[crawl_column]))
    collection = COLLECTION.get(file, "")
    if file == FAKES_FILE:
        twt = profile.created_at < VENDOR_CUTOFF or profile.id in TWT_2013_IDS
        collection = "TWT" if twt else "FSF"
    return replace(profile, collection=collection, label=label)


def check_width(row: dict, reader: csv.DictReader) -> None:
    """A row with more or fewer fields than the header is refused, not guessed at."""
    if None in row:
        raise ValueError(f"more fields than the header's {len(reader.fieldnames)}")
    if None in row.values():
        raise ValueError(f"fewer fields than the header's {len(reader.fieldnames)}")


def read_file(path: Path, label: str) -> tuple[list[Profile], list[Problem]]:
    profiles, problems = [], []
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        for row in reader:
            try:
                check_width(row, reader)
                profiles.append(profile_from_row(row, path.name, label))
            except ValueError as exc:
                problems.append(Problem(path.name, reader.line_num, str(exc)))
    return profiles, problems


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load(data_dir: Path, files: dict[str, str] = FILES) -> Collections:
    """Every labelled file of `data_dir`; FileNotFoundError names a missing one."""
    out = Collections()
    for name, label in files.items():
        path = Path(data_dir) / name
        if not path.is_file():
            raise FileNotFoundError(f"{path} is missing")
        profiles, problems = read_file(path, label)
        out.profiles += profiles
        out.problems += problems
        out.files[name] = {"rows": len(profiles), "sha256": sha256(path)}
    return out
