"""Bluesky AppView views to canonical rows: a post view to a canonical.posts row, a
profile view to a canonical.account_snapshots row, each value checked against the
source contract (pipelines/sources/contract.py). Files and response kinds are in
pipelines/sources/bluesky/parse.py.

Mapping (platform 'bluesky'):

* post_id is the post's at:// URI; account_id the author's DID; handle lowercased.
* created_at is ``record.createdAt`` (when the author's client says it was written);
  ``indexedAt`` (when the AppView saw it) only when the record has none.
* a reply's parent is ``record.reply.parent.uri``; in_reply_to_account_id is the DID
  inside that URI; conversation_id is ``record.reply.root.uri`` (the post's own URI
  for a post that is not a reply).
* a quote is an ``embed`` of ``app.bsky.embed.record`` (or ``recordWithMedia``) whose
  record is a post: quoted_post_id is that post's URI. Embedding a feed or list is
  not a quote.
* mentions come from ``record.facets[].features[]`` of ``#mention``: the handle the
  text slice shows (``@handle``, lowercased), else the DID; hashtags from ``#tag``
  features and ``record.tags``; urls from ``#link`` features.
* a repost (a feed item whose ``reason`` is ``#reasonRepost``) is its own row, see
  repost_to_post.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from pipelines.sources import contract
from pipelines.sources.contract import Drops, Violation
from pipelines.sources.twarc2.objects import ItemError, as_list, iso_time

PLATFORM = "bluesky"
REPOST = "app.bsky.feed.defs#reasonRepost"
QUOTE_EMBEDS = ("app.bsky.embed.record", "app.bsky.embed.record#view")
QUOTE_WITH_MEDIA = ("app.bsky.embed.recordWithMedia", "app.bsky.embed.recordWithMedia#view")
POST_COLLECTION = "/app.bsky.feed.post/"


def _placing(value: Any, prefix: str, what: str) -> str | None:
    """An at:// URI or a DID that places a post: a bad one rejects the object."""
    if value is None:
        return None
    try:
        s = contract.text(value)
    except Violation as exc:
        raise ItemError(f"{what} {exc}; the object cannot be placed, so it is not loaded") from None
    if not s.startswith(prefix) or len(s) > 2000 or any(c.isspace() for c in s):
        raise ItemError(
            f"{what} {contract.show(value)} is not a {prefix}... identifier; "
            "the object cannot be placed, so it is not loaded"
        )
    return s


def did_of(uri: str | None) -> str | None:
    """The DID inside an at:// URI (at://did:plc:x/app.bsky.feed.post/k -> did:plc:x)."""
    if uri is None:
        return None
    authority = uri[len("at://") :].split("/", 1)[0]
    return authority if authority.startswith("did:") else None


def _dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _quoted(embed: Any, what: str) -> str | None:
    embed = _dict(embed)
    kind = embed.get("$type")
    if kind in QUOTE_EMBEDS:
        ref = _dict(embed.get("record"))
    elif kind in QUOTE_WITH_MEDIA:
        ref = _dict(_dict(embed.get("record")).get("record"))
    else:
        return None
    uri = _placing(ref.get("uri"), "at://", f"{what} embed.record.uri")
    return uri if uri is not None and POST_COLLECTION in uri else None


def _facets(record: dict, body: str | None, drops: Drops) -> tuple[list, list, list]:
    mentions: list[tuple[str, Any]] = []
    tags: list[tuple[str, Any]] = []
    links: list[tuple[str, Any]] = []
    encoded = body.encode("utf-8") if body else b""
    for i, facet in enumerate(as_list(record.get("facets"))):
        facet = _dict(facet)
        index = _dict(facet.get("index"))
        for j, feature in enumerate(as_list(facet.get("features"))):
            feature = _dict(feature)
            kind = feature.get("$type")
            path = f"record.facets[{i}].features[{j}]"
            if kind == "app.bsky.richtext.facet#mention":
                start, end = index.get("byteStart"), index.get("byteEnd")
                shown = ""
                if type(start) is int and type(end) is int and 0 <= start < end:
                    shown = encoded[start:end].decode("utf-8", errors="replace")
                if shown.startswith("@") and len(shown) > 1:
                    mentions.append((f"{path} (text)", shown[1:].lower()))
                else:
                    mentions.append((f"{path}.did", feature.get("did")))
            elif kind == "app.bsky.richtext.facet#tag":
                tags.append((f"{path}.tag", feature.get("tag")))
            elif kind == "app.bsky.richtext.facet#link":
                links.append((f"{path}.uri", feature.get("uri")))
    for i, tag in enumerate(as_list(record.get("tags"))):
        tags.append((f"record.tags[{i}]", tag))
    hashtags = list(dict.fromkeys(drops.texts(tags)))
    return drops.texts(mentions), hashtags, drops.texts(links)


