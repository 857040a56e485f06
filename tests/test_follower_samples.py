"""Follower samples land raw and load whole (pipelines/canonical/followers.py): pages
first, then the sample file that names them; an incremental sample carries the previous
one's followers forward; a rebuild replays the same rows; a Bluesky follower's counts
come from the sample's getProfiles pages."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from pipelines.canonical import followers
from pipelines.canonical.imports import ImportRefused, import_follower_sample, reload_from_raw
from pipelines.canonical.tables import connect
from pipelines.raw.landing import sha256_of

T0 = datetime(2026, 11, 1, 6, tzinfo=UTC)


def x_user(i: int) -> dict:
    return {
        "id": str(1000 + i),
        "username": f"follower{i}",
        "name": f"Follower {i}",
        "description": "" if i % 2 else "coffee, maps",
        "created_at": "2020-01-01T00:00:00.000Z",
        "profile_image_url": "https://pbs.twimg.com/profile_images/1/a_normal.jpg",
        "public_metrics": {
            "followers_count": i,
            "following_count": 10 * i,
            "tweet_count": 3 * i,
            "listed_count": 0,
            "like_count": 7,
        },
    }


def write_sample(folder: Path, ids: list[int], at: datetime, stop: str, requested: int = 5) -> Path:
    folder.mkdir(parents=True)
    page = folder / "0001.json"
    page.write_text(json.dumps({"data": [x_user(i) for i in ids], "meta": {}}))
    pages = [{"sha256": sha256_of(page), "file": page.name, "observed_at": at}]
    path = folder / "sample.json"
    path.write_text(followers.sample_document("x", "42", "Brand", at, requested, pages, stop, 500))
    return path


def rows(con) -> list[tuple]:
    return con.execute(
        "SELECT sampled_at, position, follower_id, observed_at FROM canonical.sampled_followers "
        "ORDER BY sampled_at, position"
    ).fetchall()


def test_an_incremental_sample_reads_new_followers_and_carries_the_rest(tmp_path):
    con = connect(tmp_path / "w.duckdb")
    raw = tmp_path / "raw"
    import_follower_sample(con, raw, write_sample(tmp_path / "a", [5, 4, 3, 2, 1, 0], T0, "size"))
    week = T0 + timedelta(days=7)
    import_follower_sample(con, raw, write_sample(tmp_path / "b", [7, 6, 5], week, "known"))
    got = rows(con)
    first = [r[2] for r in got if r[0] == T0]
    second = [r for r in got if r[0] == week]
    assert first == ["1005", "1004", "1003", "1002", "1001"]  # the requested 5, newest first
    # 7 and 6 are new; 5 was already known; 4 and 3 carried from the first sample, as
    # observed then.
    assert [r[2] for r in second] == ["1007", "1006", "1005", "1004", "1003"]
    assert [r[1] for r in second] == [0, 1, 2, 3, 4]
    assert {r[2]: r[3] for r in second}["1004"] == T0
    assert {r[2]: r[3] for r in second}["1007"] == week
    samples = con.execute(
        "SELECT sampled_at, sampled, read_new, stopped_by, followers_total "
        "FROM canonical.follower_samples ORDER BY 1"
    ).fetchall()
    assert samples == [(T0, 5, 5, "size", 500), (week, 5, 3, "known", 500)]
    profile = con.execute(
        "SELECT handle, bio, followers_count, following_count, post_count, favourites_count, "
        "has_default_avatar FROM canonical.sampled_followers WHERE follower_id = '1004' "
        "AND sampled_at = ?",
        [T0],
    ).fetchone()
    assert profile == ("follower4", "coffee, maps", 4, 40, 12, 7, False)

    before = rows(con)
    reload_from_raw(con, raw, log=lambda _: None)
    assert rows(con) == before


def test_a_sample_whose_page_is_missing_or_altered_is_refused_and_loads_nothing(tmp_path):
    con = connect(tmp_path / "w.duckdb")
    path = write_sample(tmp_path / "a", [2, 1, 0], T0, "end")
    (tmp_path / "a" / "0001.json").write_text('{"data": []}')
    with pytest.raises(ImportRefused, match=r"pages\[0\] file .* is not the sha256 it names"):
        import_follower_sample(con, tmp_path / "raw", path)
    (tmp_path / "a" / "0001.json").unlink()
    with pytest.raises(ImportRefused, match=r"pages\[0\] file .* does not exist"):
        import_follower_sample(con, tmp_path / "raw", path)
    assert con.execute("SELECT count(*) FROM canonical.follower_samples").fetchone() == (0,)


def test_a_file_that_is_not_a_sample_says_what_it_lacks(tmp_path):
    con = connect(tmp_path / "w.duckdb")
    path = tmp_path / "sample.json"
    path.write_text(json.dumps({"rapport": followers.FORMAT, "platform": "myspace"}))
    with pytest.raises(ImportRefused, match="platform 'myspace' is not x, bluesky or mastodon"):
        import_follower_sample(con, tmp_path / "raw", path)


# --------------------------------------------------------------------- Bluesky

BRAND_DID = "did:plc:brandbrandbrandbrandbran"


def bsky_did(i: int) -> str:
    return f"did:plc:follower{i:016d}"


def bsky_view(i: int) -> dict:
    """A profileView, as getFollowers lists a follower: no counts."""
    return {
        "did": bsky_did(i),
        "handle": f"fan{i}.bsky.social",
        "displayName": f"Fan {i}",
        "description": "" if i % 2 else "coffee, maps",
        "associated": {"chat": {"allowIncoming": "following"}},
        "labels": [],
        "createdAt": "2024-01-01T00:00:00.000Z",
        "indexedAt": "2024-01-01T00:00:02.000Z",
    }


def bsky_detailed(i: int) -> dict:
    """A profileViewDetailed, as getProfiles returns it: with the counts."""
    view = bsky_view(i)
    view.update(followersCount=i, followsCount=10 * i, postsCount=3 * i)
    return view


def write_bluesky_sample(folder: Path, ids: list[int], detailed: list[list[int]]) -> Path:
    """A getFollowers page of `ids`, then a getProfiles page per list of `detailed`."""
    folder.mkdir(parents=True)
    bodies = [{"subject": {"did": BRAND_DID, "handle": "brand.bsky.social"},
               "followers": [bsky_view(i) for i in ids], "cursor": "3kx"}]  # fmt: skip
    bodies += [{"profiles": [bsky_detailed(i) for i in batch]} for batch in detailed]
    pages = []
    for n, body in enumerate(bodies, 1):
        page = folder / f"{n:04d}.json"
        page.write_text(json.dumps(body))
        at = T0 + timedelta(seconds=n)
        pages.append({"sha256": sha256_of(page), "file": page.name, "observed_at": at})
    path = folder / "sample.json"
    doc = followers.sample_document("bluesky", BRAND_DID, "brand", T0, 5, pages, "size", 9)
    path.write_text(doc)
    return path


def bluesky_rows(con) -> list[tuple]:
    return con.execute(
        "SELECT follower_id, handle, bio, followers_count, following_count, post_count, "
        "observed_at, raw_file_id FROM canonical.sampled_followers ORDER BY position"
    ).fetchall()


def test_a_bluesky_sample_takes_its_followers_counts_from_its_getprofiles_pages(tmp_path):
    con = connect(tmp_path / "w.duckdb")
    # getProfiles in two requests, the second in another order and with a DID the list
    # does not hold (it adds nobody); 1 has no detailed view (the AppView left it out).
    path = write_bluesky_sample(tmp_path / "a", [5, 4, 3, 2, 1], [[5, 4], [2, 3, 99]])
    import_follower_sample(con, tmp_path / "raw", path)
    got = bluesky_rows(con)
    header = json.loads(path.read_text())
    sha = [p["sha256"] for p in header["pages"]]
    assert [r[0] for r in got] == [bsky_did(i) for i in (5, 4, 3, 2, 1)]  # the list's order
    assert [r[3:6] for r in got] == [(5, 50, 15), (4, 40, 12), (3, 30, 9), (2, 20, 6),
                                     (None, None, None)]  # fmt: skip
    assert got[0][1:3] == ("fan5.bsky.social", "")
    # each profile as observed by, and read from, the page it came from
    assert [(r[6], r[7]) for r in got] == [
        (T0 + timedelta(seconds=2), sha[1]),
        (T0 + timedelta(seconds=2), sha[1]),
        (T0 + timedelta(seconds=3), sha[2]),
        (T0 + timedelta(seconds=3), sha[2]),
        (T0 + timedelta(seconds=1), sha[0]),
    ]
    (sample,) = con.execute(
        "SELECT platform, sampled, read_new, followers_total FROM canonical.follower_samples"
    ).fetchall()
    assert sample == ("bluesky", 5, 5, 9)
    assert con.execute("SELECT count(*) FROM canonical.rejects").fetchone() == (0,)
    before = bluesky_rows(con)
    reload_from_raw(con, tmp_path / "raw", log=lambda _: None)
    assert bluesky_rows(con) == before


def test_a_bluesky_sample_without_getprofiles_pages_has_no_counts(tmp_path):
    con = connect(tmp_path / "w.duckdb")
    path = write_bluesky_sample(tmp_path / "a", [3, 2, 1], [])
    import_follower_sample(con, tmp_path / "raw", path)
    got = bluesky_rows(con)
    assert [r[0] for r in got] == [bsky_did(i) for i in (3, 2, 1)]
    assert {r[3:6] for r in got} == {(None, None, None)}
    assert got[1][1:3] == ("fan2.bsky.social", "coffee, maps")


def test_a_bluesky_page_that_is_neither_kind_is_refused(tmp_path):
    with pytest.raises(followers.NotThisFormat, match="nor a getProfiles one"):
        followers.read_page("bluesky", b'{"follows": []}')
    with pytest.raises(followers.NotThisFormat, match="no `profiles` list"):
        followers.read_page("bluesky", b'{"profiles": {}}')
    assert followers.read_page("bluesky", b'{"profiles": []}') == (followers.PROFILES, [])
    # X and Mastodon pages have one kind only
    with pytest.raises(followers.NotThisFormat, match="X API v2 followers page"):
        followers.read_page("x", b'{"data": {}}')
    with pytest.raises(followers.NotThisFormat, match="JSON list of accounts"):
        followers.read_page("mastodon", b'{"profiles": []}')
