"""`rapport import bluesky`: saved Bluesky AppView JSON into the canonical tables.

The expectations are read from the shared recordings here with the json module alone,
independently of pipelines/sources/bluesky."""

from __future__ import annotations

import json

import duckdb
import pytest

from pipelines.cli import main
from tests.conftest import SHARED_DATA, shared_file

BLUESKY = "bluesky"
POST_FILES = sorted((SHARED_DATA / BLUESKY).rglob("*.json")) if SHARED_DATA.exists() else []


def query(settings, sql, params=()):
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()


def _quoted_view(view):
    """The quoted post a post view embeds (its record under 'value'), or None."""
    embed = view.get("embed", {})
    ref = embed.get("record", {})
    if embed.get("$type") == "app.bsky.embed.recordWithMedia#view":
        ref = ref.get("record", {})
    if (
        ref.get("$type") == "app.bsky.embed.record#viewRecord"
        and "/app.bsky.feed.post/" in ref["uri"]
    ):
        return {**ref, "record": ref["value"]}
    return None


def _raw_views():
    """Every post view and every profile view in the recordings, read plainly."""
    posts, profiles = {}, {}
    for path in POST_FILES:
        doc = json.loads(path.read_text(encoding="utf-8"))
        items = [doc] if "post" in doc else doc.get("feed", [])
        for item in items:
            posts.setdefault(item["post"]["uri"], item["post"])
            for key in ("parent", "root"):
                if key in item.get("reply", {}):
                    posts.setdefault(item["reply"][key]["uri"], item["reply"][key])
        for view in doc.get("posts", []):
            posts.setdefault(view["uri"], view)
        if "did" in doc:
            profiles[doc["did"]] = doc
        for view in doc.get("follows", []) + [like["actor"] for like in doc.get("likes", [])]:
            profiles.setdefault(view["did"], view)
        if "subject" in doc:
            profiles.setdefault(doc["subject"]["did"], doc["subject"])
    for view in list(posts.values()):
        if (quoted := _quoted_view(view)) is not None:
            posts.setdefault(quoted["uri"], quoted)
    return posts, profiles


@pytest.fixture
def imported(warehouse):
    shared_file(f"{BLUESKY}/profile.json")
    assert main(["import", "bluesky", str(SHARED_DATA / BLUESKY)]) == 0
    return warehouse


def test_every_recorded_post_is_one_post_with_its_author_time_and_counts(imported):
    posts, _ = _raw_views()
    rows = query(
        imported,
        "SELECT post_id, account_id, created_at, text, like_count, repost_count, reply_count, "
        "quote_count FROM canonical.posts WHERE platform = 'bluesky'",
    )
    assert {r[0] for r in rows} == set(posts)
    for post_id, author, created, text, likes, reposts, replies, quotes in rows:
        view = posts[post_id]
        assert author == view["author"]["did"]
        assert created.isoformat().startswith(view["record"]["createdAt"][:19])
        assert text == view["record"]["text"]
        assert (likes, reposts, replies, quotes) == (
            view["likeCount"], view["repostCount"], view["replyCount"], view["quoteCount"],
        )  # fmt: skip


def test_reply_parents_and_quotes_come_from_the_record(imported):
    posts, _ = _raw_views()
    rows = query(
        imported,
        "SELECT post_id, in_reply_to_post_id, in_reply_to_account_id, quoted_post_id, "
        "reposted_post_id FROM canonical.posts WHERE platform = 'bluesky'",
    )
    quotes = 0
    for post_id, parent, parent_author, quoted, reposted in rows:
        record = posts[post_id]["record"]
        want_parent = record.get("reply", {}).get("parent", {}).get("uri")
        assert parent == want_parent
        assert parent_author == (want_parent.split("/")[2] if want_parent else None)
        embed = record.get("embed", {})
        if embed.get("$type") == "app.bsky.embed.record":
            want_quote = embed["record"]["uri"]
        elif embed.get("$type") == "app.bsky.embed.recordWithMedia":
            want_quote = embed["record"]["record"]["uri"]
        else:
            want_quote = None
        if want_quote and "/app.bsky.feed.post/" not in want_quote:
            want_quote = None  # quoting a feed or list is not quoting a post
        assert quoted == want_quote
        quotes += quoted is not None
        assert reposted is None
    assert quotes >= 3  # quote.json, quote_as_a_reply.json, quote_with_an_image.json


