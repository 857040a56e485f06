"""`rapport import x-archive` on an account's own "download your data" archive, zipped
or unzipped. The archive here is written by the test in the archive's format (JavaScript
assignments of JSON arrays, v1.1-shaped tweets); no real archive is public."""

from __future__ import annotations

import json
import zipfile
from datetime import UTC, datetime

import pytest

from pipelines.cli import main
from tests.x_helpers import query

OWNER = "1500000000000000001"
GENERATED = "2026-11-14T09:30:00.000Z"


def tweet(post_id: str, text: str, **extra) -> dict:
    body = {
        "id_str": post_id,
        "id": post_id,
        "full_text": text,
        "created_at": "Sat Nov 07 18:20:30 +0000 2026",
        "lang": "en",
        "favorite_count": "7",
        "retweet_count": "2",
        "entities": {"hashtags": [], "user_mentions": [], "urls": []},
        "edit_info": {"initial": {"editTweetIds": [post_id], "editsRemaining": "5"}},
    }
    body.update(extra)
    return {"tweet": body}


TWEETS = [
    tweet(
        "1855000000000000001",
        "New roast today #coffee",
        entities={"hashtags": [{"text": "coffee"}], "user_mentions": [], "urls": []},
    ),
    tweet(
        "1855000000000000002",
        "@maya_chen sorry, fixed now!",
        in_reply_to_status_id_str="1854999999999999999",
        in_reply_to_user_id_str="222",
        in_reply_to_screen_name="maya_chen",
        entities={
            "hashtags": [],
            "urls": [],
            "user_mentions": [{"screen_name": "maya_chen", "id_str": "222"}],
        },
    ),
    tweet(
        "1855000000000000003",
        "RT @fan: love this place",
        entities={
            "hashtags": [],
            "urls": [],
            "user_mentions": [{"screen_name": "fan", "id_str": "333"}],
        },
    ),
    tweet(
        "1855000000000000004",
        "This! https://t.co/x",
        entities={
            "hashtags": [],
            "user_mentions": [],
            "urls": [
                {
                    "url": "https://t.co/x",
                    "expanded_url": "https://twitter.com/fan/status/1854000000000000000",
                }
            ],
        },
    ),
]
BAD = [tweet("", "no id"), tweet("1855000000000000009", "bad date", created_at="yesterday")]


def ytd(name: str, items: list) -> str:
    # real archives pretty-print with two-space indents and " : "
    return f"window.YTD.{name}.part0 = " + json.dumps(items, indent=2).replace('": ', '" : ')


def write_archive(folder, tweets=TWEETS) -> None:
    data = folder / "data"
    data.mkdir(parents=True)
    files = {
        "account.js": ytd(
            "account",
            [
                {
                    "account": {
                        "email": "social@northwind.example",
                        "username": "NorthwindCoffee",
                        "accountId": OWNER,
                        "createdAt": "2011-03-14T16:20:05.000Z",
                        "accountDisplayName": "Northwind Coffee",
                    }
                }
            ],
        ),
        "profile.js": ytd(
            "profile",
            [
                {
                    "profile": {
                        "description": {
                            "bio": "Small-batch roasters.",
                            "website": "https://t.co/abc",
                            "location": "Portland, OR",
                        },
                        "avatarMediaUrl": "https://pbs.twimg.com/profile_images/1/nw.jpg",
                    }
                }
            ],
        ),
        "follower.js": ytd("follower", [{"follower": {"accountId": str(i)}} for i in range(5)]),
        "following.js": ytd("following", [{"following": {"accountId": "9"}}]),
        "tweets.js": ytd("tweets", tweets),
        "manifest.js": "window.__THAR_CONFIG = "
        + json.dumps({"archiveInfo": {"generationDate": GENERATED}}),
    }
    for name, text in files.items():
        (data / name).write_text(text)
    (data / "tweets_media").mkdir()


def zip_folder(folder, target) -> None:
    with zipfile.ZipFile(target, "w") as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, f"twitter-2026-11-14/{path.relative_to(folder)}")


@pytest.fixture
def archive(tmp_path):
    folder = tmp_path / "twitter-2026-11-14"
    write_archive(folder)
    zip_folder(folder, tmp_path / "archive.zip")
    return folder, tmp_path / "archive.zip"


def posts(db) -> dict[str, tuple]:
    rows = query(
        db,
        "SELECT post_id, account_id, created_at, in_reply_to_post_id, in_reply_to_account_id, "
        "quoted_post_id, reposted_post_id, mentions, hashtags, like_count, repost_count, "
        "edit_history_post_ids FROM canonical.posts",
    )
    return {r[0]: r[1:] for r in rows}


