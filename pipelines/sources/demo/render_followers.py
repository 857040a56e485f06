"""The demo's follower samples (``followers``) as the pages each network's follower
list serves and the sample files that name them (pipelines/canonical/followers.py), in
the inbox folder of ``rapport import followers``. Per sample of an audited account:

* ``<platform>_<handle>_<YYYY-MM-DD>/page_<n>.json``: each page, newest followers first,
  one JSON document (UTF-8, as ``saved`` writes):

  - X: ``GET /2/users/:id/followers?max_results=..&user.fields=..``, ``{"data": [user],
    "meta": {"result_count", "next_token" (more followers follow), "previous_token"
    (not the first page)}}``; users with ``public_metrics`` (``like_count``: likes given);
  - Bluesky: ``app.bsky.graph.getFollowers?actor=..&limit=100``, ``{"subject",
    "followers", "cursor"}`` of ``profileView``s. A profileView has no counts (the
    lexicon gives them only in the ``profileViewDetailed`` of getProfile and
    getProfiles), so each such page is followed by
    ``page_<n>_profiles_<k>.json``: ``app.bsky.actor.getProfiles?actors=..`` (at most
    25 a request, as the sampler asks), ``{"profiles": [profileViewDetailed]}`` of the
    page's followers in its order, with their generated follower, following and post
    counts; the loader takes each follower's profile from there;
  - Mastodon: ``GET /api/v1/accounts/:id/followers?limit=80``, a JSON list of Account
    entities as the audited account's own server shows them (the next page is in the
    Link header, which a saved body does not keep).

* ``<platform>_<handle>_<YYYY-MM-DD>.sample.json``: the sample file, naming each page by
  sha256 and path (a Bluesky page's getProfiles pages right after it), observed two
  seconds apart from the sample's time. Written here from
  its documented format (``follower-sample/1``, pipelines/canonical/followers.py), as
  the other renderers write their networks' formats: a source does not import the
  stage that loads it; tests/test_demo_followers.py checks it is what
  ``followers.sample_document`` writes, byte for byte."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pipelines.raw.landing import sha256_of

from .cast import BLUESKY, DEFAULT_AVATAR_URL, MASTODON
from .followers import Audiences, Follower, Sample, X
from .render_bluesky import Views
from .saved import write_lines

_TOKEN = "0123456789ABCDEFGHIJKLMNOPQRSTUV"  # base32hex, as X's paging tokens read
_SORTABLE = "234567abcdefghijklmnopqrstuvwxyz"  # Bluesky's cursors sort as text
PROFILES_PER_REQUEST = 25  # getProfiles' actors at most (the lexicon's maxLength)


SAMPLE_FORMAT = "follower-sample/1"


def sample_file(sample: Sample, pages: list[dict]) -> str:
    """The sample file's text. ``pages``: [{"sha256", "file", "observed_at"}]."""
    a = sample.audience
    header = {
        "rapport": SAMPLE_FORMAT,
        "platform": a.platform,
        "account_id": sample.account_id,
        "handle": a.handle,
        "sampled_at": sample.sampled_at.astimezone(UTC).isoformat(),
        "method": "most_recent",
        "requested": a.requested,
        "followers_total": sample.followers_total,
        "hidden": False,
        "stopped_by": sample.stopped_by,
        "incremental": sample.incremental,
        "pages": [
            {**p, "observed_at": p["observed_at"].astimezone(UTC).isoformat()} for p in pages
        ],
    }
    return json.dumps(header, indent=1) + "\n"


