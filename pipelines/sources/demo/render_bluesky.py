"""The demo's Bluesky world (``networks``) as saved Bluesky AppView responses, the JSON
``public.api.bsky.app/xrpc/...`` returns (lexicons: github.com/bluesky-social/atproto,
``lexicons/app/bsky/``; docs.bsky.app/docs/api), which pipelines/sources/bluesky/parse.py
reads. Per brand account:

* ``profile_<handle>_<YYYY-MM-DD>.json``: ``app.bsky.actor.getProfile`` as it answered
  at 06:00 UTC that day (a ``profileViewDetailed``: followersCount, followsCount,
  postsCount, createdAt, avatar, description);
* ``feed_<handle>.jsonl``: ``app.bsky.feed.getAuthorFeed`` pages, one a line, newest
  first, with a ``cursor`` (the last item's time, as the AppView pages) on every page
  but the last: the account's posts, its replies (with ``reply.root``/``parent``) and
  its reposts (``reason`` ``#reasonRepost``);
* ``threads_<handle>.jsonl``: ``app.bsky.feed.getPostThread``, one a line, for each of
  its posts that has replies: the customers' replies are the inbound messages here.

Identifiers are shaped as the network makes them: DIDs ``did:plc:`` + 24 base32
characters, record keys 13-character TIDs (microseconds since 1970 << 10 | a clock id,
in base32-sortable), CIDs ``bafyrei...``. Mentions, links and hashtags are facets with
UTF-8 byte offsets."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

from .networks import Member, Network, Post
from .saved import write_lines

_B32 = "abcdefghijklmnopqrstuvwxyz234567"  # RFC 4648 base32, lowercase: DIDs and CIDs
_B32_SORTABLE = "234567abcdefghijklmnopqrstuvwxyz"  # TIDs sort as text in time order
_PAGE_SIZE = 50  # getAuthorFeed's default limit
POST_VIEW = "app.bsky.feed.defs#postView"
THREAD_VIEW = "app.bsky.feed.defs#threadViewPost"
REPOST = "app.bsky.feed.defs#reasonRepost"


def _iso(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def _b32(data: bytes, length: int) -> str:
    bits = int.from_bytes(data, "big")
    return "".join(_B32[(bits >> (5 * i)) & 31] for i in range(length))


def did_of(member: Member) -> str:
    return "did:plc:" + _b32(hashlib.sha256(f"did:{member.key}".encode()).digest(), 24)


def cid_of(text: str) -> str:
    """A CIDv1 (dag-cbor, sha-256) in base32, as record CIDs are: 'bafyrei' + 52."""
    return "bafyrei" + _b32(hashlib.sha256(text.encode()).digest(), 52)


def tid_of(post: Post) -> str:
    micros = int(post.created_at.timestamp()) * 1_000_000 + post.created_at.microsecond
    value = (micros << 10) | (post.seq & 1023)
    return "".join(_B32_SORTABLE[(value >> (5 * (12 - i))) & 31] for i in range(13))


def uri_of(post: Post) -> str:
    return f"at://{did_of(post.author)}/app.bsky.feed.post/{tid_of(post)}"


def _indexed(post: Post) -> datetime:
    """When the AppView indexed the post: a moment after its author's client wrote it."""
    return post.created_at + timedelta(milliseconds=300 + post.seq * 37 % 1700)


