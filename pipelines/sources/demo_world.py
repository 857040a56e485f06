"""The embedded demo world: a small, fictional agency with two clients on X, written as
X API v2 response pages exactly as twarc2 saves them (one JSON page per line), so the
demo runs through the same X parser as real collections do.

Nothing here is real: every handle, id, text and link is made up, and every expanded
link points at an ``.example`` domain. The world is deterministic: the same ``seed``,
``anchor`` and ``days`` give byte-identical files. The archetypes show clearly in windows
of a week or more; in a day or two the samples are too small to tell them apart.

The agency audits these accounts (see ``CLIENTS`` and ``ACCOUNTS``):

==================  =========  ===========  =============================================
handle              client     role         archetype
==================  =========  ===========  =============================================
NorthwindCoffee     northwind  brand        conversational: answers most messages within
                                            minutes to hours, retweets and quotes fans
NorthwindDeals      northwind  brand        follow_for_follow: follows 10x+ as many
                                            accounts as follow it, in sprees
BeanBarnCafe        northwind  competitor   moderately_responsive: answers about half,
                                            within hours
AcmeCo              acme       brand        broadcaster: announcements only; never
                                            replies, retweets or mentions anyone
AcmeLabs            acme       brand        ghost: empty bio, default avatar, a handful of
                                            posts, a dozen followers
RivalCo             acme       competitor   slow_responder: answers a minority, a day or
                                            more later
==================  =========  ===========  =============================================

plus ``CUSTOMER_COUNT`` customer accounts who mention the brands, reply to their posts
and sometimes thank them for an answer.

Files written by :func:`generate` (``days`` = 28, the default anchor 2026-11-16 06:00 UTC):

* ``users_<YYYY-MM-DD>.jsonl``: one users-lookup page per day (``GET /2/users?ids=``) with
  the six audited profiles as they stood at 06:00 UTC that day, so follower, following
  and post counts have a daily history. Like the real endpoint, no ``meta``.
* ``timeline_<handle>.jsonl``: the account's own posts in the window
  (``GET /2/users/:id/tweets``), newest first, pages of up to 100 with ``next_token``.
* ``mentions_<handle>.jsonl``: other accounts' posts mentioning it
  (``GET /2/users/:id/mentions``), paged the same way.

Every post sits in the ``data`` of some timeline or mentions page; the posts a page's
posts refer to are in its ``includes.tweets`` and every author, replied-to or mentioned
account is in its ``includes.users``, as the API's expansions put them.

Run ``python -m pipelines.sources.demo_world OUT_DIR [SEED]`` to write the files by hand.
"""

from __future__ import annotations

import json
import random
import re
import string
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

__all__ = [
    "ACCOUNTS",
    "ARCHETYPES",
    "AUDITED_HANDLES",
    "BROADCASTER",
    "CLIENTS",
    "COMPETITORS",
    "CONVERSATIONAL",
    "CUSTOMER_COUNT",
    "DEFAULT_ANCHOR",
    "DEFAULT_AVATAR_URL",
    "DEFAULT_DAYS",
    "DEFAULT_SEED",
    "FOLLOW_FOR_FOLLOW",
    "GHOST",
    "MODERATELY_RESPONSIVE",
    "SLOW_RESPONDER",
    "generate",
]

# --------------------------------------------------------------------------- the world

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

#: client -> the handles audits.yaml lists for it, by role.
CLIENTS: dict[str, dict[str, tuple[str, ...]]] = {
    "northwind": {
        "brands": (CONVERSATIONAL, FOLLOW_FOR_FOLLOW),
        "competitors": (MODERATELY_RESPONSIVE,),
    },
    "acme": {
        "brands": (BROADCASTER, GHOST),
        "competitors": (SLOW_RESPONDER,),
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
}

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
}

AUDITED_HANDLES: tuple[str, ...] = tuple(ACCOUNTS)
COMPETITORS: dict[str, str] = {  # competitor -> the client brand it competes with
    MODERATELY_RESPONSIVE: CONVERSATIONAL,
    SLOW_RESPONDER: BROADCASTER,
}
CUSTOMER_COUNT = 48