def _iso(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _token(text: str, alphabet: str, length: int) -> str:
    bits = int.from_bytes(hashlib.sha256(text.encode()).digest(), "big")
    return "".join(alphabet[(bits >> (5 * i)) & 31] for i in range(length))


def x_user(f: Follower) -> dict:
    """A follower as the X API v2 user object, with the fields a sample asks for."""
    s = f.shape
    avatar = (
        DEFAULT_AVATAR_URL
        if s.default_avatar
        else f"https://pbs.twimg.com/profile_images/{f.key % 2**60}/"
        f"{_token(f'avatar:{f.key}', _SORTABLE, 8)}_normal.jpg"
    )
    user: dict = {
        "id": f.id,
        "username": f.handle,
        "name": f.name,
        "description": f.bio,
        "location": f.location,
        "url": "",
        "profile_image_url": avatar,
        "created_at": _iso(f.created_at),
        "protected": False,
        "verified": False,
        "verified_type": "none",
        "public_metrics": {
            "followers_count": s.followers,
            "following_count": s.following,
            "tweet_count": s.posts,
            "listed_count": s.listed,
            "like_count": s.favourites,
        },
    }
    if not f.location:
        del user["location"]
    if f.website:
        short = "https://t.co/" + format(f.key % 16**10, "0>10x")
        user["url"] = short
        display = f.website.split("://", 1)[1]
        user["entities"] = {
            "url": {
                "urls": [
                    {
                        "start": 0,
                        "end": len(short),
                        "url": short,
                        "expanded_url": f.website,
                        "display_url": display,
                    }
                ]
            }
        }
    return user


class FollowerPages:
    """Renders the samples of one :class:`~.followers.Audiences`."""

    def __init__(self, audiences: Audiences) -> None:
        self.audiences = audiences
        self.bluesky = Views(audiences.networks[BLUESKY])

    def profile_view(self, member) -> dict:
        """A ``profileView``: how getFollowers shows an account (no counts)."""
        view = self.bluesky.basic(member)
        if member.description:
            view["description"] = member.description
        view["indexedAt"] = _iso(member.created_at + timedelta(seconds=2))
        return view

    def detailed_view(self, f: Follower) -> dict:
        """A ``profileViewDetailed``: how getProfiles shows a follower, with the counts
        it was drawn with (profile.json's keys; no banner or pinned post)."""
        view = self.profile_view(f.member())
        view["associated"] = {
            "lists": 0,
            "feedgens": 0,
            "starterPacks": 0,
            "labeler": False,
            **view["associated"],
        }
        view["followersCount"] = f.shape.followers
        view["followsCount"] = f.shape.following
        view["postsCount"] = f.shape.posts
        return view

    def mastodon_account(self, sample: Sample, f: Follower) -> dict:
        account = self.audiences.server(sample.audience).account(f.member(), sample.sampled_at)
        if f.shape.posts:  # last posted some days before: bought accounts long ago
            days_ago = f.key % (400 if f.bought else 30)
            account["last_status_at"] = f"{sample.sampled_at - timedelta(days=days_ago):%Y-%m-%d}"
        return account

    def pages(self, sample: Sample) -> list[tuple[str, dict | list]]:
        """The sample's pages as the network served them, in the order they were read,
        each with its file name's stem."""
        out: list[tuple[str, dict | list]] = []
        platform, seen = sample.audience.platform, 0
        for n, page in enumerate(sample.pages):
            seen += len(page)
            more = seen < sample.followers_total
            where = f"{sample.account_id}:{sample.sampled_at:%Y-%m-%d}:{n}"
            if platform == X:
                meta: dict = {"result_count": len(page)}
                if more:
                    meta["next_token"] = _token(f"next:{where}", _TOKEN, 16)
                if n:
                    meta["previous_token"] = _token(f"previous:{where}", _TOKEN, 16)
                out.append((f"page_{n + 1}", {"data": [x_user(f) for f in page], "meta": meta}))
            elif platform == BLUESKY:
                brand = self.audiences.brand(sample.audience)
                body: dict = {
                    "subject": self.profile_view(brand),
                    "followers": [self.profile_view(f.member()) for f in page],
                }
                if more:
                    body["cursor"] = _token(f"cursor:{where}", _SORTABLE, 13)
                out.append((f"page_{n + 1}", body))
                for k in range(0, len(page), PROFILES_PER_REQUEST):
                    batch = page[k : k + PROFILES_PER_REQUEST]
                    profiles = {"profiles": [self.detailed_view(f) for f in batch]}
                    out.append((f"page_{n + 1}_profiles_{k // PROFILES_PER_REQUEST + 1}", profiles))
            else:
                assert platform == MASTODON
                out.append((f"page_{n + 1}", [self.mastodon_account(sample, f) for f in page]))
        return out


def write(audiences: Audiences, samples: tuple[Sample, ...], out_dir: Path) -> list:
    """Write every sample's pages and sample file into ``out_dir`` (made if missing);
    return [(sample file, sampled_at)] in the samples' order (each account's by time,
    the order they must load in)."""
    renderer = FollowerPages(audiences)
    out_dir = Path(out_dir)
    written = []
    for sample in samples:
        a = sample.audience
        name = f"{a.platform}_{a.handle}_{sample.sampled_at:%Y-%m-%d}"
        (out_dir / name).mkdir(parents=True, exist_ok=True)
        pages = []
        for n, (stem, body) in enumerate(renderer.pages(sample), 1):
            path = write_lines(out_dir / name / f"{stem}.json", [body])
            observed = sample.sampled_at + timedelta(seconds=2 * n)
            pages.append(
                {"sha256": sha256_of(path), "file": f"{name}/{path.name}", "observed_at": observed}
            )
        path = out_dir / f"{name}.sample.json"
        path.write_text(sample_file(sample, pages), encoding="utf-8", newline="\n")
        written.append((path, sample.sampled_at))
    return written
