"""Follower samples (issue 17): an audited account's followers, read from its network's
follower list, with each follower's profile as observed then.

A sample lands as files of two kinds, like every source raw first:

* each page the network served, byte for byte, as source ``<platform>-followers``
  (``x-followers``: X API v2 ``GET /2/users/:id/followers``, ``{"data": [user...]}``;
  ``bluesky-followers``: ``app.bsky.graph.getFollowers``, ``{"subject", "followers"}``;
  ``mastodon-followers``: ``GET /api/v1/accounts/:id/followers``, a list of Accounts).
  A page alone loads nothing: X and Mastodon pages do not say whose followers they are.
  Bluesky's getFollowers lists ``profileView``s, which carry no follower, following or
  post counts; a Bluesky sample's pages may therefore also hold
  ``app.bsky.actor.getProfiles`` responses (``{"profiles": [profileViewDetailed...]}``,
  at most 25 actors a request), landed byte for byte under the same source
  ``bluesky-followers``. The sampler lists each right after the getFollowers page whose
  followers it details, but the loader does not depend on where: the followers and
  their order come from the getFollowers pages alone (in the sample's order), and each
  follower's profile is its getProfiles view when a page of the sample has one for its
  DID (the first listed; ``observed_at`` and ``raw_file_id`` that page's), else its
  getFollowers view (counts NULL). A getProfiles view of a DID no getFollowers page
  lists adds nobody.
* one sample file Rapport writes when the sample is complete, source ``follower-sample``
  (the format below). Loading it parses its pages from raw, in order, so a sample is in
  the warehouse whole or not at all (a run killed mid-sample leaves only pages), and a
  rebuild replays it exactly.

    {"rapport": "follower-sample/1", "platform": "x", "account_id": "123",
     "handle": "NorthwindCoffee", "sampled_at": "2026-11-16T06:00:00+00:00",
     "method": "most_recent", "requested": 200, "followers_total": 1234,
     "hidden": false, "stopped_by": "size", "incremental": true,
     "pages": [{"sha256": "<hex>", "file": "0001.json",
                "observed_at": "2026-11-16T06:00:02+00:00"}]}

``file`` (relative to the sample file) is read only by ``rapport import followers``,
which lands each page before the sample. ``incremental``: the pages hold only the
followers newer than the previous sample's (the network lists newest first); the
loader carries the previous sample's others forward, in their order, up to
``requested``. ``stopped_by``: size (the sample is full), known (a follower already in
the previous sample was reached), end (the list ended), budget (the X budget allowed no
more), hidden (the account hides its followers: Mastodon ``hide_collections``; an
empty sample, recorded, not an error)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from pipelines.raw.landing import LandedFile
from pipelines.sources.bluesky.objects import profile_to_snapshot
from pipelines.sources.contract import Drops
from pipelines.sources.mastodon.objects import account_to_snapshot
from pipelines.sources.records import NotThisFormat, ParsedBatch, Reject, excerpt_of
from pipelines.sources.twarc2.objects import ItemError, user_to_snapshot

FORMAT = "follower-sample/1"
SAMPLE_SOURCE = "follower-sample"
PAGE_SOURCE = {"x": "x-followers", "bluesky": "bluesky-followers", "mastodon": "mastodon-followers"}
METHODS = ("most_recent",)
STOPS = ("size", "known", "end", "budget", "hidden")

# canonical.sampled_followers columns a page gives (the sample's keys are added).
PROFILE_COLUMNS = (
    "follower_id",
    "observed_at",
    "handle",
    "display_name",
    "bio",
    "location",
    "url",
    "profile_image_url",
    "has_default_avatar",
    "account_created_at",
    "followers_count",
    "following_count",
    "post_count",
    "listed_count",
    "favourites_count",
)


def _profile(snapshot: dict, url: str | None = None, favourites: int | None = None) -> dict:
    row = {c: snapshot.get(c) for c in PROFILE_COLUMNS}
    row["follower_id"] = snapshot["account_id"]
    row["url"] = url or None
    row["favourites_count"] = favourites
    return row


def _x_items(page: Any) -> list:
    if not isinstance(page, dict) or not isinstance(page.get("data", []), list):
        raise NotThisFormat("not an X API v2 followers page (an object with a `data` list)")
    return page.get("data", [])


def _x_profile(user: Any, observed: datetime, latest: datetime, instance: str) -> dict:
    if not isinstance(user, dict):
        raise ItemError("a follower is not a JSON object")
    drops = Drops()
    snapshot = user_to_snapshot(user, observed, latest, drops)
    metrics = user.get("public_metrics") if isinstance(user.get("public_metrics"), dict) else {}
    likes = metrics.get("like_count")
    url = user.get("url") if isinstance(user.get("url"), str) else None
    return _profile(snapshot, url, likes if isinstance(likes, int) and likes >= 0 else None)


def _bluesky_items(page: Any) -> list:
    if not isinstance(page, dict) or not isinstance(page.get("followers"), list):
        raise NotThisFormat("not a Bluesky getFollowers response (no `followers` list)")
    return page["followers"]


def _bluesky_detailed_items(page: Any) -> list:
    if not isinstance(page, dict) or not isinstance(page.get("profiles"), list):
        raise NotThisFormat("not a Bluesky getProfiles response (no `profiles` list)")
    return page["profiles"]


def _bluesky_profile(view: Any, observed: datetime, latest: datetime, instance: str) -> dict:
    if not isinstance(view, dict):
        raise ItemError("a follower is not a JSON object")
    return _profile(profile_to_snapshot(view, observed, latest, Drops()))


def _mastodon_items(page: Any) -> list:
    if not isinstance(page, list):
        raise NotThisFormat("not a Mastodon followers response (a JSON list of accounts)")
    return page


def _mastodon_profile(account: Any, observed: datetime, latest: datetime, instance: str) -> dict:
    if not isinstance(account, dict):
        raise ItemError("a follower is not a JSON object")
    return _profile(account_to_snapshot(account, instance, observed, latest, Drops()))


Items = Callable[[Any], list]
Profile = Callable[[Any, datetime, datetime, str], dict]
PAGES: dict[str, tuple[Items, Profile]] = {
    "x": (_x_items, _x_profile),
    "bluesky": (_bluesky_items, _bluesky_profile),
    "mastodon": (_mastodon_items, _mastodon_profile),
}
# Pages that detail the followers a follower-list page lists (Bluesky: getProfiles).
DETAILS: dict[str, Items] = {"bluesky": _bluesky_detailed_items}
FOLLOWERS, PROFILES = "followers", "profiles"  # the two kinds of page


def read_page(platform: str, body: bytes) -> tuple[str, list]:
    """(kind, items) of one page: FOLLOWERS, the follower list's objects in the
    network's order (newest first), or PROFILES (Bluesky's getProfiles), the profiles
    detailing some of them."""
    try:
        page = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise NotThisFormat(f"a followers page is not JSON ({exc})") from None
    details = DETAILS.get(platform)
    if details is not None and isinstance(page, dict) and "followers" not in page:
        if "profiles" in page:
            return PROFILES, details(page)
        raise NotThisFormat(
            "not a Bluesky getFollowers response (no `followers` list) nor a getProfiles "
            "one (no `profiles` list)"
        )
    return FOLLOWERS, PAGES[platform][0](page)


def page_items(platform: str, body: bytes) -> list:
    """The objects of one page (followers, or Bluesky's getProfiles profiles)."""
    return read_page(platform, body)[1]


def page_profiles(
    platform: str, body: bytes, observed: datetime, instance: str = ""
) -> tuple[str, list[dict], list[tuple[int, str, Any]]]:
    """(the page's kind, its profile rows, [(index, reason, item)] of the objects that
    could not be read)."""
    profile = PAGES[platform][1]
    kind, items = read_page(platform, body)
    rows, bad = [], []
    for i, item in enumerate(items):
        try:
            rows.append(profile(item, observed, observed, instance))
        except ItemError as exc:
            bad.append((i, str(exc), item))
    return kind, rows, bad


def parse_time(value: Any, what: str) -> datetime:
    if not isinstance(value, str):
        raise NotThisFormat(f"{what} is missing")
    try:
        at = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise NotThisFormat(f"{what} {value!r} is not an ISO time") from None
    if at.tzinfo is None:
        raise NotThisFormat(f"{what} {value!r} has no time zone")
    return at.astimezone(UTC)


def read_header(body: bytes) -> dict:
    """The sample file, checked; NotThisFormat says what is wrong."""
    try:
        header = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise NotThisFormat(f"a follower sample file is not JSON ({exc})") from None
    if not isinstance(header, dict) or header.get("rapport") != FORMAT:
        raise NotThisFormat(f'not a follower sample file ("rapport": "{FORMAT}")')
    if header.get("platform") not in PAGES:
        raise NotThisFormat(f"platform {header.get('platform')!r} is not x, bluesky or mastodon")
    for key in ("account_id", "method", "stopped_by"):
        if not isinstance(header.get(key), str) or not header[key]:
            raise NotThisFormat(f"{key} is missing")
    if header["method"] not in METHODS:
        raise NotThisFormat(f"method {header['method']!r} is not one of {', '.join(METHODS)}")
    if header["stopped_by"] not in STOPS:
        raise NotThisFormat(f"stopped_by {header['stopped_by']!r} is not one of {', '.join(STOPS)}")
    if not isinstance(header.get("requested"), int) or header["requested"] < 1:
        raise NotThisFormat("requested must be a whole number of at least 1")
    if not isinstance(header.get("pages"), list):
        raise NotThisFormat("pages must be a list")
    for i, page in enumerate(header["pages"]):
        if not isinstance(page, dict) or not isinstance(page.get("sha256"), str):
            raise NotThisFormat(f"pages[{i}] has no sha256")
        parse_time(page.get("observed_at"), f"pages[{i}].observed_at")
    parse_time(header.get("sampled_at"), "sampled_at")
    return header


def page_path(raw_dir: Path, platform: str, sha256: str) -> Path:
    return raw_dir / PAGE_SOURCE[platform] / sha256[:2] / f"{sha256}.json"


def instance_of(platform: str, account_id: str) -> str:
    """Mastodon ids are qualified by the serving instance (``host:id``): a follower
    list is served by the followed account's instance."""
    return account_id.rsplit(":", 1)[0] if platform == "mastodon" else ""


def parse_sample(landed: LandedFile) -> ParsedBatch:
    """A landed sample file: its follower_samples row and its followers, read from its
    pages in raw (raw/<platform>-followers/); a missing page refuses the sample. The
    followers come from the follower-list pages, in order; a Bluesky follower's
    profile from a getProfiles page when one has its DID."""
    header = read_header(landed.raw_path.read_bytes())
    platform, account_id = header["platform"], header["account_id"]
    sampled_at = parse_time(header["sampled_at"], "sampled_at")
    raw_dir = landed.raw_path.parents[2]
    batch = ParsedBatch()
    listed: list[dict] = []  # the follower lists' rows, in order
    detailed: dict[str, dict] = {}  # follower_id -> its first getProfiles row
    for n, page in enumerate(header["pages"]):
        path = page_path(raw_dir, platform, page["sha256"])
        if not path.is_file():
            raise NotThisFormat(f"pages[{n}] ({page['sha256'][:12]}) is not in raw: land it first")
        observed = parse_time(page["observed_at"], f"pages[{n}].observed_at")
        kind, profiles, bad = page_profiles(
            platform, path.read_bytes(), observed, instance_of(platform, account_id)
        )
        batch.items_read += len(profiles) + len(bad)
        for i, reason, item in bad:
            batch.rejects.append(Reject(1, reason, f"pages[{n}][{i}]", excerpt_of(item)))
        for profile in profiles:
            row = {**profile, "raw_file_id": page["sha256"]}
            if kind == PROFILES:
                detailed.setdefault(profile["follower_id"], row)
            else:
                listed.append(row)
    seen: set[str] = set()
    rows: list[dict] = []
    for row in listed:
        if row["follower_id"] in seen or len(rows) >= header["requested"]:
            continue  # a list that moved while paged repeats a follower; keep the first
        seen.add(row["follower_id"])
        rows.append(detailed.get(row["follower_id"], row))
    batch.sampled_followers = [
        {
            "platform": platform,
            "account_id": account_id,
            "sampled_at": sampled_at,
            "position": i,
            **row,
        }
        for i, row in enumerate(rows)
    ]
    total = header.get("followers_total")
    batch.follower_samples = [
        {
            "platform": platform,
            "account_id": account_id,
            "sampled_at": sampled_at,
            "method": header["method"],
            "requested": header["requested"],
            "sampled": len(rows),
            "read_new": len(rows),
            "followers_total": total if isinstance(total, int) and total >= 0 else None,
            "hidden": bool(header.get("hidden", False)),
            "stopped_by": header["stopped_by"],
            "incremental": bool(header.get("incremental", False)),
        }
    ]
    return batch


def parse_page(landed: LandedFile) -> ParsedBatch:
    """A page alone: checked to be the network's follower list (or, Bluesky, a
    getProfiles response), nothing loaded (its sample file loads it)."""
    platform = next(p for p, s in PAGE_SOURCE.items() if s == landed.source)
    page_items(platform, landed.raw_path.read_bytes())
    return ParsedBatch()


def carry_forward(con: duckdb.DuckDBPyConnection, sample: dict) -> int:
    """An incremental sample: append the previous complete sample's followers that are
    not in it, in their order, up to `requested`; returns how many."""
    key = [sample["platform"], sample["account_id"]]
    at = sample["sampled_at"]
    room = sample["requested"] - sample["read_new"]
    if room <= 0 or sample["hidden"]:
        return 0
    previous = con.execute(
        "SELECT max(sampled_at) FROM canonical.follower_samples "
        "WHERE platform = ? AND account_id = ? AND sampled_at < ?",
        [*key, at],
    ).fetchone()[0]
    if previous is None:
        return 0
    columns = [
        r[0]
        for r in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = "
            "'canonical' AND table_name = 'sampled_followers' ORDER BY ordinal_position"
        ).fetchall()
    ]
    select = ", ".join(
        "?::TIMESTAMPTZ"
        if c == "sampled_at"
        else f"{sample['read_new']} + row_number() OVER (ORDER BY p.position) - 1"
        if c == "position"
        else f"p.{c}"
        for c in columns
    )
    carried = con.execute(
        f"INSERT INTO canonical.sampled_followers SELECT {select} "
        "FROM canonical.sampled_followers p WHERE p.platform = ? AND p.account_id = ? "
        "AND p.sampled_at = ? AND p.follower_id NOT IN (SELECT follower_id FROM "
        "canonical.sampled_followers WHERE platform = ? AND account_id = ? AND sampled_at = ?) "
        "ORDER BY p.position LIMIT ?",
        [at, *key, previous, *key, at, room],
    ).fetchone()[0]
    con.execute(
        "UPDATE canonical.follower_samples SET sampled = sampled + ? "
        "WHERE platform = ? AND account_id = ? AND sampled_at = ?",
        [carried, *key, at],
    )
    return carried


def sample_document(
    platform: str,
    account_id: str,
    handle: str,
    sampled_at: datetime,
    requested: int,
    pages: list[dict],
    stopped_by: str,
    followers_total: int | None = None,
    hidden: bool = False,
    incremental: bool = True,
    method: str = "most_recent",
) -> str:
    """The sample file's text. `pages`: [{"sha256", "observed_at" (datetime), "file"?}]."""
    return (
        json.dumps(
            {
                "rapport": FORMAT,
                "platform": platform,
                "account_id": account_id,
                "handle": handle,
                "sampled_at": sampled_at.astimezone(UTC).isoformat(),
                "method": method,
                "requested": requested,
                "followers_total": followers_total,
                "hidden": hidden,
                "stopped_by": stopped_by,
                "incremental": incremental,
                "pages": [
                    {**p, "observed_at": p["observed_at"].astimezone(UTC).isoformat()}
                    for p in pages
                ],
            },
            indent=1,
        )
        + "\n"
    )
