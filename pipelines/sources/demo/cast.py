"""The demo's cast: the eight audited X accounts (their handles, clients, archetypes and the
numbers that make each behave as its archetype), the same brands' accounts on Bluesky and
Mastodon (``PRESENCES``), the customers' makeup, and the world's defaults. Data only;
what they say is in ``phrases``, what they do in ``world`` (X) and ``networks`` (the
others)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

DEFAULT_SEED = 7
DEFAULT_ANCHOR = datetime(2026, 11, 16, 6, tzinfo=UTC)
DEFAULT_DAYS = 28
DEFAULT_AVATAR_URL = (
    "https://abs.twimg.com/sticky/default_profile_images/default_profile_normal.png"
)

CONVERSATIONAL = "NorthwindCoffee"
FOLLOW_FOR_FOLLOW = "NorthwindDeals"
MODERATELY_RESPONSIVE = "BeanBarnCafe"
BROADCASTER = "AcmeCo"
GHOST = "AcmeLabs"
SLOW_RESPONDER = "RivalCo"
PITCHER = "GlobexGear"
AUTO_REPLIER = "GlobexHelp"

#: client -> the X handles audits.yaml lists for it, by role (the other networks'
#: accounts are in ``PRESENCES``).
CLIENTS: dict[str, dict[str, tuple[str, ...]]] = {
    "northwind": {
        "brands": (CONVERSATIONAL, FOLLOW_FOR_FOLLOW),
        "competitors": (MODERATELY_RESPONSIVE,),
    },
    "acme": {
        "brands": (BROADCASTER, GHOST),
        "competitors": (SLOW_RESPONDER,),
    },
    "globex": {
        "brands": (PITCHER, AUTO_REPLIER),
        "competitors": (),
    },
}

#: audited handle -> the behaviour the demo gives it (what the audit should find).
ACCOUNTS: dict[str, str] = {
    CONVERSATIONAL: "conversational",
    FOLLOW_FOR_FOLLOW: "follow_for_follow",
    MODERATELY_RESPONSIVE: "moderately_responsive",
    BROADCASTER: "broadcaster",
    GHOST: "ghost",
    SLOW_RESPONDER: "slow_responder",
    PITCHER: "pitcher",
    AUTO_REPLIER: "auto_replier",
}

#: The accounts the world's main random stream simulates, in its order. The etiquette
#: brands (``LATER_CAST``) came later and draw from a stream of their own
#: (``world.World.add_later_cast``), so adding them moved no earlier account, post or id.
FIRST_CAST: tuple[str, ...] = (
    CONVERSATIONAL,
    FOLLOW_FOR_FOLLOW,
    MODERATELY_RESPONSIVE,
    BROADCASTER,
    GHOST,
    SLOW_RESPONDER,
)
LATER_CAST: tuple[str, ...] = (PITCHER, AUTO_REPLIER)

# The account a brand points customers to in some answers ({o} in its templates): an
# introduction, a reply that connects the customer to a third account.
INTRODUCES: dict[str, str] = {CONVERSATIONAL: FOLLOW_FOR_FOLLOW}

# Trending hashtags the pitcher tacks onto some posts ({trend} in its templates), one
# per calendar day: tags nobody in the demo talks in, so its posts there go unanswered
# more often than not (trend-jacking: broadcasting into a hashtag).
TRENDS: tuple[str, ...] = (
    "#MondayMotivation",
    "#TechTuesday",
    "#WellnessWednesday",
    "#ThrowbackThursday",
    "#FridayFeeling",
    "#SaturdayVibes",
    "#SundayFunday",
    "#NationalSandwichDay",
    "#WorldKindnessDay",
    "#GivingTuesday",
    "#BlackFriday",
    "#CyberMonday",
    "#SmallBusinessSaturday",
    "#NationalCookieDay",
    "#WorldSmileDay",
    "#TBT",
    "#WinItWednesday",
    "#FlashbackFriday",
    "#MotivationMonday",
    "#TipTuesday",
    "#Trending",
    "#Viral",
    "#FYP",
    "#Explore",
    "#InstaGood",
    "#TechNews",
    "#Innovation",
    "#Startup",
    "#LifeHacks",
    "#HomeGoals",
)

ARCHETYPES: dict[str, str] = {
    "conversational": "answers most inbound messages within minutes to a few hours; replies "
    "are a large share of its posts; retweets and quotes customers; balanced follow ratio",
    "follow_for_follow": "follows ten or more times as many accounts as follow it, growing "
    "its following in sprees; posts deals, rarely answers",
    "moderately_responsive": "answers about half of its messages, one to ten hours later",
    "broadcaster": "announcements only: never replies, retweets or mentions anyone, though "
    "customers mention it and reply to it",
    "ghost": "empty bio, default avatar, fewer than 20 posts ever, a dozen followers",
    "slow_responder": "answers about a third of its messages, usually a day or more later",
    "pitcher": "its first words to a stranger are a sales pitch (a link, a discount code) or "
    "a request to retweet, follow or review it; follows a quarter more accounts in one "
    "spree and drops most of them four days later",
    "auto_replier": "answers every message within minutes, with the same text every time: "
    "the public auto-DM",
}

AUDITED_HANDLES: tuple[str, ...] = tuple(ACCOUNTS)
COMPETITORS: dict[str, str] = {  # competitor -> the client brand it competes with
    MODERATELY_RESPONSIVE: CONVERSATIONAL,
    SLOW_RESPONDER: BROADCASTER,
}
CUSTOMER_COUNT = 48


@dataclass(frozen=True)
class Behaviour:
    """How one audited account acts over the window."""

    name: str
    description: str
    location: str
    website: str
    created_at: str
    verified_type: str  # business | blue | none
    topic: str  # coffee | tech: which customer messages reach it
    originals_per_day: float
    mentions_per_day: float  # customer posts that mention it out of the blue
    replies_per_post: float  # customer replies to each of its originals
    answer_rate: float  # share of customer messages it replies to
    answer_delay_minutes: tuple[tuple[float, int, int], ...]  # (weight, lo, hi)
    retweet_rate: float  # share of praise it retweets
    quote_rate: float  # share of praise it quotes
    followers: int  # on the first snapshot day
    following: int
    tweet_base: int  # posts before the window
    listed: int
    scheduled: bool = False  # posts on the hour, as a scheduling tool does
    fixed_originals: int | None = None  # a fixed number of posts, whatever the window
    fixed_mentions: int | None = None
    # answers written one by one: each closed and signed differently (``voice``)
    personal_replies: bool = False
    # unprompted posts to customers who never wrote to it (``APPROACHES``)
    approaches_per_day: float = 0.0


# The profile and the rates of each audited account. The order matters: accounts are
# built in this order from the world's one random stream, so reordering changes every id.
BEHAVIOUR: dict[str, Behaviour] = {
    CONVERSATIONAL: Behaviour(
        name="Northwind Coffee",
        description="Small-batch roasters since 2009. Ask us anything, we answer "
        "7am-11pm PT. Cafes in Portland, Seattle & Boise.",
        location="Portland, OR",
        website="https://northwindcoffee.example",
        created_at="2011-03-14T16:20:05.000Z",
        verified_type="business",
        topic="coffee",
        personal_replies=True,
        originals_per_day=1.6,
        mentions_per_day=3.0,
        replies_per_post=1.2,
        answer_rate=0.88,
        answer_delay_minutes=((0.55, 3, 45), (0.35, 45, 180), (0.10, 180, 360)),
        retweet_rate=0.45,
        quote_rate=0.3,
        followers=8240,
        following=2870,
        tweet_base=11840,
        listed=96,
    ),
    FOLLOW_FOR_FOLLOW: Behaviour(
        name="Northwind Deals",
        description="Daily coffee deals & promo codes from Northwind. Follow for "
        "follow! #deals #coffee #F4F",
        location="",
        website="https://northwindcoffee.example/deals",
        created_at="2019-07-02T09:41:37.000Z",
        verified_type="none",
        topic="coffee",
        originals_per_day=2.0,
        mentions_per_day=0.4,
        replies_per_post=0.3,
        answer_rate=0.25,
        answer_delay_minutes=((1.0, 120, 1440),),
        retweet_rate=0.0,
        quote_rate=0.0,
        followers=380,
        following=5600,
        tweet_base=2310,
        listed=2,
    ),
    MODERATELY_RESPONSIVE: Behaviour(
        name="Bean Barn Cafe",
        description="Farmhouse coffee & pastries. 14 cafes across the Pacific Northwest.",
        location="Seattle, WA",
        website="https://beanbarn.example",
        created_at="2012-08-21T18:02:44.000Z",
        verified_type="business",
        topic="coffee",
        originals_per_day=1.8,
        mentions_per_day=1.6,
        replies_per_post=0.6,
        answer_rate=0.6,
        answer_delay_minutes=((1.0, 60, 600),),
        retweet_rate=0.15,
        quote_rate=0.0,
        followers=6900,
        following=1250,
        tweet_base=7420,
        listed=41,
    ),
    BROADCASTER: Behaviour(
        name="Acme",
        description="Smart home devices that just work. News, launches and updates from "
        "Acme. Support: acme.example/help",
        location="San Francisco, CA",
        website="https://acme.example",
        created_at="2010-05-11T13:27:50.000Z",
        verified_type="business",
        topic="tech",
        originals_per_day=3.0,
        mentions_per_day=1.5,
        replies_per_post=0.8,
        answer_rate=0.0,
        answer_delay_minutes=((1.0, 60, 60),),
        retweet_rate=0.0,
        quote_rate=0.0,
        followers=52300,
        following=14,
        tweet_base=6420,
        listed=310,
        scheduled=True,
    ),
    GHOST: Behaviour(
        name="Acme Labs",
        description="",
        location="",
        website="",
        created_at="2024-02-06T22:15:09.000Z",
        verified_type="none",
        topic="tech",
        originals_per_day=0.0,
        mentions_per_day=0.0,
        replies_per_post=0.0,
        answer_rate=0.0,
        answer_delay_minutes=((1.0, 60, 60),),
        retweet_rate=0.0,
        quote_rate=0.0,
        followers=11,
        following=3,
        tweet_base=4,
        listed=0,
        fixed_originals=3,
        fixed_mentions=2,
    ),
    SLOW_RESPONDER: Behaviour(
        name="RivalCo Home",
        description="Home automation for everyone. Support hours Mon-Fri 9-5 ET.",
        location="Austin, TX",
        website="https://rivalco.example",
        created_at="2013-01-29T10:05:12.000Z",
        verified_type="business",
        topic="tech",
        originals_per_day=1.4,
        mentions_per_day=1.2,
        replies_per_post=0.5,
        answer_rate=0.3,
        answer_delay_minutes=((1.0, 18 * 60, 72 * 60),),
        retweet_rate=0.0,
        quote_rate=0.0,
        followers=31000,
        following=410,
        tweet_base=9050,
        listed=122,
    ),
    PITCHER: Behaviour(
        name="Globex Gear",
        description="Smart gadgets for the modern home. Deals every day!",
        location="",
        website="https://globexgear.example",
        created_at="2021-04-19T08:12:40.000Z",
        verified_type="none",
        topic="tech",
        originals_per_day=1.5,
        mentions_per_day=0.6,
        replies_per_post=0.3,
        answer_rate=0.6,
        answer_delay_minutes=((1.0, 20, 240),),
        retweet_rate=0.0,
        quote_rate=0.0,
        followers=2100,
        following=1900,
        tweet_base=3400,
        listed=5,
        approaches_per_day=1.2,
    ),
    AUTO_REPLIER: Behaviour(
        name="Globex Help",
        description="Official support for Globex devices. We reply 24/7.",
        location="Chicago, IL",
        website="https://globex.example",
        created_at="2016-09-05T15:30:00.000Z",
        verified_type="business",
        topic="tech",
        originals_per_day=0.5,
        mentions_per_day=1.4,
        replies_per_post=0.6,
        answer_rate=1.0,  # an auto-reply answers everything
        answer_delay_minutes=((1.0, 1, 4),),
        retweet_rate=0.0,
        quote_rate=0.0,
        followers=15400,
        following=220,
        tweet_base=21800,
        listed=64,
    ),
}

# What customers are made of: a name, a two-part bio and a city (often none).
FIRST_NAMES = (
    "maya liam sofia noah ava ethan zoe lucas mia omar priya jonah ella marco nina theo "
    "aisha ben chloe diego hana isaac june kai leah mateo nora owen rosa sam tara victor "
    "wren yusuf amara felix grace hugo ines jack"
).split()
LAST_NAMES = (
    "chen patel garcia nguyen smith okafor kim rossi silva dolan berg moreau tanaka walsh "
    "reyes fischer novak ali hughes park larsen costa baker ito"
).split()
INTERESTS = (
    "coffee snob",
    "runner",
    "dad of two",
    "software engineer",
    "nurse",
    "PhD student",
    "home cook",
    "cyclist",
    "teacher",
    "designer",
    "gardener",
    "smart home tinkerer",
    "dog person",
    "bookworm",
    "climber",
    "photographer",
)
CITIES = (
    "Portland, OR",
    "Seattle, WA",
    "Boise, ID",
    "Tacoma, WA",
    "Austin, TX",
    "Denver, CO",
    "Vancouver, BC",
    "San Jose, CA",
    "",
    "",
    "",
)

# --------------------------------------------------------------------------- networks
# The same brands on Bluesky and Mastodon. Each account acts as its X account's
# archetype (``x_handle``: the same phrases and the same kind of answers), with numbers
# of its own: these networks are smaller, so fewer posts, followers and replies.

BLUESKY = "bluesky"
MASTODON = "mastodon"


@dataclass(frozen=True)
class Presence:
    """A brand's account on Bluesky or Mastodon."""

    platform: str  # bluesky | mastodon
    handle: str  # bluesky: the full handle; mastodon: user@instance, its home server
    x_handle: str  # the X account it acts like (client, role, phrases, brand name)
    description: str
    created_at: str  # ISO 8601, UTC
    followers: int  # on the first snapshot day
    following: int
    post_base: int  # posts before the window
    follower_gain: tuple[int, int]  # followers gained per day, lo..hi
    originals_per_day: float
    replies_per_post: float  # customer replies to each of its originals
    answer_rate: float  # share of those replies it answers
    answer_delay_minutes: tuple[tuple[float, int, int], ...]  # (weight, lo, hi)
    reposts_per_day: float  # fans' posts about it that it reposts (boosts)

    @property
    def name(self) -> str:
        """The brand's name, shared by its accounts on every network."""
        return BEHAVIOUR[self.x_handle].name


