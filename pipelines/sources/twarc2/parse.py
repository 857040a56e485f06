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

Every value is checked against the source contract (pipelines/sources/contract.py)
as it is read. Rejects (never raised):

* the whole line (item ``''``): not valid UTF-8, not JSON, nested deeper than 64
  levels, or not an object;
* the whole object: a tweet with no id, or a bad id, author, reference
  (``referenced_tweets``, ``conversation_id``, ``in_reply_to_user_id``,
  ``edit_history_tweet_ids``) or ``created_at`` (unparseable, before 2006-03-21 or more
  than a day after the file was received); a user with no id or a bad one; objects
  that are neither tweets nor users; each entry of a page's ``errors`` (the API's own
  not-found / not-authorised notices, kept for the record);
* one field, the object kept with it NULL: an impossible count (negative, above 10**12,
  not a whole number, a boolean), a user's bad ``created_at``, a text field that is not
  a string or holds a lone surrogate, a flag that is not a boolean; one element of a
  list (a mention, hashtag or URL) is left out the same way; a bad
  ``__twarc.retrieved_at`` gives way to the landing time.

``item`` says where in the line: ``data[2]``, ``data`` (a single streamed object),
``includes.tweets[0]``, ``errors[1]``, ``referenced_tweets[0].author``, and for a field
``data[0].public_metrics.followers_count``; ``''`` for the whole line.

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

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from pipelines.sources import contract
from pipelines.sources.contract import Drops, Violation
from pipelines.sources.records import NotThisFormat, ParsedBatch, RejectCollector
from pipelines.sources.twarc2.objects import (
    PLATFORM,
    POST_FIELDS,
    ItemError,
    as_list,
    describe_unloadable,
    is_tweet,
    is_user,
    parse_iso_timestamp,
    tweet_to_post,
    user_to_snapshot,
)

FORMAT_CHECK_LINES = 20


class _Collector(RejectCollector):
    """Accumulates one file's rows with the dedupe rules in the module docstring."""

    def __init__(self, latest: datetime) -> None:
        super().__init__()
        self.latest = latest  # the latest time the file can hold (contract.not_after)
        self.posts: dict[str, dict] = {}
        self.post_seen_at: dict[str, datetime] = {}
        self.snapshots: dict[tuple[str, datetime], dict] = {}
        self.accounts: dict[str, dict] = {}
        self.handle_seen_at: dict[str, datetime] = {}

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
        drops = Drops()
        try:
            post = tweet_to_post(tweet, self.latest, drops)
        except ItemError as exc:
            self.reject(line_no, item, str(exc), tweet)
            return
        self.dropped(line_no, item, drops, "post")
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
            for key in POST_FIELDS:
                if newer[key] is None or newer[key] == []:
                    newer[key] = older[key]
            self.posts[pid] = newer
        if post["account_id"] is not None:
            self._account(post["account_id"])

    def add_user(self, user: dict, line_no: int, item: str, observed_at: datetime) -> None:
        drops = Drops()
        try:
            snap = user_to_snapshot(user, observed_at, self.latest, drops)
        except ItemError as exc:
            self.reject(line_no, item, str(exc), user)
            return
        self.dropped(line_no, item, drops, "user")
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
            if is_user(tweet.get(key)):
                self.add_user(tweet[key], line_no, prefix + key, observed_at)
        entities = tweet.get("entities")
        if isinstance(entities, dict):
            for i, m in enumerate(as_list(entities.get("mentions"))):
                # a plain mention is {start, end, username, id}; an inlined one is a profile
                if is_user(m) and ("name" in m or "public_metrics" in m):
                    self.add_user(m, line_no, f"{prefix}entities.mentions[{i}]", observed_at)
        if not item:  # one level of inlining: a referenced tweet's own refs are ids only
            for i, ref in enumerate(as_list(tweet.get("referenced_tweets"))):
                if is_tweet(ref):
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
                if isinstance(contract.load_json(text), dict):
                    return
            except ValueError:  # not JSON, or nested too deep (contract.Violation)
                pass
        if seen >= FORMAT_CHECK_LINES:
            break
    if seen:
        raise NotThisFormat(
            f"{path}: does not look like X API v2 pages (twarc2 JSON lines): none of the "
            f"first {seen} non-blank line(s) is a JSON object; first line starts "
            f"{first[:80]!r}"
        )


