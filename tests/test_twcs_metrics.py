"""TWCS end to end: `rapport import twcs` + `rapport build` on the real sample, and the
conversation metrics checked against an independent computation written here, from the
CSV itself, with none of the project's parsing or SQL."""

from __future__ import annotations

import csv
import io
import math
import re
from collections import defaultdict
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from pipelines.cli import main
from tests.conftest import shared_file

TWCS = "twcs/twcs_sample.csv"
HANDLE = re.compile(r"(?<![A-Za-z0-9_])@([A-Za-z0-9_]{1,15})(?![A-Za-z0-9_])")


def quantile_linear(values: list[float], q: float) -> float:
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q
    lo, hi = math.floor(pos), math.ceil(pos)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def expected_metrics(path: Path) -> dict[str, dict]:
    # One unquoted text field holds bare carriage returns; they are not record ends.
    text = re.sub(r"\r(?!\n)", " ", path.open(encoding="utf-8", newline="").read())
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 5000
    when = {
        r["tweet_id"]: datetime.strptime(r["created_at"], "%a %b %d %H:%M:%S %z %Y") for r in rows
    }
    author = {r["tweet_id"]: r["author_id"] for r in rows}
    parent = {
        r["tweet_id"]: str(int(float(r["in_response_to_tweet_id"])))
        for r in rows
        if r["in_response_to_tweet_id"]
    }
    brands = {r["author_id"] for r in rows if r["inbound"] == "False"}
    replies_to = defaultdict(list)  # parent id -> child ids
    for child, par in parent.items():
        replies_to[par].append(child)

    out = {}
    for brand in brands:
        own = [r for r in rows if r["author_id"] == brand]
        inbound = [
            r["tweet_id"]
            for r in rows
            if r["author_id"] != brand
            and (
                author.get(parent.get(r["tweet_id"], "")) == brand
                or brand.lower() in {m.lower() for m in HANDLE.findall(r["text"])}
            )
        ]
        latencies = []
        for msg in inbound:
            answers = [c for c in replies_to[msg] if author[c] == brand]
            if answers:
                first = min(when[c] for c in answers)
                latencies.append((first - when[msg]).total_seconds() / 60)
        out[brand] = {
            "posts": len(own),
            "replies": sum(1 for r in own if r["tweet_id"] in parent),
            "inbound": len(inbound),
            "answered": len(latencies),
            "median": quantile_linear(latencies, 0.5) if latencies else None,
            "p90": quantile_linear(latencies, 0.9) if latencies else None,
        }
    return out


@pytest.fixture
def built(twcs_warehouse):
    return shared_file(TWCS), twcs_warehouse / "rapport_analyst.duckdb"


def test_every_brand_gets_a_row(built):
    csv_path, db = built
    with duckdb.connect(str(db), read_only=True) as con:
        handles = {
            r[0]
            for r in con.execute(
                "SELECT handle FROM marts.conversation_metrics WHERE platform = 'twcs'"
            ).fetchall()
        }
    assert len(handles) == 76
    assert handles == set(expected_metrics(csv_path))


@pytest.mark.parametrize(
    "brand",
    ["AppleSupport", "AmazonHelp", "sprintcare", "Ask_Spectrum", "VirginTrains", "comcastcares"],
)
def test_brand_figures_match_an_independent_computation(built, brand):
    csv_path, db = built
    want = expected_metrics(csv_path)[brand]
    with duckdb.connect(str(db), read_only=True) as con:
        got = con.execute(
            "SELECT posts, replies, reply_share, inbound, answered, response_rate, "
            "median_first_response_min, p90_first_response_min "
            "FROM marts.conversation_metrics WHERE platform = 'twcs' AND handle = ?",
            [brand],
        ).fetchone()
    posts, replies, reply_share, inbound, answered, response_rate, median, p90 = got
    assert (posts, replies, inbound, answered) == (
        want["posts"],
        want["replies"],
        want["inbound"],
        want["answered"],
    )
    assert reply_share == pytest.approx(want["replies"] / want["posts"])
    assert response_rate == pytest.approx(want["answered"] / want["inbound"])
    assert median == pytest.approx(want["median"])
    assert p90 == pytest.approx(want["p90"])


def test_all_brands_agree_on_counts(built):
    csv_path, db = built
    want = expected_metrics(csv_path)
    with duckdb.connect(str(db), read_only=True) as con:
        got = {
            r[0]: r[1:]
            for r in con.execute(
                "SELECT handle, posts, replies, inbound, answered "
                "FROM marts.conversation_metrics WHERE platform = 'twcs'"
            ).fetchall()
        }
    mismatches = {
        b: (got[b], w)
        for b, w in want.items()
        if got[b] != (w["posts"], w["replies"], w["inbound"], w["answered"])
    }
    assert not mismatches


def test_importing_the_same_file_again_changes_nothing(built, capsys):
    csv_path, db = built
    warehouse = db.with_name("rapport.duckdb")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        before = con.execute("SELECT count(*), sum(hash(post_id)) FROM canonical.posts").fetchone()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("RAPPORT_WAREHOUSE", str(warehouse))
        mp.setenv("RAPPORT_RAW_DIR", str(db.parent / "raw"))
        assert main(["import", "twcs", str(csv_path)]) == 0
    assert "already imported" in capsys.readouterr().out
    with duckdb.connect(str(warehouse), read_only=True) as con:
        after = con.execute("SELECT count(*), sum(hash(post_id)) FROM canonical.posts").fetchone()
    assert before == after and before[0] == 5000
