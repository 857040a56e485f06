"""`rapport import mastodon`: saved Mastodon REST API JSON into the canonical tables.

The recordings are R-vcr cassettes (YAML) of real calls to fosstodon.org and
mastodon.social; each test writes their response bodies to files of its own. The
expectations are read from the cassettes here with the yaml and json modules alone,
independently of pipelines/sources/mastodon; the serving instance is the host of the
recorded request, which the parser never sees."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from urllib.parse import urlsplit

import duckdb
import pytest
import yaml

from pipelines.cli import main
from pipelines.sources.mastodon.parse import parse_mastodon
from tests.conftest import SHARED_DATA, shared_file

MASTODON = "mastodon"
# Cassettes whose bodies are not loaded: relationships are no account or status; the
# federated timeline and the directory hold no account local to the server.
NOT_LOADED = {
    "get_account_relationships_default",
    "get_instance_directory_default",
    "get_timeline_public_default",
}
CASSETTES = sorted((SHARED_DATA / MASTODON).glob("*.yml")) if SHARED_DATA.exists() else []
LOADED = [p for p in CASSETTES if p.stem not in NOT_LOADED]


def query(settings, sql, params=()):
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()


def _interactions(name):
    cassette = shared_file(f"{MASTODON}/{name}.yml")
    return yaml.safe_load(cassette.read_text(encoding="utf-8"))["http_interactions"]


def _responses(name):
    """(serving host, parsed body) of each recorded call."""
    return [
        (urlsplit(i["request"]["uri"]).hostname, json.loads(i["response"]["body"]["string"]))
        for i in _interactions(name)
    ]


def _write(folder, name):
    """The cassette's bodies as a file: one body a .json, several a .jsonl."""
    bodies = [i["response"]["body"]["string"] for i in _interactions(name)]
    folder.mkdir(parents=True, exist_ok=True)
    if len(bodies) == 1:
        path = folder / f"{name}.json"
        path.write_text(bodies[0], encoding="utf-8")
    else:
        path = folder / f"{name}.jsonl"
        lines = [json.dumps(json.loads(b)) for b in bodies]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _statuses(body):
    """Every status a response holds, a reblogged one too."""
    if isinstance(body, dict):
        found = body.get("ancestors", []) + body.get("descendants", []) + body.get("statuses", [])
        found += [body] if "content" in body else []
    else:
        found = [s for s in body if "content" in s]
    return found + [s["reblog"] for s in found if s.get("reblog")]


def _accounts(body):
    """Every account object a response holds: listed ones and the statuses' authors."""
    if isinstance(body, dict) and "acct" in body:
        listed = [body]
    elif isinstance(body, list):
        listed = [a for a in body if "acct" in a]
    else:
        listed = body.get("accounts", [])
    return listed + [s["account"] for s in _statuses(body)]


def _handle(acct, host):
    return acct.lower() if "@" in acct else f"{acct.lower()}@{host}"


def _recorded():
    """post_id -> (host, status) over the loaded cassettes, and per cassette
    account_id -> (host, account): within a file the first sighting counts, across
    files the later one (the loader keeps a later sighting's values; a snapshot is
    one per file, observed when the file landed)."""
    statuses, accounts = {}, {}
    for cassette in LOADED:
        in_file, seen = {}, accounts.setdefault(cassette.stem, {})
        for host, body in _responses(cassette.stem):
            for status in _statuses(body):
                in_file.setdefault(f"{host}:{status['id']}", (host, status))
            for account in _accounts(body):
                seen.setdefault(f"{host}:{account['id']}", (host, account))
        statuses.update(in_file)
    return statuses, accounts


@pytest.fixture
def imported(warehouse, tmp_path):
    shared_file(f"{MASTODON}/get_status_default.yml")
    for cassette in LOADED:
        _write(tmp_path / "in", cassette.stem)
    assert main(["import", MASTODON, str(tmp_path / "in")]) == 0
    return warehouse


