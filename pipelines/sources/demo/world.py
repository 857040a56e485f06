"""The demo's simulation: who posts what and when, who replies to, retweets, quotes and
follows whom, over the window, as plain data (accounts, posts, daily follower counts,
ids). Nothing here knows what an X API page looks like; ``render`` does that.

A post's text and entities are made here, though, because composing them (picking a
link, shortening it) draws from the same random stream as everything else."""

from __future__ import annotations

import random
import re
import string
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from .cast import (
    ACCOUNTS,
    BEHAVIOUR,
    CITIES,
    COMPETITORS,
    CUSTOMER_COUNT,
    DEFAULT_AVATAR_URL,
    FIRST_CAST,
    FIRST_NAMES,
    GHOST,
    INTERESTS,
    INTRODUCES,
    LAST_NAMES,
    LATER_CAST,
    TRENDS,
    Behaviour,
)
from .phrases import APPROACHES, BRAND_SAYS, CUSTOMER_SAYS, ORIGINALS, QUOTES, WEBSITE_PATHS
from .voice import Voice

_TWITTER_EPOCH_MS = 1288834974657
_SNOWFLAKE_USERS_SINCE = datetime(2014, 1, 1, tzinfo=UTC)


@dataclass
class Account:
    """An audited account or a customer, with the posts it wrote (``own``)."""

    handle: str
    id: str
    name: str
    created_at: datetime
    description: str
    location: str
    profile_image_url: str
    website: str
    verified_type: str
    listed: int
    followers: list[int]  # per snapshot day (customers: one value)
    following: list[int]
    tweet_base: int
    topic: str = ""
    behaviour: Behaviour | None = None
    own: list[Tweet] = field(default_factory=list)


@dataclass
class Tweet:
    """One post and what it refers to; ``id`` is empty until :meth:`World.assign_ids`."""

    seq: int  # creation order, breaks ties in time
    author: Account
    created_at: datetime
    text: str
    entities: dict
    lang: str
    kind: str  # original | reply | retweet | quote
    message_kind: str = ""  # for customer posts: question, complaint, praise, ...
    replied_to: Tweet | None = None
    quoted: Tweet | None = None
    retweeted: Tweet | None = None
    root: Tweet | None = None  # the conversation's first post (None: itself)
    like_count: int = 0
    retweet_extra: int = 0
    impression_count: int = 0
    bookmark_count: int = 0
    ms: int = 0  # millisecond jitter inside created_at's second, for the id
    id: str = ""
    replies: int = 0
    quotes: int = 0
    retweets: int = 0

    @property
    def mentioned(self) -> list[str]:
        return [m["username"] for m in self.entities.get("mentions", [])]


def _snowflake(dt: datetime, jitter_ms: int, low: int) -> int:
    ms = int(dt.timestamp()) * 1000 + jitter_ms
    return ((ms - _TWITTER_EPOCH_MS) << 22) | (low & 0x3FFFFF)


def _user_id(created: datetime, rng: random.Random) -> str:
    """User ids were sequential (about 18M in 2009 to 2.3G by 2014), snowflakes since."""
    if created >= _SNOWFLAKE_USERS_SINCE:
        return str(_snowflake(created, rng.randint(0, 999), rng.getrandbits(22)))
    lo, hi = datetime(2009, 1, 1, tzinfo=UTC), _SNOWFLAKE_USERS_SINCE
    share = max(0.0, (created - lo) / (hi - lo))
    return str(18_000_000 + int(share * 2_280_000_000) + rng.randint(0, 99_999))


def moment(rng: random.Random, lo: datetime, hi: datetime, daytime: bool = True) -> datetime:
    """A moment in [lo, hi), mostly in North American waking hours when daytime."""
    span = (hi - lo).total_seconds()
    for _ in range(20):
        t = lo + timedelta(seconds=rng.uniform(0, span))
        hour = t.hour  # UTC; 14-06 UTC is 7am-11pm Pacific
        if not daytime or 14 <= hour or hour < 6 or rng.random() < 0.15:
            return t.replace(microsecond=0)
    return t.replace(microsecond=0)


