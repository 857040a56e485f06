"""Threads and questions on the real TWCS sample: marts.threads and the new
marts.conversation_metrics columns checked against an independent computation written
here, from the CSV itself, with none of the project's parsing or SQL."""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from tests.conftest import shared_file

TWCS = "twcs/twcs_sample.csv"
URL = re.compile(r"https?://\S+")
BRANDS = [
    "AppleSupport",
    "AmazonHelp",
    "sprintcare",
    "Ask_Spectrum",
    "VirginTrains",
    "comcastcares",
]
HANDLE = re.compile(r"(?<![A-Za-z0-9_])@([A-Za-z0-9_]{1,15})(?![A-Za-z0-9_])")


def read_rows(path: Path) -> list[dict]:
    # One unquoted text field holds bare carriage returns; they are not record ends.
    text = re.sub(r"\r(?!\n)", " ", path.open(encoding="utf-8", newline="").read())
    return list(csv.DictReader(io.StringIO(text)))


def expected_threads(rows: list[dict]) -> dict[str, dict]:
    """Root id -> posts, participants, depth, authors and the authors of the latest
    posts, for every thread of two or more posts."""
    when = {
        r["tweet_id"]: datetime.strptime(r["created_at"], "%a %b %d %H:%M:%S %z %Y") for r in rows
    }
    author = {r["tweet_id"]: r["author_id"] for r in rows}
    parent = {
        r["tweet_id"]: str(int(float(r["in_response_to_tweet_id"])))
        for r in rows
        if r["in_response_to_tweet_id"]
    }

    def root_and_depth(post: str) -> tuple[str, int]:
        depth = 0
        while parent.get(post) in author:  # the parent is in the data
            post, depth = parent[post], depth + 1
        return post, depth

    members = defaultdict(list)
    for post in author:
        root, depth = root_and_depth(post)
        members[root].append((post, depth))
    out = {}
    for root, posts in members.items():
        if len(posts) < 2:
            continue
        last = max(when[p] for p, _ in posts)
        out[root] = {
            "posts": len(posts),
            "participants": len({author[p] for p, _ in posts}),
            "depth": max(d for _, d in posts),
            "authors": {author[p] for p, _ in posts},
            "last_word": {author[p] for p, _ in posts if when[p] == last},
        }
    return out


def expected_questions(rows: list[dict], brand: str) -> tuple[int, int]:
    """Inbound messages to the brand (a reply to it or a mention of it, by another
    account) whose text without URLs has '?', and how many of them it answered."""
    author = {r["tweet_id"]: r["author_id"] for r in rows}
    parent = {
        r["tweet_id"]: str(int(float(r["in_response_to_tweet_id"])))
        for r in rows
        if r["in_response_to_tweet_id"]
    }
    answered = {parent[c] for c in parent if author[c] == brand}
    asked = [
        r["tweet_id"]
        for r in rows
        if r["author_id"] != brand
        and (
            author.get(parent.get(r["tweet_id"], "")) == brand
            or brand.lower() in {m.lower() for m in HANDLE.findall(r["text"])}
        )
        and "?" in URL.sub("", r["text"])
    ]
    return len(asked), sum(1 for m in asked if m in answered)


@pytest.fixture(scope="module")
def built(twcs_warehouse):
    return read_rows(shared_file(TWCS)), twcs_warehouse / "rapport_analyst.duckdb"


@pytest.mark.parametrize("brand", BRANDS)
def test_brand_threads_and_questions_match_an_independent_computation(built, brand):
    rows, db = built
    threads = expected_threads(rows)
    own = [t for t in threads.values() if brand in t["authors"]]
    want = (
        len(own),
        sum(1 for t in own if brand in t["last_word"]),
        *expected_questions(rows, brand),
    )
    with duckdb.connect(str(db), read_only=True) as con:
        got = con.execute(
            "SELECT threads, threads_brand_last_word, question_inbound, question_answered "
            "FROM marts.conversation_metrics WHERE platform = 'twcs' AND handle = ?",
            [brand],
        ).fetchone()
    assert got == want
    assert want[0] > 0 and want[2] > 0  # the brand has threads and questions to check


def test_every_thread_matches_an_independent_computation(built):
    rows, db = built
    want = {
        root: (t["posts"], t["participants"], t["depth"])
        for root, t in expected_threads(rows).items()
    }
    with duckdb.connect(str(db), read_only=True) as con:
        got = {
            r[0]: r[1:]
            for r in con.execute(
                "SELECT root_post_id, posts, participants, depth FROM marts.threads "
                "WHERE platform = 'twcs'"
            ).fetchall()
        }
    assert got == want
    assert max(d for _, _, d in want.values()) >= 3  # some threads run deep


def test_thread_accounts_last_word_and_first_response(built):
    _, db = built
    with duckdb.connect(str(db), read_only=True) as con:
        bad = con.execute(
            "SELECT count(*) FROM marts.thread_accounts AS a "
            "JOIN marts.threads AS t USING (platform, root_post_id) "
            "WHERE (a.first_response_min IS NULL) <> (a.first_post_at = t.first_post_at) "
            "   OR a.first_response_min < 0"
        ).fetchone()[0]
    assert bad == 0