class Views:
    """Renders one built Bluesky :class:`~.networks.Network`."""

    def __init__(self, network: Network) -> None:
        self.network = network

    def basic(self, member: Member) -> dict:
        """A ``profileViewBasic``: how posts and reposts show their author."""
        view: dict = {"did": did_of(member), "handle": member.handle, "displayName": member.name}
        if member.has_avatar:
            view["avatar"] = (
                f"https://cdn.bsky.app/img/avatar/plain/{did_of(member)}/"
                f"{cid_of(f'avatar:{member.key}').replace('bafyrei', 'bafkrei')}@jpeg"
            )
        view["associated"] = {"chat": {"allowIncoming": "following"}}
        view["labels"] = []
        view["createdAt"] = _iso(member.created_at)
        return view

    def detailed(self, member: Member, when: datetime) -> dict:
        """A ``profileViewDetailed`` (getProfile) as it stood at ``when``."""
        followers, follows, posts = self.network.counts_at(member, when, reposts_count=False)
        view = self.basic(member)
        view["associated"] = {
            "lists": 0,
            "feedgens": 0,
            "starterPacks": 0,
            "labeler": False,
            "chat": {"allowIncoming": "following"},
        }
        view["description"] = member.description
        view["indexedAt"] = _iso(member.created_at + timedelta(seconds=2))
        view["banner"] = (
            f"https://cdn.bsky.app/img/banner/plain/{did_of(member)}/"
            f"{cid_of(f'banner:{member.key}').replace('bafyrei', 'bafkrei')}@jpeg"
        )
        view["followersCount"] = followers
        view["followsCount"] = follows
        view["postsCount"] = posts
        return view

    def record(self, post: Post) -> dict:
        """The ``app.bsky.feed.post`` record: text, facets (UTF-8 byte offsets), reply."""
        text, facets = "", []
        for kind, value in post.pieces:
            start = len(text.encode("utf-8"))
            if kind == "mention":
                assert isinstance(value, Member)
                text += "@" + value.handle
                feature = {"$type": "app.bsky.richtext.facet#mention", "did": did_of(value)}
            elif kind == "link":
                assert isinstance(value, str)
                text += value.split("://", 1)[1]  # clients show the link without its scheme
                feature = {"$type": "app.bsky.richtext.facet#link", "uri": value}
            elif kind == "tag":
                text += f"#{value}"
                feature = {"$type": "app.bsky.richtext.facet#tag", "tag": str(value)}
            else:
                text += str(value)
                continue
            end = len(text.encode("utf-8"))
            facets.append(
                {
                    "$type": "app.bsky.richtext.facet",
                    "features": [feature],
                    "index": {"byteEnd": end, "byteStart": start},
                }
            )
        record: dict = {"$type": "app.bsky.feed.post", "createdAt": _iso(post.created_at)}
        if facets:
            record["facets"] = facets
        record["langs"] = [post.lang]
        if post.parent is not None:
            assert post.root is not None
            record["reply"] = {
                "parent": {"cid": cid_of(uri_of(post.parent)), "uri": uri_of(post.parent)},
                "root": {"cid": cid_of(uri_of(post.root)), "uri": uri_of(post.root)},
            }
        record["text"] = text
        return record

    def post(self, post: Post, typed: bool = False) -> dict:
        """A ``postView``; ``typed`` adds its ``$type`` as views nested in a union do."""
        view = {
            "uri": uri_of(post),
            "cid": cid_of(uri_of(post)),
            "author": self.basic(post.author),
            "record": self.record(post),
            "replyCount": len(post.replies),
            "repostCount": post.reposts,
            "likeCount": post.likes,
            "quoteCount": 0,
            "indexedAt": _iso(_indexed(post)),
            "labels": [],
        }
        if typed:
            view["$type"] = POST_VIEW
        return view

    def feed_item(self, post: Post) -> dict:
        """A ``feedViewPost``: the post, its thread for a reply, the reason for a repost."""
        if post.reposted is not None:
            return {
                "post": self.post(post.reposted),
                "reason": {
                    "$type": REPOST,
                    "by": self.basic(post.author),
                    "indexedAt": _iso(post.created_at),
                },
            }
        item: dict = {"post": self.post(post)}
        if post.parent is not None:
            assert post.root is not None
            item["reply"] = {
                "root": self.post(post.root, typed=True),
                "parent": self.post(post.parent, typed=True),
            }
            if post.parent.parent is not None:
                item["reply"]["grandparentAuthor"] = self.basic(post.parent.parent.author)
        return item

    def thread(self, root: Post) -> dict:
        """getPostThread of ``root``: the post and its replies, nested, oldest first."""

        def node(post: Post) -> dict:
            out: dict = {"$type": THREAD_VIEW, "post": self.post(post)}
            out["replies"] = [node(reply) for reply in post.replies]
            return out

        return {"thread": node(root)}

    def feed_pages(self, brand: Member) -> list[dict]:
        """getAuthorFeed pages, newest first; the cursor is the last item's time."""

        def when(post: Post) -> datetime:  # a repost sorts by when it was reposted
            return post.created_at if post.reposted is not None else _indexed(post)

        items = sorted(brand.own, key=lambda p: (when(p), p.seq), reverse=True)
        chunks = [items[i : i + _PAGE_SIZE] for i in range(0, len(items), _PAGE_SIZE)]
        pages = []
        for n, chunk in enumerate(chunks):
            page: dict = {"feed": [self.feed_item(p) for p in chunk]}
            if n + 1 < len(chunks):
                page["cursor"] = _iso(when(chunk[-1]))
            pages.append(page)
        return pages


def write(network: Network, out_dir: Path) -> list[tuple[Path, datetime]]:
    """Write the network's responses into ``out_dir`` (made if missing); return each
    file with the time its responses were retrieved, sorted by path."""
    views = Views(network)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for brand in network.brands:
        name = brand.handle.split(".", 1)[0]
        for when in network.snapshot_times:
            path = out_dir / f"profile_{name}_{when:%Y-%m-%d}.json"
            written.append((write_lines(path, [views.detailed(brand, when)]), when))
        feed = write_lines(out_dir / f"feed_{name}.jsonl", views.feed_pages(brand))
        written.append((feed, network.anchor))
        threads = [views.thread(p) for p in brand.own if p.kind == "original" and p.replies]
        written.append((write_lines(out_dir / f"threads_{name}.jsonl", threads), network.anchor))
    return sorted(written)
