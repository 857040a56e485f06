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

The package keeps one concern a module: ``cast`` (who the accounts are and how they
behave), ``phrases`` (what they say), ``world`` (the simulation: who posts what, when) and
``render`` (the simulated world as X API v2 pages, written to files).

Run ``python -m pipelines.sources.demo OUT_DIR [SEED]`` to write the files by hand.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from . import render, world
from .cast import (
    ACCOUNTS,
    ARCHETYPES,
    AUDITED_HANDLES,
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
    MODERATELY_RESPONSIVE,
    SLOW_RESPONDER,
)

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
