"""Follower samples land raw and load whole (pipelines/canonical/followers.py): pages
first, then the sample file that names them; an incremental sample carries the previous
one's followers forward; a rebuild replays the same rows."""

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
