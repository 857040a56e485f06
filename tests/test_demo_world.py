"""The demo world: deterministic, shaped like X API v2 pages as twarc2 writes them, and
its accounts behave as their archetypes say. Every check here is computed from the
generated JSON itself, not from the generator's internals."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest
import yaml

from pipelines.cli import main
from pipelines.sources import demo as dw

REPO = Path(__file__).resolve().parent.parent
HANDLE = re.compile(r"^[A-Za-z0-9_]{1,15}$")
CREATED_AT = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$")


def ts(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


@dataclass
class Loaded:
    """What the generated files say, gathered the way an analyst would."""

    pages: dict[str, list[dict]] = field(default_factory=dict)  # file name -> pages
    tweets: dict[str, dict] = field(default_factory=dict)  # id -> tweet (from data)
    users: dict[str, dict] = field(default_factory=dict)  # id -> latest user object
    snapshots: dict[str, list[dict]] = field(default_factory=dict)  # handle -> daily

    def id_of(self, handle: str) -> str:
        return next(i for i, u in self.users.items() if u["username"] == handle)

    def posts_by(self, handle: str) -> list[dict]:
        uid = self.id_of(handle)
        return [t for t in self.tweets.values() if t["author_id"] == uid]

    def audited_ids(self) -> set[str]:
        return {self.id_of(h) for h in dw.ACCOUNTS}

    def inbound(self, handle: str) -> list[dict]:
        """Customer posts that mention the account or reply to it."""
        uid, audited = self.id_of(handle), self.audited_ids()
        return [
            t
            for t in self.tweets.values()
            if t["author_id"] not in audited
            and (t.get("in_reply_to_user_id") == uid or handle in mentions(t))
        ]

    def answers(self, handle: str) -> dict[str, dict]:
        """Replied-to post id -> the account's reply to it."""
        return {
            ref["id"]: t
            for t in self.posts_by(handle)
            for ref in t.get("referenced_tweets", [])
            if ref["type"] == "replied_to"
        }

    def answered_share(self, handle: str) -> float:
        inbound, answers = self.inbound(handle), self.answers(handle)
        return sum(1 for t in inbound if t["id"] in answers) / len(inbound)


def mentions(tweet: dict) -> list[str]:
    return [m["username"] for m in tweet.get("entities", {}).get("mentions", [])]


def ref_types(tweet: dict) -> set[str]:
    return {r["type"] for r in tweet.get("referenced_tweets", [])}


def load(out_dir: Path) -> Loaded:
    world = Loaded()
    for path in sorted(out_dir.glob("*.jsonl")):
        pages = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
        world.pages[path.name] = pages
        for page in pages:
            for obj in page["data"]:
                if "username" in obj:
                    world.snapshots.setdefault(obj["username"], []).append(obj)
                    world.users[obj["id"]] = obj
                else:
                    world.tweets[obj["id"]] = obj
            for user in page.get("includes", {}).get("users", []):
                world.users.setdefault(user["id"], user)
    return world


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Loaded:
    out = tmp_path_factory.mktemp("demo")
    dw.generate(out)
    return load(out)


# --------------------------------------------------------------------------- files


def test_same_seed_and_anchor_give_byte_identical_files(tmp_path: Path) -> None:
    first = dw.generate(tmp_path / "a")
    second = dw.generate(tmp_path / "b")
    assert [p.name for p in first] == [p.name for p in second]
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name
    other = dw.generate(tmp_path / "c", seed=8)
    assert any(a.read_bytes() != c.read_bytes() for a, c in zip(first, other, strict=True))


def test_it_writes_daily_users_and_a_timeline_and_mentions_per_account(tmp_path: Path) -> None:
    paths = dw.generate(tmp_path, days=dw.DEFAULT_DAYS)
    assert paths == sorted(paths)
    assert sorted(p.name for p in tmp_path.iterdir()) == [p.name for p in paths]
    names = {p.name for p in paths}
    first = dw.DEFAULT_ANCHOR - timedelta(days=dw.DEFAULT_DAYS - 1)
    days = {f"users_{first + timedelta(days=d):%Y-%m-%d}.jsonl" for d in range(dw.DEFAULT_DAYS)}
    assert "users_2026-10-20.jsonl" in days and "users_2026-11-16.jsonl" in days
    per_account = {f"{kind}_{h}.jsonl" for h in dw.ACCOUNTS for kind in ("timeline", "mentions")}
    assert names == days | per_account


