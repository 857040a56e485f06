"""X API v2 objects to canonical rows: a tweet object to a canonical.posts row, a user
object to a canonical.account_snapshots row, each value checked against the source
contract (pipelines/sources/contract.py). The file, line and page handling is in
pipelines/sources/twarc2/parse.py."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pipelines.sources import contract
from pipelines.sources.contract import Drops, Violation

PLATFORM = "x"
POST_FIELDS = (
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


class ItemError(ValueError):
    """An object that cannot be loaded; the message is the reject reason."""


# --------------------------------------------------------------------------- helpers


def parse_iso_timestamp(value: Any) -> datetime:
    """ISO 8601 (``2021-04-08T19:34:16.000Z``, ``...+00:00``) -> aware UTC datetime.

    A timestamp without an offset is taken as UTC. Raises ValueError otherwise."""
    if not isinstance(value, str):
        raise ValueError(f"not a string: {contract.show(value)}")
    dt = datetime.fromisoformat(value.strip())
    try:
        return contract.as_utc(dt)
    except OverflowError:  # year 1 or 9999 shifted by its offset out of datetime's range
        raise Violation(f"{contract.show(value)} is outside the years 1-9999 in UTC") from None


def _placing_id(value: Any, what: str) -> str | None:
    """An id that places a post or user (its own, its author's, what it refers to):
    a bad one rejects the whole object, so the message is the reject reason."""
    try:
        return contract.x_id(value)
    except Violation as exc:
        raise ItemError(f"{what} {exc}; the object cannot be placed, so it is not loaded") from None


def _object(value: Any, path: str, drops: Drops) -> dict:
    """A nested object (public_metrics, entities); anything else but null is dropped."""
    if value is None or isinstance(value, dict):
        return value or {}
    why = f"{contract.show(value)} is a JSON {contract.json_type(value)}, not an object"
    drops.add(path, why, value)
    return {}


def iso_time(value: Any, latest: datetime) -> datetime | None:
    """A created_at: None when absent; raises Violation when unreadable or out of range."""
    if value is None:
        return None
    try:
        dt = parse_iso_timestamp(value)
    except Violation:
        raise
    except ValueError:
        raise Violation(f"{contract.show(value)} is not an ISO 8601 timestamp") from None
    return contract.moment(dt, latest)


def as_list(value: Any) -> list:
    if isinstance(value, list):
        return value
    return []


def is_tweet(obj: Any) -> bool:
    return isinstance(obj, dict) and "text" in obj


def is_user(obj: Any) -> bool:
    return isinstance(obj, dict) and "username" in obj and "text" not in obj


def describe_unloadable(obj: Any) -> str:
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


def tweet_to_post(tweet: dict, latest: datetime, drops: Drops | None = None) -> dict:
    """Map one X API v2 tweet object to a canonical.posts row (without raw_file_id).

    ``latest`` is the latest created_at the file can hold (contract.not_after). Raises
    ItemError when the tweet cannot be placed (no id, a bad id, author, reference or
    created_at); fields that break the contract are left None and listed in ``drops``."""
    drops = Drops() if drops is None else drops
    post_id = _placing_id(tweet.get("id"), "tweet id")
    if post_id is None:
        raise ItemError("tweet object has no id")
    what = f"tweet {post_id}:"
    try:
        created_at = iso_time(tweet.get("created_at"), latest)
    except Violation as exc:
        raise ItemError(f"{what} created_at {exc}") from None

    author = tweet.get("author")
    account_id = _placing_id(tweet.get("author_id"), f"{what} author_id")
    if account_id is None and isinstance(author, dict):
        account_id = _placing_id(author.get("id"), f"{what} author.id")

    refs: dict[str, str] = {}
    for i, ref in enumerate(as_list(tweet.get("referenced_tweets"))):
        if isinstance(ref, dict):
            rtype = ref.get("type")
            rid = _placing_id(ref.get("id"), f"{what} referenced_tweets[{i}].id")
            if isinstance(rtype, str) and rid is not None:
                refs.setdefault(rtype, rid)
    reply_to_user = _placing_id(tweet.get("in_reply_to_user_id"), f"{what} in_reply_to_user_id")
    conversation = _placing_id(tweet.get("conversation_id"), f"{what} conversation_id")
    history = tweet.get("edit_history_tweet_ids")
    edit_ids = None
    if isinstance(history, list):
        edit_ids = [
            i
            for n, h in enumerate(history)
            if (i := _placing_id(h, f"{what} edit_history_tweet_ids[{n}]")) is not None
        ]

    entities = _object(tweet.get("entities"), "entities", drops)
    mentions = drops.texts(
        [
            (f"entities.mentions[{i}].username", m.get("username"))
            for i, m in enumerate(as_list(entities.get("mentions")))
            if isinstance(m, dict)
        ]
    )
    hashtags = drops.texts(
        [
            (f"entities.hashtags[{i}].tag", h.get("tag"))
            for i, h in enumerate(as_list(entities.get("hashtags")))
            if isinstance(h, dict)
        ]
    )
    urls = []
    for i, u in enumerate(as_list(entities.get("urls"))):
        if isinstance(u, dict):
            key = "expanded_url" if u.get("expanded_url") else "url"
            urls += drops.texts([(f"entities.urls[{i}].{key}", u.get(key) or None)])

    metrics = _object(tweet.get("public_metrics"), "public_metrics", drops)
    repost_key = "retweet_count" if "retweet_count" in metrics else "repost_count"

    def count(key: str) -> int | None:
        return drops.check(contract.count, metrics.get(key), f"public_metrics.{key}")

    return {
        "platform": PLATFORM,
        "post_id": post_id,
        "account_id": account_id,
        "created_at": created_at,
        "text": drops.check(contract.text, tweet.get("text"), "text"),
        "lang": drops.check(contract.text, tweet.get("lang"), "lang"),
        "in_reply_to_post_id": refs.get("replied_to"),
        "in_reply_to_account_id": reply_to_user,
        "conversation_id": conversation,
        "quoted_post_id": refs.get("quoted"),
        "reposted_post_id": refs.get("retweeted"),
        "mentions": mentions,
        "hashtags": hashtags,
        "urls": urls,
        "like_count": count("like_count"),
        "repost_count": count(repost_key),
        "reply_count": count("reply_count"),
        "quote_count": count("quote_count"),
        "impression_count": count("impression_count"),
        "edit_history_post_ids": edit_ids,
    }


def user_to_snapshot(
    user: dict, observed_at: datetime, latest: datetime, drops: Drops | None = None
) -> dict:
    """Map one X API v2 user object to a canonical.account_snapshots row.

    Raises ItemError when the user has no id or a bad one; fields that break the
    contract (counts, created_at, text, flags) are left None and listed in ``drops``."""
    drops = Drops() if drops is None else drops
    account_id = _placing_id(user.get("id"), "user id")
    if account_id is None:
        raise ItemError("user object has no id")
    created = user.get("created_at")
    account_created_at = drops.check(lambda v: iso_time(v, latest), created, "created_at")
    image = drops.check(contract.text, user.get("profile_image_url"), "profile_image_url")
    image = image or None
    metrics = _object(user.get("public_metrics"), "public_metrics", drops)
    post_key = "tweet_count" if metrics.get("tweet_count") is not None else "post_count"

    def count(key: str) -> int | None:
        return drops.check(contract.count, metrics.get(key), f"public_metrics.{key}")

    def text(key: str) -> str | None:
        return drops.check(contract.text, user.get(key), key)

    return {
        "platform": PLATFORM,
        "account_id": account_id,
        "observed_at": observed_at,
        "handle": text("username"),
        "display_name": text("name"),
        "bio": text("description"),
        "location": text("location"),
        "profile_image_url": image,
        "has_default_avatar": None if image is None else "default_profile_images" in image,
        "verified": drops.check(contract.flag, user.get("verified"), "verified"),
        "protected": drops.check(contract.flag, user.get("protected"), "protected"),
        "account_created_at": account_created_at,
        "followers_count": count("followers_count"),
        "following_count": count("following_count"),
        "post_count": count(post_key),
        "listed_count": count("listed_count"),
    }


# --------------------------------------------------------------------------- collector