def test_every_recorded_status_is_one_post_qualified_by_its_server(imported):
    statuses, _ = _recorded()
    rows = query(
        imported,
        "SELECT post_id, account_id, created_at, like_count, repost_count, reply_count, lang "
        "FROM canonical.posts WHERE platform = 'mastodon'",
    )
    assert len(rows) == len(statuses) > 150
    assert {r[0] for r in rows} == set(statuses)
    for post_id, author, created, likes, reblogs, replies, lang in rows:
        host, status = statuses[post_id]
        assert author == f"{host}:{status['account']['id']}"
        assert created.isoformat().startswith(status["created_at"][:19])
        assert (likes, reblogs, replies) == (
            status["favourites_count"], status["reblogs_count"], status["replies_count"],
        )  # fmt: skip
        assert lang == status["language"]
    assert query(imported, "SELECT count(*) FROM canonical.rejects") == [(0,)]


def test_the_59_replies_of_the_context_point_at_their_parents(imported):
    (host, context), = _responses("get_context_default")  # fmt: skip
    assert host == "mastodon.social" and len(context["descendants"]) == 59
    rows = {
        r[0]: r[1:]
        for r in query(
            imported,
            "SELECT post_id, in_reply_to_post_id, in_reply_to_account_id, conversation_id "
            "FROM canonical.posts",
        )
    }
    for status in context["descendants"]:
        parent, parent_author, _ = rows[f"{host}:{status['id']}"]
        assert parent == f"{host}:{status['in_reply_to_id']}"
        assert parent_author == f"{host}:{status['in_reply_to_account_id']}"
    # The asked-for status is not in its own context: its replies point outside.
    asked = "109294719267373593"
    direct = [s for s in context["descendants"] if s["in_reply_to_id"] == asked]
    assert direct and all(rows[f"{host}:{s['id']}"][2] is None for s in direct)
    (host, thread), = _responses("get_context_with_ancesters")  # fmt: skip
    root = thread["ancestors"][0]
    assert rows[f"{host}:{root['id']}"] == (None, None, f"{host}:{root['id']}")


def test_a_reblog_is_a_retweet_row_and_the_reblogged_status_a_post(imported):
    reblogs = [
        (host, s)
        for host, body in _responses("get_account_statuses_limit")
        for s in body
        if s.get("reblog")
    ]
    assert reblogs
    for host, status in reblogs:
        ((author, text, reposted),) = query(
            imported,
            "SELECT account_id, text, reposted_post_id FROM canonical.posts WHERE post_id = ?",
            [f"{host}:{status['id']}"],
        )
        assert author == f"{host}:{status['account']['id']}"
        assert text is None  # a reblog has no words of its own
        assert reposted == f"{host}:{status['reblog']['id']}"
        original = query(
            imported,
            "SELECT account_id, reposted_post_id FROM canonical.posts WHERE post_id = ?",
            [reposted],
        )
        assert original == [(f"{host}:{status['reblog']['account']['id']}", None)]


def test_mentions_and_hashtags_are_qualified_and_the_text_is_plain(imported):
    statuses, _ = _recorded()
    rows = query(imported, "SELECT post_id, mentions, hashtags, text FROM canonical.posts")
    qualified = 0
    for post_id, mentions, hashtags, text in rows:
        host, status = statuses[post_id]
        assert mentions == [_handle(m["acct"], host) for m in status["mentions"]]
        qualified += any("@" not in m["acct"] for m in status["mentions"])
        assert hashtags == list(dict.fromkeys(t["name"].lower() for t in status["tags"]))
        if text is not None:
            assert not any(tag in text for tag in ("<p>", "</p>", "<br", "<a ", "<span"))
            assert not any(entity in text for entity in ("&amp;", "&#39;", "&quot;", "&lt;"))
    assert qualified > 20  # the context's replies mention local users
    ((text, urls),) = query(
        imported,
        "SELECT text, urls FROM canonical.posts WHERE post_id = ?",
        ["fosstodon.org:114620457512351116"],
    )
    link = (
        "https://r-consortium.org/posts/r-consortium-awards-first-round-of-2025-isc-grants/"
        "#bridging-worlds-enhancing-r-igraph-with-c-core-innovations"
    )
    assert text.startswith("Super grateful to have received an R Consortium grant")
    assert text.endswith(f"seamlessly. {link}  #rstats cc @maelle")
    assert urls == [link]
    two_paragraphs = query(
        imported,
        "SELECT text FROM canonical.posts WHERE post_id = 'fosstodon.org:112525606646148711'",
    )
    assert "drinks 🥂\n\n📅 Date: June 5th\n📍 Venue" in two_paragraphs[0][0]


