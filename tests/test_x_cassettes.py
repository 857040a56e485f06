"""tweepy's own recordings of the real X API v2 (users lookup, a user's timeline and
mentions; default fields, gzip bodies) replayed with vcrpy through the ingest: paging,
raw landing, parsing, loading and the state it keeps.

The recordings stop after each endpoint's first page although their meta carries a
next_token; the harness answers that follow-up request the way the API ends a
timeline, with an empty page (``{"meta": {"result_count": 0}}``). Nothing else is
invented: every other byte the ingest sees is the recording's."""

from __future__ import annotations

import gzip
import json
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
import vcr
import yaml

from pipelines.canonical.imports import page_loader
from pipelines.canonical.tables import connect
from pipelines.sources.x_api.config import XIngestConfig
from pipelines.sources.x_api.ingest import SOURCE, x_ingest
from pipelines.sources.x_api.pages import INGEST_VERSION
from tests.conftest import shared_file
from tests.x_helpers import query

CASSETTES = "x_api_v2/tweepy_cassettes/v2"
RECORDED = {
    "users": "test_client_get_users.yaml",
    "timeline": "test_client_get_users_tweets.yaml",
    "mentions": "test_client_get_users_mentions.yaml",
}
HOST = "https://api.twitter.com"  # where tweepy recorded them
TOKEN = "rapport-sentinel-cassette-token-51c0"


def recorded(name: str) -> dict:
    """A cassette's one interaction, its body gunzipped here, apart from the ingest."""
    (interaction,) = yaml.safe_load(shared_file(f"{CASSETTES}/{name}").read_text())["interactions"]
    body = interaction["response"]["body"]["string"]
    if isinstance(body, bytes) and body[:2] == b"\x1f\x8b":
        body = gzip.decompress(body)
    return {"interaction": interaction, "body": body, "json": json.loads(body)}


def end_of_pages(path: str) -> dict:
    return {
        "request": {
            "body": None,
            "headers": {},
            "method": "GET",
            "uri": f"{HOST}{path}?pagination_token=end",
        },
        "response": {
            "body": {"string": b'{"meta":{"result_count":0}}'},
            "headers": {"content-type": ["application/json; charset=utf-8"]},
            "status": {"code": 200, "message": "OK"},
        },
    }


def same_request(r1, r2) -> None:
    """vcrpy matcher: method, path, and whether it asks for a later page. The ingest
    asks for more fields than tweepy's tests did, so the rest of the query differs."""
    paged = ["pagination_token" in dict(r.query) for r in (r1, r2)]
    assert r1.method == r2.method and r1.path == r2.path and paged[0] == paged[1]


@pytest.fixture(scope="module")
def replay(tmp_path_factory):
    root = tmp_path_factory.mktemp("x_cassettes")
    bodies = {k: recorded(v) for k, v in RECORDED.items()}
    interactions = [b["interaction"] for b in bodies.values()]
    interactions += [
        end_of_pages("/2/users/783214/tweets"),
        end_of_pages("/2/users/783214/mentions"),
    ]
    cassette = root / "replay.yaml"
    cassette.write_text(yaml.dump({"interactions": interactions, "version": 1}))
    # decode_compressed_response: with urllib3 2 the stubbed response reaches requests
    # still gzipped; vcrpy then gunzips the recorded bodies as it loads them.
    player = vcr.VCR(record_mode="none", match_on=["x_request"], decode_compressed_response=True)
    player.register_matcher("x_request", same_request)
    with player.use_cassette(str(cassette)) as played:
        con = connect(root / "rapport.duckdb")
        try:
            result = x_ingest(
                con,
                root / "raw",
                TOKEN,
                HOST,
                XIngestConfig(),
                "replay",
                log=lambda m: None,
                load_page=page_loader(con, root / "raw", SOURCE),
            ).run(["Twitter"])
        finally:
            con.close()
        assert played.all_played
    return {"root": root, "bodies": bodies, "result": result, "db": root / "rapport.duckdb"}


def landed_pages(root) -> list[bytes]:
    return [p.read_bytes() for p in sorted((root / "raw" / "x-api").glob("*/*.jsonl"))]


def test_the_replay_completes_in_one_request_per_page(replay):
    assert replay["result"].status == "complete"
    assert replay["result"].totals["requests"] == 5  # lookup, 2 x (page + empty end)


def test_every_recorded_page_lands_byte_for_byte_with_its_request(replay):
    lines = landed_pages(replay["root"])
    assert len(lines) == 5
    for kind, rec in replay["bodies"].items():
        (line,) = [ln for ln in lines if ln.startswith(rec["body"][:-1])]
        # the recording's bytes, then only the __twarc member and the closing brace
        tail = json.loads(b"{" + line[len(rec["body"]) :])
        assert list(tail) == ["__twarc"] and tail["__twarc"]["version"] == INGEST_VERSION
        url = urlsplit(tail["__twarc"]["url"])
        assert f"{url.scheme}://{url.netloc}" == HOST
        assert url.path == urlsplit(rec["interaction"]["request"]["uri"]).path
        if kind != "users":
            params = parse_qs(url.query)
            assert params["max_results"] == ["100"]
            assert "referenced_tweets" in params["tweet.fields"][0]
    assert not any(TOKEN.encode() in line for line in lines)


def test_every_recorded_post_is_loaded(replay):
    expected = {
        t["id"] for kind in ("timeline", "mentions") for t in replay["bodies"][kind]["json"]["data"]
    }
    rows = query(replay["db"], "SELECT post_id, text FROM canonical.posts")
    assert {r[0] for r in rows} == expected
    texts = {
        t["id"]: t["text"]
        for k in ("timeline", "mentions")
        for t in replay["bodies"][k]["json"]["data"]
    }
    assert dict(rows) == texts


def test_the_next_run_starts_above_the_newest_recorded_post(replay):
    sweeps = dict(
        query(
            replay["db"],
            "SELECT endpoint, since_id FROM ops.x_sweeps WHERE account_id = ?",
            ["783214"],
        )
    )
    assert sweeps == {
        kind: replay["bodies"][kind]["json"]["meta"]["newest_id"]
        for kind in ("timeline", "mentions")
    }


def test_usage_and_cost_are_counted_from_what_was_read(replay):
    posts = sum(len(replay["bodies"][k]["json"]["data"]) for k in ("timeline", "mentions"))
    users = len(replay["bodies"]["users"]["json"]["data"])
    totals = replay["result"].totals
    assert (totals["posts_read"], totals["users_read"]) == (posts, users)
    assert totals["cost_usd"] == Decimal("0.005") * posts + Decimal("0.010") * users
    rows = query(
        replay["db"],
        "SELECT endpoint, requests, posts_read, status FROM ops.api_usage ORDER BY endpoint",
    )
    assert rows == [
        ("mentions", 2, len(replay["bodies"]["mentions"]["json"]["data"]), "complete"),
        ("timeline", 2, len(replay["bodies"]["timeline"]["json"]["data"]), "complete"),
        ("users", 1, 0, "ok"),
    ]
