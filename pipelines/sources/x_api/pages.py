"""One API response page as Rapport lands it, and what the page says about itself.

A page is written as one JSON line in twarc2's format: the response body exactly as X
sent it, with a ``__twarc`` member (request URL, version, retrieval time) spliced in
before the closing brace. So the landed bytes are the API's own, the existing X v2
parser reads them, and everything the ingest state needs (which endpoint, whose
timeline, which cursor, the page's newest / oldest post and next token) can be read
back from the landed file alone: a run killed after landing loses nothing.

The URL is the request URL; the bearer token travels in a header and never in it."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import parse_qs, urlsplit

# Marks pages the ingest landed, so recovery never mistakes an imported file for one.
INGEST_VERSION = "rapport-x-ingest/1"

USERS = "users"
TIMELINE = "timeline"
MENTIONS = "mentions"
_POST_ENDPOINTS = {"tweets": TIMELINE, "mentions": MENTIONS}


def page_line(body: bytes, url: str, retrieved_at: datetime) -> bytes:
    """The body with ``__twarc`` appended as its last member, as a single line.

    Raises ValueError when the body is not one JSON object."""
    payload = json.loads(body)
    if not isinstance(payload, dict):
        raise ValueError(f"the response is a JSON {type(payload).__name__}, not an object")
    meta = json.dumps(
        {"url": url, "version": INGEST_VERSION, "retrieved_at": retrieved_at.isoformat()}
    ).encode()
    stripped = body.strip()
    if b"\n" in stripped or b"\r" in stripped or not payload:
        # A pretty-printed (or empty) body cannot be spliced into one line: re-encode it.
        stripped = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    if stripped == b"{}":
        return b'{"__twarc":' + meta + b"}\n"
    return stripped[:-1] + b',"__twarc":' + meta + b"}\n"


def newest_id(*ids: str | None) -> str | None:
    """The newest of some post ids: ids are 64-bit numbers, compared as numbers."""
    present = [i for i in ids if i]
    return max(present, key=int) if present else None


@dataclass(frozen=True)
class PageFacts:
    """What one landed page says about the request that fetched it and its results."""

    endpoint: str  # users | timeline | mentions
    url: str
    retrieved_at: str
    account_id: str | None = None  # whose timeline / mentions
    usernames: tuple[str, ...] = ()  # users lookup: the handles asked for
    since_id: str | None = None
    until_id: str | None = None
    start_time: str | None = None
    pagination_token: str | None = None
    next_token: str | None = None
    newest_id: str | None = None
    oldest_id: str | None = None
    post_ids: tuple[str, ...] = ()  # every post object in the page (data and includes)
    user_ids: tuple[str, ...] = ()  # every user object in the page
    users: tuple[dict, ...] = ()  # users lookup: the profiles found
    errors: tuple[dict, ...] = field(default=())

    @property
    def continues_sweep(self) -> bool:
        """A later page of a sweep (by token, or by until_id after a token expired)."""
        return self.pagination_token is not None or self.until_id is not None


def _ids(objects: object) -> list[str]:
    if not isinstance(objects, list):
        return []
    return [str(o["id"]) for o in objects if isinstance(o, dict) and o.get("id") is not None]


def read_facts(line: bytes | str) -> PageFacts | None:
    """The facts of a page the ingest landed; None for any other JSON line."""
    try:
        page = json.loads(line)
    except ValueError:
        return None
    twarc = page.get("__twarc") if isinstance(page, dict) else None
    if not isinstance(twarc, dict) or twarc.get("version") != INGEST_VERSION:
        return None
    url = str(twarc["url"])
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    path = parts.path.rstrip("/").split("/")
    meta = page.get("meta") if isinstance(page.get("meta"), dict) else {}
    data = page.get("data")
    data = data if isinstance(data, list) else [data] if isinstance(data, dict) else []
    includes = page.get("includes") if isinstance(page.get("includes"), dict) else {}
    errors = tuple(e for e in page.get("errors") or [] if isinstance(e, dict))
    common = {"url": url, "retrieved_at": str(twarc["retrieved_at"]), "errors": errors}
    if path[-2:] == ["users", "by"]:
        users = tuple(d for d in data if isinstance(d, dict))
        return PageFacts(
            endpoint=USERS,
            usernames=tuple(h for h in query.get("usernames", "").split(",") if h),
            user_ids=tuple(_ids(list(users)) + _ids(includes.get("users"))),
            users=users,
            **common,
        )
    if len(path) >= 2 and path[-1] in _POST_ENDPOINTS and path[-3:-2] == ["users"]:
        data_ids = _ids(data)
        return PageFacts(
            endpoint=_POST_ENDPOINTS[path[-1]],
            account_id=path[-2],
            since_id=query.get("since_id"),
            until_id=query.get("until_id"),
            start_time=query.get("start_time"),
            pagination_token=query.get("pagination_token"),
            next_token=meta.get("next_token"),
            newest_id=newest_id(meta.get("newest_id"), *data_ids),
            oldest_id=meta.get("oldest_id") or (min(data_ids, key=int) if data_ids else None),
            post_ids=tuple(data_ids + _ids(includes.get("tweets"))),
            user_ids=tuple(_ids(includes.get("users"))),
            **common,
        )
    return None