TWARC_VERSION = "rapport-demo"
API_ROOT = "https://api.x.com/2"
_TWITTER_EPOCH_MS = 1288834974657
_PAGE_SIZE = 100
_SNOWFLAKE_USERS_SINCE = datetime(2014, 1, 1, tzinfo=UTC)

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


@dataclass(frozen=True)
class _Behaviour:
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


_BEHAVIOUR: dict[str, _Behaviour] = {
    CONVERSATIONAL: _Behaviour(
        name="Northwind Coffee",
        description="Small-batch roasters since 2009. Ask us anything, we answer "
        "7am-11pm PT. Cafes in Portland, Seattle & Boise.",
        location="Portland, OR",
        website="https://northwindcoffee.example",
        created_at="2011-03-14T16:20:05.000Z",
        verified_type="business",
        topic="coffee",
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
    FOLLOW_FOR_FOLLOW: _Behaviour(
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
    MODERATELY_RESPONSIVE: _Behaviour(
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
    BROADCASTER: _Behaviour(
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
    GHOST: _Behaviour(
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
    SLOW_RESPONDER: _Behaviour(
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
}

# Placeholders in templates: {b} the brand (mentioned), {o} the other brand of a pair,
# {c} the customer (mentioned), {link} a link to the brand's site. #Words are hashtags.

_ORIGINALS: dict[str, tuple[str, ...]] = {
    CONVERSATIONAL: (
        "Pumpkin spice cold brew is back in every Northwind cafe from today. "
        "#ColdBrew #FallMenu {link}",
        "Rainy morning? Your first refill is on us until noon.",
        "New single origin from Huila, Colombia: panela, red apple, a long sweet finish. "
        "Try it as a pour-over this week. {link}",
        "Monday question: flat white or cortado? Tell us below.",
        "Our Elm Street cafe opens an hour early all week for exam season. #StudyFuel",
        "Meet Priya, head roaster at our Portland roastery. {link}",
        "Oat milk is now free in every drink. You asked, we listened. #OatMilk",
        "Weekend pairing: cardamom bun + cold brew tonic. What's yours?",
        "Our holiday blend lands Friday. Who's tasting it first? #HolidayBlend",
        "Mobile ordering is back up. Thanks for your patience this morning, everyone.",
        "Bring your own cup and take 25 cents off, every day. {link}",
        "Seattle friends: our new Ballard cafe opens Saturday. First 100 drinks on us!",
    ),
    FOLLOW_FOR_FOLLOW: (
        "Today's deal: 2-for-1 cold brew after 2pm with code NW2FOR1 #deals #coffee {link}",
        "Follow us and RT for a chance to win a month of free coffee! #giveaway #F4F",
        "Flash sale: 30% off all beans online until midnight #deals {link}",
        "Happy hour is back: half price lattes 3-5pm #coffee #deals",
        "Free pastry with any drink over $5 today only #deals #freebie",
        "We follow back! Coffee lovers, say hi #F4F #coffee",
        "New promo code every morning, turn on notifications #deals {link}",
    ),
    MODERATELY_RESPONSIVE: (
        "Apple cider donuts are back at every Bean Barn. #FallFlavors",
        "Fresh batch of our farmhouse blend, roasted this morning. {link}",
        "Live music at our Fremont cafe this Friday from 7pm.",
        "Sunday special: maple oat latte + biscuit for $7. #BeanBarn",
        "Our gift cards now work in the app. {link}",
        "Long day? Our cold brew is brewed for 18 hours so you don't have to be.",
        "Thank you, Tacoma! Our new cafe had its best first week ever.",
        "Pumpkin bread is baked fresh every morning until it runs out. #FallFlavors",
    ),
    BROADCASTER: (
        "Introducing SmartHub 3: faster, quieter and Matter-ready. {link} #SmartHome",
        "Firmware 4.2 is rolling out to all Acme thermostats this week. {link}",
        "Save up to 20% on Acme door sensors through Sunday. {link} #SmartHome",
        "How Acme keeps your home data on your home network. {link}",
        "Acme SmartPlug Mini is now available in Canada. {link}",
        "Join our live product webinar on Thursday at 10am PT. {link}",
        "New in the Acme app: energy reports, room by room. {link} #EnergySaving",
        "Acme named a top smart home brand of 2026. {link}",
        "5 ways to automate your mornings with Acme. {link} #SmartHome",
        "The Acme Winter Sale starts now. {link}",
        "Our sustainability report is out. {link} #Sustainability",
        "Acme Cam 2 now records in 2K. {link}",
    ),
    GHOST: (
        "Hello world.",
        "Something is brewing in the lab.",
        "More soon.",
    ),
    SLOW_RESPONDER: (
        "RivalCo Hub Pro is here: one hub for every device in your home. {link}",
        "Our spring firmware update adds Thread support to all sensors. {link}",
        "Holiday bundle: Hub Pro + 4 sensors for $199. {link} #SmartHome",
        "Tip: set a vacation mode schedule in the RivalCo app before you travel.",
        "RivalCo now integrates with your favourite voice assistants. {link}",
        "We're hiring support engineers in Austin. {link}",
        "Read how one family cut their energy bill by 18% with RivalCo. {link}",
    ),
}

_WEBSITE_PATHS = ("", "/menu", "/news", "/blog/{n}", "/offers", "/p/{n}", "/stores")

# kind -> (lang, template). Kinds: question, complaint, praise, comment (a reply to a
# post), compare (mentions both brands of a pair), thanks (a follow-up to an answer).
_CUSTOMER_SAYS: dict[str, dict[str, tuple[tuple[str, str], ...]]] = {
    "coffee": {
        "question": (
            ("en", "{b} is the oat milk latte back on the menu yet?"),
            ("en", "{b} what time does the Elm Street store open on Sundays?"),
            ("en", "hey {b} do you still sell the Huila beans in 1kg bags?"),
            ("en", "{b} can I use my gift card in the app?"),
            ("en", "{b} are your cold brew cans gluten free?"),
            ("en", "{b} any chance of decaf cold brew this winter?"),
            ("es", "{b} hola, tienen leche de avena sin azucar?"),
        ),
        "complaint": (
            (
                "en",
                "{b} my mobile order at the Pearl District store was never made, waited 20 minutes",
            ),
            ("en", "{b} the app charged me twice for one cappuccino this morning"),
            ("en", "{b} third time this week the Elm St store is out of oat milk..."),
            ("en", "{b} loyalty points from last week still haven't shown up"),
            ("en", "{b} my latte was lukewarm again today, not great"),
        ),
        "praise": (
            ("en", "Best flat white in town, thank you {b} #coffee"),
            ("en", "shoutout to the barista at {b} on 5th Ave who remembered my order"),
            ("en", "{b} your cardamom buns are dangerous, I've had three this week"),
            ("en", "Morning ritual: cold brew from {b} and a long walk #MondayMotivation"),
            ("en", "Studying at {b} again, best wifi and best playlist in the city"),
        ),
        "comment": (
            ("en", "{b} flat white, no contest"),
            ("en", "{b} will this come to the Eastside stores too?"),
            ("en", "{b} please bring back the maple latte"),
            ("en", "{b} finally!!"),
            ("en", "{b} is this at the airport location as well?"),
        ),
        "compare": (
            ("en", "{b} or {o} for a study session with decent wifi?"),
            ("en", "torn between {b} and {o} for my morning coffee, convince me"),
            ("en", "{b} vs {o} pumpkin spice taste test this weekend, stay tuned #coffee"),
        ),
        "thanks": (
            ("en", "{b} thanks, that sorted it!"),
            ("en", "{b} appreciate the quick reply"),
            ("en", "{b} great, thank you!"),
        ),
    },
    "tech": {
        "question": (
            ("en", "{b} does the hub work with Matter devices?"),
            ("en", "{b} when does the firmware update roll out in Canada?"),
            ("en", "{b} is there a way to export my sensor history to CSV?"),
            ("en", "{b} can I share access with my partner without sharing my password?"),
            ("en", "{b} do your door sensors work with rechargeable batteries?"),
        ),
        "complaint": (
            ("en", "{b} my hub keeps dropping wifi since the last update, any fix?"),
            ("en", "{b} support ticket open for 9 days and nobody has answered. Order 48213"),
            ("en", "{b} the app logged me out and now the 2FA codes don't arrive"),
            ("en", "{b} thermostat says offline every night at 2am"),
            ("en", "{b} ordered a cam two weeks ago, still says processing"),
        ),
        "praise": (
            ("en", "Set up the new {b} thermostat in ten minutes, impressed #SmartHome"),
            ("en", "{b} the new energy report is genuinely useful, nice work"),
        ),
        "comment": (
            ("en", "{b} will it support Thread?"),
            ("en", "{b} how about fixing the wifi bug first?"),
            ("en", "{b} price in EUR?"),
            ("en", "{b} any discount for existing customers?"),
            ("en", "{b} nice, ordered one"),
        ),
        "compare": (
            ("en", "thinking of switching from {b} to {o} after this week's outage"),
            ("en", "{b} or {o} for a first smart thermostat? #SmartHome"),
        ),
        "thanks": (
            ("en", "{b} thanks, working again"),
            ("en", "{b} ok, will try that, thanks"),
        ),
    },
}

# How each brand answers, by the kind of message answered.
_BRAND_SAYS: dict[str, dict[str, tuple[tuple[str, str], ...]]] = {
    CONVERSATIONAL: {
        "question": (
            ("en", "{c} Good question! Yes, and you'll find the details here: {link}"),
            ("en", "{c} Hi! We just checked with the team: yes, at every cafe from today."),
            ("en", "{c} Not yet, but it's on the list for next month. We'll keep you posted!"),
        ),
        "complaint": (
            (
                "en",
                "{c} So sorry about this. Could you DM us your order number? "
                "We'll make it right today.",
            ),
            (
                "en",
                "{c} That's not the experience we want for you. A refund is on its way "
                "and we've told the store team.",
            ),
            (
                "en",
                "{c} Ugh, sorry! We've added the missing points to your account, "
                "check the app in a few minutes.",
            ),
        ),
        "praise": (
            ("en", "{c} This made our day, thank you!"),
            ("en", "{c} We'll pass this on to the team!"),
            ("en", "{c} See you tomorrow then!"),
        ),
        "comment": (
            ("en", "{c} Thanks for the love!"),
            ("en", "{c} Not yet, but we've passed the request on to our menu team."),
            ("en", "{c} Yes! All stores, airport included."),
        ),
        "compare": (("en", "{c} We might be biased, but our oat flat white says hi."),),
        "es": (("es", "{c} Hola! Si, en todas nuestras cafeterias. Que lo disfrutes!"),),
    },
    FOLLOW_FOR_FOLLOW: {
        "*": (
            ("en", "{c} Check out today's deals: {link}"),
            ("en", "{c} Thanks for the follow! Today's code: NWTHANKS"),
        ),
    },
    MODERATELY_RESPONSIVE: {
        "complaint": (
            (
                "en",
                "{c} Sorry to hear that. Please email hello@beanbarn.example and we'll "
                "look into it.",
            ),
        ),
        "praise": (("en", "{c} Thank you! See you soon."),),
        "*": (
            ("en", "{c} Hi! You can find that on our website: {link}"),
            ("en", "{c} Thanks for asking! Yes, at all our cafes."),
        ),
    },
    SLOW_RESPONDER: {
        "*": (
            ("en", "{c} Sorry for the delay. Please contact our support team at {link}"),
            ("en", "{c} Hi, thanks for reaching out. Our team is looking into this."),
            ("en", "{c} Apologies for the late reply. This is covered in our help center: {link}"),
        ),
    },
}

_QUOTES = (
    "This is why we do what we do.",
    "Words we love to hear. Thank you!",
    "Our baristas are the best, and this proves it.",
)

_FIRST = (
    "maya liam sofia noah ava ethan zoe lucas mia omar priya jonah ella marco nina theo "
    "aisha ben chloe diego hana isaac june kai leah mateo nora owen rosa sam tara victor "
    "wren yusuf amara felix grace hugo ines jack"
).split()
_LAST = (
    "chen patel garcia nguyen smith okafor kim rossi silva dolan berg moreau tanaka walsh "
    "reyes fischer novak ali hughes park larsen costa baker ito"
).split()
_INTERESTS = (
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
_CITIES = (
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

# --------------------------------------------------------------------------- model


@dataclass
class _Account:
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
    behaviour: _Behaviour | None = None
    own: list[_Tweet] = field(default_factory=list)


@dataclass
class _Tweet:
    seq: int  # creation order, breaks ties in time
    author: _Account
    created_at: datetime
    text: str
    entities: dict
    lang: str
    kind: str  # original | reply | retweet | quote
    message_kind: str = ""  # for customer posts: question, complaint, praise, ...
    replied_to: _Tweet | None = None
    quoted: _Tweet | None = None
    retweeted: _Tweet | None = None
    root: _Tweet | None = None  # the conversation's first post (None: itself)
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


def _iso(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


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


class _World:
    def __init__(self, seed: int, anchor: datetime, days: int) -> None:
        if days < 1:
            raise ValueError(f"days must be at least 1, got {days}")
        if anchor.tzinfo is None:
            anchor = anchor.replace(tzinfo=UTC)
        self.anchor = anchor.astimezone(UTC)
        self.days = days
        self.start = self.anchor - timedelta(days=days)
        self.rng = random.Random(f"rapport-demo:{seed}")
        self.tweets: list[_Tweet] = []
        self.accounts: dict[str, _Account] = {}
        self.customers: list[_Account] = []
        self.snapshot_times = [self.anchor - timedelta(days=days - 1 - k) for k in range(days)]

    # ---------------------------------------------------------------- helpers
    def _when(self, lo: datetime, hi: datetime, daytime: bool = True) -> datetime:
        """A moment in [lo, hi), mostly in North American waking hours when daytime."""
        rng = self.rng
        span = (hi - lo).total_seconds()
        for _ in range(20):
            t = lo + timedelta(seconds=rng.uniform(0, span))
            hour = t.hour  # UTC; 14-06 UTC is 7am-11pm Pacific
            if not daytime or 14 <= hour or hour < 6 or rng.random() < 0.15:
                return t.replace(microsecond=0)
        return t.replace(microsecond=0)

    def _count(self, mean: float) -> int:
        """A Poisson draw (Knuth), deterministic through self.rng."""
        if mean <= 0:
            return 0
        if mean > 30:  # normal approximation keeps exp() from underflowing
            return max(0, round(self.rng.gauss(mean, mean**0.5)))
        limit, k, p = pow(2.718281828459045, -mean), 0, 1.0
        while True:
            p *= self.rng.random()
            if p <= limit:
                return k
            k += 1

    def _tco(self) -> str:
        alphabet = string.ascii_letters + string.digits
        return "https://t.co/" + "".join(self.rng.choice(alphabet) for _ in range(10))

    def _link(self, account: _Account) -> str:
        path = self.rng.choice(_WEBSITE_PATHS).format(n=self.rng.randint(100, 999))
        return account.website + path

    def _compose(
        self,
        template: str,
        brand: _Account | None = None,
        other: _Account | None = None,
        customer: _Account | None = None,
        link_of: _Account | None = None,
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
        author: _Account,
        created_at: datetime,
        text: str,
        entities: dict,
        lang: str,
        kind: str,
        **refs,
    ) -> _Tweet:
        rng = self.rng
        tweet = _Tweet(
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
    def build_accounts(self) -> None:
        rng = self.rng
        for handle, b in _BEHAVIOUR.items():
            created = datetime.fromisoformat(b.created_at.replace("Z", "+00:00"))
            followers, following = self._drift(ACCOUNTS[handle], b)
            self.accounts[handle] = _Account(
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
        taken = {h.lower() for h in self.accounts}
        while len(self.customers) < CUSTOMER_COUNT:
            first, last = rng.choice(_FIRST), rng.choice(_LAST)
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
            bio_bits = rng.sample(_INTERESTS, 2)
            self.customers.append(
                _Account(
                    handle=handle,
                    id=user_id,
                    name=f"{first.title()} {last.title()}" if rng.random() < 0.7 else first.title(),
                    created_at=created,
                    description="" if rng.random() < 0.2 else " | ".join(bio_bits),
                    location=rng.choice(_CITIES),
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

    def _drift(self, archetype: str, b: _Behaviour) -> tuple[list[int], list[int]]:
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
                elif archetype == "ghost" and rng.random() < 0.05:
                    fol += 1
            followers.append(fol)
            following.append(ing)
        return followers, following

    # ---------------------------------------------------------------- posts
    def build_posts(self) -> None:
        rng = self.rng
        audited = [self.accounts[h] for h in ACCOUNTS]
        # 1. The audited accounts' own announcements.
        for acct in audited:
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
            templates = _ORIGINALS[acct.handle]
            for i, t in enumerate(sorted(times)):
                template = (
                    templates[i % len(templates)] if b.fixed_originals else (rng.choice(templates))
                )
                text, entities = self._compose(template, link_of=acct)
                self._add(acct, t, text, entities, "en", "original")

        # 2. Customers write to them: mentions out of the blue, replies to their posts,
        #    and posts comparing a brand with its competitor.
        inbound: list[_Tweet] = []
        for acct in audited:
            b = acct.behaviour
            assert b is not None
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
                    lang, template = rng.choice(_CUSTOMER_SAYS[acct.topic][kind])
                inbound.append(
                    self._customer_post(
                        acct, None, kind, template, lang, self._when(self.start, self.anchor)
                    )
                )
            comments: list[tuple[_Tweet, datetime]] = []
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
                lang, template = rng.choice(_CUSTOMER_SAYS[acct.topic]["comment"])
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
        for competitor, brand_handle in COMPETITORS.items():
            pair = [self.accounts[brand_handle], self.accounts[competitor]]
            for _ in range(max(1, self._count(0.25 * self.days))):
                first, second = rng.sample(pair, 2)
                lang, template = rng.choice(_CUSTOMER_SAYS[first.topic]["compare"])
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
        inbound.sort(key=lambda t: (t.created_at, t.seq))
        for message in inbound:
            targets = [self.accounts[h] for h in message.mentioned if h in ACCOUNTS]
            for acct in targets:
                self._respond(acct, message)

    def _customer_post(
        self,
        brand: _Account,
        other: _Account | None,
        kind: str,
        template: str,
        lang: str,
        when: datetime,
        replied_to: _Tweet | None = None,
    ) -> _Tweet:
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

    def _respond(self, acct: _Account, message: _Tweet) -> None:
        rng = self.rng
        b = acct.behaviour
        assert b is not None
        says = _BRAND_SAYS.get(acct.handle)
        if says and rng.random() < b.answer_rate:
            weights = [w for w, _, _ in b.answer_delay_minutes]
            _, lo, hi = rng.choices(b.answer_delay_minutes, weights)[0]
            t = (message.created_at + timedelta(minutes=rng.uniform(lo, hi))).replace(microsecond=0)
            if t < self.anchor:  # answers due after the anchor have not happened yet
                kind = message.message_kind
                options = says.get(kind) or says.get("*") or says["question"]
                lang, template = rng.choice(options)
                text, entities = self._compose(template, customer=message.author, link_of=acct)
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
                        lang, template = rng.choice(_CUSTOMER_SAYS[acct.topic]["thanks"])
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
                    text, entities = self._compose(rng.choice(_QUOTES))
                    self._add(
                        acct,
                        t.replace(microsecond=0),
                        text,
                        entities,
                        "en",
                        "quote",
                        quoted=message,
                    )

    def _retweet(self, acct: _Account, original: _Tweet, when: datetime) -> None:
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
        ordered = sorted(self.tweets, key=lambda t: (t.created_at, t.seq))
        seen: set[str] = set()
        for n, tweet in enumerate(ordered):
            tweet.id = str(_snowflake(tweet.created_at, tweet.ms, (n * 2654435761) >> 10))
            assert tweet.id not in seen
            seen.add(tweet.id)

    # ---------------------------------------------------------------- rendering
    def profile(self, acct: _Account, when: datetime) -> dict:
        """The user object as the API showed it at ``when``."""
        if acct.behaviour is not None:
            day = max(0, min(self.days - 1, self.days - 1 - (self.anchor - when).days))
            followers, following = acct.followers[day], acct.following[day]
            tweet_count = acct.tweet_base + sum(1 for t in acct.own if t.created_at < when)
        else:
            followers, following = acct.followers[0], acct.following[0]
            tweet_count = acct.tweet_base + len(acct.own)
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

    def render(self, tweet: _Tweet) -> dict:
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

    def page(self, tweets: list[_Tweet], url: str, meta: dict) -> dict:
        users: dict[str, _Account] = {}
        included: dict[str, _Tweet] = {}
        by_handle = {a.handle: a for a in (*self.accounts.values(), *self.customers)}

        def add_user(acct: _Account) -> None:
            users.setdefault(acct.id, acct)

        for tweet in tweets:
            add_user(tweet.author)
            if tweet.replied_to is not None:
                add_user(tweet.replied_to.author)
            for handle in tweet.mentioned:
                add_user(by_handle[handle])
            for ref in (tweet.retweeted, tweet.quoted, tweet.replied_to):
                if ref is not None:
                    included.setdefault(ref.id, ref)
                    add_user(ref.author)
        includes: dict = {"users": [self.profile(u, self.anchor) for u in users.values()]}
        if included:
            includes["tweets"] = [self.render(t) for t in included.values()]
        return {
            "data": [self.render(t) for t in tweets],
            "includes": includes,
            "meta": meta,
            "__twarc": {
                "url": url,
                "version": TWARC_VERSION,
                "retrieved_at": self.anchor.isoformat(),
            },
        }

    def token(self) -> str:
        alphabet = string.ascii_lowercase + string.digits
        return "7140dibdnow9c7btw4" + "".join(self.rng.choice(alphabet) for _ in range(28))

    def paged(self, tweets: list[_Tweet], endpoint: str) -> list[dict]:
        tweets = sorted(tweets, key=lambda t: int(t.id), reverse=True)
        query = {
            "expansions": _EXPANSIONS,
            "tweet.fields": _TWEET_FIELDS,
            "user.fields": _USER_FIELDS,
            "max_results": _PAGE_SIZE,
            "start_time": self.start.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "end_time": self.anchor.strftime("%Y-%m-%dT%H:%M:%SZ"),
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
                meta["next_token"] = self.token()
            if previous is not None:
                meta["previous_token"] = self.token()
            pages.append(self.page(chunk, f"{API_ROOT}/{endpoint}?{urlencode(q)}", meta))
            previous = meta.get("next_token")
        return pages

    def users_page(self, when: datetime) -> dict:
        audited = [self.accounts[h] for h in ACCOUNTS]
        query = {"ids": ",".join(a.id for a in audited), "user.fields": _USER_FIELDS}
        return {
            "data": [self.profile(a, when) for a in audited],
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


def generate(
    out_dir: Path,
    seed: int = DEFAULT_SEED,
    anchor: datetime = DEFAULT_ANCHOR,
    days: int = DEFAULT_DAYS,
) -> list[Path]:
    """Write the demo world's X API v2 pages into ``out_dir`` and return their paths,
    sorted. Same ``seed``, ``anchor`` and ``days`` -> byte-identical files.

    Posts fall in the ``days`` before ``anchor`` (a naive anchor is taken as UTC); the
    timeline and mentions pages are retrieved at ``anchor``, and there is one users
    snapshot per day, the last one at ``anchor``."""
    world = _World(seed, anchor, days)
    world.build_accounts()
    world.build_posts()
    world.assign_ids()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for when in world.snapshot_times:
        written.append(_write(out_dir / f"users_{when:%Y-%m-%d}.jsonl", [world.users_page(when)]))
    for handle in ACCOUNTS:
        acct = world.accounts[handle]
        written.append(
            _write(
                out_dir / f"timeline_{handle}.jsonl",
                world.paged(acct.own, f"users/{acct.id}/tweets"),
            )
        )
        mentioning = [t for t in world.tweets if t.author is not acct and handle in t.mentioned]
        written.append(
            _write(
                out_dir / f"mentions_{handle}.jsonl",
                world.paged(mentioning, f"users/{acct.id}/mentions"),
            )
        )
    return sorted(written)


if __name__ == "__main__":  # pragma: no cover
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("demo_world")
    files = generate(target, seed=int(sys.argv[2]) if len(sys.argv) > 2 else DEFAULT_SEED)
    print(f"wrote {len(files)} files to {target}")
