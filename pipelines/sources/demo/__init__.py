"""The embedded demo world: a small, fictional agency with three clients on X, Bluesky and
Mastodon, written as each network's API responses exactly as they are saved (X API v2
pages as twarc2 writes them, one JSON page per line; Bluesky AppView JSON; Mastodon
REST API JSON), so the demo runs through the same parsers as real collections do.

Nothing here is real: every handle, id, text and link is made up, every expanded
link points at an ``.example`` domain, and the Mastodon servers are ``*.example``. The
world is deterministic: the same ``seed``, ``anchor`` and ``days`` give byte-identical
files. The archetypes show clearly in windows of a week or more; in a day or two the
samples are too small to tell them apart.

The agency audits these accounts (see ``CLIENTS``, ``ACCOUNTS`` and ``PRESENCES``; every
account of a brand shares its name, audits.yaml ``name:``):

=================================  ========  =========  ==========  =========================
handle                             platform  client     role        archetype
=================================  ========  =========  ==========  =========================
NorthwindCoffee                    x         northwind  brand       conversational: answers
                                                                    most messages within
                                                                    minutes to hours,
                                                                    retweets and quotes fans
northwindcoffee.bsky.social        bluesky   northwind  brand       conversational, reposts
                                                                    fans
northwindcoffee@social.example     mastodon  northwind  brand       conversational, boosts
                                                                    fans
NorthwindDeals                     x         northwind  brand       follow_for_follow: follows
                                                                    10x+ as many accounts as
                                                                    follow it, in sprees
BeanBarnCafe                       x         northwind  competitor  moderately_responsive:
                                                                    answers about half,
                                                                    within hours
beanbarncafe@toot.example          mastodon  northwind  competitor  moderately_responsive
AcmeCo                             x         acme       brand       broadcaster: announcements
                                                                    only; never replies,
                                                                    retweets or mentions
AcmeLabs                           x         acme       brand       ghost: empty bio, default
                                                                    avatar, a handful of
                                                                    posts, a dozen followers
RivalCo                            x         acme       competitor  slow_responder: answers a
                                                                    minority, a day or more
                                                                    later
GlobexGear                         x         globex     brand       pitcher: its first words
                                                                    to a stranger are a pitch
                                                                    or a request to retweet
GlobexHelp                         x         globex     brand       auto_replier: answers
                                                                    nearly everything within
                                                                    minutes, in one text
=================================  ========  =========  ==========  =========================

plus ``CUSTOMER_COUNT`` customer accounts on X who mention the brands, reply to their
posts and sometimes thank them for an answer, and ``NETWORK_CUSTOMER_COUNT`` on each of
Bluesky and Mastodon who reply to the brands' posts there (the inbound messages of those
networks), get answers, thank them and post praise the brands repost.

X files written by :func:`generate` (``days`` = 28, the default anchor 2026-11-16 06:00 UTC):

* ``users_<YYYY-MM-DD>.jsonl``: one users-lookup page per day (``GET /2/users?ids=``) with
  the eight audited X profiles as they stood at 06:00 UTC that day, so follower, following
  and post counts have a daily history. Like the real endpoint, no ``meta``.
* ``timeline_<handle>.jsonl``: the account's own posts in the window
  (``GET /2/users/:id/tweets``), newest first, pages of up to 100 with ``next_token``.
* ``mentions_<handle>.jsonl``: other accounts' posts mentioning it
  (``GET /2/users/:id/mentions``), paged the same way.

Every post sits in the ``data`` of some timeline or mentions page; the posts a page's
posts refer to are in its ``includes.tweets`` and every author, replied-to or mentioned
account is in its ``includes.users``, as the API's expansions put them.

Bluesky and Mastodon files written by :func:`write_network`, per brand account: a
profile (``getProfile``) or account lookup per day, the account's feed or statuses pages,
and the reply threads (``getPostThread``; Mastodon: the status and its context) of its
posts that have replies;
their formats are described in ``render_bluesky`` and ``render_mastodon``.

Follower samples (issue 17), written by :func:`write_followers`: weekly most-recent-first
samples of these accounts' followers, the last at the anchor, each as the pages of its
network's follower list with the sample file naming them (``render_followers``; loaded
as ``rapport import followers`` loads them). Every follower is drawn from the
distributions measured on the labelled humans or bought followers of
../shared/data/bot_detection (``shapes``); a share of each audience is bought, and
:func:`follower_truth` gives each sample's followers and which of them are bought:

==============================  ========  ======  ======  ========================  =========
handle                          platform  sample  bought  samples (06:00 UTC)       bought in
                                                                                      them
                                                                                      (seed 7)
==============================  ========  ======  ======  ========================  =========
NorthwindCoffee                 x         500     none    2026-11-09, 2026-11-16    0, 0
                                                          (the second: 240 new)
NorthwindDeals                  x         400     35%     2026-11-09, 2026-11-16    135, 141
                                                          (the second: 25 new)
AcmeCo                          x         400     20%     2026-11-16                80
northwindcoffee.bsky.social     bluesky   300     5%      2026-11-16                15
northwindcoffee@social.example  mastodon  300     none    2026-11-16                0
==============================  ========  ======  ======  ========================  =========

The second weekly sample reads the week's new followers first and stops at the first
page that reaches one the first sample had (``stopped_by`` known); the loader carries
the rest forward. Bluesky's follower list (``getFollowers``: profileViews) carries no
counts, so each of its pages is followed by ``getProfiles`` pages (25 followers each)
whose detailed views give them, as the live sampler reads them; X's has every field the
model reads (listed, likes given, website, location too), Mastodon's the counts, bio
and avatar.

:func:`write_inbox` writes all three networks and the follower samples into an inbox,
each in its source's folder, and :func:`land_as_retrieved` lands the Bluesky and
Mastodon files at their simulated retrieval times (why: ``inbox``).

The package keeps one concern a module: ``cast`` (who the accounts are and how they
behave), ``phrases`` (what they say), ``world`` (the X simulation: who posts what, when),
``render`` (the X world as X API v2 pages, written to files), ``networks`` (the Bluesky
and Mastodon simulation), ``render_bluesky`` and ``render_mastodon`` (those worlds as
each network's responses, saved by ``saved``), ``followers`` (the audiences: who
follows, who is bought, what each sample reads), ``shapes`` (the follower distributions,
measured on the shared data by tests/demo_shapes.py), ``render_followers`` (the samples
as follower-list pages and sample files) and ``inbox`` (where `rapport demo` puts the
files).

Run ``python -m pipelines.sources.demo OUT_DIR [SEED]`` to write the files by hand (as an
inbox: ``OUT_DIR/<source>/demo``).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from . import render, world
from .cast import (
    ACCOUNTS,
    ARCHETYPES,
    AUDITED_HANDLES,
    AUTO_REPLIER,
    BLUESKY,
    BROADCASTER,
    CLIENTS,
    COMPETITORS,
    CONVERSATIONAL,
    CUSTOMER_COUNT,
    DEFAULT_ANCHOR,
    DEFAULT_AVATAR_URL,
    DEFAULT_DAYS,
    DEFAULT_SEED,
    FOLLOW_FOR_FOLLOW,
    GHOST,
    MASTODON,
    MODERATELY_RESPONSIVE,
    NETWORK_CUSTOMER_COUNT,
    PITCHER,
    PRESENCES,
    SLOW_RESPONDER,
    Presence,
    audit_entries,
)
from .followers import AUDIENCES, Audience, Truth
from .followers import truth as follower_truth
from .inbox import DemoFile, land_as_retrieved, write_followers, write_inbox, write_network

__all__ = [
    "ACCOUNTS",
    "ARCHETYPES",
    "AUDIENCES",
    "AUDITED_HANDLES",
    "AUTO_REPLIER",
    "BLUESKY",
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
    "MASTODON",
    "MODERATELY_RESPONSIVE",
    "NETWORK_CUSTOMER_COUNT",
    "PITCHER",
    "PRESENCES",
    "SLOW_RESPONDER",
    "Audience",
    "DemoFile",
    "Presence",
    "Truth",
    "audit_entries",
    "follower_truth",
    "generate",
    "land_as_retrieved",
    "write_followers",
    "write_inbox",
    "write_network",
]


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
    return render.write(world.simulate(seed, anchor, days), out_dir)
