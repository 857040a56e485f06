"""marts.hashtag_activity, marts.brand_hashtags and marts.follow_churn_events against
independent computations written here: the hashtags of the real TWCS sample read from
the CSV itself, and a hand-made series of X user objects (twarc2 pages, one a snapshot)
with rises and falls of its following count. Both are loaded by the real importers and
built by `rapport build` in a process of its own."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest
import yaml

from pipelines.cli import main
from tests.conftest import shared_file

TWCS = "twcs/twcs_sample.csv"
# The documented TWCS hashtag: '#' not after a letter, digit, '_' or '&' (an HTML
# entity), then a word holding at least one letter.
TAG = re.compile(r"(?<![\w&])#(\w*[^\W\d_]\w*)")

CHURNER = "ChurnCo"  # the hand-made account, audited on X
WINDOW, MIN_PCT = 7, 10  # dbt_project.yml defaults
START = date(2026, 9, 1)
# following count per day (None: no snapshot that day)
SERIES = [
    1000, 1000, 1010, 1150, 1200, 1100, 1060, 1050, 1050, 1050,  # rise 20%, fall 12.5%
    1060, 1070, 1300, 1290, 1280, 1270, 1260, 1250, 1240, 1230,  # rise 24%, fall 5%: none
    1220, 1200, None, None, 1210, 1500, 1500, None, 1490, 1300,  # plateau peak, fall 17%
    1250, 1240, 1240, 1240, 1240, 1240, 1240, 1240, 1240, 1500,  # rise at the end: no after
]  # fmt: skip


def tags_of(text: str) -> set[str]:
    return {t.lower() for t in TAG.findall(text)}


def expected_hashtags(path: Path) -> tuple[dict, dict]:
    text = re.sub(r"\r(?!\n)", " ", path.open(encoding="utf-8", newline="").read())
    rows = list(csv.DictReader(io.StringIO(text)))
    author = {r["tweet_id"]: r["author_id"] for r in rows}
    tags = {r["tweet_id"]: tags_of(r["text"]) for r in rows}
    parent = {
        r["tweet_id"]: str(int(float(r["in_response_to_tweet_id"])))
        for r in rows
        if r["in_response_to_tweet_id"]
    }
    brands = {r["author_id"] for r in rows if r["inbound"] == "False"}
    day = {
        r["tweet_id"]: datetime.strptime(r["created_at"], "%a %b %d %H:%M:%S %z %Y")
        .astimezone(UTC)
        .date()
        for r in rows
    }
    activity: dict[tuple, dict] = defaultdict(
        lambda: {"posts": 0, "authors": set(), "same": 0, "conv": 0, "audited": 0}
    )
    for post, found in tags.items():
        for tag in found:
            row = activity[(tag, day[post])]
            row["posts"] += 1
            row["authors"].add(author[post])
            par = parent.get(post)
            if par in tags and tag in tags[par]:
                row["same"] += 1
                row["conv"] += author[par] != author[post]
            row["audited"] += author[post] in brands
    brand_rows = {}
    for brand in brands:
        for tag in {t for p, found in tags.items() if author[p] == brand for t in found}:
            own = [p for p, found in tags.items() if author[p] == brand and tag in found]
            from_others = sum(
                1 for c, par in parent.items() if par in own and author[c] != brand and c in tags
            )
            others = sum(
                1
                for c, par in parent.items()
                if tag in tags[c]
                and par in tags
                and tag in tags[par]
                and brand not in (author[c], author[par])
                and author[c] != author[par]
            )
            brand_rows[(brand, tag)] = (len(own), from_others, others, from_others + others > 0)
    out = {
        k: (v["posts"], len(v["authors"]), v["same"], v["conv"], v["audited"])
        for k, v in activity.items()
    }
    return out, brand_rows


def user_page(following: int, at: datetime) -> str:
    user = {
        "id": "7100000000000000001",
        "username": CHURNER,
        "name": "Churn Co",
        "created_at": "2015-03-01T10:00:00.000Z",
        "description": "follows, then unfollows",
        "public_metrics": {
            "followers_count": 400,
            "following_count": following,
            "tweet_count": 900,
            "listed_count": 1,
        },
    }
    return json.dumps(
        {"data": [user], "__twarc": {"retrieved_at": at.strftime("%Y-%m-%dT%H:%M:%S+00:00")}}
    )


def snapshot_lines() -> list[str]:
    lines = []
    for i, following in enumerate(SERIES):
        if following is None:
            continue
        noon = datetime(START.year, START.month, START.day, 12, tzinfo=UTC) + timedelta(days=i)
        # an earlier snapshot of the same day: only the day's last one counts
        lines.append(user_page(following + 777, noon - timedelta(hours=6)))
        lines.append(user_page(following, noon))
    return lines


def expected_churn() -> list[tuple]:
    """The YAML's definition, computed naively day by day."""
    days = {START + timedelta(days=i): f for i, f in enumerate(SERIES) if f is not None}
    events = []
    for day, peak in sorted(days.items()):
        before = {d: f for d, f in days.items() if day - timedelta(days=WINDOW) <= d < day}
        after = {d: f for d, f in days.items() if day < d <= day + timedelta(days=WINDOW)}
        if not before or not after:
            continue
        if not (peak > max(before.values()) and peak >= max(after.values())):
            continue
        base, low = min(before.values()), min(after.values())
        rise, fall = (peak - base) * 100 / base, (peak - low) * 100 / peak
        if base > 0 and rise >= MIN_PCT and fall >= MIN_PCT:
            base_day = max(d for d, f in before.items() if f == base)
            fall_day = min(d for d, f in after.items() if f == low)
            events.append((base_day, base, day, peak, fall_day, low, rise, fall))
    return events


