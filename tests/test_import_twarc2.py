"""`rapport import twarc2` on every real twarc page file, its edge cases, idempotency,
and `rapport rebuild` from raw alone."""

from __future__ import annotations

import json

import dagster as dg
import duckdb
import pytest

from pipelines.cli import main
from tests.conftest import shared_file

PAGES = "x_api_v2/twarc_pages"


def tweets_in(pages_dir):
    """Every tweet object in the files (data and includes), found here without the
    project's parser; a tweet in several files comes once per file."""
    for path in sorted(pages_dir.iterdir()):
        if path.suffix not in {".jsonl", ".json"}:
            continue
        for line in path.read_text().splitlines():
            try:
                obj = json.loads(line)
            except json.JSONDecodeError:
                continue
            if not isinstance(obj, dict):
                continue
            data = obj.get("data", [obj] if "text" in obj else [])
            items = (data if isinstance(data, list) else [data]) + obj.get("includes", {}).get(
                "tweets", []
            )
            yield from (t for t in items if isinstance(t, dict) and "text" in t and "id" in t)


def tweet_ids_in(pages_dir) -> set[str]:
    """Every tweet id in the files."""
    return {t["id"] for t in tweets_in(pages_dir)}


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    pages = shared_file(f"{PAGES}/users.jsonl").parent
    root = tmp_path_factory.mktemp("twarc")
    env = {
        "RAPPORT_WAREHOUSE": str(root / "rapport.duckdb"),
        "RAPPORT_RAW_DIR": str(root / "raw"),
        "RAPPORT_INBOX": str(root / "inbox"),
        "DAGSTER_HOME": str(root / "dagster_home"),
    }
    with pytest.MonkeyPatch.context() as mp:
        for k, v in env.items():
            mp.setenv(k, v)
        assert main(["import", "twarc2", str(pages)]) == 0
        assert main(["build"]) == 0
        with dg.DagsterInstance.get() as instance:
            jobs = [run.job_name for run in instance.get_runs()]
    return pages, root, env, jobs


def test_the_build_is_recorded_as_the_build_job(imported):
    *_, jobs = imported
    assert jobs == ["build"]  # the import is no Dagster run; the build is one, by name


def query(path, sql, params=()):
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()


def test_every_tweet_in_every_page_file_is_one_post(imported):
    pages, root, *_ = imported
    rows = query(root / "rapport.duckdb", "SELECT post_id FROM canonical.posts WHERE platform='x'")
    post_ids = [r[0] for r in rows]
    assert len(post_ids) == len(set(post_ids))  # seen in several places, stored once
    assert set(post_ids) == tweet_ids_in(pages)


def test_users_become_snapshots_with_both_count_spellings(imported):
    pages, root, *_ = imported
    user = json.loads((pages / "users.jsonl").read_text().splitlines()[0])["data"][0]
    (got,) = query(
        root / "rapport.duckdb",
        "SELECT followers_count, following_count, post_count, handle "
        "FROM canonical.account_snapshots WHERE account_id = ?",
        [user["id"]],
    )
    m = user["public_metrics"]
    assert got == (m["followers_count"], m["following_count"], m["tweet_count"], user["username"])


def test_a_non_json_line_is_rejected_with_its_line_and_the_rest_kept(imported):
    pages, root, *_ = imported
    path = pages / "streaming_output_with_error.jsonl"
    bad_lines = []
    for n, line in enumerate(path.read_text().splitlines(), 1):
        try:
            json.loads(line)
        except json.JSONDecodeError:
            bad_lines.append(n)
    rejects = query(
        root / "rapport.duckdb",
        "SELECT line_number, reason FROM canonical.rejects WHERE file_name = ? AND item = ''",
        [str(path)],
    )
    assert [r[0] for r in rejects] == bad_lines
    assert all(r[1] for r in rejects)
    kept = query(
        root / "rapport.duckdb",
        "SELECT count(*) FROM canonical.posts p JOIN ops.raw_files f USING (raw_file_id) "
        "WHERE f.original_name = ?",
        [str(path)],
    )[0][0]
    assert kept > 0


def test_an_edited_tweet_counts_once_as_its_latest_version(imported):
    _, root, *_ = imported
    rows = query(
        root / "rapport_analyst.duckdb",
        "SELECT post_id FROM marts.posts WHERE post_id IN (?, ?)",
        ["1576994746135764992", "1576994789110992896"],
    )
    assert rows == [("1576994789110992896",)]


