"""Bluesky and Mastodon in the marts: every shared recording imported, the accounts
audited (one Bluesky account by its DID, one brand on both networks under one name),
`rapport build` run for real, and marts.post_mix, marts.conversation_metrics and
marts.accounts compared with a computation from the raw JSON written here, following
the mart YAML definitions and the parsers' documented mappings, with json and yaml
alone (no parser, no SQL of ours). One build serves the module."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import datetime

import duckdb
import pytest
import yaml

from pipelines.cli import main
from pipelines.config.settings import load_settings
from tests.conftest import SHARED_DATA, shared_file
from tests.report_helpers import quantile
from tests.test_import_bluesky import _raw_views
from tests.test_import_mastodon import LOADED, _handle, _responses, _statuses, _write


@dataclass(frozen=True)
class Post:
    post_id: str
    author: str  # account id
    created: datetime
    parent: str | None  # in_reply_to post id
    parent_author: str | None
    quoted: str | None
    reposted: str | None
    mentions: frozenset[str]  # lowercased handles


@dataclass
class Network:
    platform: str
    posts: dict[str, Post] = field(default_factory=dict)
    handles: dict[str, str] = field(default_factory=dict)  # account id -> lower handle
    profiles: dict[str, dict] = field(default_factory=dict)  # account id -> counts

    def kind(self, p: Post) -> str:
        if p.reposted:
            return "retweet"
        if p.parent:
            return "reply"
        return "quote" if p.quoted else "original"


def _time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


# ------------------------------------------------------------------------ Bluesky


def _bluesky_mentions(record: dict) -> frozenset[str]:
    found = set()
    text = record.get("text", "").encode("utf-8")
    for facet in record.get("facets", []):
        for feature in facet.get("features", []):
            if feature.get("$type") == "app.bsky.richtext.facet#mention":
                index = facet["index"]
                shown = text[index["byteStart"] : index["byteEnd"]].decode("utf-8")
                found.add(shown.lstrip("@").lower() if shown.startswith("@") else feature["did"])
    return frozenset(found)


def bluesky() -> Network:
    """Posts and profiles of the Bluesky recordings: ids are at:// URIs, authors DIDs
    (bluesky/objects.py's documented mapping)."""
    views, profiles = _raw_views()
    net = Network("bluesky")
    for uri, view in views.items():
        record = view["record"]
        parent = record.get("reply", {}).get("parent", {}).get("uri")
        embed = record.get("embed", {})
        quoted = None
        if embed.get("$type") == "app.bsky.embed.record":
            quoted = embed["record"]["uri"]
        elif embed.get("$type") == "app.bsky.embed.recordWithMedia":
            quoted = embed["record"]["record"]["uri"]
        if quoted and "/app.bsky.feed.post/" not in quoted:
            quoted = None
        net.posts[uri] = Post(
            uri,
            view["author"]["did"],
            _time(record.get("createdAt") or view["indexedAt"]),
            parent,
            parent.split("/")[2] if parent else None,
            quoted,
            None,
            _bluesky_mentions(record),
        )
        net.handles[view["author"]["did"]] = view["author"]["handle"].lower()
    for did, view in profiles.items():
        net.handles[did] = view["handle"].lower()
        net.profiles[did] = {
            "followers": view.get("followersCount"),
            "following": view.get("followsCount"),
        }
    return net


# ------------------------------------------------------------------------ Mastodon


def mastodon() -> Network:
    """Posts and accounts of the loadable Mastodon recordings: ids qualified by the
    server that answered (its host), handles user@instance (mastodon/objects.py's
    documented mapping); a reblog is its own post reposting the reblogged status."""
    net = Network("mastodon")
    for cassette in LOADED:
        for host, body in _responses(cassette.stem):
            for status in _statuses(body):
                author = status["account"]
                reblog = status.get("reblog")
                parent = status.get("in_reply_to_id")
                quote = (status.get("quote") or {}).get("quoted_status") or {}
                net.posts.setdefault(
                    f"{host}:{status['id']}",
                    Post(
                        f"{host}:{status['id']}",
                        f"{host}:{author['id']}",
                        _time(status["created_at"]),
                        f"{host}:{parent}" if parent else None,
                        f"{host}:{status['in_reply_to_account_id']}" if parent else None,
                        f"{host}:{quote['id']}" if quote.get("id") else None,
                        f"{host}:{reblog['id']}" if reblog else None,
                        frozenset(_handle(m["acct"], host) for m in status.get("mentions", [])),
                    ),
                )
                net.handles[f"{host}:{author['id']}"] = _handle(author["acct"], host)
    return net


# ------------------------------------------------------------------------ metrics


def figures(net: Network, account: str) -> dict:
    """post_mix and conversation_metrics of one account, from the definitions: its posts
    by kind; inbound = others' non-repost posts replying to one of its posts (or to it,
    when the parent is not stored) or mentioning its handle; answered = it replied to
    the message itself; minutes from the message to its first such reply."""
    own = [p for p in net.posts.values() if p.author == account]
    kinds = [net.kind(p) for p in own]
    handle = net.handles[account]
    inbound = []
    for p in net.posts.values():
        if p.author == account or p.reposted:
            continue
        parent = net.posts.get(p.parent) if p.parent else None
        replied_to = parent.author if parent else p.parent_author
        if replied_to == account or handle in p.mentions:
            inbound.append(p)
    minutes = []
    for m in inbound:
        answers = [p.created for p in own if p.parent == m.post_id]
        if answers:
            minutes.append((min(answers) - m.created).total_seconds() / 60)
    return {
        "posts": len(own),
        "originals": kinds.count("original"),
        "replies": kinds.count("reply"),
        "retweets": kinds.count("retweet"),
        "quotes": kinds.count("quote"),
        "inbound": len(inbound),
        "answered": len(minutes),
        "median_first_response_min": quantile(minutes, 0.5),
        "minutes": minutes,
    }


# ------------------------------------------------------------------------ the build


def most_answered(net: Network) -> str:
    """The account that received the most inbound messages (the thread's author)."""
    return max(sorted(net.handles), key=lambda a: figures(net, a)["inbound"])


def busiest(net: Network, n: int) -> list[str]:
    counts = {a: 0 for a in net.handles}
    for p in net.posts.values():
        counts[p.author] += 1
    return sorted(counts, key=lambda a: (-counts[a], a))[:n]


ENV: list[dict[str, str]] = []  # the built warehouse's environment, for subprocesses


def cli(env: dict[str, str], *args: str) -> None:
    """A command in a process of its own, as an operator runs it. The clients of
    audits.yaml become Dagster partitions once per process, so a build or report of this
    module's client in the test process would leave the other modules' clients unknown."""
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
    shared_file("bluesky/profile.json")
    root = tmp_path_factory.mktemp("network_marts")
    nets = {"bluesky": bluesky(), "mastodon": mastodon()}
    sky = busiest(nets["bluesky"], 3)
    toots = busiest(nets["mastodon"], 2) + [most_answered(nets["mastodon"])]
    audits = {
        "clients": [
            {
                "name": "networks",
                "brands": [
                    # by DID: the marts resolve it to the account's handle
                    {"platform": "bluesky", "handle": sky[0], "name": "Shared Brand"},
                    {"platform": "bluesky", "handle": nets["bluesky"].handles[sky[1]]},
                    {
                        "platform": "mastodon",
                        "handle": nets["mastodon"].handles[toots[2]],
                        "name": "Shared Brand",
                    },
                ],
                "competitors": [
                    {"platform": "bluesky", "handle": nets["bluesky"].handles[sky[2]]},
                    *(
                        {"platform": "mastodon", "handle": nets["mastodon"].handles[a]}
                        for a in toots[:2]
                        if a != toots[2]
                    ),
                ],
            }
        ]
    }
    (root / "audits.yaml").write_text(yaml.safe_dump(audits))
    env = {
        "RAPPORT_WAREHOUSE": str(root / "wh" / "rapport.duckdb"),
        "RAPPORT_RAW_DIR": str(root / "wh" / "raw"),
        "RAPPORT_INBOX": str(root / "wh" / "inbox"),
        "RAPPORT_AUDITS": str(root / "audits.yaml"),
        "DAGSTER_HOME": str(root / "dagster_home"),
    }
    ENV[:] = [env]
    with pytest.MonkeyPatch.context() as mp:
        for name, value in env.items():
            mp.setenv(name, value)
        settings = load_settings()
        with contextlib.redirect_stdout(io.StringIO()):
            assert main(["import", "bluesky", str(SHARED_DATA / "bluesky")]) == 0
            for cassette in LOADED:
                _write(root / "mastodon", cassette.stem)
            assert main(["import", "mastodon", str(root / "mastodon")]) == 0
        cli(env, "build")
        yield settings, nets, {"bluesky": sky, "mastodon": list(dict.fromkeys(toots))}


def rows(settings, sql: str, params=()) -> list[dict]:
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        cur = con.execute(sql, list(params))
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


@pytest.mark.parametrize("platform", ["bluesky", "mastodon"])
def test_post_mix_and_conversations_match_the_raw_json(built, platform):
    settings, nets, audited = built
    net = nets[platform]
    mix = {
        r["account_id"]: r
        for r in rows(settings, "SELECT * FROM marts.post_mix WHERE platform = ?", [platform])
    }
    conv = {
        r["account_id"]: r
        for r in rows(
            settings, "SELECT * FROM marts.conversation_metrics WHERE platform = ?", [platform]
        )
    }
    authors = {p.author for p in net.posts.values()}
    assert set(mix) == authors  # every author with posts, no other
    for account in authors:
        want = figures(net, account)
        got = mix[account]
        assert {k: got[k] for k in ("posts", "originals", "replies", "retweets", "quotes")} == {
            k: want[k] for k in ("posts", "originals", "replies", "retweets", "quotes")
        }, account
    for account in audited[platform]:
        want = figures(net, account)
        got = conv[account]
        assert got["handle"].lower() == net.handles[account]
        for k in ("posts", "replies", "inbound", "answered"):
            assert got[k] == want[k], (account, k)
        if want["median_first_response_min"] is None:
            assert got["median_first_response_min"] is None
        else:
            assert got["median_first_response_min"] == pytest.approx(
                want["median_first_response_min"]
            )
        assert got["inbound_coverage"] == "replies"  # no mention search was read


@pytest.mark.parametrize("platform", ["bluesky", "mastodon"])
def test_accounts_hold_the_profiles_counts(built, platform):
    settings, nets, _ = built
    net = nets[platform]
    got = {
        r["account_id"]: r
        for r in rows(settings, "SELECT * FROM marts.accounts WHERE platform = ?", [platform])
    }
    assert set(got) >= set(net.profiles)
    for account, counts in net.profiles.items():
        assert got[account]["handle"].lower() == net.handles[account]
        assert got[account]["followers"] == counts["followers"], account
        assert got[account]["following"] == counts["following"], account


def test_the_audited_accounts_had_conversations_to_measure(built):
    _, nets, audited = built
    answered = [
        figures(nets[p], a)["answered"] for p, accounts in audited.items() for a in accounts
    ]
    assert sum(answered) >= 3  # otherwise the comparisons above prove little


def period_figures(net: Network, account: str, start: datetime, end: datetime) -> dict:
    """figures() restricted to an audit period (start, end]: its posts and messages in
    the period, a message answered only by a reply made by the period's end."""
    inside = Network(
        net.platform,
        {k: p for k, p in net.posts.items() if start < p.created <= end},
        net.handles,
    )
    # the account's replies after the end are not in `inside`, so they answer nothing
    return figures(inside, account)


def test_a_brand_on_two_networks_has_one_total_row(built):
    settings, nets, audited = built
    cli(ENV[0], "report", "networks", "--no-refresh", "--days", "5000")
    (total,) = rows(
        settings,
        # the audit's own period (it registers the one before it too, for comparison)
        "SELECT * FROM marts.audit_brand_totals WHERE client = 'networks' "
        "AND brand_name = 'Shared Brand' ORDER BY period_end DESC LIMIT 1",
    )
    start, end = total["period_start"], total["period_end"]
    members = [("bluesky", audited["bluesky"][0]), ("mastodon", audited["mastodon"][-1])]
    parts = [period_figures(nets[p], a, start, end) for p, a in members]
    assert (total["accounts"], total["networks"], total["platforms"]) == (2, 2, "bluesky, mastodon")
    for k in ("posts", "originals", "replies", "retweets", "quotes", "inbound", "answered"):
        assert total[k] == sum(part[k] for part in parts), k
    assert total["response_rate"] == pytest.approx(
        sum(p["answered"] for p in parts) / sum(p["inbound"] for p in parts)
    )
    pooled = [m for part in parts for m in part["minutes"]]
    assert total["inbound"] > 0 and pooled
    assert total["median_first_response_min"] == pytest.approx(quantile(pooled, 0.5))
    assert total["inbound_coverage"] == "replies"
    # and the report shows the per-network columns and the total
    html = next((settings.reports_dir / "networks").rglob("report.html")).read_text()
    assert 'data-brand="Shared Brand"' in html
    assert "all networks (Bluesky, Mastodon)" in html
    assert "replies to its posts only" in html and "compare it with care" in html