def test_every_line_is_a_twarc2_page(world: Loaded) -> None:
    for name, pages in world.pages.items():
        assert pages, name
        for n, page in enumerate(pages):
            assert isinstance(page, dict) and isinstance(page["data"], list) and page["data"]
            twarc = page["__twarc"]
            assert twarc["url"].startswith("https://api.x.com/2/")
            assert twarc["version"] == "rapport-demo"
            assert ts(twarc["retrieved_at"]).tzinfo is not None
            if name.startswith("users_"):
                assert twarc["retrieved_at"] == f"{name[6:16]}T06:00:00+00:00"
                continue
            assert twarc["retrieved_at"] == "2026-11-16T06:00:00+00:00"
            meta, ids = page["meta"], [int(t["id"]) for t in page["data"]]
            assert len(ids) <= 100 and meta["result_count"] == len(ids)
            assert ids == sorted(ids, reverse=True)  # newest first
            assert (meta["newest_id"], meta["oldest_id"]) == (str(ids[0]), str(ids[-1]))
            assert ("next_token" in meta) == (n < len(pages) - 1), (name, n)
            if n:
                assert f"pagination_token={pages[n - 1]['meta']['next_token']}" in twarc["url"]


def test_some_files_span_more_than_one_page(world: Loaded) -> None:
    assert len(world.pages[f"timeline_{dw.CONVERSATIONAL}.jsonl"]) >= 2


# --------------------------------------------------------------------------- objects


def test_posts_and_users_look_like_x(world: Loaded) -> None:
    anchor, start = dw.DEFAULT_ANCHOR, dw.DEFAULT_ANCHOR - timedelta(days=dw.DEFAULT_DAYS)
    for t in world.tweets.values():
        assert t["id"].isdigit() and t["author_id"] in world.users
        assert CREATED_AT.match(t["created_at"])
        assert start <= ts(t["created_at"]) < anchor
        assert t["edit_history_tweet_ids"] == [t["id"]]
        assert set(t["public_metrics"]) >= {
            "retweet_count",
            "reply_count",
            "like_count",
            "quote_count",
            "impression_count",
        }
        for key, token in (("mentions", "@{username}"), ("hashtags", "#{tag}"), ("urls", "{url}")):
            for e in t.get("entities", {}).get(key, []):
                assert t["text"][e["start"] : e["end"]] == token.format(**e), (t["id"], e)
        for m in t.get("entities", {}).get("mentions", []):
            assert world.users[m["id"]]["username"] == m["username"]
    for u in world.users.values():
        assert HANDLE.match(u["username"]) and u["id"].isdigit()
        assert set(u["public_metrics"]) == {
            "followers_count",
            "following_count",
            "tweet_count",
            "listed_count",
        }
        assert {"name", "description", "profile_image_url", "created_at"} <= set(u)
        assert isinstance(u["verified"], bool) and u["protected"] is False
    assert 30 <= len(world.users) - len(dw.ACCOUNTS) <= 60  # the customers
    assert 300 <= len(world.tweets) <= 2000


def test_ids_increase_with_time(world: Loaded) -> None:
    by_id = sorted(world.tweets.values(), key=lambda t: int(t["id"]))
    assert [t["created_at"] for t in by_id] == sorted(t["created_at"] for t in by_id)


def test_threads_hang_together(world: Loaded) -> None:
    for t in world.tweets.values():
        refs = {r["type"]: r["id"] for r in t.get("referenced_tweets", [])}
        if "replied_to" in refs:
            parent = world.tweets[refs["replied_to"]]
            assert t["in_reply_to_user_id"] == parent["author_id"]
            assert t["conversation_id"] == parent["conversation_id"]
            assert t["created_at"] > parent["created_at"]
        else:
            assert "in_reply_to_user_id" not in t
            assert t["conversation_id"] == t["id"]
        if "retweeted" in refs:
            source = world.tweets[refs["retweeted"]]
            author = world.users[source["author_id"]]["username"]
            assert t["text"].startswith(f"RT @{author}: ")
            assert t["entities"]["mentions"][0] == {
                "start": 3,
                "end": 4 + len(author),
                "username": author,
                "id": source["author_id"],
            }