# The order matters: accounts act in this order on their network's random stream.
PRESENCES: tuple[Presence, ...] = (
    Presence(
        platform=BLUESKY,
        handle="northwindcoffee.bsky.social",
        x_handle=CONVERSATIONAL,
        description="Small-batch roasters since 2009. Cafes in Portland, Seattle & Boise. "
        "We answer here too, 7am-11pm PT. northwindcoffee.example",
        created_at="2024-11-18T17:04:22.318Z",
        followers=1840,
        following=612,
        post_base=428,
        follower_gain=(9, 24),
        originals_per_day=1.2,
        replies_per_post=1.1,
        answer_rate=0.85,
        # Mostly fast, so that the median of a week's few answers stays put.
        answer_delay_minutes=((0.75, 3, 40), (0.2, 40, 150), (0.05, 150, 360)),
        reposts_per_day=0.3,
    ),
    Presence(
        platform=MASTODON,
        handle="northwindcoffee@social.example",
        x_handle=CONVERSATIONAL,
        description="Small-batch roasters since 2009, now on the fediverse. Cafes in "
        "Portland, Seattle & Boise. Questions welcome, we answer 7am-11pm PT.",
        created_at="2022-11-09T00:00:00.000Z",
        followers=960,
        following=344,
        post_base=1210,
        follower_gain=(3, 11),
        originals_per_day=0.9,
        replies_per_post=0.9,
        answer_rate=0.85,
        answer_delay_minutes=((0.75, 5, 50), (0.2, 50, 180), (0.05, 180, 420)),
        reposts_per_day=0.25,
    ),
    Presence(
        platform=MASTODON,
        handle="beanbarncafe@toot.example",
        x_handle=MODERATELY_RESPONSIVE,
        description="Farmhouse coffee & pastries. 14 cafes across the Pacific Northwest.",
        created_at="2023-01-12T00:00:00.000Z",
        followers=540,
        following=120,
        post_base=380,
        follower_gain=(1, 6),
        originals_per_day=0.8,
        replies_per_post=0.8,
        answer_rate=0.5,
        answer_delay_minutes=((1.0, 60, 600),),
        reposts_per_day=0.1,
    ),
)

#: customers per network (Bluesky, Mastodon), who reply to the brands' posts there.
NETWORK_CUSTOMER_COUNT = 32
#: the fictional Mastodon servers customers live on; a brand's own server comes first.
MASTODON_INSTANCES = ("social.example", "toot.example", "mastodon.example", "fedi.example")


def audit_entries() -> list[tuple[str, str, str, str, str]]:
    """(client, role, platform, handle, brand name) of every account audits.yaml lists,
    in its order: per client its brands then its competitors, each on X first, then
    on the other networks as ``PRESENCES`` lists them."""
    entries = []
    for client, roles in CLIENTS.items():
        for role, handles in roles.items():
            for x_handle in handles:
                name = BEHAVIOUR[x_handle].name
                entries.append((client, role, "x", x_handle, name))
                for p in PRESENCES:
                    if p.x_handle == x_handle:
                        entries.append((client, role, p.platform, p.handle, name))
    return entries