def test_a_zipped_archive_loads_posts_and_a_profile_snapshot(warehouse, archive, capsys):
    assert main(["import", "x-archive", str(archive[1])]) == 0
    db = warehouse.warehouse_path
    got = posts(db)
    when = datetime(2026, 11, 7, 18, 20, 30, tzinfo=UTC)
    assert got["1855000000000000001"] == (
        OWNER,
        when,
        None,
        None,
        None,
        None,
        [],
        ["coffee"],
        7,
        2,
        ["1855000000000000001"],
    )
    assert got["1855000000000000002"][2:4] == ("1854999999999999999", "222")
    assert got["1855000000000000003"][5] == "unknown"  # a retweet, original id not kept
    assert got["1855000000000000004"][4] == "1854000000000000000"  # a quote, by permalink
    (snap,) = query(
        db,
        "SELECT account_id, observed_at, handle, display_name, bio, location, "
        "followers_count, following_count, post_count, has_default_avatar "
        "FROM canonical.account_snapshots",
    )
    assert snap == (
        OWNER,
        datetime(2026, 11, 14, 9, 30, tzinfo=UTC),
        "NorthwindCoffee",
        "Northwind Coffee",
        "Small-batch roasters.",
        "Portland, OR",
        5,
        1,
        4,
        False,
    )
    handles = dict(query(db, "SELECT account_id, handle FROM canonical.accounts"))
    assert handles == {OWNER: "NorthwindCoffee", "222": "maya_chen", "333": "fan"}


def test_an_unzipped_folder_loads_the_same_rows_once(warehouse, archive, capsys):
    folder, zipped = archive
    assert main(["import", "x-archive", str(folder)]) == 0
    from_folder = posts(warehouse.warehouse_path)
    assert main(["import", "x-archive", str(folder)]) == 0
    assert "already imported" in capsys.readouterr().out
    assert main(["import", "x-archive", str(zipped)]) == 0
    assert posts(warehouse.warehouse_path) == from_folder
    assert len(from_folder) == len(TWEETS)


def test_bad_tweets_are_rejected_with_their_line_and_the_rest_kept(warehouse, tmp_path):
    folder = tmp_path / "bad"
    write_archive(folder, tweets=[TWEETS[0], *BAD])
    assert main(["import", "x-archive", str(folder)]) == 0
    rejects = query(
        warehouse.warehouse_path,
        "SELECT line_number, item, reason FROM canonical.rejects ORDER BY line_number",
    )
    text = (folder / "data" / "tweets.js").read_text().splitlines()
    assert [r[1] for r in rejects] == ["data/tweets.js[1]", "data/tweets.js[2]"]
    for line, _, _ in rejects:  # each reject points at the line its entry opens on
        assert text[line - 1].strip() == "{"
    assert "no id_str" in rejects[0][2] and "'yesterday'" in rejects[1][2]
    assert len(posts(warehouse.warehouse_path)) == 1


def test_broken_javascript_is_refused_with_file_and_line(warehouse, tmp_path, capsys):
    folder = tmp_path / "broken"
    write_archive(folder)
    tweets_js = folder / "data" / "tweets.js"
    lines = tweets_js.read_text().splitlines()
    lines[5] = lines[5].replace('"', "", 1)
    tweets_js.write_text("\n".join(lines))
    assert main(["import", "x-archive", str(folder)]) == 2
    assert "data/tweets.js:6: not valid JSON" in capsys.readouterr().err
    assert not list((warehouse.raw_dir / "x-archive").rglob("*.zip"))


def test_a_zip_that_is_no_archive_is_refused(warehouse, tmp_path, capsys):
    other = tmp_path / "photos.zip"
    with zipfile.ZipFile(other, "w") as archive:
        archive.writestr("IMG_0001.jpg", b"not really")
    assert main(["import", "x-archive", str(other)]) == 2
    assert f"{other}: no data/account.js inside: not an X archive" in capsys.readouterr().err


def test_an_impossible_count_is_dropped_and_a_gone_mention_is_no_reject(warehouse, tmp_path):
    folder = tmp_path / "counts"
    odd = tweet(
        "1855000000000000010",
        "@gone hi",
        favorite_count=str(2**63),
        entities={
            "hashtags": [],
            "urls": [],
            "user_mentions": [{"screen_name": "gone", "id_str": "-1"}],
        },
    )
    write_archive(folder, tweets=[TWEETS[0], odd])
    assert main(["import", "x-archive", str(folder)]) == 0
    db = warehouse.warehouse_path
    rejects = query(db, "SELECT item, reason FROM canonical.rejects")
    assert [r[0] for r in rejects] == ["data/tweets.js[1].favorite_count"]
    assert "above the ceiling" in rejects[0][1] and "rest of the post loaded" in rejects[0][1]
    got = posts(db)["1855000000000000010"]
    assert (got[6], got[8], got[9]) == (["gone"], None, 2)  # mentions, likes, reposts
    assert "-1" not in dict(query(db, "SELECT account_id, handle FROM canonical.accounts"))