def test_each_page_carries_its_expansions(world: Loaded) -> None:
    for name, pages in world.pages.items():
        for page in pages:
            if name.startswith("users_"):
                continue
            users = {u["id"] for u in page["includes"]["users"]}
            included = {t["id"]: t for t in page["includes"].get("tweets", [])}
            for t in page["data"]:
                assert t["author_id"] in users
                if "in_reply_to_user_id" in t:
                    assert t["in_reply_to_user_id"] in users
                assert {m["id"] for m in t.get("entities", {}).get("mentions", [])} <= users
                for ref in t.get("referenced_tweets", []):
                    assert ref["id"] in included, (name, t["id"], ref)
                    assert included[ref["id"]]["author_id"] in users
            for t in included.values():  # every included post is in some page's data
                assert world.tweets[t["id"]] == t


def test_includes_show_the_profile_of_the_last_daily_snapshot(world: Loaded) -> None:
    for handle in dw.ACCOUNTS:
        latest = world.snapshots[handle][-1]
        for name, pages in world.pages.items():
            for page in pages:
                for user in page.get("includes", {}).get("users", []):
                    if user["username"] == handle:
                        assert user == latest, name


# --------------------------------------------------------------------------- archetypes


def check_archetypes(world: Loaded) -> None:
    """The behaviours the demo promises, for any seed."""
    # broadcaster: only originals, no replies, retweets, quotes or mentions; yet spoken to
    own = world.posts_by(dw.BROADCASTER)
    assert own
    for t in own:
        assert not t.get("referenced_tweets") and "in_reply_to_user_id" not in t
        assert not mentions(t) and not t["text"].startswith(("RT @", "@"))
    inbound = world.inbound(dw.BROADCASTER)
    assert any(not t.get("referenced_tweets") for t in inbound)  # plain mentions
    assert any("replied_to" in ref_types(t) for t in inbound)  # replies to its posts
    assert world.answered_share(dw.BROADCASTER) == 0

    # follow-for-follow: following >= 10x followers in every daily snapshot
    for snap in world.snapshots[dw.FOLLOW_FOR_FOLLOW]:
        m = snap["public_metrics"]
        assert m["following_count"] >= 10 * m["followers_count"]

    # ghost: empty bio, default avatar, fewer than 20 posts ever, few followers
    for snap in world.snapshots[dw.GHOST]:
        assert snap["description"] == ""
        assert snap["profile_image_url"] == dw.DEFAULT_AVATAR_URL
        assert snap["profile_image_url"].endswith("default_profile_normal.png")
        assert snap["public_metrics"]["tweet_count"] < 20
        assert snap["public_metrics"]["followers_count"] < 50

    # conversational: answers more than half of what customers send it
    assert world.answered_share(dw.CONVERSATIONAL) > 0.5

    # etiquette, read as marts.canned_replies and marts.first_contacts read it
    def said(t: dict) -> str:
        return " ".join(re.sub(r"https?://\S+|@\w+", " ", t["text"]).lower().split())

    def replies(handle: str) -> list[dict]:
        return [t for t in world.posts_by(handle) if "replied_to" in ref_types(t)]

    # conversational: no two of its replies read the same
    texts = [said(t) for t in replies(dw.CONVERSATIONAL)]
    assert texts and len(set(texts)) == len(texts)
    # auto-replier: one text for every answer, (nearly) every message answered
    assert len({said(t) for t in replies(dw.AUTO_REPLIER)}) == 1
    asked = [t for t in world.inbound(dw.AUTO_REPLIER) if not t.get("referenced_tweets")]
    answered = world.answers(dw.AUTO_REPLIER)
    assert asked and sum(t["id"] in answered for t in asked) / len(asked) > 0.9
    # pitcher: posts to customers who never wrote to it, each a first contact that
    # pitches (a link, a discount, a code, "buy now", "check out") or asks to be amplified
    wrote = {t["author_id"] for t in world.inbound(dw.PITCHER)}
    approaches = [
        t for t in world.posts_by(dw.PITCHER) if mentions(t) and not t.get("referenced_tweets")
    ]
    assert len(approaches) >= 3  # a week of the default rate is about 8
    strangers = {world.id_of(m) for t in approaches for m in mentions(t)}
    assert strangers and not strangers & wrote
    asks = re.compile(r"https?://|% off|promo code|buy now|check out|retweet|follow us|review")
    assert all(asks.search(t["text"].lower()) for t in approaches)