def test_accounts_are_snapshots_with_qualified_handles(imported):
    _, by_file = _recorded()
    rows = query(
        imported,
        "SELECT f.original_name, s.account_id, s.handle, s.display_name, s.bio, "
        "s.followers_count, s.following_count, s.post_count, s.protected, "
        "s.has_default_avatar, s.profile_image_url, s.observed_at = f.landed_at "
        "FROM canonical.account_snapshots s JOIN ops.raw_files f USING (raw_file_id) "
        "WHERE s.platform = 'mastodon'",
    )
    got = {(name.rsplit("/", 1)[1].split(".")[0], r[0]) for name, *r in rows}
    assert got == {(stem, a) for stem, accounts in by_file.items() for a in accounts}
    for name, account_id, handle, display, bio, *counts, default, avatar, at_landing in rows:
        host, account = by_file[name.rsplit("/", 1)[1].split(".")[0]][account_id]
        assert handle == _handle(account["acct"], host)
        assert display == account["display_name"]
        assert counts == [
            account["followers_count"], account["following_count"],
            account["statuses_count"], account["locked"],
        ]  # fmt: skip
        assert avatar == account["avatar"]
        assert default == account["avatar"].endswith("/missing.png")
        assert "<p>" not in (bio or "") and "<a " not in (bio or "")
        assert at_landing
    assert sum(r[9] for r in rows) >= 2  # following and search hold default avatars
    handles = dict(query(imported, "SELECT account_id, handle FROM canonical.accounts"))
    assert handles["mastodon.social:1"] == "gargron@mastodon.social"  # known by a mention


def test_importing_the_same_files_again_changes_nothing(imported, tmp_path, capsys):
    tables = ("canonical.posts", "canonical.account_snapshots", "canonical.accounts")
    before = {t: query(imported, f"SELECT * FROM {t} ORDER BY ALL") for t in tables}
    capsys.readouterr()
    assert main(["import", MASTODON, str(tmp_path / "in")]) == 0
    assert "already imported" in capsys.readouterr().out
    assert {t: query(imported, f"SELECT * FROM {t} ORDER BY ALL") for t in tables} == before


