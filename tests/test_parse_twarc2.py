"""parse_twarc2 against DocNow/twarc-csv test pages (../shared/data) and synthetic lines.

Expected values are read from the JSON files here, independently of the parser."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pipelines.sources.records import NotThisFormat
from pipelines.sources.twarc2.parse import parse_twarc2
from tests.conftest import require_shared

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
PAGES = SHARED_DATA / "x_api_v2" / "twarc_pages"
TWCS_SAMPLE = SHARED_DATA / "twcs" / "twcs_sample.csv"

OBSERVED = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)

POST_KEYS = {
    "platform", "post_id", "account_id", "created_at", "text", "lang",
    "in_reply_to_post_id", "in_reply_to_account_id", "conversation_id", "quoted_post_id",
    "reposted_post_id", "mentions", "hashtags", "urls", "like_count", "repost_count",
    "reply_count", "quote_count", "impression_count", "edit_history_post_ids",
}  # fmt: skip
SNAPSHOT_KEYS = {
    "platform", "account_id", "observed_at", "handle", "display_name", "bio", "location",
    "profile_image_url", "has_default_avatar", "verified", "protected", "account_created_at",
    "followers_count", "following_count", "post_count", "listed_count",
}  # fmt: skip
ACCOUNT_KEYS = {"platform", "account_id", "handle", "is_brand", "first_seen_at"}

# Every data file twarc-csv ships (LICENSE aside); listed so a vanished file fails loudly.
PAGE_FILES = [
    "brexit.jsonl", "cashtags.jsonl", "cotweet.jsonl", "counts.jsonl", "edited.jsonl",
    "edited_after.jsonl", "edited_before.jsonl", "empty.json", "flat.jsonl",
    "geo_tweets.jsonl", "kpop.jsonl", "lists.jsonl", "many_urls.jsonl",
    "media_policy_violation_off.jsonl", "media_policy_violation_on.jsonl",
    "media_tweet.jsonl", "mentions_tweet.jsonl", "noflat.jsonl", "quoted_edit.jsonl",
    "streaming_output_with_error.jsonl", "tweets_compliance.jsonl", "two_tweets.jsonl",
    "users.jsonl", "users_compliance.jsonl", "verified_type.jsonl",
]  # fmt: skip


def _page(name: str) -> Path:
    return require_shared(PAGES / name)


def _json_lines(path: Path) -> list[tuple[int, dict]]:
    """(line number, object) for every line of the file that is a JSON object."""
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").split("\n"), start=1):
        try:
            obj = json.loads(line)
        except ValueError:
            continue
        if isinstance(obj, dict):
            out.append((n, obj))
    return out


def _posts(batch) -> dict[str, dict]:
    return {p["post_id"]: p for p in batch.posts}


def _write(tmp_path: Path, lines: list, name: str = "page.jsonl") -> Path:
    path = tmp_path / name
    text = "\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n"
    path.write_text(text, encoding="utf-8")
    return path


def _tweet(tid: str, **extra) -> dict:
    base = {
        "id": tid,
        "text": f"tweet {tid}",
        "author_id": "1",
        "created_at": "2023-01-02T03:04:05.000Z",
    }
    base.update(extra)
    return base


# --------------------------------------------------------------------------- every file


def test_the_data_folder_holds_the_expected_files():
    present = {p.name for p in require_shared(PAGES).iterdir()} - {"LICENSE"}
    assert present == set(PAGE_FILES)


@pytest.mark.parametrize("name", PAGE_FILES)
def test_every_file_parses_into_well_formed_rows(name):
    batch = parse_twarc2(_page(name), OBSERVED)
    for post in batch.posts:
        assert set(post) == POST_KEYS
        assert post["platform"] == "x"
        assert isinstance(post["post_id"], str)
        assert post["account_id"] is None or isinstance(post["account_id"], str)
        assert post["created_at"] is None or post["created_at"].utcoffset().total_seconds() == 0
        for key in ("mentions", "hashtags", "urls"):
            assert isinstance(post[key], list) and all(isinstance(v, str) for v in post[key])
    for snap in batch.snapshots:
        assert set(snap) == SNAPSHOT_KEYS
        assert snap["observed_at"].tzinfo is not None
    for acct in batch.accounts:
        assert set(acct) == ACCOUNT_KEYS
        assert acct["is_brand"] is False
    # one row per key, as the tables' primary keys require
    assert len({p["post_id"] for p in batch.posts}) == len(batch.posts)
    assert len({(s["account_id"], s["observed_at"]) for s in batch.snapshots}) == len(
        batch.snapshots
    )
    assert len({a["account_id"] for a in batch.accounts}) == len(batch.accounts)
    assert len({(r.line_number, r.item) for r in batch.rejects}) == len(batch.rejects)
    # every author has an account row
    authors = {p["account_id"] for p in batch.posts if p["account_id"]}
    assert authors <= {a["account_id"] for a in batch.accounts}
    for r in batch.rejects:
        assert r.line_number >= 1 and r.reason and len(r.excerpt) <= 200


@pytest.mark.parametrize("name", PAGE_FILES)
def test_every_tweet_and_user_id_in_a_page_is_loaded(name):
    path = _page(name)
    tweet_ids, user_ids = set(), set()
    for _, obj in _json_lines(path):
        data = obj.get("data")
        data = data if isinstance(data, list) else [data] if data else []
        includes = obj.get("includes", {})
        tweet_ids |= {d["id"] for d in data if "text" in d}
        tweet_ids |= {t["id"] for t in includes.get("tweets", [])}
        user_ids |= {d["id"] for d in data if "username" in d}
        user_ids |= {u["id"] for u in includes.get("users", [])}
    batch = parse_twarc2(path, OBSERVED)
    assert tweet_ids <= set(_posts(batch))
    assert user_ids <= {s["account_id"] for s in batch.snapshots}


def test_empty_file_gives_an_empty_batch():
    batch = parse_twarc2(_page("empty.json"), OBSERVED)
    assert batch.posts == batch.snapshots == batch.accounts == batch.rejects == []
    assert batch.items_read == 0


def test_blank_lines_only_give_an_empty_batch(tmp_path):
    path = tmp_path / "blank.jsonl"
    path.write_text("\n\n   \n", encoding="utf-8")
    batch = parse_twarc2(path, OBSERVED)
    assert batch.items_read == 0 and batch.rejects == [] and batch.posts == []


# --------------------------------------------------------------------------- streaming


def test_stream_with_a_broken_line_keeps_the_other_lines():
    path = _page("streaming_output_with_error.jsonl")
    lines = path.read_text(encoding="utf-8").split("\n")
    good = _json_lines(path)
    bad_numbers = [n for n, line in enumerate(lines, 1) if line.strip()]
    bad_numbers = [n for n in bad_numbers if n not in {g for g, _ in good}]
    assert len(bad_numbers) == 1  # the file has exactly one non-JSON line

    batch = parse_twarc2(path, OBSERVED)
    assert batch.items_read == len(good) + 1
    [reject] = batch.rejects
    assert reject.line_number == bad_numbers[0] == 8
    assert reject.item == ""
    assert "not valid JSON" in reject.reason
    assert reject.excerpt == lines[7][:200]

    expected_posts = set()
    for _, obj in good:
        assert isinstance(obj["data"], dict)  # streaming: one object per line
        expected_posts.add(obj["data"]["id"])
        expected_posts |= {t["id"] for t in obj["includes"].get("tweets", [])}
    assert set(_posts(batch)) == expected_posts
    # snapshots carry each line's own retrieval time, not the fallback
    first_line = good[0][1]
    when = datetime.fromisoformat(first_line["__twarc"]["retrieved_at"])
    author = first_line["data"]["author_id"]
    snaps = [s for s in batch.snapshots if s["account_id"] == author]
    assert snaps and snaps[0]["observed_at"] == when


def test_stream_quote_reference():
    batch = parse_twarc2(_page("streaming_output_with_error.jsonl"), OBSERVED)
    post = _posts(batch)["1377650090978992134"]
    assert post["quoted_post_id"] == "1377640162566496258"
    assert post["account_id"] == "4602771083"


# --------------------------------------------------------------------------- edits, refs


def test_edit_history_from_edited_files():
    history = ["1576994746135764992", "1576994789110992896"]
    for name, data_id in [
        ("edited.jsonl", "1576994789110992896"),
        ("edited_after.jsonl", "1576994789110992896"),
        ("edited_before.jsonl", "1576994746135764992"),
    ]:
        posts = _posts(parse_twarc2(_page(name), OBSERVED))
        assert posts[data_id]["edit_history_post_ids"] == history, name
        # both versions are in includes.tweets: each becomes one post, not two
        assert set(posts) == set(history)
        assert posts["1576994746135764992"]["created_at"] == datetime(
            2022, 10, 3, 17, 57, 1, tzinfo=UTC
        )


def test_edit_metrics_differ_before_and_after():
    before = _posts(parse_twarc2(_page("edited.jsonl"), OBSERVED))["1576994789110992896"]
    after = _posts(parse_twarc2(_page("edited_after.jsonl"), OBSERVED))["1576994789110992896"]
    assert (before["like_count"], after["like_count"]) == (27, 32)
    assert (before["reply_count"], after["reply_count"]) == (12, 14)


def test_quote_and_reply_references():
    post = _posts(parse_twarc2(_page("quoted_edit.jsonl"), OBSERVED))["1576995594388000768"]
    assert post["quoted_post_id"] == "1576994746135764992"
    assert post["in_reply_to_post_id"] == "1576994789110992896"
    assert post["in_reply_to_account_id"] == "337119125"
    assert post["conversation_id"] == "1576994789110992896"
    assert post["reposted_post_id"] is None
    assert post["mentions"] == ["wongmjane"]
    assert post["urls"] == ["https://twitter.com/wongmjane/status/1576994746135764992"]
    assert post["edit_history_post_ids"] == ["1576995594388000768"]


def test_retweet_reference_and_entities():
    batch = parse_twarc2(_page("two_tweets.jsonl"), OBSERVED)
    posts = _posts(batch)
    rt = posts["1394735776701816833"]
    assert rt["reposted_post_id"] == "1391677057810288641"
    assert rt["mentions"] == ["bibaigna96"]
    assert rt["hashtags"] == ["POIUYTREWQ"]
    assert rt["lang"] == "und"
    assert rt["repost_count"] == 1 and rt["like_count"] == 0
    assert rt["impression_count"] is None
    assert rt["edit_history_post_ids"] is None  # the field was not requested in 2021
    original = posts["1391677057810288641"]
    assert original["account_id"] == "1380086327023169540"
    # both authors use X's default avatar
    snaps = {s["account_id"]: s for s in batch.snapshots}
    assert snaps["1379899464345923590"]["has_default_avatar"] is True
    assert snaps["1380086327023169540"]["handle"] == "bibaigna96"


def test_replies_in_a_search_page():
    path = _page("noflat.jsonl")
    [(_, page)] = _json_lines(path)
    replies = {
        t["id"]: (t["in_reply_to_user_id"], r["id"])
        for t in page["data"]
        for r in t.get("referenced_tweets", [])
        if r["type"] == "replied_to"
    }
    assert replies
    posts = _posts(parse_twarc2(path, OBSERVED))
    for tid, (user, parent) in replies.items():
        assert posts[tid]["in_reply_to_post_id"] == parent
        assert posts[tid]["in_reply_to_account_id"] == user


def test_impression_count():
    post = _posts(parse_twarc2(_page("verified_type.jsonl"), OBSERVED))["1603823063690199040"]
    assert post["impression_count"] == 139075
    assert post["like_count"] == 745 and post["quote_count"] == 24


def test_flat_and_unflattened_output_of_one_search_load_the_same_rows():
    flat = parse_twarc2(_page("flat.jsonl"), OBSERVED)
    noflat = parse_twarc2(_page("noflat.jsonl"), OBSERVED)
    assert len(flat.posts) > 100
    assert sorted(flat.posts, key=lambda p: p["post_id"]) == sorted(
        noflat.posts, key=lambda p: p["post_id"]
    )
    key = lambda s: s["account_id"]  # noqa: E731
    assert sorted(flat.snapshots, key=key) == sorted(noflat.snapshots, key=key)
    # the unflattened page also reports the API's error; the flat file has none
    assert flat.rejects == []
    [err] = noflat.rejects
    assert err.item == "errors[0]" and "User has been suspended" in err.reason


def test_flat_lines_take_ids_from_inlined_references():
    path = _page("flat.jsonl")
    _, first = _json_lines(path)[0]
    ref = first["referenced_tweets"][0]
    posts = _posts(parse_twarc2(path, OBSERVED))
    assert posts[first["id"]]["reposted_post_id"] == ref["id"]
    assert posts[ref["id"]]["account_id"] == ref["author"]["id"]


# --------------------------------------------------------------------------- users


def test_users_page_snapshots_match_the_file():
    path = _page("users.jsonl")
    [(_, page)] = _json_lines(path)
    expected = {}
    for u in page["data"]:
        m = u["public_metrics"]
        expected.setdefault(
            u["id"],
            (u["username"], m["followers_count"], m["following_count"], m["tweet_count"]),
        )
    retrieved = datetime.fromisoformat(page["__twarc"]["retrieved_at"])

    batch = parse_twarc2(path, OBSERVED)
    got = {
        s["account_id"]: (s["handle"], s["followers_count"], s["following_count"], s["post_count"])
        for s in batch.snapshots
    }
    assert got == expected  # duplicated ids in the request merge to one snapshot
    assert len(batch.snapshots) == len(expected) < len(page["data"])
    assert {s["observed_at"] for s in batch.snapshots} == {retrieved}
    accounts = {a["account_id"]: a["handle"] for a in batch.accounts}
    assert accounts == {k: v[0] for k, v in expected.items()}

    first = page["data"][0]
    snap = next(s for s in batch.snapshots if s["account_id"] == first["id"])
    assert snap["display_name"] == first["name"]
    assert snap["bio"] == first["description"]
    assert snap["location"] == first["location"]
    assert snap["verified"] is first["verified"]
    assert snap["protected"] is first["protected"]
    assert snap["listed_count"] == first["public_metrics"]["listed_count"]
    assert snap["has_default_avatar"] is False
    assert snap["account_created_at"] == datetime.fromisoformat(first["created_at"])

    # the page's errors (missing pinned tweets, a missing user) are kept as rejects
    assert [r.item for r in batch.rejects] == [f"errors[{i}]" for i in range(len(page["errors"]))]
    for r, e in zip(batch.rejects, page["errors"], strict=True):
        assert e["title"] in r.reason and e["detail"] in r.reason
        assert r.line_number == 1
    # pinned tweets in includes are posts
    assert {t["id"] for t in page["includes"]["tweets"]} == set(_posts(batch))


def test_post_count_spelling_and_fallback_observed_at(tmp_path):
    user = {
        "id": "42",
        "username": "newapi",
        "name": "New API",
        "created_at": "2020-01-01T00:00:00.000Z",
        "profile_image_url": "https://abs.twimg.com/sticky/default_profile_images/x_normal.png",
        "public_metrics": {
            "followers_count": 7,
            "following_count": 8,
            "post_count": 9,
            "listed_count": 1,
        },
    }
    batch = parse_twarc2(_write(tmp_path, [{"data": [user]}]), OBSERVED)
    [snap] = batch.snapshots
    assert snap["post_count"] == 9
    assert snap["followers_count"] == 7 and snap["following_count"] == 8
    assert snap["has_default_avatar"] is True
    assert snap["observed_at"] == OBSERVED  # no __twarc: the caller's time
    assert snap["verified"] is None and snap["bio"] is None
    assert batch.accounts == [
        {
            "platform": "x",
            "account_id": "42",
            "handle": "newapi",
            "is_brand": False,
            "first_seen_at": None,
        }
    ]


def test_same_user_in_data_and_includes_merges_first_non_null(tmp_path):
    page = {
        "data": [{"id": "5", "username": "five", "name": None, "public_metrics": {}}],
        "includes": {
            "users": [
                {"id": "5", "username": "five_old", "name": "Five", "location": "Here"},
            ]
        },
        "__twarc": {"retrieved_at": "2022-01-01T00:00:00+00:00"},
    }
    batch = parse_twarc2(_write(tmp_path, [page]), OBSERVED)
    [snap] = batch.snapshots
    assert snap["handle"] == "five"  # first non-null wins
    assert snap["display_name"] == "Five" and snap["location"] == "Here"
    assert snap["observed_at"] == datetime(2022, 1, 1, tzinfo=UTC)


def test_author_without_user_object_still_gets_an_account(tmp_path):
    batch = parse_twarc2(_write(tmp_path, [{"data": [_tweet("10", author_id="77")]}]), OBSERVED)
    assert batch.snapshots == []
    assert batch.accounts == [
        {"platform": "x", "account_id": "77", "handle": None, "is_brand": False,
         "first_seen_at": None}
    ]  # fmt: skip


def test_repeated_posts_merge_newest_observation_first(tmp_path):
    def line(when: str, like: int, **extra) -> dict:
        tweet = _tweet("7", public_metrics={"like_count": like}, **extra)
        return {"data": [tweet], "__twarc": {"retrieved_at": when}}

    lines = [
        line("2023-01-01T00:00:00+00:00", 1, lang="en"),
        line("2023-01-03T00:00:00+00:00", 5),  # newest: its counts win
        line("2023-01-02T00:00:00+00:00", 9, conversation_id="7"),
    ]
    [post] = parse_twarc2(_write(tmp_path, lines), OBSERVED).posts
    assert post["like_count"] == 5
    assert post["lang"] == "en" and post["conversation_id"] == "7"  # gaps filled

    # same retrieval: the first occurrence (data) beats its includes copy
    page = {
        "data": [_tweet("8", public_metrics={"like_count": 2})],
        "includes": {"tweets": [_tweet("8", public_metrics={"like_count": 3}, lang="fr")]},
    }
    [post] = parse_twarc2(_write(tmp_path, [page], "tie.jsonl"), OBSERVED).posts
    assert post["like_count"] == 2 and post["lang"] == "fr"


# --------------------------------------------------------------------------- rejects


def test_counts_buckets_are_rejects_not_a_crash():
    path = _page("counts.jsonl")
    [(_, page)] = _json_lines(path)
    batch = parse_twarc2(path, OBSERVED)
    assert batch.posts == [] and batch.snapshots == []
    assert len(batch.rejects) == len(page["data"])
    assert batch.rejects[0].item == "data[0]"
    assert all(r.reason == "tweet-count bucket, not a post or user" for r in batch.rejects)


def test_lists_and_compliance_events_are_rejects():
    lists = parse_twarc2(_page("lists.jsonl"), OBSERVED)
    assert lists.posts == [] and len(lists.rejects) == 6
    assert all("list object" in r.reason for r in lists.rejects)
    assert [r.line_number for r in lists.rejects] == [1, 1, 1, 1, 2, 2]

    compliance = parse_twarc2(_page("tweets_compliance.jsonl"), OBSERVED)
    assert compliance.items_read == 2  # the leading blank line is skipped
    assert [r.line_number for r in compliance.rejects] == [2, 3]
    assert "compliance event" in compliance.rejects[0].reason
    assert "1170025343920402432" in compliance.rejects[0].reason


def test_bad_lines_and_bad_items_are_rejected_and_the_rest_kept(tmp_path):
    page = {
        "data": [
            _tweet("100"),
            {"text": "no id", "author_id": "1"},
            _tweet("102", created_at="yesterday"),
            _tweet("103"),
        ],
        "includes": {"tweets": [_tweet("104")], "users": [{"username": "noid"}]},
        "errors": [{"title": "Not Found Error", "detail": "Could not find tweet 9."}],
    }
    lines = [
        page,  # 1
        "not json at all",  # 2
        "",  # 3 blank
        "[1, 2, 3]",  # 4
        {"id": "5", "action": "delete"},  # 5
        _tweet("105"),  # 6: a flat tweet
        {"hello": "world"},  # 7
    ]
    batch = parse_twarc2(_write(tmp_path, lines), OBSERVED)
    assert batch.items_read == 6
    assert set(_posts(batch)) == {"100", "103", "104", "105"}
    got = [(r.line_number, r.item) for r in batch.rejects]
    assert got == [
        (1, "data[1]"),
        (1, "data[2]"),
        (1, "includes.users[0]"),
        (1, "errors[0]"),
        (2, ""),
        (4, ""),
        (5, ""),
        (7, ""),
    ]
    reasons = [r.reason for r in batch.rejects]
    assert "no id" in reasons[0]
    assert "created_at" in reasons[1] and "yesterday" in reasons[1]
    assert "no id" in reasons[2]
    assert reasons[3] == "X API error: Not Found Error: Could not find tweet 9."
    assert "not valid JSON" in reasons[4]
    assert "not an object" in reasons[5]
    assert "compliance event" in reasons[6]
    assert "neither a post" in reasons[7]
    assert batch.rejects[1].excerpt.startswith('{"id": "102"')


def test_csv_is_not_this_format():
    with pytest.raises(NotThisFormat) as excinfo:
        parse_twarc2(require_shared(TWCS_SAMPLE), OBSERVED)
    assert "twcs_sample.csv" in str(excinfo.value)
    assert "X API v2" in str(excinfo.value)


def test_a_json_object_after_19_junk_lines_is_still_this_format(tmp_path):
    lines = [f"junk {i}" for i in range(19)] + [{"data": [_tweet("1")]}]
    batch = parse_twarc2(_write(tmp_path, lines), OBSERVED)
    assert len(batch.posts) == 1 and len(batch.rejects) == 19
    with pytest.raises(NotThisFormat):
        parse_twarc2(_write(tmp_path, ["junk"] * 20 + [{"data": []}], "late.jsonl"), OBSERVED)


def test_a_users_bad_created_at_drops_only_that_field(tmp_path):
    # Before the source contract an unparseable account created_at lost the whole user.
    users = [
        {
            "id": "8",
            "username": "eight",
            "created_at": "yesterday",
            "public_metrics": {"followers_count": 5},
        },
        {
            "id": "9",
            "username": "nine",
            "created_at": "2005-01-01T00:00:00Z",
            "public_metrics": {"followers_count": -50, "following_count": 3},
        },
    ]
    batch = parse_twarc2(_write(tmp_path, [{"data": users}]), OBSERVED, not_after=OBSERVED)
    snaps = {s["account_id"]: s for s in batch.snapshots}
    assert (snaps["8"]["account_created_at"], snaps["8"]["followers_count"]) == (None, 5)
    assert snaps["9"]["followers_count"] is None and snaps["9"]["following_count"] == 3
    assert [(r.line_number, r.item) for r in batch.rejects] == [
        (1, "data[0].created_at"),
        (1, "data[1].created_at"),
        (1, "data[1].public_metrics.followers_count"),
    ]
    assert "'yesterday' is not an ISO 8601 timestamp" in batch.rejects[0].reason
    assert "before 2006-03-21" in batch.rejects[1].reason
    assert all("rest of the user loaded" in r.reason for r in batch.rejects)


def test_not_after_is_the_landing_time_plus_a_day(tmp_path):
    lines = [
        {
            "data": [
                _tweet("1", created_at="2024-05-02T12:00:00Z"),
                _tweet("2", created_at="2024-05-02T12:00:01Z"),
            ]
        }
    ]
    batch = parse_twarc2(_write(tmp_path, lines), OBSERVED, not_after=OBSERVED)
    assert set(_posts(batch)) == {"1"}
    [reject] = batch.rejects
    assert reject.item == "data[1]" and "after the file was received" in reject.reason