def test_reimporting_changes_nothing_and_says_so(imported, capsys):
    pages, root, env, _ = imported
    before = query(root / "rapport.duckdb", "SELECT count(*) FROM canonical.posts")
    with pytest.MonkeyPatch.context() as mp:
        for k, v in env.items():
            mp.setenv(k, v)
        assert main(["import", "twarc2", str(pages / "two_tweets.jsonl")]) == 0
    assert "already imported" in capsys.readouterr().out
    assert query(root / "rapport.duckdb", "SELECT count(*) FROM canonical.posts") == before


def test_an_empty_file_imports_nothing_without_error(warehouse, capsys):
    assert main(["import", "twarc2", str(shared_file(f"{PAGES}/empty.json"))]) == 0
    assert "0 posts" in capsys.readouterr().out


def test_a_file_of_another_format_is_refused_and_not_landed(warehouse, capsys):
    csv_path = shared_file("twcs/twcs_sample.csv")
    assert main(["import", "twarc2", str(csv_path)]) == 2
    err = capsys.readouterr().err
    assert str(csv_path) in err
    assert not any(warehouse.raw_dir.rglob("*.csv"))


def test_a_missing_file_is_a_clear_error(warehouse, capsys):
    assert main(["import", "twcs", "/no/such/file.csv"]) == 2
    assert "/no/such/file.csv: no such file" in capsys.readouterr().err


def test_rebuild_from_raw_alone_gives_the_same_warehouse(imported):
    _, root, env, _ = imported
    tables = [
        "canonical.posts",
        "canonical.account_snapshots",
        "canonical.accounts",
        "canonical.rejects",
        "marts.conversation_metrics",
        "marts.accounts",
    ]

    def fingerprint():
        db = root / "rapport_analyst.duckdb"
        return {t: query(db, f"SELECT count(*), sum(hash(COLUMNS(*))) FROM {t}") for t in tables}

    before = fingerprint()
    with pytest.MonkeyPatch.context() as mp:
        for k, v in env.items():
            mp.setenv(k, v)
        assert main(["rebuild"]) == 0
    assert fingerprint() == before


def _current_tweets(pages_dir) -> dict[str, dict]:
    """Every tweet of the files once, by id, without retweets and without the versions
    a later edit superseded (an id listed before the last in some edit history)."""
    tweets: dict[str, dict] = {}
    for t in tweets_in(pages_dir):
        tweets.setdefault(t["id"], t)
    superseded = {i for t in tweets.values() for i in t.get("edit_history_tweet_ids", [])[:-1]}
    return {
        i: t
        for i, t in tweets.items()
        if i not in superseded
        and not any(r.get("type") == "retweeted" for r in t.get("referenced_tweets", []))
    }


def test_x_threads_are_the_conversations_x_names(imported):
    """On X a thread is the posts sharing a conversation_id (the root's id, even when
    the root itself is not in the data): marts.threads against the page files grouped
    by conversation_id here, every thread of two or more posts with its post and
    participant counts and first and last post times."""
    pages, root, _, _ = imported
    groups: dict[str, list[dict]] = {}
    for t in _current_tweets(pages).values():
        groups.setdefault(t["conversation_id"], []).append(t)
    want = {
        conversation: (
            len(ts),
            len({t["author_id"] for t in ts}),
            min(t["created_at"] for t in ts),
            max(t["created_at"] for t in ts),
        )
        for conversation, ts in groups.items()
        if len(ts) >= 2
    }
    with duckdb.connect(str(root / "rapport_analyst.duckdb"), read_only=True) as con:
        rows = con.execute(
            "SELECT root_post_id, posts, participants, "
            "strftime(first_post_at AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S.000Z'), "
            "strftime(last_post_at AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S.000Z') "
            "FROM marts.threads WHERE platform = 'x'"
        ).fetchall()
    got = {r[0]: tuple(r[1:]) for r in rows}
    assert len(want) >= 5  # the pages hold real reply threads
    assert got == want
    # some of them are rooted at a post the pages do not hold: X still names the thread
    assert any(c not in _current_tweets(pages) for c in want)