def test_a_malformed_status_is_rejected_with_its_place_and_its_neighbours_load(warehouse, tmp_path):
    (host, page), = _responses("get_account_statuses_default")  # fmt: skip
    page[1].pop("id")
    page[2]["created_at"] = "1970-01-01T00:00:00Z"
    page[3]["favourites_count"] = -5
    page[4]["content"] = "x\ud800y"
    nest = page[5]["card"] = {}
    for _ in range(70):
        nest["x"] = {}
        nest = nest["x"]
    folder = tmp_path / "in"
    folder.mkdir()
    # One document: an item nested too deep is rejected alone (in JSON lines, its line).
    (folder / "page.json").write_text(json.dumps(page), encoding="utf-8")  # \ud800 escaped
    (_, account), = _responses("get_account_default")  # fmt: skip
    lines = [json.dumps(account), "not json", json.dumps({"error": "Record not found"})]
    (folder / "lines.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["import", MASTODON, str(folder)]) == 0

    rows = dict(query(warehouse, "SELECT post_id, like_count FROM canonical.posts"))
    broken = {page[1].get("id"), page[2]["id"], page[5]["id"]}
    assert set(rows) == {f"{host}:{s['id']}" for s in page if s.get("id") not in broken}
    assert rows[f"{host}:{page[3]['id']}"] is None  # the count dropped, the status loaded
    rejects = dict(
        query(
            warehouse,
            "SELECT regexp_extract(file_name, '[a-z]+[.]json') || ' ' || line_number || ' ' || "
            "item, reason FROM canonical.rejects",
        )
    )
    assert set(rejects) == {
        "page.json 1 [1]", "page.json 1 [2]", "page.json 1 [3].favourites_count",
        "page.json 1 [4].content", "page.json 1 [5]", "lines.json 2 ", "lines.json 3 ",
    }  # fmt: skip
    assert "no id" in rejects["page.json 1 [1]"]
    assert "1970" in rejects["page.json 1 [2]"] and "created_at" in rejects["page.json 1 [2]"]
    assert "-5" in rejects["page.json 1 [3].favourites_count"]
    assert "surrogate" in rejects["page.json 1 [4].content"]
    assert "nested deeper" in rejects["page.json 1 [5]"]
    assert "Record not found" in rejects["lines.json 3 "]
    assert query(warehouse, "SELECT count(*) FROM canonical.account_snapshots") != [(0,)]


@pytest.mark.parametrize(
    "relative",
    ["x_api_v2/twarc_pages/brexit.jsonl", "bluesky/profile.json", "twcs/twcs_sample.csv"],
)
def test_a_file_of_another_kind_is_refused(warehouse, capsys, relative):
    path = shared_file(relative)
    assert main(["import", MASTODON, str(path)]) == 2
    assert str(path) in capsys.readouterr().err
    assert not [p for p in warehouse.raw_dir.rglob("*") if p.is_file()]


def test_relationships_are_not_a_response_it_loads(warehouse, tmp_path, capsys):
    path = _write(tmp_path, "get_account_relationships_default")
    assert main(["import", MASTODON, str(path)]) == 2
    assert "does not look like saved Mastodon" in capsys.readouterr().err


def test_a_file_that_does_not_tell_its_server_is_refused_until_it_does(warehouse, tmp_path, capsys):
    path = _write(tmp_path, "get_timeline_public_default")
    assert main(["import", MASTODON, str(path)]) == 2
    err = capsys.readouterr().err
    assert str(path) in err and "does not say which server" in err
    assert "/api/v2/instance" in err  # how to fix it
    assert not [p for p in warehouse.raw_dir.rglob("*") if p.is_file()]

    (host, page), = _responses("get_timeline_public_default")  # fmt: skip
    server = {"domain": host, "title": "Fosstodon", "version": "4.3.0", "contact": {}}
    fixed = tmp_path / "timeline.jsonl"
    fixed.write_text(json.dumps(server) + "\n" + json.dumps(page) + "\n", encoding="utf-8")
    assert main(["import", MASTODON, str(fixed)]) == 0
    ids = {r[0] for r in query(warehouse, "SELECT post_id FROM canonical.posts")}
    assert ids == {f"{host}:{s['id']}" for s in _statuses(page)}


def test_the_caller_may_name_the_server_and_an_empty_page_is_empty(tmp_path):
    path = _write(tmp_path, "get_instance_directory_default")
    (_, accounts), = _responses("get_instance_directory_default")  # fmt: skip
    when = datetime(2026, 1, 1, tzinfo=UTC)
    batch = parse_mastodon(path, when, when, instance="mastodon.social")
    assert {s["account_id"] for s in batch.snapshots} == {
        f"mastodon.social:{a['id']}" for a in accounts
    }
    assert {s["handle"] for s in batch.snapshots} == {a["acct"].lower() for a in accounts}
    empty = tmp_path / "last_page.json"
    empty.write_text("[]", encoding="utf-8")
    batch = parse_mastodon(empty, when, when)
    assert (batch.posts, batch.snapshots, batch.rejects) == ([], [], [])


def test_quotes_content_warnings_and_conversations_from_a_status(tmp_path):
    (host, status), = _responses("get_status_default")  # fmt: skip
    quoted = {**status, "id": "900", "content": "<p>quoted</p>", "quote": None}
    accepted = {"state": "accepted", "quoted_status": quoted}
    quoting = {**status, "id": "901", "spoiler_text": "politics", "quote": accepted}
    reply = {**status, "id": "902", "in_reply_to_id": "901", "content": "<p>a&lt;b</p>"}
    orphan = {**reply, "id": "903", "in_reply_to_id": "1"}  # its parent is not in the file
    path = tmp_path / "statuses.json"
    path.write_text(json.dumps([quoting, reply, orphan]), encoding="utf-8")
    when = datetime(2026, 1, 1, tzinfo=UTC)
    posts = {p["post_id"]: p for p in parse_mastodon(path, when, when).posts}
    assert set(posts) == {f"{host}:{n}" for n in ("900", "901", "902", "903")}
    assert posts[f"{host}:901"]["quoted_post_id"] == f"{host}:900"
    assert posts[f"{host}:900"]["text"] == "quoted"
    assert posts[f"{host}:901"]["text"].startswith("politics\n\nSuper grateful")
    assert posts[f"{host}:902"]["text"] == "a<b"
    assert posts[f"{host}:902"]["conversation_id"] == f"{host}:901"
    assert posts[f"{host}:903"]["conversation_id"] is None
    assert posts[f"{host}:900"]["conversation_id"] == f"{host}:900"
