"""Parser for X API v2 JSON lines as twarc2 writes them (platform 'x').

One JSON value per line. A line may be:

* a response page: ``{"data": [...] | {...}, "includes": {"users", "tweets", ...},
  "errors": [...], "meta": {...}, "__twarc": {"retrieved_at": ...}}``. ``data`` is a
  list (search, timelines, lookups) or one object (the filtered stream). Tweet objects
  in ``data`` and ``includes.tweets`` become posts; user objects in ``data`` (user
  lookups) and ``includes.users`` become account snapshots. ``includes.media``,
  ``places`` and ``polls`` are supporting detail and are not loaded. ``meta`` and
  ``matching_rules`` are ignored.
* a flattened tweet (``twarc2 flatten``): the tweet object itself, with the expansions
  inlined: ``author``, ``in_reply_to_user``, ``entities.mentions[]`` as user objects,
  and ``referenced_tweets[]`` as full tweet objects (each with its own ``author``).
  Inlined tweets become posts and inlined users snapshots, exactly as their
  ``includes`` counterparts do in a page, so flat and unflattened output of the same
  collection load the same rows.
* a flattened user object (has ``username``): a snapshot.
* a compliance event (``{"id", "action": "delete", ...}``), a tweet-count bucket or a
  list object: not loadable, recorded as a reject saying what it is.

Tweet vs user: a tweet has ``text``, a user has ``username``.

Rejects (never raised): a line that is not JSON or not an object; a tweet with no id or
an unparseable ``created_at``; a user with no id or an unparseable ``created_at``;
each entry of a page's ``errors`` (the API's own not-found / not-authorised notices,
kept for the record); objects that are neither tweets nor users. ``item`` says where
in the line: ``data[2]``, ``data`` (a single streamed object), ``includes.tweets[0]``,
``errors[1]``, ``referenced_tweets[0].author``; ``''`` for the whole line.

Deduplication, within one file:

* posts: one dict per post_id. The occurrence from the most recently retrieved line
  wins (ties: the first one read, so ``data`` beats its ``includes`` copy); fields it
  lacks (None or empty list) are filled from the other occurrences.
* snapshots: one per (account_id, observed_at), merged field by field, first non-null
  wins. observed_at is the line's ``__twarc.retrieved_at`` when present and parseable,
  else the ``observed_at`` argument (a naive datetime is taken as UTC).
* accounts: one per account_id, from every user object and every post author (an author
  with no user object gets handle None). The handle is the username from the most
  recent observation. is_brand is False and first_seen_at None: this source cannot tell.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pipelines.sources.records import NotThisFormat, ParsedBatch, Reject

PLATFORM = "x"
EXCERPT_CHARS = 200
FORMAT_CHECK_LINES = 20

_POST_FIELDS = (
    "platform",
    "post_id",
    "account_id",
    "created_at",
    "text",
    "lang",
    "in_reply_to_post_id",
    "in_reply_to_account_id",
    "conversation_id",
    "quoted_post_id",
    "reposted_post_id",
    "mentions",
    "hashtags",
    "urls",
    "like_count",
    "repost_count",
    "reply_count",
    "quote_count",
    "impression_count",
    "edit_history_post_ids",
)


class _ItemError(ValueError):
    """An object that cannot be loaded; the message is the reject reason."""


# --------------------------------------------------------------------------- helpers


def parse_iso_timestamp(value: Any) -> datetime:
    """ISO 8601 (``2021-04-08T19:34:16.000Z``, ``...+00:00``) -> aware UTC datetime.

    A timestamp without an offset is taken as UTC. Raises ValueError otherwise."""
    if not isinstance(value, str):
        raise ValueError(f"not a string: {value!r}")
    dt = datetime.fromisoformat(value.strip())
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)


def _as_utc(dt: datetime) -> datetime:
    if dt.tzinfo is None:
        return dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)


def _id(value: Any) -> str | None:
    """An id as str; None for missing/empty. JSON numbers are accepted (ints only)."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        s = value.strip()
        return s or None
    return None


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _bool(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def _count(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


def _excerpt(obj: Any) -> str:
    if isinstance(obj, str):
        return obj[:EXCERPT_CHARS]
    try:
        return json.dumps(obj, ensure_ascii=False)[:EXCERPT_CHARS]
    except (TypeError, ValueError):
        return repr(obj)[:EXCERPT_CHARS]


def _as_list(value: Any) -> list:
    if isinstance(value, list):
        return value
    return []


def _is_tweet(obj: Any) -> bool:
    return isinstance(obj, dict) and "text" in obj


def _is_user(obj: Any) -> bool:
    return isinstance(obj, dict) and "username" in obj and "text" not in obj


def _describe_unloadable(obj: Any) -> str:
    """Say what a non-tweet, non-user object is, for the reject reason."""
    if not isinstance(obj, dict):
        return f"a JSON {type(obj).__name__}, not a post or user object"
    keys = set(obj)
    if "tweet_count" in keys and ("start" in keys or "end" in keys):
        return "tweet-count bucket, not a post or user"
    if "action" in keys:
        action = obj.get("action")
        reason = obj.get("reason")
        what = f"compliance event (action {action!r}"
        what += f", reason {reason!r})" if reason else ")"
        return f"{what} for id {obj.get('id')!r}, not a post or user"
    if keys & {"owner_id", "member_count", "follower_count"} and "username" not in keys:
        return "list object, not a post or user"
    shown = ", ".join(sorted(keys)[:8]) + (", ..." if len(keys) > 8 else "")
    return f"object with keys [{shown}] is neither a post (no 'text') nor a user (no 'username')"


# --------------------------------------------------------------------------- mapping


def tweet_to_post(tweet: dict) -> dict:
    """Map one X API v2 tweet object to a canonical.posts row (without raw_file_id).

    Raises _ItemError when the tweet has no id or an unparseable created_at."""
    post_id = _id(tweet.get("id"))
    if post_id is None:
        raise _ItemError("tweet object has no id")

    created_raw = tweet.get("created_at")
    created_at = None
    if created_raw is not None:
        try:
            created_at = parse_iso_timestamp(created_raw)
        except ValueError:
            raise _ItemError(
                f"tweet {post_id}: created_at {created_raw!r} is not an ISO 8601 timestamp"
            ) from None

    author = tweet.get("author")
    account_id = _id(tweet.get("author_id"))
    if account_id is None and isinstance(author, dict):
        account_id = _id(author.get("id"))

    refs: dict[str, str] = {}
    for ref in _as_list(tweet.get("referenced_tweets")):
        if isinstance(ref, dict):
            rtype, rid = ref.get("type"), _id(ref.get("id"))
            if isinstance(rtype, str) and rid is not None:
                refs.setdefault(rtype, rid)

    entities = tweet.get("entities") if isinstance(tweet.get("entities"), dict) else {}
    mentions = [
        m["username"]
        for m in _as_list(entities.get("mentions"))
        if isinstance(m, dict) and isinstance(m.get("username"), str)
    ]
    hashtags = [
        h["tag"]
        for h in _as_list(entities.get("hashtags"))
        if isinstance(h, dict) and isinstance(h.get("tag"), str)
    ]
    urls = []
    for u in _as_list(entities.get("urls")):
        if isinstance(u, dict):
            url = _str(u.get("expanded_url")) or _str(u.get("url"))
            if url:
                urls.append(url)

    metrics = tweet.get("public_metrics") if isinstance(tweet.get("public_metrics"), dict) else {}
    history = tweet.get("edit_history_tweet_ids")
    edit_ids = None
    if isinstance(history, list):
        edit_ids = [i for i in (_id(h) for h in history) if i is not None]

    return {
        "platform": PLATFORM,
        "post_id": post_id,
        "account_id": account_id,
        "created_at": created_at,
        "text": _str(tweet.get("text")),
        "lang": _str(tweet.get("lang")),
        "in_reply_to_post_id": refs.get("replied_to"),
        "in_reply_to_account_id": _id(tweet.get("in_reply_to_user_id")),
        "conversation_id": _id(tweet.get("conversation_id")),
        "quoted_post_id": refs.get("quoted"),
        "reposted_post_id": refs.get("retweeted"),
        "mentions": mentions,
        "hashtags": hashtags,
        "urls": urls,
        "like_count": _count(metrics.get("like_count")),
        "repost_count": _count(metrics.get("retweet_count", metrics.get("repost_count"))),
        "reply_count": _count(metrics.get("reply_count")),
        "quote_count": _count(metrics.get("quote_count")),
        "impression_count": _count(metrics.get("impression_count")),
        "edit_history_post_ids": edit_ids,
    }


def user_to_snapshot(user: dict, observed_at: datetime) -> dict:
    """Map one X API v2 user object to a canonical.account_snapshots row.

    Raises _ItemError when the user has no id or an unparseable created_at."""
    account_id = _id(user.get("id"))
    if account_id is None:
        raise _ItemError("user object has no id")
    created_raw = user.get("created_at")
    account_created_at = None
    if created_raw is not None:
        try:
            account_created_at = parse_iso_timestamp(created_raw)
        except ValueError:
            raise _ItemError(
                f"user {account_id}: created_at {created_raw!r} is not an ISO 8601 timestamp"
            ) from None
    image = _str(user.get("profile_image_url")) or None
    metrics = user.get("public_metrics") if isinstance(user.get("public_metrics"), dict) else {}
    post_count = metrics.get("tweet_count")
    if post_count is None:
        post_count = metrics.get("post_count")
    return {
        "platform": PLATFORM,
        "account_id": account_id,
        "observed_at": observed_at,
        "handle": _str(user.get("username")),
        "display_name": _str(user.get("name")),
        "bio": _str(user.get("description")),
        "location": _str(user.get("location")),
        "profile_image_url": image,
        "has_default_avatar": None if image is None else "default_profile_images" in image,
        "verified": _bool(user.get("verified")),
        "protected": _bool(user.get("protected")),
        "account_created_at": account_created_at,
        "followers_count": _count(metrics.get("followers_count")),
        "following_count": _count(metrics.get("following_count")),
        "post_count": _count(post_count),
        "listed_count": _count(metrics.get("listed_count")),
    }


# --------------------------------------------------------------------------- collector


class _Collector:
    """Accumulates one file's rows with the dedupe rules in the module docstring."""

    def __init__(self) -> None:
        self.batch = ParsedBatch()
        self.posts: dict[str, dict] = {}
        self.post_seen_at: dict[str, datetime] = {}
        self.snapshots: dict[tuple[str, datetime], dict] = {}
        self.accounts: dict[str, dict] = {}
        self.handle_seen_at: dict[str, datetime] = {}

    # -- rejects
    def reject(self, line_no: int, item: str, reason: str, excerpt: Any) -> None:
        self.batch.rejects.append(Reject(line_no, reason, item, _excerpt(excerpt)))

    # -- accounts
    def _account(self, account_id: str) -> dict:
        acct = self.accounts.get(account_id)
        if acct is None:
            acct = {
                "platform": PLATFORM,
                "account_id": account_id,
                "handle": None,
                "is_brand": False,
                "first_seen_at": None,
            }
            self.accounts[account_id] = acct
        return acct

    # -- objects
    def add_tweet(self, tweet: dict, line_no: int, item: str, seen_at: datetime) -> None:
        try:
            post = tweet_to_post(tweet)
        except _ItemError as exc:
            self.reject(line_no, item, str(exc), tweet)
            return
        pid = post["post_id"]
        old = self.posts.get(pid)
        if old is None:
            self.posts[pid] = post
            self.post_seen_at[pid] = seen_at
        else:
            if seen_at > self.post_seen_at[pid]:
                newer, older = post, old
                self.post_seen_at[pid] = seen_at
            else:
                newer, older = old, post
            for key in _POST_FIELDS:
                if newer[key] is None or newer[key] == []:
                    newer[key] = older[key]
            self.posts[pid] = newer
        if post["account_id"] is not None:
            self._account(post["account_id"])

    def add_user(self, user: dict, line_no: int, item: str, observed_at: datetime) -> None:
        try:
            snap = user_to_snapshot(user, observed_at)
        except _ItemError as exc:
            self.reject(line_no, item, str(exc), user)
            return
        key = (snap["account_id"], observed_at)
        old = self.snapshots.get(key)
        if old is None:
            self.snapshots[key] = snap
        else:
            for field, value in snap.items():
                if old[field] is None:
                    old[field] = value
        acct = self._account(snap["account_id"])
        handle = snap["handle"]
        if handle is not None:
            prev = self.handle_seen_at.get(snap["account_id"])
            if acct["handle"] is None or prev is None or observed_at > prev:
                acct["handle"] = handle
                self.handle_seen_at[snap["account_id"]] = observed_at

    def add_flat_tweet(self, tweet: dict, line_no: int, item: str, observed_at: datetime) -> None:
        """A tweet with inlined expansions (twarc2 flatten): the tweet and what it inlines."""
        prefix = f"{item}." if item else ""
        self.add_tweet(tweet, line_no, item, observed_at)
        for key in ("author", "in_reply_to_user"):
            if _is_user(tweet.get(key)):
                self.add_user(tweet[key], line_no, prefix + key, observed_at)
        entities = tweet.get("entities")
        if isinstance(entities, dict):
            for i, m in enumerate(_as_list(entities.get("mentions"))):
                # a plain mention is {start, end, username, id}; an inlined one is a profile
                if _is_user(m) and ("name" in m or "public_metrics" in m):
                    self.add_user(m, line_no, f"{prefix}entities.mentions[{i}]", observed_at)
        if not item:  # one level of inlining: a referenced tweet's own refs are ids only
            for i, ref in enumerate(_as_list(tweet.get("referenced_tweets"))):
                if _is_tweet(ref):
                    self.add_flat_tweet(ref, line_no, f"referenced_tweets[{i}]", observed_at)

    def finish(self) -> ParsedBatch:
        self.batch.posts = list(self.posts.values())
        self.batch.snapshots = list(self.snapshots.values())
        self.batch.accounts = list(self.accounts.values())
        return self.batch


# --------------------------------------------------------------------------- lines


def _read_lines(path: Path) -> Iterator[tuple[int, str, UnicodeDecodeError | None]]:
    """Yield (line_number, text or None, error) for each physical line ('\\n'-split)."""
    with open(path, "rb") as fh:
        for line_no, raw in enumerate(fh, start=1):
            if line_no == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            try:
                yield line_no, raw.decode("utf-8").strip(), None
            except UnicodeDecodeError as exc:
                yield line_no, raw.decode("utf-8", errors="replace").strip(), exc


def _check_format(path: Path) -> None:
    """Refuse a file whose first non-blank lines hold no JSON object at all."""
    seen = 0
    first = ""
    for _, text, err in _read_lines(path):
        if not text:
            continue
        seen += 1
        first = first or text
        if err is None:
            try:
                if isinstance(json.loads(text), dict):
                    return
            except ValueError:
                pass
        if seen >= FORMAT_CHECK_LINES:
            break
    if seen:
        raise NotThisFormat(
            f"{path}: does not look like X API v2 pages (twarc2 JSON lines): none of the "
            f"first {seen} non-blank line(s) is a JSON object; first line starts "
            f"{first[:80]!r}"
        )


def _page_observed_at(obj: dict, default: datetime) -> datetime:
    meta = obj.get("__twarc")
    if isinstance(meta, dict) and meta.get("retrieved_at") is not None:
        try:
            return parse_iso_timestamp(meta["retrieved_at"])
        except ValueError:
            pass
    return default


def _parse_page(c: _Collector, obj: dict, line_no: int, observed_at: datetime) -> None:
    data = obj.get("data")
    if isinstance(data, list):
        items = [(f"data[{i}]", d) for i, d in enumerate(data)]
    elif data is None:
        items = []
    else:
        items = [("data", data)]
    for item, d in items:
        if _is_tweet(d):
            c.add_tweet(d, line_no, item, observed_at)
        elif _is_user(d):
            c.add_user(d, line_no, item, observed_at)
        else:
            c.reject(line_no, item, _describe_unloadable(d), d)

    includes = obj.get("includes")
    if isinstance(includes, dict):
        for i, t in enumerate(_as_list(includes.get("tweets"))):
            item = f"includes.tweets[{i}]"
            if isinstance(t, dict):
                c.add_tweet(t, line_no, item, observed_at)
            else:
                c.reject(line_no, item, _describe_unloadable(t), t)
        for i, u in enumerate(_as_list(includes.get("users"))):
            item = f"includes.users[{i}]"
            if isinstance(u, dict):
                c.add_user(u, line_no, item, observed_at)
            else:
                c.reject(line_no, item, _describe_unloadable(u), u)

    errors = obj.get("errors")
    if isinstance(errors, dict):
        errors = [errors]
    for i, e in enumerate(_as_list(errors)):
        if isinstance(e, dict):
            title = e.get("title") or e.get("type") or "error"
            detail = e.get("detail") or e.get("message") or ""
            reason = f"X API error: {title}" + (f": {detail}" if detail else "")
        else:
            reason = f"X API error: {e}"
        c.reject(line_no, f"errors[{i}]", reason, e)


_PAGE_KEYS = frozenset({"data", "includes", "errors", "meta"})


def parse_twarc2(path: Path, observed_at: datetime) -> ParsedBatch:
    """Parse one file of twarc2 JSON lines into posts, snapshots and accounts.

    ``observed_at`` is the retrieval time to stamp on snapshots when a line carries no
    ``__twarc.retrieved_at``. Raises NotThisFormat when none of the first 20 non-blank
    lines is a JSON object; an empty file gives an empty batch.
    """
    path = Path(path)
    default_observed = _as_utc(observed_at)
    _check_format(path)

    c = _Collector()
    for line_no, text, decode_error in _read_lines(path):
        if not text:
            continue
        c.batch.items_read += 1
        if decode_error is not None:
            c.reject(line_no, "", f"line is not valid UTF-8: {decode_error}", text)
            continue
        try:
            obj = json.loads(text)
        except ValueError as exc:
            c.reject(line_no, "", f"line is not valid JSON: {exc}", text)
            continue
        if not isinstance(obj, dict):
            c.reject(line_no, "", f"line is a JSON {type(obj).__name__}, not an object", text)
            continue

        line_observed = _page_observed_at(obj, default_observed)
        if obj.keys() & _PAGE_KEYS:
            _parse_page(c, obj, line_no, line_observed)
        elif _is_tweet(obj):
            c.add_flat_tweet(obj, line_no, "", line_observed)
        elif _is_user(obj):
            c.add_user(obj, line_no, "", line_observed)
        else:
            c.reject(line_no, "", _describe_unloadable(obj), text)
    return c.finish()
