"""Parser for saved Bluesky AppView (AT Protocol) JSON responses (platform 'bluesky').

A file holds one response (``*.json``) or one response per line (``*.jsonl``). Its
kind is recognised from its content, not its name:

* ``getProfile``: a profile view (``did``, ``handle``): a snapshot;
* ``getProfiles``: ``{"profiles": [...]}``: a snapshot each;
* ``getFollows`` / ``getFollowers``: ``{"follows" | "followers": [...], "subject"}``:
  a snapshot for each profile and for the subject;
* ``getLikes``: ``{"likes": [{"actor", ...}], "uri"}``: a snapshot for each actor;
* ``getAuthorFeed`` / timelines: ``{"feed": [{"post", "reply"?, "reason"?}], "cursor"}``,
  and one saved feed item ``{"post", "reply"?}``: the post, the reply's parent and root
  views, and for a ``#reasonRepost`` also the repost as its own post (objects.py);
  a post view that embeds the post it quotes (``#viewRecord``) loads that post too;
* ``getPostThread``: ``{"thread": {"post", "parent"?, "replies"?}}``: every post in the
  thread, walked without recursion;
* ``getQuotes`` / ``getPosts`` / search: ``{"posts": [...]}``; a single post view
  (``uri``, ``cid``, ``record``).

Anything else (an X page, a CSV) raises NotThisFormat. Snapshots are observed at the
landing time (a saved response carries no retrieval time). A post's author gives an
account row (DID, lowercased handle) but no snapshot: a post's author view has no
counts. Every value is checked against the source contract; a malformed item is a
Reject (line, item such as ``feed[2].post``, reason) and its neighbours load; a bad
field (a count, a text with a lone surrogate) is dropped with a reject naming it. A
view nested deeper than 64 levels is rejected alone (a JSON-lines line as a whole).
A whole-document file's items are reported at line 1 (where the document starts).

Deduplication within a file: one post per post_id and one snapshot per account, the
first occurrence winning and later ones filling its empty fields.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from pipelines.sources import contract
from pipelines.sources.bluesky.objects import (
    PLATFORM,
    POST_COLLECTION,
    REPOST,
    handle_of,
    post_to_post,
    profile_to_snapshot,
    repost_to_post,
)
from pipelines.sources.contract import Drops
from pipelines.sources.records import (
    NotThisFormat,
    ParsedBatch,
    RejectCollector,
    json_documents,
)
from pipelines.sources.twarc2.objects import ItemError, as_list


def kind_of(obj: Any) -> str | None:
    """The response kind of a JSON value, or None when it is no Bluesky response."""
    if not isinstance(obj, dict):
        return None
    if isinstance(obj.get("feed"), list):
        return "feed"
    if isinstance(obj.get("thread"), dict):
        return "thread"
    if isinstance(obj.get("posts"), list):
        return "posts"
    if isinstance(obj.get("profiles"), list):
        return "profiles"
    for key in ("follows", "followers"):
        if isinstance(obj.get(key), list) and isinstance(obj.get("subject"), dict):
            return key
    if isinstance(obj.get("likes"), list) and "uri" in obj:
        return "likes"
    if isinstance(obj.get("post"), dict) and "uri" in obj["post"]:
        return "feed item"
    if {"uri", "cid", "record"} <= obj.keys():
        return "post"
    if {"did", "handle"} <= obj.keys():
        return "profile"
    return None


class _Collector(RejectCollector):
    def __init__(self, observed_at: datetime, latest: datetime) -> None:
        super().__init__()
        self.observed_at = observed_at
        self.latest = latest
        self.posts: dict[str, dict] = {}
        self.snapshots: dict[str, dict] = {}
        self.accounts: dict[str, dict] = {}

    def account(self, account_id: str, handle: str | None) -> None:
        acct = self.accounts.setdefault(
            account_id,
            {
                "platform": PLATFORM,
                "account_id": account_id,
                "handle": None,
                "is_brand": False,
                "first_seen_at": None,
            },
        )
        acct["handle"] = acct["handle"] or handle

    def _keep(self, post: dict) -> None:
        old = self.posts.setdefault(post["post_id"], post)
        for key, value in post.items():
            if old[key] is None or old[key] == []:
                old[key] = value

    def _too_deep(self, view: Any, line_no: int, item: str) -> bool:
        """A view nested past MAX_JSON_DEPTH is rejected alone, its neighbours load."""
        if not contract.too_deep(view):
            return False
        reason = f"nested deeper than {contract.MAX_JSON_DEPTH} levels; not loaded"
        self.reject(line_no, item, reason, "")
        return True

    def add_post(self, view: Any, line_no: int, item: str, inner: bool = False) -> str | None:
        """A post view; returns its URI when it loaded. The post it quotes, when the
        view embeds it (``#viewRecord``), loads too (one level: ``inner``)."""
        if not isinstance(view, dict):
            self.reject(line_no, item, f"a JSON {contract.json_type(view)}, not a post view", view)
            return None
        if self._too_deep(view, line_no, item):
            return None
        if view.get("notFound") or view.get("blocked"):
            what = "not found" if view.get("notFound") else "blocked"
            self.reject(line_no, item, f"Bluesky: post {view.get('uri')!r} is {what}", view)
            return None
        drops = Drops()
        try:
            post = post_to_post(view, self.latest, drops)
        except ItemError as exc:
            self.reject(line_no, item, str(exc), view)
            return None
        self.dropped(line_no, item, drops, "post")
        self._keep(post)
        if post["account_id"] is not None:
            author_drops = Drops()
            self.account(post["account_id"], handle_of(view.get("author") or {}, author_drops))
            self.dropped(line_no, f"{item}.author", author_drops, "post")
        if not inner:
            self._add_quoted_view(view.get("embed"), line_no, f"{item}.embed" if item else "embed")
        return post["post_id"]

    def _add_quoted_view(self, embed: Any, line_no: int, item: str) -> None:
        """An embedded quoted post (``app.bsky.embed.record#viewRecord``: its record is
        under ``value``) as a post of its own, as X loads a quoted tweet's includes."""
        embed = embed if isinstance(embed, dict) else {}
        ref = embed.get("record") if isinstance(embed.get("record"), dict) else {}
        if embed.get("$type") == "app.bsky.embed.recordWithMedia#view":
            item += ".record"
            ref = ref.get("record") if isinstance(ref.get("record"), dict) else {}
        if (
            ref.get("$type") == "app.bsky.embed.record#viewRecord"
            and POST_COLLECTION in str(ref.get("uri"))
            and isinstance(ref.get("value"), dict)
        ):
            self.add_post({**ref, "record": ref["value"]}, line_no, f"{item}.record", inner=True)

    def add_profile(self, view: Any, line_no: int, item: str) -> None:
        if not isinstance(view, dict):
            self.reject(line_no, item, f"a JSON {contract.json_type(view)}, not a profile", view)
            return
        if self._too_deep(view, line_no, item):
            return
        drops = Drops()
        try:
            snap = profile_to_snapshot(view, self.observed_at, self.latest, drops)
        except ItemError as exc:
            self.reject(line_no, item, str(exc), view)
            return
        self.dropped(line_no, item, drops, "profile")
        old = self.snapshots.setdefault(snap["account_id"], snap)
        for key, value in snap.items():
            if old[key] is None:
                old[key] = value
        self.account(snap["account_id"], snap["handle"])

    def add_feed_item(self, entry: Any, line_no: int, item: str) -> None:
        if not isinstance(entry, dict):
            self.reject(
                line_no, item, f"a JSON {contract.json_type(entry)}, not a feed item", entry
            )
            return
        prefix = f"{item}." if item else ""
        original = self.add_post(entry.get("post"), line_no, prefix + "post")
        reply = entry.get("reply")
        if isinstance(reply, dict):
            for key in ("parent", "root"):
                if isinstance(reply.get(key), dict):
                    self.add_post(reply[key], line_no, f"{prefix}reply.{key}")
        reason = entry.get("reason")
        if isinstance(reason, dict) and reason.get("$type") == REPOST and original is not None:
            try:
                repost = repost_to_post(original, reason, self.latest)
            except ItemError as exc:
                self.reject(line_no, prefix + "reason", str(exc), reason)
                return
            self._keep(repost)
            drops = Drops()
            self.account(repost["account_id"], handle_of(reason.get("by") or {}, drops))
            self.dropped(line_no, prefix + "reason.by", drops, "repost")

    def add_thread(self, root: dict, line_no: int) -> None:
        stack: list[tuple[str, Any]] = [("thread", root)]
        while stack:
            item, node = stack.pop()
            if not isinstance(node, dict):
                continue
            self.add_post(node.get("post", node), line_no, f"{item}.post")
            if isinstance(node.get("parent"), dict):
                stack.append((f"{item}.parent", node["parent"]))
            for i, child in enumerate(as_list(node.get("replies"))):
                stack.append((f"{item}.replies[{i}]", child))

    def add_response(self, obj: dict, kind: str, line_no: int) -> None:
        if kind == "feed":
            for i, entry in enumerate(obj["feed"]):
                self.add_feed_item(entry, line_no, f"feed[{i}]")
        elif kind == "feed item":
            self.add_feed_item(obj, line_no, "")
        elif kind == "thread":
            self.add_thread(obj["thread"], line_no)
        elif kind == "posts":
            for i, view in enumerate(obj["posts"]):
                self.add_post(view, line_no, f"posts[{i}]")
        elif kind == "post":
            self.add_post(obj, line_no, "")
        elif kind == "profile":
            self.add_profile(obj, line_no, "")
        elif kind == "likes":
            for i, like in enumerate(obj["likes"]):
                actor = like.get("actor") if isinstance(like, dict) else like
                self.add_profile(actor, line_no, f"likes[{i}].actor")
        else:  # profiles, follows, followers
            for i, view in enumerate(obj[kind]):
                self.add_profile(view, line_no, f"{kind}[{i}]")
            if isinstance(obj.get("subject"), dict):
                self.add_profile(obj["subject"], line_no, "subject")

    def finish(self) -> ParsedBatch:
        self.batch.posts = list(self.posts.values())
        self.batch.snapshots = list(self.snapshots.values())
        self.batch.accounts = list(self.accounts.values())
        return self.batch


def parse_bluesky(
    path: Path, observed_at: datetime, not_after: datetime | None = None
) -> ParsedBatch:
    """Parse one saved Bluesky response file. ``observed_at`` stamps the snapshots (the
    landing time: a saved response has no retrieval time of its own); ``not_after`` is
    when the file was received (None: now). Raises NotThisFormat when no document in
    the file is a Bluesky response; an empty file gives an empty batch."""
    path = Path(path)
    docs = json_documents(path)
    kinds = [kind_of(value) for _, _, value in docs]
    if docs and not any(kinds):
        first = docs[0][1].lstrip()[:80]
        raise NotThisFormat(
            f"{path}: does not look like saved Bluesky AppView JSON (a profile, feed, "
            f"thread, post or follows response); it starts {first!r}"
        )
    c = _Collector(contract.as_utc(observed_at), contract.not_after(not_after))
    for (line_no, text, value), kind in zip(docs, kinds, strict=True):
        c.batch.items_read += 1
        if isinstance(value, ValueError):
            c.reject(line_no, "", f"line is not loaded: {value}", text)
        elif kind is None:
            if isinstance(value, dict) and "error" in value:
                reason = f"Bluesky API error: {value.get('error')}: {value.get('message', '')}"
            else:
                reason = "not a Bluesky response (profile, feed, thread, post, follows)"
            c.reject(line_no, "", reason, text)
        else:
            c.add_response(value, kind, line_no)
    return c.finish()