def test_profiles_are_snapshots_and_every_author_an_account(imported):
    posts, profiles = _raw_views()
    snaps = query(
        imported,
        "SELECT account_id, handle, display_name, followers_count, following_count, "
        "post_count, observed_at FROM canonical.account_snapshots WHERE platform = 'bluesky'",
    )
    assert {s[0] for s in snaps} == set(profiles)
    landed = {r[0] for r in query(imported, "SELECT landed_at FROM ops.raw_files")}
    for did, handle, name, followers, follows, count, observed in snaps:
        view = profiles[did]
        assert handle == view["handle"].lower()
        assert name == view.get("displayName")
        assert (followers, follows, count) == (
            view.get("followersCount"), view.get("followsCount"), view.get("postsCount"),
        )  # fmt: skip
        assert observed in landed
    accounts = dict(
        query(
            imported, "SELECT account_id, handle FROM canonical.accounts WHERE platform = 'bluesky'"
        )
    )
    authors = {v["author"]["did"]: v["author"]["handle"].lower() for v in posts.values()}
    assert set(accounts) == set(authors) | set(profiles)
    for did, handle in authors.items():
        assert accounts[did] == handle
    assert query(imported, "SELECT count(*) FROM canonical.rejects") == [(0,)]


def _post(rkey, did="did:plc:aaaa", text="hello", created="2025-01-02T03:04:05.000Z", likes=1):
    return {
        "uri": f"at://{did}/app.bsky.feed.post/{rkey}",
        "cid": "bafy",
        "author": {"did": did, "handle": "Someone.BSKY.social"},
        "record": {"$type": "app.bsky.feed.post", "createdAt": created, "text": text},
        "likeCount": likes,
        "repostCount": 0,
        "replyCount": 0,
        "quoteCount": 0,
        "indexedAt": "2025-01-02T03:04:06.000Z",
    }


def test_malformed_items_are_rejects_and_their_neighbours_load(warehouse, tmp_path):
    mention = _post("m1", text="hi @Friend.bsky.social #Tag")
    mention["record"]["facets"] = [
        {
            "index": {"byteStart": 3, "byteEnd": 22},
            "features": [{"$type": "app.bsky.richtext.facet#mention", "did": "did:plc:ffff"}],
        },
        {
            "index": {"byteStart": 23, "byteEnd": 27},
            "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": "Tag"}],
        },
    ]
    reposter = {"did": "did:plc:rrrr", "handle": "Reposter.bsky.social"}
    feed = {
        "feed": [
            {"post": _post("ok1")},
            {"post": _post("badcount", likes=-5)},
            {"post": _post("badtime", created="1970-01-01T00:00:00Z")},
            {"post": _post("surrogate", text="x\ud800y")},
            {"post": mention},
            {
                "post": _post("orig"),
                "reason": {
                    "$type": "app.bsky.feed.defs#reasonRepost",
                    "by": reposter,
                    "indexedAt": "2025-01-03T00:00:00.000Z",
                },
            },
        ],
        "cursor": "abc",
    }
    path = tmp_path / "feed.json"
    path.write_text(json.dumps(feed), encoding="utf-8")  # ensure_ascii keeps \ud800 escaped
    assert main(["import", "bluesky", str(path)]) == 0

    rows = {
        r[0].rsplit("/", 1)[1]: r[1:]
        for r in query(
            warehouse,
            "SELECT post_id, account_id, text, like_count, mentions, hashtags, reposted_post_id "
            "FROM canonical.posts",
        )
    }
    orig = "at://did:plc:aaaa/app.bsky.feed.post/orig"
    assert set(rows) == {
        "ok1",
        "badcount",
        "surrogate",
        "m1",
        "orig",
        "orig#repost-by-did:plc:rrrr",
    }
    assert rows["badcount"][2] is None  # the count dropped, the post loaded
    assert rows["surrogate"][1] is None  # the text dropped, the post loaded
    assert rows["m1"][3:5] == (["friend.bsky.social"], ["Tag"])
    assert rows["orig#repost-by-did:plc:rrrr"][0] == "did:plc:rrrr"
    assert rows["orig#repost-by-did:plc:rrrr"][5] == orig
    assert rows["orig"][5] is None
    rejects = {r[0]: r[1] for r in query(warehouse, "SELECT item, reason FROM canonical.rejects")}
    assert set(rejects) == {"feed[1].post.likeCount", "feed[2].post", "feed[3].post.record.text"}
    assert "1970" in rejects["feed[2].post"]
    handles = dict(query(warehouse, "SELECT account_id, handle FROM canonical.accounts"))
    assert handles == {
        "did:plc:aaaa": "someone.bsky.social",
        "did:plc:rrrr": "reposter.bsky.social",
    }


