"""The demo's follower samples (issue 17): who follows the audited accounts in
``AUDIENCES``, which of them are bought, and what a most-recent-first sample of them
reads each week. Plain data, like ``world`` and ``networks``; ``render_followers``
writes it as each network's follower-list responses with their sample files
(pipelines/canonical/followers.py).

Each audience is its own random stream (``rapport-demo:<seed>:followers:<platform>:
<handle>``), apart from the X and network worlds, so adding one changes nothing else.
A follower's numbers are drawn from ``shapes`` (measured on the labelled humans and
bought followers of ../shared/data/bot_detection); its handle, name, bio, city and
website are made up (websites on ``.example``). A bought follower is a ``fake`` draw
and a real one a ``human`` draw; exactly ``round(bought_share x followers listed)`` of
an audience's listed followers are bought, at random places in the list, so each
sample's share comes close to ``bought_share`` and :func:`truth` gives it exactly.

The follower list at the first sample holds ``requested`` followers; each later weekly
sample finds the audited account's follower gain of that week (from the X or network
world's daily counts) new at its head, read first, and stops at the first page that
reaches a follower the previous sample knew (``stopped_by`` known); the loader carries
the previous sample's others forward. Nobody unfollows, so every sample is the list's
``requested`` newest followers."""

from __future__ import annotations

import random
import string
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache

from . import networks, render_bluesky, render_mastodon, world
from .cast import (
    BLUESKY,
    BROADCASTER,
    CITIES,
    CONVERSATIONAL,
    DEFAULT_ANCHOR,
    DEFAULT_DAYS,
    DEFAULT_SEED,
    FIRST_NAMES,
    FOLLOW_FOR_FOLLOW,
    INTERESTS,
    LAST_NAMES,
    MASTODON,
    MASTODON_INSTANCES,
)
from .shapes import FAKE, HUMAN, Shape, draw

X = "x"
#: the earliest an account of each network can have been made (X opened in 2006).
EARLIEST = {
    X: datetime(2006, 7, 15, tzinfo=UTC),
    BLUESKY: datetime(2023, 4, 20, tzinfo=UTC),
    MASTODON: datetime(2016, 3, 16, tzinfo=UTC),
}
#: followers a page holds: Bluesky's and Mastodon's most (limit 100, 80); X serves up to
#: 1,000 (max_results), but pages of 100 keep a weekly read from paying for old followers.
PAGE_SIZE = {X: 100, BLUESKY: 100, MASTODON: 80}


@dataclass(frozen=True)
class Audience:
    """An audited account whose followers the demo samples."""

    platform: str  # x | bluesky | mastodon
    handle: str  # as audits.yaml names it
    bought_share: float  # of its listed followers, bought
    requested: int  # the sample size
    weeks: int  # weekly samples, the last at the world's anchor


# The clean audience and the one with bought followers are the two cases; the
# others give each network and the other client a sample.
AUDIENCES: tuple[Audience, ...] = (
    Audience(X, CONVERSATIONAL, 0.0, 500, 2),
    Audience(X, FOLLOW_FOR_FOLLOW, 0.35, 400, 2),
    Audience(X, BROADCASTER, 0.2, 400, 1),
    Audience(BLUESKY, "northwindcoffee.bsky.social", 0.05, 300, 1),
    Audience(MASTODON, "northwindcoffee@social.example", 0.0, 300, 1),
)

# What bought followers are made of: generic names and bios, handles with digits.
FAKE_FIRST = (
    "ana bella carla dani eva fabi gabi isa jessy kari lara luna maria nat paula rita "
    "sara tina vale yasmin adam alex bruno caio davi enzo felipe igor joao leo "
    "marcos nico pedro rafa tiago"
).split()
FAKE_BIOS = (
    "love my life",
    "music is my life",
    "follow back",
    "dreamer",
    "live laugh love",
    "god is good",
    "just me",
    "be happy",
    "fashion lover",
    "football",
)
FAKE_CITIES = ("Brasil", "Sao Paulo", "Jakarta", "Manila", "Lagos", "Istanbul", "USA", "London")


@dataclass
class Follower:
    """One follower, as its profile stands (it does not change from week to week)."""

    key: int  # a random number ids and avatar names derive from
    bought: bool
    shape: Shape
    first: str
    last: str
    handle: str
    name: str
    bio: str
    location: str
    website: str
    created_at: datetime
    id: str = ""  # as canonical.sampled_followers.follower_id holds it

    def member(self) -> networks.Member:
        """The follower as a Bluesky or Mastodon account, for their renderers."""
        s = self.shape
        return networks.Member(
            handle=self.handle,
            name=self.name,
            description=self.bio,
            created_at=self.created_at,
            key=self.key,
            has_avatar=not s.default_avatar,
            followers=[s.followers],
            following=[s.following],
            post_base=s.posts,
        )


