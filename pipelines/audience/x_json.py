"""X user objects in JSON: v1.1 or v2, one object, a list, or a response's `data`, in a
JSON document or JSON Lines (twarc writes one response per line), turned into the v1.1
text fields that profiles.profile_fields reads."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

# X v2 public_metrics -> the v1.1 column it is.
V2_METRICS = {
    "followers_count": "followers_count",
    "following_count": "friends_count",
    "tweet_count": "statuses_count",
    "listed_count": "listed_count",
    "like_count": "favourites_count",
}
JSONL_SUFFIXES = (".jsonl", ".ndjson")


def as_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else ""
    return str(value)


def v11_fields(obj: dict) -> dict[str, str]:
    """A v1.1 or v2 user object as v1.1 text fields (v2 counts sit in public_metrics)."""
    out = {k: as_text(v) for k, v in obj.items() if not isinstance(v, dict | list)}
    metrics = obj.get("public_metrics")
    if isinstance(metrics, dict):
        for v2, v11 in V2_METRICS.items():
            if v2 in metrics:
                out[v11] = as_text(metrics[v2])
    return out


def users(document) -> Iterator:
    """The user objects of one JSON value: an object, a list, or a response's `data`."""
    if isinstance(document, dict) and "data" in document:
        document = document["data"]
    yield from document if isinstance(document, list) else [document]


def json_items(path: Path) -> Iterator[tuple[int, object]]:
    """(line, user object) of a JSON or JSONL file; a value that is not JSON comes as
    (line, ValueError)."""
    body = path.read_text(encoding="utf-8")
    if not body.strip():
        return
    if path.suffix.lower() not in JSONL_SUFFIXES:
        try:
            yield from enumerate(users(json.loads(body)), start=1)
            return
        except json.JSONDecodeError as exc:
            if "Extra data" not in exc.msg:  # more than one value: JSON Lines after all
                yield exc.lineno, ValueError(f"not JSON: {exc.msg}")
                return
    for number, line in enumerate(body.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            yield number, ValueError(f"not JSON: {exc.msg}")
            continue
        for user in users(value):
            yield number, user