@pytest.mark.parametrize("seed", [1, 2, 3, 99])
def test_archetypes_hold_for_other_seeds(tmp_path: Path, seed: int) -> None:
    dw.generate(tmp_path, seed=seed)
    check_archetypes(load(tmp_path))


def test_archetypes_hold_for_the_default_world(world: Loaded) -> None:
    check_archetypes(world)
    assert len(world.posts_by(dw.BROADCASTER)) >= 50  # "many announcements"


def test_the_conversational_brand_is_social(world: Loaded) -> None:
    h = dw.CONVERSATIONAL
    own = world.posts_by(h)
    replies = [t for t in own if "replied_to" in ref_types(t)]
    assert len(replies) / len(own) > 0.5
    customers = set(world.users) - world.audited_ids()
    assert all(world.tweets[r["id"]]["author_id"] in customers for r in _refs(replies))
    shared = [t for t in own if ref_types(t) & {"retweeted", "quoted"}]
    assert shared, "it retweets or quotes customers now and then"
    inbound = {t["id"]: t for t in world.inbound(h)}
    delays = sorted(
        (ts(t["created_at"]) - ts(inbound[i]["created_at"])).total_seconds() / 3600
        for i, t in world.answers(h).items()
        if i in inbound
    )
    assert delays[len(delays) // 2] < 2  # median under two hours
    assert delays[-1] <= 6
    m = world.snapshots[h][-1]["public_metrics"]
    assert 0.1 <= m["following_count"] / m["followers_count"] <= 3


def _refs(tweets: list[dict]) -> list[dict]:
    return [r for t in tweets for r in t["referenced_tweets"] if r["type"] == "replied_to"]


def test_responsiveness_ranks_as_the_archetypes_say(world: Loaded) -> None:
    share = {h: world.answered_share(h) for h in dw.ACCOUNTS}
    assert (
        share[dw.CONVERSATIONAL]
        > share[dw.MODERATELY_RESPONSIVE]
        > share[dw.SLOW_RESPONDER]
        > share[dw.BROADCASTER]
        == 0
    )
    assert share[dw.GHOST] == 0

    def median_delay(h: str) -> float:
        inbound = {t["id"]: t for t in world.inbound(h)}
        d = sorted(
            (ts(t["created_at"]) - ts(inbound[i]["created_at"])).total_seconds()
            for i, t in world.answers(h).items()
            if i in inbound
        )
        return d[len(d) // 2]

    assert (
        median_delay(dw.CONVERSATIONAL)
        < median_delay(dw.MODERATELY_RESPONSIVE)
        < median_delay(dw.SLOW_RESPONDER)
    )
    assert median_delay(dw.SLOW_RESPONDER) >= 24 * 3600


def test_follower_history_drifts_by_archetype(world: Loaded) -> None:
    def series(h: str, key: str) -> list[int]:
        return [s["public_metrics"][key] for s in world.snapshots[h]]

    assert all(len(world.snapshots[h]) == dw.DEFAULT_DAYS for h in dw.ACCOUNTS)
    grow = series(dw.CONVERSATIONAL, "followers_count")
    assert all(b > a for a, b in zip(grow, grow[1:], strict=False))  # steady growth
    flat = series(dw.BROADCASTER, "followers_count")
    assert max(flat) - min(flat) < 0.01 * flat[0]
    following = series(dw.FOLLOW_FOR_FOLLOW, "following_count")
    assert max(b - a for a, b in zip(following, following[1:], strict=False)) >= 150  # sprees
    for h in dw.ACCOUNTS:  # post counts only go up, by the posts in the window
        posts = series(h, "tweet_count")
        assert posts == sorted(posts)
        assert posts[-1] - posts[0] <= len(world.posts_by(h))


def test_window_follows_anchor_and_days(tmp_path: Path) -> None:
    anchor = datetime(2025, 3, 10, 12, tzinfo=UTC)
    paths = dw.generate(tmp_path, anchor=anchor, days=7)
    assert sum(p.name.startswith("users_") for p in paths) == 7
    assert "users_2025-03-04.jsonl" in {p.name for p in paths}
    world = load(tmp_path)
    assert world.tweets
    for t in world.tweets.values():
        assert anchor - timedelta(days=7) <= ts(t["created_at"]) < anchor
    check_archetypes(world)


# --------------------------------------------------------------------------- config


def test_audits_yaml_lists_the_demo_clients_and_every_handle_exists(world: Loaded) -> None:
    config = yaml.safe_load((REPO / "audits.yaml").read_text())
    entries = [
        (client["name"], role, entry["platform"], entry["handle"], entry["name"])
        for client in config["clients"]
        for role in ("brands", "competitors")
        for entry in client[role]
    ]
    assert entries == dw.audit_entries()
    x = [(client, role, handle) for client, role, platform, handle, _ in entries if platform == "x"]
    assert x == [
        (client, role, handle)
        for client, roles in dw.CLIENTS.items()
        for role, handles in roles.items()
        for handle in handles
    ]
    generated = {u["username"] for u in world.users.values()}
    assert {handle for _, _, handle in x} <= generated
    assert {handle for _, _, handle in x} == set(dw.ACCOUNTS)
    assert set(dw.ACCOUNTS.values()) == set(dw.ARCHETYPES)
    others = {(platform, handle) for _, _, platform, handle, _ in entries if platform != "x"}
    assert others == {(p.platform, p.handle) for p in dw.PRESENCES}
    names = {name for *_, name in entries}
    for p in dw.PRESENCES:  # a brand's accounts on several networks share its name
        assert p.name in names and (p.platform, p.handle, p.name) in {e[2:] for e in entries}


# --------------------------------------------------------------------------- networks
# The Bluesky and Mastodon accounts, checked on the generated JSON and on what the
# real `rapport import` loads from it.

NETWORKS = (dw.BLUESKY, dw.MASTODON)
DID = re.compile(r"^did:plc:[a-z2-7]{24}$")
AT_URI = re.compile(r"^at://did:plc:[a-z2-7]{24}/app\.bsky\.feed\.post/[2-7a-z]{13}$")
LINK = re.compile(r'href="(https?://[^"]+)"')


def write(platform: str, out: Path, seed: int = dw.DEFAULT_SEED) -> list:
    return dw.write_network(platform, out, seed, dw.DEFAULT_ANCHOR, dw.DEFAULT_DAYS)


def documents(path: Path) -> list:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.mark.parametrize("platform", NETWORKS)
def test_each_network_is_deterministic(tmp_path: Path, platform: str) -> None:
    first, second = write(platform, tmp_path / "a"), write(platform, tmp_path / "b")
    assert [(f.path.name, f.retrieved_at) for f in first] == [
        (f.path.name, f.retrieved_at) for f in second
    ]
    for a, b in zip(first, second, strict=True):
        assert a.path.read_bytes() == b.path.read_bytes(), a.path.name
    other = write(platform, tmp_path / "c", seed=8)
    assert any(
        a.path.read_bytes() != c.path.read_bytes() for a, c in zip(first, other, strict=True)
    )


def test_the_inbox_holds_every_network_and_the_x_files_as_before(tmp_path: Path) -> None:
    files = dw.write_inbox(tmp_path / "inbox", dw.DEFAULT_SEED, dw.DEFAULT_ANCHOR, 28)
    assert {f.source for f in files} == {"twarc2", *NETWORKS, "follower-sample"}
    for f in files:
        assert f.path.parent == tmp_path / "inbox" / f.source / "demo"
    x_alone = dw.generate(tmp_path / "x")
    in_inbox = sorted(f.path for f in files if f.source == "twarc2")
    assert [p.name for p in in_inbox] == [p.name for p in x_alone]
    for a, b in zip(in_inbox, x_alone, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name  # the others leave X as it was


def test_bluesky_files_are_appview_responses(tmp_path: Path) -> None:
    files = write(dw.BLUESKY, tmp_path)
    days = {f.retrieved_at for f in files if f.path.name.startswith("profile_")}
    assert len(days) == dw.DEFAULT_DAYS
    for f in files:
        for doc in documents(f.path):
            if f.path.name.startswith("profile_"):
                assert DID.match(doc["did"]) and doc["handle"].endswith(".bsky.social")
                assert {"followersCount", "followsCount", "postsCount", "createdAt"} <= set(doc)
                assert {"avatar", "description"} <= set(doc)
                continue
            for view in _post_views(doc):
                assert AT_URI.match(view["uri"]) and view["uri"].startswith(
                    f"at://{view['author']['did']}/"
                )
                record = view["record"]
                start = dw.DEFAULT_ANCHOR - timedelta(days=dw.DEFAULT_DAYS)
                assert start <= ts(record["createdAt"]) < dw.DEFAULT_ANCHOR
                text = record["text"].encode("utf-8")
                for facet in record.get("facets", []):
                    shown = text[facet["index"]["byteStart"] : facet["index"]["byteEnd"]].decode()
                    (feature,) = facet["features"]
                    kind = feature["$type"].rsplit("#", 1)[1]
                    if kind == "mention":
                        assert shown.startswith("@") and DID.match(feature["did"])
                    elif kind == "tag":
                        assert shown == "#" + feature["tag"]
                    else:
                        assert feature["uri"] == "https://" + shown
                        assert shown.split("/", 1)[0].endswith(".example")


def _post_views(doc: dict) -> list[dict]:
    """Every post view of a getAuthorFeed page or a getPostThread response."""
    if "feed" in doc:
        views = []
        for item in doc["feed"]:
            views.append(item["post"])
            views += [item["reply"][k] for k in ("root", "parent") if "reply" in item]
        return views
    views, stack = [], [doc["thread"]]
    while stack:
        node = stack.pop()
        views.append(node["post"])
        stack += node["replies"]
    return views


def test_mastodon_files_name_their_server_and_link_to_example_domains(tmp_path: Path) -> None:
    for f in write(dw.MASTODON, tmp_path):
        brand = next(p for p in dw.PRESENCES if f"_{p.handle.split('@')[0]}" in f.path.name)
        user, instance = brand.handle.split("@")
        accounts = [a for doc in documents(f.path) for a in _accounts(doc)]
        # the brand's own account, local to the server that answered: acct without '@'
        assert {"acct": user, "url": f"https://{instance}/@{user}"} in [
            {"acct": a["acct"], "url": a["url"]} for a in accounts
        ]
        for a in accounts:
            assert a["acct"] == a["username"] or a["acct"].endswith(".example")
        urls = LINK.findall(f.path.read_text(encoding="utf-8"))
        assert all(".example/" in url for url in urls), f.path.name


def _accounts(value: object) -> list[dict]:
    """Every Account entity in a response: a lookup, statuses' authors, a context's."""
    found, stack = [], [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if "acct" in item and "followers_count" in item:
                found.append(item)
            stack += item.values()
        elif isinstance(item, list):
            stack += item
    return found


def test_the_network_files_load_through_rapport_import(warehouse) -> None:
    """Both networks' files, landed at their retrieval times and loaded with `rapport
    import` as `rapport demo` does, give what the audit needs."""
    files = dw.write_inbox(warehouse.inbox_dir, dw.DEFAULT_SEED, dw.DEFAULT_ANCHOR, 28)
    files = [f for f in files if f.source in NETWORKS]
    assert dw.land_as_retrieved(warehouse.raw_dir, files) == len(files)
    for platform in NETWORKS:
        assert main(["import", platform, str(warehouse.inbox_dir / platform / "demo")]) == 0
    with duckdb.connect(str(warehouse.warehouse_path), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM canonical.rejects").fetchone() == (0,)
        assert con.execute("SELECT count(*) FROM ops.refused_files").fetchone() == (0,)
        loaded = con.execute("SELECT source, count(*) FROM ops.raw_files GROUP BY ALL")
        assert dict(loaded.fetchall()) == {p: sum(f.source == p for f in files) for p in NETWORKS}
        for platform in NETWORKS:
            check_replies_point_at_posts_loaded_with_them(con, platform)
        for presence in dw.PRESENCES:
            check_a_snapshot_each_day_and_growth(con, presence)
            check_customers_reply_and_it_answers(con, presence)
        check_on_mastodon_the_conversational_brand_answers_more(con)


def _account_id(con, platform: str, handle: str) -> str:
    (account_id,) = con.execute(
        "SELECT account_id FROM canonical.accounts WHERE platform = ? AND handle = ?",
        [platform, handle.lower()],
    ).fetchone()
    return account_id


def check_a_snapshot_each_day_and_growth(con, presence) -> None:
    account_id = _account_id(con, presence.platform, presence.handle)
    rows = con.execute(
        "SELECT observed_at, followers_count, following_count, post_count "
        "FROM canonical.account_snapshots WHERE platform = ? AND account_id = ? "
        "ORDER BY observed_at",
        [presence.platform, account_id],
    ).fetchall()
    first = dw.DEFAULT_ANCHOR - timedelta(days=dw.DEFAULT_DAYS - 1)
    assert [r[0].astimezone(UTC) for r in rows] == [
        first + timedelta(days=d) for d in range(dw.DEFAULT_DAYS)
    ]
    followers, posts = [r[1] for r in rows], [r[3] for r in rows]
    assert followers[0] == presence.followers and followers[-1] > followers[0]
    assert posts == sorted(posts) and posts[-1] > posts[0]


def _answered(con, presence) -> tuple[int, int, int]:
    """(own posts, customers' replies to it, those it answered) as loaded."""
    brand = _account_id(con, presence.platform, presence.handle)
    return con.execute(
        """
        WITH p AS (SELECT * FROM canonical.posts WHERE platform = ?),
        inbound AS (  -- customers' replies to the brand
            SELECT r.* FROM p AS r JOIN p AS parent ON parent.post_id = r.in_reply_to_post_id
            WHERE parent.account_id = ? AND r.account_id <> ?
        )
        SELECT (SELECT count(*) FROM p WHERE account_id = ? AND reposted_post_id IS NULL
                AND in_reply_to_post_id IS NULL),
               (SELECT count(*) FROM inbound),
               (SELECT count(*) FROM inbound AS i
                WHERE EXISTS (SELECT 1 FROM p WHERE p.in_reply_to_post_id = i.post_id
                              AND p.account_id = ?))
        """,
        [presence.platform, brand, brand, brand, brand],
    ).fetchone()


def check_replies_point_at_posts_loaded_with_them(con, platform: str) -> None:
    orphans = con.execute(
        """
        SELECT r.post_id FROM canonical.posts AS r
        LEFT JOIN canonical.posts AS parent
          ON parent.platform = r.platform AND parent.post_id = r.in_reply_to_post_id
        LEFT JOIN canonical.posts AS root
          ON root.platform = r.platform AND root.post_id = r.conversation_id
        WHERE r.platform = ? AND r.in_reply_to_post_id IS NOT NULL
          AND (parent.post_id IS NULL OR parent.account_id <> r.in_reply_to_account_id
               OR root.post_id IS NULL OR root.in_reply_to_post_id IS NOT NULL)
        """,
        [platform],
    ).fetchall()
    assert orphans == [], platform  # every reply's parent and thread start are loaded


def check_customers_reply_and_it_answers(con, presence) -> None:
    own, inbound, answered = _answered(con, presence)
    assert own >= 10 and inbound >= 5 and answered >= 1
    if presence.x_handle == dw.CONVERSATIONAL:
        assert answered / inbound > 0.5


def check_on_mastodon_the_conversational_brand_answers_more(con) -> None:
    share = {}
    for presence in dw.PRESENCES:
        if presence.platform == dw.MASTODON:
            _, inbound, answered = _answered(con, presence)
            share[presence.x_handle] = answered / inbound
    assert share[dw.CONVERSATIONAL] > share[dw.MODERATELY_RESPONSIVE]