@dataclass
class Sample:
    """One weekly sample of an audience: the pages' followers, and the whole sample."""

    audience: Audience
    account_id: str  # the audited account's, as canonical.accounts holds it
    sampled_at: datetime
    followers_total: int  # the audited account's follower count then
    incremental: bool  # only the followers newer than the previous sample's were read
    stopped_by: str
    pages: list[list[Follower]]  # as read, newest first
    followers: list[Follower]  # the sample as loaded: read, then carried forward


def sample_times(audience: Audience, anchor: datetime) -> list[datetime]:
    return [anchor - timedelta(days=7 * (audience.weeks - 1 - k)) for k in range(audience.weeks)]


class Audiences:
    """Every audience of the world for ``seed``; built once, see :func:`simulate`."""

    def __init__(self, seed: int, anchor: datetime, days: int) -> None:
        if anchor.tzinfo is None:
            anchor = anchor.replace(tzinfo=UTC)
        self.seed, self.anchor, self.days = seed, anchor.astimezone(UTC), days
        self.x_world = world.simulate(seed, anchor, days)
        self.networks = {p: networks.simulate(p, seed, anchor, days) for p in (BLUESKY, MASTODON)}

    def brand(self, audience: Audience) -> networks.Member:
        """The audited account on Bluesky or Mastodon."""
        network = self.networks[audience.platform]
        return next(b for b in network.brands if b.handle == audience.handle)

    def server(self, audience: Audience) -> render_mastodon.Server:
        """The Mastodon server that serves the audited account's followers: its own."""
        return render_mastodon.Server(self.networks[MASTODON], audience.handle.split("@")[1])

    def account_id(self, audience: Audience) -> str:
        if audience.platform == X:
            return self.x_world.accounts[audience.handle].id
        if audience.platform == BLUESKY:
            return render_bluesky.did_of(self.brand(audience))
        server = self.server(audience)
        return f"{server.instance}:{server.account_id(self.brand(audience))}"

    def followers_total(self, audience: Audience, when: datetime) -> int:
        if audience.platform == X:
            return self.x_world.counts_at(self.x_world.accounts[audience.handle], when)[0]
        network = self.networks[audience.platform]
        return network.counts_at(self.brand(audience), when, reposts_count=False)[0]

    def samples(self, audience: Audience) -> list[Sample]:
        rng = random.Random(
            f"rapport-demo:{self.seed}:followers:{audience.platform}:{audience.handle}"
        )
        times = sample_times(audience, self.anchor)
        totals = [self.followers_total(audience, t) for t in times]
        # sizes[0]: the list the first sample reads; sizes[k]: the followers week k gained
        sizes = [min(audience.requested, totals[0])]
        sizes += [max(0, totals[k] - totals[k - 1]) for k in range(1, len(times))]
        listed = sum(sizes)
        bought = set(rng.sample(range(listed), round(audience.bought_share * listed)))
        batches, taken, i = [], set(), 0
        for k, size in enumerate(sizes):
            batch = []
            for _ in range(size):
                batch.append(self._follower(rng, audience, i in bought, times[k], taken))
                i += 1
            batches.append(batch)
        out: list[Sample] = []
        shown: list[Follower] = []  # the follower list as it stands, newest first
        for k, when in enumerate(times):
            shown = batches[k] + shown
            known = {f.key for f in out[-1].followers} if out else set()
            pages, stop = read_pages(shown, audience.requested, PAGE_SIZE[audience.platform], known)
            sample = Sample(
                audience=audience,
                account_id=self.account_id(audience),
                sampled_at=when,
                followers_total=totals[k],
                incremental=bool(out),
                stopped_by=stop,
                pages=pages,
                followers=shown[: audience.requested],
            )
            out.append(sample)
        return out

    def _follower(
        self, rng: random.Random, audience: Audience, bought: bool, seen: datetime, taken: set
    ) -> Follower:
        platform = audience.platform
        shape = draw(rng, FAKE if bought else HUMAN)
        if bought:
            first, last = rng.choice(FAKE_FIRST), rng.choice(LAST_NAMES)
            name = f"{first.title()} {last.title()}" if rng.random() < 0.6 else first.title()
            bio = rng.choice(FAKE_BIOS)
            city = rng.choice(FAKE_CITIES)
        else:
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            name = f"{first.title()} {last.title()}" if rng.random() < 0.7 else first.title()
            bio = " | ".join(rng.sample(INTERESTS, rng.choice((1, 2, 2, 3))))
            city = rng.choice([c for c in CITIES if c])
        handle = self._handle(rng, platform, first, last, bought, taken)
        created = max(EARLIEST[platform], seen - timedelta(days=shape.age_days))
        created = created.replace(microsecond=0)
        website = f"https://{first}{last}{rng.randint(1, 99)}.example" if shape.has_url else ""
        follower = Follower(
            key=rng.getrandbits(128),
            bought=bought,
            shape=shape,
            first=first,
            last=last,
            handle=handle,
            name=name,
            bio="" if shape.empty_bio else bio,
            location=city if shape.has_location else "",
            website=website,
            created_at=created,
        )
        if platform == X:
            follower.id = world._user_id(created, rng)
        elif platform == BLUESKY:
            follower.id = render_bluesky.did_of(follower.member())
        else:
            server = self.server(audience)
            follower.id = f"{server.instance}:{server.account_id(follower.member())}"
        return follower

    def _handle(
        self, rng: random.Random, platform: str, first: str, last: str, bought: bool, taken: set
    ) -> str:
        for _ in range(50):
            if bought:  # vendors' accounts: a name and digits, or letters and digits
                name = rng.choice(
                    (
                        f"{first}{last}{rng.randint(100, 99999)}",
                        f"{first}_{rng.randint(1000, 999999)}",
                        "".join(rng.choice(string.ascii_lowercase) for _ in range(8))
                        + str(rng.randint(10, 99)),
                    )
                )
            else:
                name = rng.choice(
                    (
                        f"{first}{last}",
                        f"{first}_{last}",
                        f"{first}{rng.randint(1, 99)}",
                        f"{first[0]}{last}{rng.randint(70, 99)}",
                    )
                )
            if platform == X:
                handle = name[:15]
            elif platform == BLUESKY:
                handle = f"{name.replace('_', '-')}.bsky.social"
            else:
                handle = f"{name}@{rng.choice(MASTODON_INSTANCES)}"
            if handle.lower() not in taken:
                taken.add(handle.lower())
                return handle
        raise RuntimeError("no free handle")  # pragma: no cover


