"""The demo's simulation on Bluesky and Mastodon: each brand account of ``PRESENCES``
posts, customers of that network reply to its posts, it answers (or not) in the thread,
customers sometimes thank it, and it reposts (boosts) fans' posts about it; plus daily
follower and following counts. Plain data: ``render_bluesky`` and ``render_mastodon``
write it in each network's API format.

Each network has its own random stream, apart from the X world's, so adding or changing
an account here never changes a byte of the X files. A post's text is kept as pieces
(text, mention, link, hashtag) because the networks mark them up differently: Bluesky
with byte-offset facets over plain text, Mastodon with HTML."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from .cast import (
    BEHAVIOUR,
    BLUESKY,
    FIRST_NAMES,
    INTERESTS,
    LAST_NAMES,
    MASTODON,
    MASTODON_INSTANCES,
    NETWORK_CUSTOMER_COUNT,
    PRESENCES,
    Presence,
)
from .phrases import BRAND_SAYS, CUSTOMER_SAYS, ORIGINALS, WEBSITE_PATHS
from .voice import Voice
from .world import moment, poisson

# Customers joined after Bluesky opened its beta (spring 2023) or when the crowd moved
# to Mastodon (late 2022).
_EARLIEST_ACCOUNT = {
    BLUESKY: datetime(2023, 4, 20, tzinfo=UTC),
    MASTODON: datetime(2022, 11, 1, tzinfo=UTC),
}

#: (kind, value): ("text", str), ("mention", Member), ("link", url), ("tag", tag).
Piece = tuple[str, object]


@dataclass
class Member:
    """An account on the network: a brand (``presence``) or a customer."""

    handle: str  # bluesky: name.bsky.social; mastodon: user@instance
    name: str
    description: str
    created_at: datetime
    key: int  # a random number the renderers derive ids and avatar names from
    has_avatar: bool
    followers: list[int]  # per snapshot day (customers: one value)
    following: list[int]
    post_base: int
    presence: Presence | None = None
    own: list[Post] = field(default_factory=list)

    @property
    def website(self) -> str:
        return BEHAVIOUR[self.presence.x_handle].website if self.presence else ""


@dataclass
class Post:
    """A post, a reply or a repost (boost) on the network."""

    seq: int  # creation order: breaks ties in time and makes ids unique
    author: Member
    created_at: datetime  # with milliseconds, as both networks stamp posts
    pieces: list[Piece]
    lang: str
    kind: str  # original | reply | repost
    message_kind: str = ""  # a customer reply's: comment, question, complaint, thanks
    parent: Post | None = None
    root: Post | None = None  # a reply's thread start
    reposted: Post | None = None
    likes: int = 0
    reposts: int = 0
    replies: list[Post] = field(default_factory=list)


class Network:
    """One network's accounts and posts over the window."""

    def __init__(self, platform: str, seed: int, anchor: datetime, days: int) -> None:
        if days < 1:
            raise ValueError(f"days must be at least 1, got {days}")
        if anchor.tzinfo is None:
            anchor = anchor.replace(tzinfo=UTC)
        self.platform = platform
        self.anchor = anchor.astimezone(UTC)
        self.days = days
        self.start = self.anchor - timedelta(days=days)
        self.rng = random.Random(f"rapport-demo:{seed}:{platform}")
        self.seed = seed
        # the brands whose answers are each signed (``voice``), by handle
        self.voices: dict[str, Voice] = {}
        self.snapshot_times = [self.anchor - timedelta(days=days - 1 - k) for k in range(days)]
        self.brands: list[Member] = []
        self.customers: list[Member] = []
        self.posts: list[Post] = []

    # ---------------------------------------------------------------- accounts
    def build_accounts(self) -> None:
        rng = self.rng
        for p in (p for p in PRESENCES if p.platform == self.platform):
            followers, following = [p.followers], [p.following]
            for _ in range(1, self.days):
                followers.append(followers[-1] + rng.randint(*p.follower_gain))
                following.append(following[-1] + rng.choice((0, 0, 0, 1, 2)))
            self.brands.append(
                Member(
                    handle=p.handle,
                    name=p.name,
                    description=p.description,
                    created_at=datetime.fromisoformat(p.created_at.replace("Z", "+00:00")),
                    key=rng.getrandbits(128),
                    has_avatar=True,
                    followers=followers,
                    following=following,
                    post_base=p.post_base,
                    presence=p,
                )
            )
        taken = {b.handle for b in self.brands}
        while len(self.customers) < NETWORK_CUSTOMER_COUNT:
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            handle = self._handle(first, last)
            if handle in taken:
                continue
            taken.add(handle)
            lo = _EARLIEST_ACCOUNT[self.platform]
            hi = datetime(2026, 6, 1, tzinfo=UTC)
            created = lo + timedelta(seconds=int(rng.uniform(0, (hi - lo).total_seconds())))
            followers = int(rng.lognormvariate(4.0, 1.2))
            self.customers.append(
                Member(
                    handle=handle,
                    name=f"{first.title()} {last.title()}" if rng.random() < 0.7 else first.title(),
                    description="" if rng.random() < 0.25 else " | ".join(rng.sample(INTERESTS, 2)),
                    created_at=created,
                    key=rng.getrandbits(128),
                    has_avatar=rng.random() > 0.15,
                    followers=[followers],
                    following=[int(followers * rng.uniform(0.5, 2.0)) + rng.randint(10, 120)],
                    post_base=rng.randint(15, 4000),
                )
            )

    def _handle(self, first: str, last: str) -> str:
        rng = self.rng
        style = rng.randrange(4)
        name = (
            f"{first}{last}",
            f"{first}-{last}" if self.platform == BLUESKY else f"{first}_{last}",
            f"{first}{rng.randint(1, 99)}",
            f"{first[0]}{last}",
        )[style]
        if self.platform == BLUESKY:
            # Most people keep the handle Bluesky gives them; some use a domain of theirs.
            return f"{name}.bsky.social" if rng.random() < 0.85 else f"{first}.{last}.example"
        return f"{name}@{rng.choice(MASTODON_INSTANCES)}"

    # ---------------------------------------------------------------- posts
    def _pieces(
        self, template: str, brand: Member, customer: Member | None, in_thread: bool
    ) -> list[Piece]:
        """Template -> pieces. ``in_thread``: a reply on Bluesky does not start with the
        mention of whom it answers (the thread says it); Mastodon clients put it in."""
        if in_thread and self.platform == BLUESKY:
            template = re.sub(r"^(hey )?\{[bc]\} ", "", template)
            template = template[:1].upper() + template[1:]
        # The account an X answer introduces ({o}, cast.INTRODUCES) is on X only: the
        # sentence naming it is left out here.
        template = re.sub(r" [^.!?]*\{o\}[^.!?]*[.!?]", "", template)
        pieces: list[Piece] = []
        for part in re.split(r"(\{b\}|\{c\}|\{link\}|#[A-Za-z]\w*)", template):
            if not part:
                continue
            if part == "{b}":
                pieces.append(("mention", brand))
            elif part == "{c}":
                assert customer is not None
                pieces.append(("mention", customer))
            elif part == "{link}":
                path = self.rng.choice(WEBSITE_PATHS).format(n=self.rng.randint(100, 999))
                pieces.append(("link", brand.website + path))
            elif part.startswith("#"):
                pieces.append(("tag", part[1:]))
            else:
                pieces.append(("text", part))
        return pieces

    def _add(
        self, author: Member, when: datetime, pieces: list[Piece], lang: str, kind: str, **refs
    ) -> Post:
        rng = self.rng
        when = when.replace(microsecond=rng.randint(0, 999) * 1000)
        post = Post(len(self.posts), author, when, pieces, lang, kind, **refs)
        if kind == "original" and author.presence is not None:
            post.likes = int(author.followers[-1] * rng.uniform(0.004, 0.03))
            post.reposts = int(post.likes * rng.uniform(0.05, 0.3))
        elif kind != "repost":
            post.likes = rng.choice((0, 0, 0, 1, 1, 2, 3))
        if post.parent is not None:
            post.parent.replies.append(post)
        if post.reposted is not None:
            post.reposted.reposts += 1
        self.posts.append(post)
        author.own.append(post)
        return post

    def build_posts(self) -> None:
        for brand in self.brands:
            self._brand_activity(brand)

    def _brand_activity(self, brand: Member) -> None:
        rng, p = self.rng, brand.presence
        assert p is not None
        n = max(1, poisson(rng, p.originals_per_day * self.days))
        templates = ORIGINALS[p.x_handle]
        for t in sorted(moment(rng, self.start, self.anchor) for _ in range(n)):
            pieces = self._pieces(rng.choice(templates), brand, None, False)
            self._add(brand, t, pieces, "en", "original")
        # Customers reply to its posts: the inbound messages of these networks.
        inbound: list[Post] = []
        for post in list(brand.own):
            for _ in range(poisson(rng, p.replies_per_post)):
                t = post.created_at + timedelta(minutes=rng.uniform(2, 600))
                if t >= self.anchor:
                    continue
                kind = rng.choices(("comment", "question", "complaint"), (0.5, 0.3, 0.2))[0]
                lang, template = rng.choice(CUSTOMER_SAYS["coffee"][kind])
                customer = rng.choice(self.customers)
                pieces = self._pieces(template, brand, None, True)
                reply = self._add(customer, t, pieces, lang, "reply", parent=post, root=post)
                reply.message_kind = kind if lang == "en" else "es"
                inbound.append(reply)
        # Fans post about it; it reposts (boosts) those posts, and may answer them too.
        # Only the praise it reposts is made: no saved response would hold the rest.
        for _ in range(poisson(rng, p.reposts_per_day * self.days)):
            lang, template = rng.choice(CUSTOMER_SAYS["coffee"]["praise"])
            fan = rng.choice(self.customers)
            t = moment(rng, self.start, self.anchor)
            shared = t + timedelta(minutes=rng.uniform(5, 300))
            if shared >= self.anchor:
                continue
            praise = self._add(fan, t, self._pieces(template, brand, None, False), lang, "original")
            praise.message_kind = "praise" if lang == "en" else "es"
            self._add(brand, shared, [], lang, "repost", reposted=praise)
            inbound.append(praise)
        inbound.sort(key=lambda post: (post.created_at, post.seq))
        for message in inbound:
            self._answer(brand, message)

    def _answer(self, brand: Member, message: Post) -> None:
        rng, p = self.rng, brand.presence
        assert p is not None
        if rng.random() >= p.answer_rate:
            return
        weights = [w for w, _, _ in p.answer_delay_minutes]
        _, lo, hi = rng.choices(p.answer_delay_minutes, weights)[0]
        t = message.created_at + timedelta(minutes=rng.uniform(lo, hi))
        if t >= self.anchor:  # answers due after the anchor have not happened yet
            return
        says = BRAND_SAYS[p.x_handle]
        options = says.get(message.message_kind) or says.get("*") or says["question"]
        lang, template = rng.choice(options)
        pieces = self._pieces(template, brand, message.author, True)
        if BEHAVIOUR[p.x_handle].personal_replies:
            if brand.handle not in self.voices:
                stream = f"rapport-demo:{self.seed}:voice:{self.platform}:{brand.handle}"
                self.voices[brand.handle] = Voice(stream)
            pieces.append(("text", self.voices[brand.handle].sign(template)))
        root = message.root or message
        answer = self._add(brand, t, pieces, lang, "reply", parent=message, root=root)
        # Sometimes the customer thanks them, in the thread; only under the brand's own
        # posts, whose threads are saved (a thanks under a fan's post would be in none).
        if message.root is not None and rng.random() < 0.2:
            t2 = t + timedelta(minutes=rng.uniform(2, 240))
            if t2 < self.anchor:
                lang, template = rng.choice(CUSTOMER_SAYS["coffee"]["thanks"])
                pieces = self._pieces(template, brand, None, True)
                thanks = self._add(
                    message.author, t2, pieces, lang, "reply", parent=answer, root=message.root
                )
                thanks.message_kind = "thanks"

    # ---------------------------------------------------------------- queries
    def counts_at(self, member: Member, when: datetime, reposts_count: bool) -> tuple[int, ...]:
        """(followers, following, posts) as the profile showed them at ``when``. Bluesky
        counts posts and replies, Mastodon every status, boosts included."""
        if member.presence is None:
            return member.followers[0], member.following[0], member.post_base + len(member.own)
        day = max(0, min(self.days - 1, self.days - 1 - (self.anchor - when).days))
        posts = sum(
            1
            for post in member.own
            if post.created_at < when and (reposts_count or post.kind != "repost")
        )
        return member.followers[day], member.following[day], member.post_base + posts

    def last_post_before(self, member: Member, when: datetime) -> datetime | None:
        times = [post.created_at for post in member.own if post.created_at < when]
        return max(times) if times else None


def simulate(platform: str, seed: int, anchor: datetime, days: int) -> Network:
    """The network's world for ``seed``: accounts first, then each brand's posts."""
    network = Network(platform, seed, anchor, days)
    network.build_accounts()
    network.build_posts()
    return network