def poisson(rng: random.Random, mean: float) -> int:
    """A Poisson draw (Knuth), deterministic through ``rng``."""
    if mean <= 0:
        return 0
    if mean > 30:  # normal approximation keeps exp() from underflowing
        return max(0, round(rng.gauss(mean, mean**0.5)))
    limit, k, p = pow(2.718281828459045, -mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


class World:
    """The accounts and every post of the window, built in a fixed order from one seeded
    random stream (see :func:`simulate`)."""

    def __init__(self, seed: int, anchor: datetime, days: int) -> None:
        if days < 1:
            raise ValueError(f"days must be at least 1, got {days}")
        if anchor.tzinfo is None:
            anchor = anchor.replace(tzinfo=UTC)
        self.anchor = anchor.astimezone(UTC)
        self.days = days
        self.start = self.anchor - timedelta(days=days)
        self.seed = seed
        # One stream for the whole demo, rendering included (it draws the pagination
        # tokens from it once the world is built): the order of the draws is the output.
        self.rng = random.Random(f"rapport-demo:{seed}")
        self.tweets: list[Tweet] = []
        self.accounts: dict[str, Account] = {}
        self.customers: list[Account] = []
        self.snapshot_times = [self.anchor - timedelta(days=days - 1 - k) for k in range(days)]
        self.voices: dict[str, Voice] = {}
        # posts with seq >= this belong to the later cast (numbered apart in assign_ids)
        self.later_from: int | None = None

    # ---------------------------------------------------------------- helpers
    def _when(self, lo: datetime, hi: datetime, daytime: bool = True) -> datetime:
        return moment(self.rng, lo, hi, daytime)

    def _count(self, mean: float) -> int:
        return poisson(self.rng, mean)

    def _tco(self) -> str:
        alphabet = string.ascii_letters + string.digits
        return "https://t.co/" + "".join(self.rng.choice(alphabet) for _ in range(10))

    def _link(self, account: Account) -> str:
        path = self.rng.choice(WEBSITE_PATHS).format(n=self.rng.randint(100, 999))
        return account.website + path

    def _compose(
        self,
        template: str,
        brand: Account | None = None,
        other: Account | None = None,
        customer: Account | None = None,
        link_of: Account | None = None,
    ) -> tuple[str, dict]:
        """Template -> (text, entities) with X's offsets (code points, end exclusive)."""
        text = ""
        mentions: list[dict] = []
        hashtags: list[dict] = []
        urls: list[dict] = []
        for piece in re.split(r"(\{b\}|\{o\}|\{c\}|\{link\}|#[A-Za-z]\w*)", template):
            if not piece:
                continue
            start = len(text)
            who = {"{b}": brand, "{o}": other, "{c}": customer}.get(piece)
            if who is not None:
                text += "@" + who.handle
                mentions.append(
                    {"start": start, "end": len(text), "username": who.handle, "id": who.id}
                )
            elif piece == "{link}":
                site = link_of or brand
                assert site is not None and site.website
                expanded = self._link(site)
                short = self._tco()
                text += short
                display = expanded.split("://", 1)[1]
                if len(display) > 26:
                    display = display[:26] + "\u2026"
                urls.append(
                    {
                        "start": start,
                        "end": len(text),
                        "url": short,
                        "expanded_url": expanded,
                        "display_url": display,
                    }
                )
            elif piece.startswith("#"):
                text += piece
                hashtags.append({"start": start, "end": len(text), "tag": piece[1:]})
            else:
                text += piece
        entities: dict = {}
        if mentions:
            entities["mentions"] = mentions
        if hashtags:
            entities["hashtags"] = hashtags
        if urls:
            entities["urls"] = urls
        return text, entities

    def _add(
        self,
        author: Account,
        created_at: datetime,
        text: str,
        entities: dict,
        lang: str,
        kind: str,
        **refs,
    ) -> Tweet:
        rng = self.rng
        tweet = Tweet(
            seq=len(self.tweets),
            author=author,
            created_at=created_at,
            text=text,
            entities=entities,
            lang=lang,
            kind=kind,
            ms=rng.randint(0, 999),
            **refs,
        )
        followers = author.followers[-1]
        if kind == "retweet":
            pass  # a retweet's counts are its original's
        elif author.behaviour is not None and kind in ("original", "quote"):
            tweet.like_count = int(followers * rng.uniform(0.0008, 0.006))
            tweet.retweet_extra = int(tweet.like_count * rng.uniform(0.05, 0.25))
            tweet.impression_count = int(followers * rng.uniform(0.08, 0.4)) + tweet.like_count
            tweet.bookmark_count = int(tweet.like_count * rng.uniform(0.0, 0.1))
        else:
            tweet.like_count = rng.choice((0, 0, 0, 1, 1, 2, 3, 5))
            tweet.impression_count = rng.randint(8, 60) + int(followers * rng.uniform(0, 0.2))
        if refs.get("replied_to") is not None:
            refs["replied_to"].replies += 1
        if refs.get("quoted") is not None:
            refs["quoted"].quotes += 1
        if refs.get("retweeted") is not None:
            refs["retweeted"].retweets += 1
        self.tweets.append(tweet)
        author.own.append(tweet)
        return tweet

    # ---------------------------------------------------------------- accounts
    def _brand_account(self, handle: str) -> None:
        rng = self.rng
        b = BEHAVIOUR[handle]
        created = datetime.fromisoformat(b.created_at.replace("Z", "+00:00"))
        followers, following = self._drift(ACCOUNTS[handle], b)
        self.accounts[handle] = Account(
            handle=handle,
            id=_user_id(created, rng),
            name=b.name,
            created_at=created,
            description=b.description,
            location=b.location,
            profile_image_url=(
                DEFAULT_AVATAR_URL
                if ACCOUNTS[handle] == "ghost"
                else f"https://pbs.twimg.com/profile_images/{rng.getrandbits(60)}/"
                f"{handle.lower()}_logo_normal.png"
            ),
            website=b.website,
            verified_type=b.verified_type,
            listed=b.listed,
            followers=followers,
            following=following,
            tweet_base=b.tweet_base,
            topic=b.topic,
            behaviour=b,
        )

    def build_accounts(self) -> None:
        rng = self.rng
        for handle in FIRST_CAST:
            self._brand_account(handle)
        taken = {h.lower() for h in BEHAVIOUR}
        while len(self.customers) < CUSTOMER_COUNT:
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            style = rng.randrange(6)
            if style == 0:
                handle = f"{first}{last}"
            elif style == 1:
                handle = f"{first}_{last}"
            elif style == 2:
                handle = f"{first}{rng.randint(1, 99):02d}"
            elif style == 3:
                handle = f"{first[0]}{last}{rng.randint(70, 99)}"
            elif style == 4:  # X's suggested handle: Name + 8 digits
                handle = f"{first.title()}{rng.randint(10**7, 10**8 - 1)}"
            else:
                handle = f"{last}_{first}_"
            handle = handle[:15]
            if handle.lower() in taken:
                continue
            taken.add(handle.lower())
            lo, hi = datetime(2009, 1, 1, tzinfo=UTC), datetime(2025, 6, 1, tzinfo=UTC)
            created = lo + timedelta(seconds=int(rng.uniform(0, (hi - lo).total_seconds())))
            user_id = _user_id(created, rng)
            followers = int(rng.lognormvariate(5.0, 1.3))
            topic = rng.choice(("coffee", "coffee", "tech", "tech", "both"))
            bio_bits = rng.sample(INTERESTS, 2)
            self.customers.append(
                Account(
                    handle=handle,
                    id=user_id,
                    name=f"{first.title()} {last.title()}" if rng.random() < 0.7 else first.title(),
                    created_at=created,
                    description="" if rng.random() < 0.2 else " | ".join(bio_bits),
                    location=rng.choice(CITIES),
                    profile_image_url=DEFAULT_AVATAR_URL
                    if rng.random() < 0.12
                    else f"https://pbs.twimg.com/profile_images/{rng.getrandbits(60)}/"
                    f"{''.join(rng.choice(string.ascii_letters) for _ in range(8))}_normal.jpg",
                    website="",
                    verified_type="blue" if rng.random() < 0.06 else "none",
                    listed=rng.randint(0, 4),
                    followers=[followers],
                    following=[int(followers * rng.uniform(0.4, 2.5)) + rng.randint(20, 200)],
                    tweet_base=rng.randint(40, 25000),
                    topic=topic,
                )
            )

    def _drift(self, archetype: str, b: Behaviour) -> tuple[list[int], list[int]]:
        """Daily follower and following counts, one per snapshot day."""
        rng = self.rng
        fol, ing = b.followers, b.following
        followers, following = [], []
        spree_echo = 0
        for day in range(self.days):
            if day:
                if archetype == "conversational":  # steady growth, follows back some
                    fol += rng.randint(22, 48)
                    ing += rng.randint(1, 6)
                elif archetype == "follow_for_follow":  # follow sprees, then unfollows
                    if rng.random() < 0.25:
                        ing += rng.randint(180, 340)
                        spree_echo = rng.randint(8, 26)
                    else:
                        ing -= rng.randint(0, 90)
                    fol += spree_echo + rng.randint(-5, 2)
                    spree_echo = 0
                    ing = max(ing, 12 * fol + rng.randint(0, 200))
                elif archetype == "moderately_responsive":
                    fol += rng.randint(4, 15)
                    ing += rng.choice((0, 0, 1))
                elif archetype == "broadcaster":  # flat
                    fol += rng.randint(-3, 3)
                elif archetype == "slow_responder":  # slowly losing people
                    fol += rng.randint(-6, 2)
                elif archetype == "pitcher":  # one spree, unfollowed four days later
                    fol += rng.randint(0, 6)
                    if day == self.days // 3:
                        ing += ing // 4
                    elif day == self.days // 3 + 4:
                        ing -= ing // 5
                    else:
                        ing += rng.randint(0, 3)
                elif archetype == "ghost" and rng.random() < 0.05:
                    fol += 1
            followers.append(fol)
            following.append(ing)
        return followers, following

    # ---------------------------------------------------------------- posts
    def build_posts(self) -> None:
        rng = self.rng
        audited = [self.accounts[h] for h in FIRST_CAST]
        # 1. The audited accounts' own announcements.
        for acct in audited:
            self._originals(acct)

        # 2. Customers write to them: mentions out of the blue, replies to their posts,
        #    and posts comparing a brand with its competitor.
        inbound: list[Tweet] = []
        for acct in audited:
            inbound += self._inbound(acct)
        for competitor, brand_handle in COMPETITORS.items():
            pair = [self.accounts[brand_handle], self.accounts[competitor]]
            for _ in range(max(1, self._count(0.25 * self.days))):
                first, second = rng.sample(pair, 2)
                lang, template = rng.choice(CUSTOMER_SAYS[first.topic]["compare"])
                inbound.append(
                    self._customer_post(
                        first,
                        second,
                        "compare",
                        template,
                        lang,
                        self._when(self.start, self.anchor),
                    )
                )

        # 3. The audited accounts answer (or not), retweet and quote; customers sometimes
        #    thank them for an answer.
        self._answer_all(inbound)

    def add_later_cast(self) -> None:
        """The etiquette brands (``LATER_CAST``): their accounts, posts, the messages
        customers send them and their answers, from a random stream of their own, so the
        first cast's world (and every id in it) is what it was before they came."""
        main, self.rng = self.rng, random.Random(f"rapport-demo:{self.seed}:later-cast")
        self.later_from = len(self.tweets)
        try:
            for handle in LATER_CAST:
                self._brand_account(handle)
            later = [self.accounts[h] for h in LATER_CAST]
            for acct in later:
                self._originals(acct)
            inbound: list[Tweet] = []
            for acct in later:
                inbound += self._inbound(acct)
            for acct in later:
                self._approach(acct)
            self._answer_all(inbound)
        finally:
            self.rng = main

    def _answer_all(self, inbound: list[Tweet]) -> None:
        inbound.sort(key=lambda t: (t.created_at, t.seq))
        for message in inbound:
            targets = [self.accounts[h] for h in message.mentioned if h in self.accounts]
            for acct in targets:
                self._respond(acct, message)

    def _originals(self, acct: Account) -> None:
        rng = self.rng
        b = acct.behaviour
        assert b is not None
        if b.fixed_originals is not None:
            n = b.fixed_originals
            times = [
                self._when(
                    self.start + (self.anchor - self.start) * i / n,
                    self.start + (self.anchor - self.start) * (i + 1) / n,
                )
                for i in range(n)
            ]
        else:
            n = max(1, self._count(b.originals_per_day * self.days))
            times = [self._when(self.start, self.anchor) for _ in range(n)]
        if b.scheduled:  # a scheduling tool posts on the hour, one post per slot
            slots: set[datetime] = set()
            for i, t in enumerate(times):
                slot = t.replace(minute=0, second=0)
                while slot in slots and slot - timedelta(hours=1) >= self.start:
                    slot -= timedelta(hours=1)
                if slot >= self.start and slot not in slots:
                    slots.add(slot)
                    times[i] = slot + timedelta(seconds=rng.randint(0, 3))
        templates = ORIGINALS[acct.handle]
        for i, t in enumerate(sorted(times)):
            template = templates[i % len(templates)] if b.fixed_originals else rng.choice(templates)
            template = template.replace("{trend}", TRENDS[t.toordinal() % len(TRENDS)])
            text, entities = self._compose(template, link_of=acct)
            self._add(acct, t, text, entities, "en", "original")

    def _inbound(self, acct: Account) -> list[Tweet]:
        """Customers' mentions of ``acct`` out of the blue and their replies to its posts."""
        rng = self.rng
        b = acct.behaviour
        assert b is not None
        inbound: list[Tweet] = []
        n = (
            b.fixed_mentions
            if b.fixed_mentions is not None
            else max(1, self._count(b.mentions_per_day * self.days))
        )
        for _ in range(n):
            kind = rng.choices(("question", "complaint", "praise"), (0.45, 0.3, 0.25))[0]
            if acct.handle == GHOST:
                template, lang = "{b} is this account still active?", "en"
            else:
                lang, template = rng.choice(CUSTOMER_SAYS[acct.topic][kind])
            inbound.append(
                self._customer_post(
                    acct, None, kind, template, lang, self._when(self.start, self.anchor)
                )
            )
        comments: list[tuple[Tweet, datetime]] = []
        for post in list(acct.own):
            for _ in range(self._count(b.replies_per_post)):
                t = post.created_at + timedelta(minutes=rng.uniform(2, 600))
                if t < self.anchor:
                    comments.append((post, t))
        if not comments and b.replies_per_post > 0:  # someone always answers back
            post = acct.own[0]
            room = (self.anchor - post.created_at).total_seconds() / 60
            comments.append((post, post.created_at + timedelta(minutes=min(room, 60) / 2)))
        for post, t in comments:
            lang, template = rng.choice(CUSTOMER_SAYS[acct.topic]["comment"])
            inbound.append(
                self._customer_post(
                    acct,
                    None,
                    "comment",
                    template,
                    lang,
                    t.replace(microsecond=0),
                    replied_to=post,
                )
            )
        return inbound

    def _approach(self, acct: Account) -> None:
        """Unprompted posts to customers who never wrote to ``acct``: each its first
        contact with that customer."""
        b = acct.behaviour
        assert b is not None
        if not b.approaches_per_day:
            return
        wrote = {t.author.handle for t in self.tweets if acct.handle in t.mentioned}
        strangers = [c for c in self.customers if c.handle not in wrote]
        self.rng.shuffle(strangers)
        for customer in strangers[: self._count(b.approaches_per_day * self.days)]:
            lang, template = self.rng.choice(APPROACHES[acct.handle])
            text, entities = self._compose(template, customer=customer, link_of=acct)
            self._add(acct, self._when(self.start, self.anchor), text, entities, lang, "original")

    def _customer_post(
        self,
        brand: Account,
        other: Account | None,
        kind: str,
        template: str,
        lang: str,
        when: datetime,
        replied_to: Tweet | None = None,
    ) -> Tweet:
        rng = self.rng
        topics = (brand.topic, "both")
        pool = [c for c in self.customers if c.topic in topics]
        customer = rng.choice(pool)
        if kind in ("question", "complaint") and "#" not in template and rng.random() < 0.12:
            template += rng.choice((" #help", " #CustomerService"))
        text, entities = self._compose(template, brand=brand, other=other)
        refs: dict = {}
        if replied_to is not None:
            refs = {"replied_to": replied_to, "root": replied_to.root or replied_to}
        tweet = self._add(
            customer,
            when,
            text,
            entities,
            lang,
            "original" if replied_to is None else "reply",
            **refs,
        )
        tweet.message_kind = kind if lang == "en" else "es"
        return tweet

    def _respond(self, acct: Account, message: Tweet) -> None:
        rng = self.rng
        b = acct.behaviour
        assert b is not None
        says = BRAND_SAYS.get(acct.handle)
        if says and rng.random() < b.answer_rate:
            weights = [w for w, _, _ in b.answer_delay_minutes]
            _, lo, hi = rng.choices(b.answer_delay_minutes, weights)[0]
            t = (message.created_at + timedelta(minutes=rng.uniform(lo, hi))).replace(microsecond=0)
            if t < self.anchor:  # answers due after the anchor have not happened yet
                kind = message.message_kind
                options = says.get(kind) or says.get("*") or says["question"]
                lang, template = rng.choice(options)
                text, entities = self._compose(
                    template,
                    customer=message.author,
                    other=self.accounts.get(INTRODUCES.get(acct.handle, "")),
                    link_of=acct,
                )
                if b.personal_replies:
                    text += self._voice(acct).sign(template)
                answer = self._add(
                    acct,
                    t,
                    text,
                    entities,
                    lang,
                    "reply",
                    replied_to=message,
                    root=message.root or message,
                )
                # Sometimes the customer thanks them, in the same thread.
                if message.author.behaviour is None and rng.random() < 0.2:
                    t2 = t + timedelta(minutes=rng.uniform(2, 240))
                    if t2 < self.anchor:
                        lang, template = rng.choice(CUSTOMER_SAYS[acct.topic]["thanks"])
                        text, entities = self._compose(template, brand=acct)
                        thanks = self._add(
                            message.author,
                            t2.replace(microsecond=0),
                            text,
                            entities,
                            lang,
                            "reply",
                            replied_to=answer,
                            root=answer.root,
                        )
                        thanks.message_kind = "thanks"
        if message.message_kind == "praise" and message.replied_to is None:
            if rng.random() < b.retweet_rate:
                t = message.created_at + timedelta(minutes=rng.uniform(5, 300))
                if t < self.anchor:
                    self._retweet(acct, message, t.replace(microsecond=0))
            elif rng.random() < b.quote_rate:
                t = message.created_at + timedelta(minutes=rng.uniform(10, 400))
                if t < self.anchor:
                    text, entities = self._compose(rng.choice(QUOTES))
                    self._add(
                        acct,
                        t.replace(microsecond=0),
                        text,
                        entities,
                        "en",
                        "quote",
                        quoted=message,
                    )

    def _voice(self, acct: Account) -> Voice:
        if acct.handle not in self.voices:
            self.voices[acct.handle] = Voice(f"rapport-demo:{self.seed}:voice:x:{acct.handle}")
        return self.voices[acct.handle]

    def _retweet(self, acct: Account, original: Tweet, when: datetime) -> None:
        """'RT @author: text', cut at 140 characters as X does, keeping the entities that
        still fit, shifted, plus the mention of the original's author."""
        prefix = f"RT @{original.author.handle}: "
        body = original.text
        if len(prefix) + len(body) > 140:
            body = body[: 139 - len(prefix)] + "\u2026"
        text = prefix + body
        shift = len(prefix)
        entities: dict = {
            "mentions": [
                {
                    "start": 3,
                    "end": 4 + len(original.author.handle),
                    "username": original.author.handle,
                    "id": original.author.id,
                }
            ]
        }
        for key, items in original.entities.items():
            for item in items:
                if item["end"] + shift <= len(text) - (1 if text.endswith("\u2026") else 0):
                    moved = dict(item, start=item["start"] + shift, end=item["end"] + shift)
                    entities.setdefault(key, []).append(moved)
        self._add(acct, when, text, entities, original.lang, "retweet", retweeted=original)

    # ---------------------------------------------------------------- ids
    def assign_ids(self) -> None:
        """Snowflake ids in time order: (ms since X's epoch) << 22 | a per-post sequence."""
        # The later cast's posts are numbered on their own, after the first cast's, so
        # that adding them changed no earlier post's id.
        later_from = len(self.tweets) if self.later_from is None else self.later_from
        seen: set[str] = set()
        n = 0
        for part in (self.tweets[:later_from], self.tweets[later_from:]):
            for tweet in sorted(part, key=lambda t: (t.created_at, t.seq)):
                tweet.id = str(_snowflake(tweet.created_at, tweet.ms, (n * 2654435761) >> 10))
                assert tweet.id not in seen
                seen.add(tweet.id)
                n += 1

    # ---------------------------------------------------------------- queries
    def counts_at(self, acct: Account, when: datetime) -> tuple[int, int, int]:
        """(followers, following, posts) as the account's profile showed them at ``when``:
        audited accounts from that day's snapshot, customers as they are (one value)."""
        if acct.behaviour is not None:
            day = max(0, min(self.days - 1, self.days - 1 - (self.anchor - when).days))
            followers, following = acct.followers[day], acct.following[day]
            tweet_count = acct.tweet_base + sum(1 for t in acct.own if t.created_at < when)
        else:
            followers, following = acct.followers[0], acct.following[0]
            tweet_count = acct.tweet_base + len(acct.own)
        return followers, following, tweet_count

    def mentioning(self, acct: Account) -> list[Tweet]:
        """Other accounts' posts that mention ``acct``, in creation order."""
        return [t for t in self.tweets if t.author is not acct and acct.handle in t.mentioned]


def simulate(seed: int, anchor: datetime, days: int) -> World:
    """The world for ``seed``: accounts, then posts, then the later cast, then ids. The
    order is fixed: posts draw from the random stream where the accounts left it, and ids
    go in time order once every post exists."""
    world = World(seed, anchor, days)
    world.build_accounts()
    world.build_posts()
    world.add_later_cast()
    world.assign_ids()
    return world