@pytest.mark.parametrize("relative", ["twcs/twcs_sample.csv", "x_api_v2/twarc_pages/brexit.jsonl"])
def test_a_file_of_another_kind_is_refused(warehouse, capsys, relative):
    path = shared_file(relative)
    assert main(["import", "bluesky", str(path)]) == 2
    assert str(path) in capsys.readouterr().err
    assert not [p for p in warehouse.raw_dir.rglob("*") if p.is_file()]


def _profile(did, handle, followers=10):
    return {"did": did, "handle": handle, "followersCount": followers, "followsCount": 2,
            "postsCount": 3, "createdAt": "2024-01-01T00:00:00.000Z"}  # fmt: skip


def test_every_response_kind_is_recognised_from_its_content(warehouse, tmp_path):
    reply = _post("child", did="did:plc:bbbb")
    reply["record"]["reply"] = {
        "parent": {"uri": "at://did:plc:aaaa/app.bsky.feed.post/top", "cid": "c"},
        "root": {"uri": "at://did:plc:aaaa/app.bsky.feed.post/top", "cid": "c"},
    }
    docs = {
        "a.json": {"thread": {"post": _post("top"), "replies": [{"post": reply, "replies": []}]}},
        "b.json": {"profiles": [_profile("did:plc:p1", "One.example")]},
        "c.json": {
            "followers": [_profile("did:plc:p2", "two.example")],
            "subject": _profile("did:plc:p3", "three.example"),
        },  # fmt: skip
        "d.json": _post("single", did="did:plc:cccc"),
    }
    for name, doc in docs.items():
        (tmp_path / name).write_text(json.dumps(doc), encoding="utf-8")
    lines = [json.dumps(_profile("did:plc:p4", "four.example")), "not json", json.dumps([1])]
    (tmp_path / "e.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["import", "bluesky", str(tmp_path)]) == 0

    posts = dict(query(warehouse, "SELECT post_id, in_reply_to_post_id FROM canonical.posts"))
    assert {p.rsplit("/", 1)[1] for p in posts} == {"top", "child", "single"}
    assert posts["at://did:plc:bbbb/app.bsky.feed.post/child"].endswith("/top")
    snaps = dict(query(warehouse, "SELECT account_id, handle FROM canonical.account_snapshots"))
    assert snaps == {
        "did:plc:p1": "one.example",
        "did:plc:p2": "two.example",
        "did:plc:p3": "three.example",
        "did:plc:p4": "four.example",
    }
    rejects = query(warehouse, "SELECT line_number, item FROM canonical.rejects ORDER BY 1")
    assert rejects == [(2, ""), (3, "")]


def test_a_build_puts_the_bluesky_posts_in_the_marts(imported):
    assert main(["build"]) == 0
    posts, _ = _raw_views()
    marts = query(imported, "SELECT post_id FROM marts.posts WHERE platform = 'bluesky'")
    assert {r[0] for r in marts} == set(posts)


def test_an_item_nested_too_deep_is_rejected_alone(warehouse, tmp_path):
    deep = _post("deep")
    nest: dict = {}
    deep["record"]["embed"] = nest
    for _ in range(70):
        nest["x"] = {}
        nest = nest["x"]
    path = tmp_path / "deep.json"
    path.write_text(json.dumps({"feed": [{"post": _post("ok")}, {"post": deep}]}), "utf-8")
    assert main(["import", "bluesky", str(path)]) == 0
    ids = [r[0].rsplit("/", 1)[1] for r in query(warehouse, "SELECT post_id FROM canonical.posts")]
    assert ids == ["ok"]
    assert query(warehouse, "SELECT item FROM canonical.rejects") == [("feed[1].post",)]