def read_pages(
    shown: list[Follower], requested: int, page_size: int, known: set[int]
) -> tuple[list[list[Follower]], str]:
    """The pages a most-recent-first sampler reads, and why it stopped: ``size`` (the
    sample is full), ``known`` (a page reached a follower the last sample had), ``end``."""
    pages: list[list[Follower]] = []
    read = 0
    while read < min(requested, len(shown)):
        page = shown[read : read + min(page_size, requested - read)]
        pages.append(page)
        read += len(page)
        if any(f.key in known for f in page):
            return pages, "known"
    return pages, "size" if read >= requested else "end"


@cache
def simulate(
    seed: int = DEFAULT_SEED, anchor: datetime = DEFAULT_ANCHOR, days: int = DEFAULT_DAYS
) -> tuple[Audiences, tuple[Sample, ...]]:
    """Every sample of every audience, in ``AUDIENCES`` order then by time (cached: the
    truth and the renderers share one build)."""
    audiences = Audiences(seed, anchor, days)
    return audiences, tuple(s for a in AUDIENCES for s in audiences.samples(a))


@dataclass(frozen=True)
class Truth:
    """What one sample holds, as generated."""

    account_id: str
    follower_ids: tuple[str, ...]  # position 0 = the most recent follower
    bought_ids: frozenset[str]

    @property
    def followers(self) -> int:
        return len(self.follower_ids)

    @property
    def bought(self) -> int:
        return len(self.bought_ids)


def truth(
    seed: int = DEFAULT_SEED, anchor: datetime = DEFAULT_ANCHOR, days: int = DEFAULT_DAYS
) -> dict[tuple[str, str, datetime], Truth]:
    """(platform, handle as audits.yaml names it, sampled_at) -> the sample's followers
    and the bought ones among them (follower ids as canonical.sampled_followers has
    them). Cheap: the worlds are built once per seed, no file is written."""
    _, samples = simulate(seed, anchor, days)
    return {
        (s.audience.platform, s.audience.handle, s.sampled_at): Truth(
            s.account_id,
            tuple(f.id for f in s.followers),
            frozenset(f.id for f in s.followers if f.bought),
        )
        for s in samples
    }
