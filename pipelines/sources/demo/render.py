"""The demo's rendering: the simulated world (``world``) as X API v2 response pages, the
way twarc2 saves them: user and tweet objects with the requested fields, the
``includes`` the expansions add, paging with ``next_token``, the ``__twarc`` envelope,
and one JSON page per line in each file. No behaviour is decided here."""

from __future__ import annotations

import json
import re
import string
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

from .cast import ACCOUNTS
from .world import Account, Tweet, World

TWARC_VERSION = "rapport-demo"
API_ROOT = "https://api.x.com/2"
_PAGE_SIZE = 100

# The fields and expansions a real collection asks for, so the recorded URLs match.
_TWEET_FIELDS = (
    "author_id,conversation_id,created_at,edit_controls,edit_history_tweet_ids,entities,"
    "in_reply_to_user_id,lang,possibly_sensitive,public_metrics,referenced_tweets,"
    "reply_settings,text"
)
_USER_FIELDS = (
    "created_at,description,entities,id,location,name,profile_image_url,protected,"
    "public_metrics,url,username,verified,verified_type"
)
_EXPANSIONS = (
    "author_id,in_reply_to_user_id,referenced_tweets.id,referenced_tweets.id.author_id,"
    "entities.mentions.username"
)


def _iso(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


class Pages:
    """Renders one built :class:`~.world.World`."""

    def __init__(self, world: World) -> None:
        self.world = world
        # Mentions name accounts by handle; the includes need the account itself.
        self.by_handle = {a.handle: a for a in (*world.accounts.values(), *world.customers)}

    def user(self, acct: Account, when: datetime) -> dict:
        """The user object as the API showed it at ``when``."""
        followers, following, tweet_count = self.world.counts_at(acct, when)
        user: dict = {
            "id": acct.id,
            "username": acct.handle,
            "name": acct.name,
            "description": acct.description,
            "location": acct.location,
            "url": "",
            "profile_image_url": acct.profile_image_url,
            "created_at": _iso(acct.created_at),
            "protected": False,
            "verified": acct.verified_type != "none",
            "verified_type": acct.verified_type,
            "public_metrics": {
                "followers_count": followers,
                "following_count": following,
                "tweet_count": tweet_count,
                "listed_count": acct.listed,
            },
        }
        if not acct.location:
            del user["location"]
        entities: dict = {}
        if acct.website:
            short = "https://t.co/" + format(int(acct.id) % 16**10, "0>10x")
            user["url"] = short
            entities["url"] = {
                "urls": [
                    {
                        "start": 0,
                        "end": len(short),
                        "url": short,
                        "expanded_url": acct.website,
                        "display_url": acct.website.split("://", 1)[1],
                    }
                ]
            }
        tags = [
            {"start": m.start(), "end": m.end(), "tag": m.group()[1:]}
            for m in re.finditer(r"#[A-Za-z]\w*", acct.description)
        ]
        if tags:
            entities["description"] = {"hashtags": tags}
        if entities:
            user["entities"] = entities
        return user

    def tweet(self, tweet: Tweet) -> dict:
        """The tweet object with the fields ``_TWEET_FIELDS`` asks for."""
        obj: dict = {
            "id": tweet.id,
            "text": tweet.text,
            "author_id": tweet.author.id,
            "created_at": _iso(tweet.created_at),
            "conversation_id": (tweet.root or tweet).id,
            "lang": tweet.lang,
        }
        if tweet.replied_to is not None:
            obj["in_reply_to_user_id"] = tweet.replied_to.author.id
        refs = []
        if tweet.retweeted is not None:
            refs.append({"type": "retweeted", "id": tweet.retweeted.id})
        if tweet.quoted is not None:
            refs.append({"type": "quoted", "id": tweet.quoted.id})
        if tweet.replied_to is not None:
            refs.append({"type": "replied_to", "id": tweet.replied_to.id})
        if refs:
            obj["referenced_tweets"] = refs
        if tweet.entities:
            obj["entities"] = tweet.entities
        if tweet.retweeted is not None:
            source = tweet.retweeted
            obj["public_metrics"] = {
                "retweet_count": source.retweets + source.retweet_extra,
                "reply_count": 0,
                "like_count": 0,
                "quote_count": 0,
                "bookmark_count": 0,
                "impression_count": 0,
            }
        else:
            obj["public_metrics"] = {
                "retweet_count": tweet.retweets + tweet.retweet_extra,
                "reply_count": tweet.replies,
                "like_count": tweet.like_count,
                "quote_count": tweet.quotes,
                "bookmark_count": tweet.bookmark_count,
                "impression_count": tweet.impression_count,
            }
        obj["edit_history_tweet_ids"] = [tweet.id]
        obj["edit_controls"] = {
            "edits_remaining": 5,
            "is_edit_eligible": tweet.kind in ("original", "quote"),
            "editable_until": _iso(tweet.created_at + timedelta(hours=1)),
        }
        obj["possibly_sensitive"] = False
        obj["reply_settings"] = "everyone"
        return obj

    def page(self, tweets: list[Tweet], url: str, meta: dict) -> dict:
        """One page of ``tweets`` with the includes the expansions add: every author,
        replied-to or mentioned account, and the posts they refer to."""
        users: dict[str, Account] = {}
        included: dict[str, Tweet] = {}

        def add_user(acct: Account) -> None:
            users.setdefault(acct.id, acct)

        for tweet in tweets:
            add_user(tweet.author)
            if tweet.replied_to is not None:
                add_user(tweet.replied_to.author)
            for handle in tweet.mentioned:
                add_user(self.by_handle[handle])
            for ref in (tweet.retweeted, tweet.quoted, tweet.replied_to):
                if ref is not None:
                    included.setdefault(ref.id, ref)
                    add_user(ref.author)
        includes: dict = {"users": [self.user(u, self.world.anchor) for u in users.values()]}
        if included:
            includes["tweets"] = [self.tweet(t) for t in included.values()]
        return {
            "data": [self.tweet(t) for t in tweets],
            "includes": includes,
            "meta": meta,
            "__twarc": {
                "url": url,
                "version": TWARC_VERSION,
                "retrieved_at": self.world.anchor.isoformat(),
            },
        }

    def _token(self) -> str:
        """A pagination token shaped like X's: a fixed prefix and 28 random characters."""
        alphabet = string.ascii_lowercase + string.digits
        return "7140dibdnow9c7btw4" + "".join(self.world.rng.choice(alphabet) for _ in range(28))

    def paged(self, tweets: list[Tweet], endpoint: str) -> list[dict]:
        """``tweets`` as the timeline and mentions endpoints page them: newest first, up to
        100 a page, each page naming the next and the previous by token."""
        tweets = sorted(tweets, key=lambda t: int(t.id), reverse=True)
        query = {
            "expansions": _EXPANSIONS,
            "tweet.fields": _TWEET_FIELDS,
            "user.fields": _USER_FIELDS,
            "max_results": _PAGE_SIZE,
            "start_time": self.world.start.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "end_time": self.world.anchor.strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
        pages, previous = [], None
        chunks = [tweets[i : i + _PAGE_SIZE] for i in range(0, len(tweets), _PAGE_SIZE)]
        for n, chunk in enumerate(chunks):
            q = dict(query)
            if previous is not None:
                q["pagination_token"] = previous
            meta: dict = {
                "result_count": len(chunk),
                "newest_id": chunk[0].id,
                "oldest_id": chunk[-1].id,
            }
            if n + 1 < len(chunks):
                meta["next_token"] = self._token()
            if previous is not None:
                meta["previous_token"] = self._token()
            pages.append(self.page(chunk, f"{API_ROOT}/{endpoint}?{urlencode(q)}", meta))
            previous = meta.get("next_token")
        return pages

    def users_page(self, when: datetime) -> dict:
        """The audited profiles as a users lookup at ``when`` returns them (no ``meta``)."""
        audited = [self.world.accounts[h] for h in ACCOUNTS]
        query = {"ids": ",".join(a.id for a in audited), "user.fields": _USER_FIELDS}
        return {
            "data": [self.user(a, when) for a in audited],
            "__twarc": {
                "url": f"{API_ROOT}/users?{urlencode(query)}",
                "version": TWARC_VERSION,
                "retrieved_at": when.isoformat(),
            },
        }


def _write(path: Path, pages: list[dict]) -> Path:
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        for page in pages:
            fh.write(json.dumps(page) + "\n")
    return path


def write(world: World, out_dir: Path) -> list[Path]:
    """Write the world's pages into ``out_dir`` (made if missing) and return their paths,
    sorted: a users page per snapshot day, then each audited account's timeline and
    mentions. Keep that order: paging draws its tokens from the world's random stream."""
    pages = Pages(world)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for when in world.snapshot_times:
        written.append(_write(out_dir / f"users_{when:%Y-%m-%d}.jsonl", [pages.users_page(when)]))
    for handle in ACCOUNTS:
        acct = world.accounts[handle]
        written.append(
            _write(
                out_dir / f"timeline_{handle}.jsonl",
                pages.paged(acct.own, f"users/{acct.id}/tweets"),
            )
        )
        written.append(
            _write(
                out_dir / f"mentions_{handle}.jsonl",
                pages.paged(world.mentioning(acct), f"users/{acct.id}/mentions"),
            )
        )
    return sorted(written)