def cli(env: dict[str, str], *args: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pipelines.cli", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    csv_path = shared_file(TWCS)
    root = tmp_path_factory.mktemp("hashtags_churn")
    audits = {"clients": [{"name": "churn", "brands": [{"platform": "x", "handle": CHURNER}]}]}
    (root / "audits.yaml").write_text(yaml.safe_dump(audits))
    pages = root / "users.jsonl"
    pages.write_text("\n".join(snapshot_lines()) + "\n")
    env = {
        "RAPPORT_WAREHOUSE": str(root / "wh" / "rapport.duckdb"),
        "RAPPORT_RAW_DIR": str(root / "wh" / "raw"),
        "RAPPORT_INBOX": str(root / "wh" / "inbox"),
        "RAPPORT_AUDITS": str(root / "audits.yaml"),
        "DAGSTER_HOME": str(root / "dagster_home"),
    }
    with pytest.MonkeyPatch.context() as mp:
        for name, value in env.items():
            mp.setenv(name, value)
        assert main(["import", "twcs", str(csv_path)]) == 0
        assert main(["import", "twarc2", str(pages)]) == 0
    cli(env, "build")
    return csv_path, root / "wh" / "rapport.duckdb"


def fetch(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_hashtag_activity_matches_the_csv(built):
    csv_path, db = built
    want, _ = expected_hashtags(csv_path)
    got = {
        (r[0], r[1]): tuple(r[2:])
        for r in fetch(
            db,
            "select hashtag, day, posts, authors, replies_same_hashtag, conversation_replies, "
            "audited_posts from marts.hashtag_activity where platform = 'twcs'",
        )
    }
    assert sum(v[2] for v in want.values()) > 0  # the sample has hashtag threads
    assert sum(v[3] for v in want.values()) > 0  # and conversations under a hashtag
    assert got == want


def test_brand_hashtags_match_the_csv(built):
    csv_path, db = built
    _, want = expected_hashtags(csv_path)
    got = {
        (r[0], r[1]): tuple(r[2:])
        for r in fetch(
            db,
            "select handle, hashtag, posts, replies_from_others, others_conversation_replies, "
            "carried_conversation from marts.brand_hashtags where platform = 'twcs'",
        )
    }
    assert {k[0] for k, v in want.items() if v[3]} and {k for k, v in want.items() if not v[3]}
    assert got == want


def test_follow_churn_events_follow_the_definition(built):
    _, db = built
    got = fetch(
        db,
        "select cast(rise_from_at as date), following_before, cast(peak_at as date), "
        "following_peak, cast(fall_at as date), following_after, rise_pct, fall_pct "
        "from marts.follow_churn_events where handle = 'ChurnCo' order by peak_at",
    )
    want = expected_churn()
    # by hand: the 20 % rise and 12.5 % fall, the plateau peak's first day; the 24 % rise
    # with a 5 % fall and the rise on the last day are no events
    assert [(e[2], e[3], e[5]) for e in want] == [
        (date(2026, 9, 5), 1200, 1050),
        (date(2026, 9, 26), 1500, 1240),
    ]
    assert [r[:6] for r in got] == [w[:6] for w in want]
    for row, expected in zip(got, want, strict=True):
        assert row[6] == pytest.approx(expected[6]) and row[7] == pytest.approx(expected[7])