def _page_observed_at(c: _Collector, obj: dict, line_no: int, default: datetime) -> datetime:
    """The line's own retrieval time; the landing time when it has none or a bad one
    (a reject says so: a snapshot needs a time, and we did receive the page then)."""
    meta = obj.get("__twarc")
    if not isinstance(meta, dict) or meta.get("retrieved_at") is None:
        return default
    stamp = meta["retrieved_at"]
    try:
        return contract.moment(parse_iso_timestamp(stamp), c.latest)
    except Violation as exc:
        why = str(exc)
    except ValueError:
        why = f"{contract.show(stamp)} is not an ISO 8601 timestamp"
    reason = f"__twarc.retrieved_at: {why}; the landing time is used instead"
    c.reject(line_no, "__twarc.retrieved_at", reason, stamp)
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
        if is_tweet(d):
            c.add_tweet(d, line_no, item, observed_at)
        elif is_user(d):
            c.add_user(d, line_no, item, observed_at)
        else:
            c.reject(line_no, item, describe_unloadable(d), d)

    includes = obj.get("includes")
    if isinstance(includes, dict):
        for i, t in enumerate(as_list(includes.get("tweets"))):
            item = f"includes.tweets[{i}]"
            if isinstance(t, dict):
                c.add_tweet(t, line_no, item, observed_at)
            else:
                c.reject(line_no, item, describe_unloadable(t), t)
        for i, u in enumerate(as_list(includes.get("users"))):
            item = f"includes.users[{i}]"
            if isinstance(u, dict):
                c.add_user(u, line_no, item, observed_at)
            else:
                c.reject(line_no, item, describe_unloadable(u), u)

    errors = obj.get("errors")
    if isinstance(errors, dict):
        errors = [errors]
    for i, e in enumerate(as_list(errors)):
        if isinstance(e, dict):
            title = e.get("title") or e.get("type") or "error"
            detail = e.get("detail") or e.get("message") or ""
            reason = f"X API error: {title}" + (f": {detail}" if detail else "")
        else:
            reason = f"X API error: {e}"
        c.reject(line_no, f"errors[{i}]", reason, e)


_PAGE_KEYS = frozenset({"data", "includes", "errors", "meta"})


def parse_twarc2(
    path: Path, observed_at: datetime, not_after: datetime | None = None
) -> ParsedBatch:
    """Parse one file of twarc2 JSON lines into posts, snapshots and accounts.

    ``observed_at`` is the retrieval time to stamp on snapshots when a line carries no
    ``__twarc.retrieved_at``. ``not_after`` is when the file was received (its landing
    time; None: now): no time in it may be more than a day later. Raises NotThisFormat
    when none of the first 20 non-blank lines is a JSON object; an empty file gives an
    empty batch.
    """
    path = Path(path)
    default_observed = contract.as_utc(observed_at)
    _check_format(path)

    c = _Collector(contract.not_after(not_after))
    for line_no, text, decode_error in _read_lines(path):
        if not text:
            continue
        c.batch.items_read += 1
        if decode_error is not None:
            c.reject(line_no, "", f"line is not valid UTF-8: {decode_error}", text)
            continue
        try:
            obj = contract.load_json(text)
        except Violation as exc:
            c.reject(line_no, "", f"line is not loaded: {exc}", text)
            continue
        except ValueError as exc:
            c.reject(line_no, "", f"line is not valid JSON: {exc}", text)
            continue
        if not isinstance(obj, dict):
            c.reject(line_no, "", f"line is a JSON {type(obj).__name__}, not an object", text)
            continue

        line_observed = _page_observed_at(c, obj, line_no, default_observed)
        if obj.keys() & _PAGE_KEYS:
            _parse_page(c, obj, line_no, line_observed)
        elif is_tweet(obj):
            c.add_flat_tweet(obj, line_no, "", line_observed)
        elif is_user(obj):
            c.add_user(obj, line_no, "", line_observed)
        else:
            c.reject(line_no, "", describe_unloadable(obj), text)
    return c.finish()