def post_to_post(view: dict, latest: datetime, drops: Drops | None = None) -> dict:
    """One post view (``{uri, cid, author, record, ...Count, indexedAt}``) to a
    canonical.posts row. Raises ItemError when it cannot be placed (no URI, a bad URI
    or DID, a bad or missing time); bad counts and texts are dropped into ``drops``."""
    drops = Drops() if drops is None else drops
    post_id = _placing(view.get("uri"), "at://", "post uri")
    if post_id is None:
        raise ItemError("post view has no uri")
    what = f"post {post_id}:"
    record = _dict(view.get("record"))
    account_id = _placing(_dict(view.get("author")).get("did"), "did:", f"{what} author.did")
    stamp_key = "record.createdAt" if record.get("createdAt") is not None else "indexedAt"
    stamp = record.get("createdAt") if stamp_key == "record.createdAt" else view.get("indexedAt")
    try:
        created_at = iso_time(stamp, latest)
    except Violation as exc:
        raise ItemError(f"{what} {stamp_key} {exc}") from None
    reply = _dict(record.get("reply"))
    parent = _placing(_dict(reply.get("parent")).get("uri"), "at://", f"{what} reply.parent.uri")
    root = _placing(_dict(reply.get("root")).get("uri"), "at://", f"{what} reply.root.uri")
    quoted = _quoted(record.get("embed"), what) or _quoted(view.get("embed"), what)
    body = drops.check(contract.text, record.get("text"), "record.text")
    mentions, hashtags, urls = _facets(record, body, drops)
    langs = as_list(record.get("langs"))

    def count(key: str) -> int | None:
        return drops.check(contract.count, view.get(key), key)

    return {
        "platform": PLATFORM,
        "post_id": post_id,
        "account_id": account_id,
        "created_at": created_at,
        "text": body,
        "lang": drops.check(contract.text, langs[0], "record.langs[0]") if langs else None,
        "in_reply_to_post_id": parent,
        "in_reply_to_account_id": did_of(parent),
        "conversation_id": root or (parent if parent else post_id),
        "quoted_post_id": quoted,
        "reposted_post_id": None,
        "mentions": mentions,
        "hashtags": hashtags,
        "urls": urls,
        "like_count": count("likeCount"),
        "repost_count": count("repostCount"),
        "reply_count": count("replyCount"),
        "quote_count": count("quoteCount"),
        "impression_count": None,
        "edit_history_post_ids": None,
    }


def repost_to_post(original: str, reason: dict, latest: datetime) -> dict:
    """A repost as its own post: id ``<original uri>#repost-by-<reposter did>`` (the
    repost is not the original post, and one account reposts a post once), author the
    reposter, created_at the reason's ``indexedAt``, reposted_post_id the original."""
    by = _placing(_dict(reason.get("by")).get("did"), "did:", "repost reason.by.did")
    if by is None:
        raise ItemError("repost has no reposter (reason.by.did)")
    try:
        created_at = iso_time(reason.get("indexedAt"), latest)
    except Violation as exc:
        raise ItemError(f"repost of {original} by {by}: reason.indexedAt {exc}") from None
    post_id = f"{original}#repost-by-{by}"
    row = dict.fromkeys(
        ("text", "lang", "in_reply_to_post_id", "in_reply_to_account_id", "quoted_post_id"),
        None,
    )
    return {
        **row,
        "platform": PLATFORM,
        "post_id": post_id,
        "account_id": by,
        "created_at": created_at,
        "conversation_id": post_id,
        "reposted_post_id": original,
        "mentions": [],
        "hashtags": [],
        "urls": [],
        "like_count": None,
        "repost_count": None,
        "reply_count": None,
        "quote_count": None,
        "impression_count": None,
        "edit_history_post_ids": None,
    }


# atproto.com/specs/handle: a handle is a domain name of at most 253 characters. The
# AppView shows "handle.invalid" for one it could not verify, which this accepts.
HANDLE = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}")


def _handle(value: Any) -> str | None:
    handle = contract.text(value)
    if handle is None:
        return None
    if len(handle) > 253 or not HANDLE.fullmatch(handle.lower()):
        raise Violation(
            f"{contract.show(value)} is not a Bluesky handle (a domain name, "
            "atproto.com/specs/handle)"
        )
    return handle.lower()


def handle_of(view: dict, drops: Drops) -> str | None:
    """The view's handle, lowercased; a malformed one is dropped with a reject."""
    return drops.check(_handle, view.get("handle"), "handle")


def profile_to_snapshot(
    view: dict, observed_at: datetime, latest: datetime, drops: Drops | None = None
) -> dict:
    """One profile view (``{did, handle, displayName, description, avatar, createdAt,
    followersCount, followsCount, postsCount}``) to a canonical.account_snapshots row.
    Raises ItemError without a DID or with a bad one. No avatar means the default one."""
    drops = Drops() if drops is None else drops
    account_id = _placing(view.get("did"), "did:", "profile did")
    if account_id is None:
        raise ItemError("profile view has no did")
    created = drops.check(lambda v: iso_time(v, latest), view.get("createdAt"), "createdAt")
    avatar = drops.check(contract.text, view.get("avatar"), "avatar") or None

    def count(key: str) -> int | None:
        return drops.check(contract.count, view.get(key), key)

    def text(key: str) -> str | None:
        return drops.check(contract.text, view.get(key), key)

    return {
        "platform": PLATFORM,
        "account_id": account_id,
        "observed_at": observed_at,
        "handle": handle_of(view, drops),
        "display_name": text("displayName"),
        "bio": text("description"),
        "location": None,
        "profile_image_url": avatar,
        "has_default_avatar": avatar is None and "avatar" not in view,
        "verified": None,
        "protected": None,
        "account_created_at": created,
        "followers_count": count("followersCount"),
        "following_count": count("followsCount"),
        "post_count": count("postsCount"),
        "listed_count": None,
    }
