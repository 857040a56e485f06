"""Fakes of the Bluesky AppView / PDS and of Mastodon instances, for the live ingest
tests: real HTTP on 127.0.0.1 (http.server in a daemon thread), serving the real
recorded responses of ../shared/data (never copied into the repo).

Bluesky (FakeBluesky): getProfile, getAuthorFeed (newest first; limit and cursor
honoured: the cursor is the sort time of the page's last item, as the AppView's),
getPostThread, createSession, searchPosts (which needs the session's bearer token),
getFollowers (the recorded getFollows of atproto.com, its profile views served as the
followers of its subject; limit and cursor honoured) and getProfiles (at most 25
``actors``, as the lexicon says; each a profileViewDetailed shaped like the recorded
profile.json: the recorded one where there is one, else the follower's profileView
with the detailed view's ``associated`` keys and counts derived from its DID, see
``FakeBluesky.counts``; an actor it does not know is left out, as the AppView does).
Mastodon (FakeMastodon): accounts/lookup, accounts/:id/statuses (limit, max_id,
min_id, since_id honoured, with Link headers), statuses/:id/context and
accounts/:id/followers (the recorded followers, paged by follow ids in Link headers as
Mastodon does; ``hide_collections`` hides them).

Both can add a follower on top of an account's list, newest first.

Both record every request and the post ids each response served, can add a post,
answer a scripted fault (429 with the network's rate-limit headers, 5xx) to the next
matching request, and answer a missing account as the network does."""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import duckdb
import pytest
import yaml

from tests.fake_x_api import FakeClock

__all__ = ["FakeBluesky", "FakeClock", "FakeMastodon", "Fault", "point_at", "run_network"]


def point_at(monkeypatch: pytest.MonkeyPatch, root: Path, audits: str, networks: str) -> Path:
    """A private warehouse, audits.yaml and networks.yaml for a CLI or Dagster run, with
    no credentials of the caller's; returns the warehouse folder."""
    (root / "audits.yaml").write_text(audits)
    (root / "networks.yaml").write_text(networks)
    for name, value in {
        "RAPPORT_WAREHOUSE": root / "wh" / "rapport.duckdb",
        "RAPPORT_RAW_DIR": root / "wh" / "raw",
        "RAPPORT_INBOX": root / "wh" / "inbox",
        "RAPPORT_AUDITS": root / "audits.yaml",
        "RAPPORT_NETWORKS_CONFIG": root / "networks.yaml",
        "DAGSTER_HOME": root / "dagster_home",
    }.items():
        monkeypatch.setenv(name, str(value))
    for name in ("BLUESKY_HANDLE", "BLUESKY_APP_PASSWORD", "MASTODON_ACCESS_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    return root / "wh"


def run_network(make, source: str, root: Path, config, clock, run_id: str, handles, **kw):
    """One run of `make` (bluesky_ingest / mastodon_ingest) on the warehouse in root,
    on the fake clock (sleeping moves it on); returns its NetworkResult."""
    from pipelines.canonical.imports import page_loader
    from pipelines.canonical.tables import connect

    con = connect(root / "rapport.duckdb")
    try:
        kw.setdefault("log", lambda line: None)
        load_page = page_loader(con, root / "raw", source)
        ingest = make(
            con,
            root / "raw",
            config,
            run_id,
            clock=clock,
            sleep=clock.sleep,
            load_page=load_page,
            **kw,
        )
        return ingest.run(list(handles))
    finally:
        con.close()


def canonical_posts(root: Path) -> set[str]:
    with duckdb.connect(str(root / "rapport.duckdb"), read_only=True) as con:
        return {r[0] for r in con.execute("SELECT post_id FROM canonical.posts").fetchall()}


def stored_texts(root: Path) -> list[str]:
    """Every file under root but the warehouse, and every ops table a run writes, as
    text: where a secret must never be."""
    texts = [
        p.read_bytes().decode(errors="replace")
        for p in root.rglob("*")
        if p.is_file() and p.suffix != ".duckdb" and ".wal" not in p.name
    ]
    with duckdb.connect(str(root / "rapport.duckdb"), read_only=True) as con:
        for table in ("network_pages", "network_accounts", "network_runs", "raw_files"):
            texts.append(repr(con.execute(f"SELECT * FROM ops.{table}").fetchall()))
    return texts


@dataclass
class Fault:
    path_part: str  # the first request whose path contains it gets the fault
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b'{"error":"InternalServerError","message":"try again"}'


class Query(dict):
    """A request's query: each name's first value (what most routes read); ``lists``
    holds every value, for a name given more than once (getProfiles' ``actors``)."""

    def __init__(self, lists: dict[str, list[str]]) -> None:
        super().__init__({k: v[0] for k, v in lists.items()})
        self.lists = lists


@dataclass
class Served:
    method: str
    path: str
    query: Query
    status: int
    post_ids: list[str]
    headers: dict[str, str]  # the request's


Reply = tuple[int, dict[str, str], bytes, list[str]]  # status, headers, body, post ids


class _Server:
    """The HTTP plumbing both fakes share: routes a request to `answer`."""

    def __init__(self, answer: Callable[[str, str, dict, dict, bytes], Reply]) -> None:
        self.served: list[Served] = []
        self.faults: list[Fault] = []
        self._answer = answer
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self):  # noqa: ANN204 (the subclass)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def requests_to(self, path_part: str) -> list[Served]:
        return [s for s in self.served if path_part in s.path]

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _do(self) -> None:
                parts = urlsplit(self.path)
                query = Query(parse_qs(parts.query))
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                headers = dict(self.headers.items())
                with fake._lock:
                    fault = next((f for f in fake.faults if f.path_part in parts.path), None)
                    if fault is not None:
                        fake.faults.remove(fault)
                        reply: Reply = (fault.status, fault.headers, fault.body, [])
                    else:
                        reply = fake._answer(self.command, parts.path, query, headers, body)
                    status, out_headers, payload, ids = reply
                    fake.served.append(
                        Served(self.command, parts.path, query, status, ids, headers)
                    )
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(payload)))
                for key, value in out_headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(payload)

            do_GET = _do
            do_POST = _do

        return Handler


def _json(obj: object) -> bytes:
    return json.dumps(obj, separators=(",", ":")).encode()


# --------------------------------------------------------------------------- Bluesky


def _fake_jwt(did: str, tag: str) -> str:
    """A JWT the SDK accepts (it reads exp to know when to refresh), long and unique."""

    def part(obj: dict) -> str:
        return base64.urlsafe_b64encode(_json(obj)).rstrip(b"=").decode()

    exp = int(time.time()) + 86400  # the SDK compares exp with the real clock
    claims = {"scope": "com.atproto.appPass", "sub": did, "exp": exp, "jti": tag * 4}
    return f"{part({'typ': 'at+jwt', 'alg': 'ES256K'})}.{part(claims)}.{tag * 6}"


class FakeBluesky(_Server):
    """The AppView (public reads) and a PDS (session, search) on one port."""

    def __init__(self, shared: Path, password: str | None = None) -> None:
        super().__init__(self._route)
        self.profiles: dict[str, dict] = {}  # handle or DID -> profile view
        self.feeds: dict[str, list[dict]] = {}  # DID -> feed items, newest first
        self.threads: dict[str, list[dict]] = {}  # post uri -> reply post views
        self.mentions: dict[str, list[dict]] = {}  # handle -> post views
        self.password = password
        self.taken_down: set[str] = set()  # handles answered with AccountTakedown
        self.access_jwt: str | None = None
        self.followers: dict[str, list[dict]] = {}  # DID -> profile views, newest first
        self._load(shared)

    def _load(self, shared: Path) -> None:
        dril = json.loads((shared / "profile.json").read_text())
        self._add_profile(dril)
        self.feeds[dril["did"]] = json.loads((shared / "feeds/author_feed.json").read_text())[
            "feed"
        ]
        # bsky.app: its recorded posts; its profile is the author view they carry.
        items = [json.loads(p.read_text()) for p in sorted((shared / "posts").glob("*.json"))]
        official = [i for i in items if i["post"]["author"]["handle"] == "bsky.app"]
        self._add_profile(dict(official[0]["post"]["author"]))
        self.feeds[official[0]["post"]["author"]["did"]] = official
        # The reply in the recordings, as a reply to dril's newest post.
        newest = self.feeds[dril["did"]][0]["post"]
        reply = copy.deepcopy(next(i for i in items if i.get("reply"))["post"])
        ref = {"uri": newest["uri"], "cid": newest["cid"]}
        reply["record"]["reply"] = {"parent": ref, "root": ref}
        self.threads[newest["uri"]] = [reply]
        # Posts of other authors, served as the mention search's results for dril.
        others = [
            i["post"]
            for i in items
            if i["post"]["author"]["handle"] not in ("bsky.app", "dril.bsky.social")
        ]
        self.mentions[dril["handle"]] = others
        # getFollows of atproto.com: its 21 profile views, served as its followers.
        follows = json.loads((shared / "feeds/follows.json").read_text())
        self._add_profile(follows["subject"])
        self.followers[follows["subject"]["did"]] = follows["follows"]
        for feed in self.feeds.values():
            feed.sort(key=lambda i: i["post"]["indexedAt"], reverse=True)
        for found in self.mentions.values():
            found.sort(key=lambda p: p["indexedAt"], reverse=True)

    def _add_profile(self, profile: dict) -> None:
        self.profiles[profile["handle"]] = profile
        self.profiles[profile["did"]] = profile

    def add_post(self, handle: str, text: str, at: datetime) -> str:
        """A new post on top of the account's feed (a copy of its newest, re-keyed)."""
        did = self.profiles[handle]["did"]
        post = copy.deepcopy(self.feeds[did][0]["post"])
        rkey = f"3new{len(self.served):09d}"
        stamp = at.strftime("%Y-%m-%dT%H:%M:%S.000Z")
        post.update(uri=f"at://{did}/app.bsky.feed.post/{rkey}", indexedAt=stamp)
        post["record"].update(text=text, createdAt=stamp)
        self.feeds[did].insert(0, {"post": post})
        return post["uri"]

    def add_follower(self, handle: str, new_handle: str) -> str:
        """A new follower on top of the account's list (a recorded one, re-keyed)."""
        did = self.profiles[handle]["did"]
        view = copy.deepcopy(self.followers[did][-1])
        view.update(did=f"did:plc:new{len(self.followers[did]):021d}", handle=new_handle)
        self.followers[did].insert(0, view)
        return view["did"]

    @staticmethod
    def _error(status: int, name: str, message: str) -> Reply:
        return status, {}, _json({"error": name, "message": message}), []

    def _route(self, method: str, path: str, query: dict, headers: dict, body: bytes) -> Reply:
        nsid = path.removeprefix("/xrpc/")
        if nsid == "com.atproto.server.createSession":
            return self._session(json.loads(body or b"{}"))
        if nsid == "app.bsky.actor.getProfile":
            if query.get("actor") in self.taken_down:  # as the AppView answers one
                return self._error(400, "AccountTakedown", "Account has been suspended")
            profile = self.profiles.get(query.get("actor", ""))
            if profile is None:
                return self._error(400, "InvalidRequest", "Profile not found")
            return 200, {}, _json(profile), []
        if nsid == "app.bsky.actor.getProfiles":
            return self._profiles(query.lists.get("actors", []))
        if nsid == "app.bsky.feed.getAuthorFeed":
            profile = self.profiles.get(query.get("actor", ""))
            if profile is None:
                return self._error(400, "InvalidRequest", "Profile not found")
            feed = self.feeds[profile["did"]]
            return self._page(
                "feed", feed, query, lambda i: i["post"]["indexedAt"], lambda i: i["post"]["uri"]
            )
        if nsid == "app.bsky.graph.getFollowers":
            profile = self.profiles.get(query.get("actor", ""))
            if profile is None:
                return self._error(400, "InvalidRequest", "Profile not found")
            return self._followers(profile, query)
        if nsid == "app.bsky.feed.getPostThread":
            return self._post_thread(query.get("uri", ""))
        if nsid == "app.bsky.feed.searchPosts":
            if headers.get("Authorization") != f"Bearer {self.access_jwt}":
                return self._error(401, "AuthMissing", "Authentication Required")
            found = self.mentions.get(query.get("mentions", ""), [])
            status, out, payload, ids = self._page(
                "posts", found, query, lambda p: p["indexedAt"], lambda p: p["uri"]
            )
            # Echo the bearer token, as a debugging proxy might: it must never be stored.
            echoed = payload[:-1] + b',"debug":' + _json(headers.get("Authorization")) + b"}"
            return status, out, echoed, ids
        return self._error(404, "MethodNotImplemented", f"{nsid} not served")

    def _session(self, data: dict) -> Reply:
        profile = self.profiles.get(str(data.get("identifier")))
        if profile is None or data.get("password") != self.password:
            # Echo the password, as a careless gateway might.
            return self._error(
                401, "AuthenticationRequired", f"bad password {data.get('password')}"
            )
        self.access_jwt = _fake_jwt(profile["did"], "a")
        session = {
            "did": profile["did"],
            "handle": profile["handle"],
            "active": True,
            "accessJwt": self.access_jwt,
            "refreshJwt": _fake_jwt(profile["did"], "r"),
        }
        return 200, {}, _json(session), []

    @staticmethod
    def _page(key: str, items: list, query: dict, sort_at: Callable, uri: Callable) -> Reply:
        limit = int(query.get("limit", 50))
        cursor = query.get("cursor")
        below = [i for i in items if cursor is None or sort_at(i) < cursor]
        page = below[:limit]
        out: dict = {key: page}
        if len(below) > limit:
            out["cursor"] = sort_at(page[-1])
        return 200, {}, _json(out), [uri(i) for i in page]

    def _followers(self, profile: dict, query: dict) -> Reply:
        views = self.followers.get(profile["did"], [])
        limit = int(query.get("limit", 50))
        if not 1 <= limit <= 100:
            return self._error(400, "InvalidRequest", "limit must be between 1 and 100")
        dids = [v["did"] for v in views]
        cursor = query.get("cursor")
        below = views[dids.index(cursor) + 1 :] if cursor in dids else views
        page = below[:limit]
        subject = {k: profile[k] for k in ("did", "handle", "displayName") if k in profile}
        out: dict = {"subject": subject, "followers": page}
        if len(below) > limit:
            out["cursor"] = page[-1]["did"]
        return 200, {}, _json(out), [v["did"] for v in page]

    @staticmethod
    def counts(did: str) -> dict[str, int]:
        """The counts getProfiles gives an account the recordings have no detailed view
        of: derived from its DID, the same every time."""
        h = int.from_bytes(hashlib.sha256(did.encode()).digest()[:8], "big")
        return {
            "followersCount": h % 5000,
            "followsCount": (h >> 16) % 2000,
            "postsCount": (h >> 32) % 20000,
        }

    def detailed(self, actor: str) -> dict | None:
        """The profileViewDetailed of a handle or DID (profile.json's shape), or None."""
        profile = self.profiles.get(actor)
        if profile is not None and "followersCount" in profile:
            return profile
        view = profile or next(
            (
                v
                for views in self.followers.values()
                for v in views
                if actor in (v["did"], v["handle"])
            ),
            None,
        )
        if view is None:
            return None
        out = copy.deepcopy(view)
        out["associated"] = {
            "lists": 0,
            "feedgens": 0,
            "starterPacks": 0,
            "labeler": False,
            **out.get("associated", {}),
        }
        out.setdefault("labels", [])
        return {**out, **self.counts(out["did"])}

    def _profiles(self, actors: list[str]) -> Reply:
        if not actors:
            return self._error(
                400, "InvalidRequest", 'Error: Params must have the property "actors"'
            )
        if len(actors) > 25:
            return self._error(
                400, "InvalidRequest", "Error: actors must not have more than 25 elements"
            )
        found = [d for d in map(self.detailed, actors) if d is not None]
        return 200, {}, _json({"profiles": found}), [d["did"] for d in found]

    def _post_thread(self, uri: str) -> Reply:
        post = next(
            (i["post"] for f in self.feeds.values() for i in f if i["post"]["uri"] == uri), None
        )
        if post is None:
            return self._error(400, "NotFound", f"Post not found: {uri}")
        kind = "app.bsky.feed.defs#threadViewPost"
        replies = [{"$type": kind, "post": r, "replies": []} for r in self.threads.get(uri, [])]
        thread = {"$type": kind, "post": post, "replies": replies}
        return (
            200,
            {},
            _json({"thread": thread}),
            [uri] + [r["uri"] for r in self.threads.get(uri, [])],
        )

    def rate_limited(self, path_part: str, reset_in_s: float, now: datetime) -> None:
        reset = int(now.timestamp() + reset_in_s)
        headers = {
            "RateLimit-Limit": "3000",
            "RateLimit-Remaining": "0",
            "RateLimit-Reset": str(reset),
            "RateLimit-Policy": "3000;w=300",
        }
        body = _json({"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"})
        self.faults.append(Fault(path_part, 429, headers, body))


def feed_post_ids(served: list[Served]) -> list[str]:
    return [i for s in served if "getAuthorFeed" in s.path for i in s.post_ids]


# -------------------------------------------------------------------------- Mastodon


def vcr_bodies(path: Path) -> list[tuple[str, object]]:
    """(request uri, response JSON) of each interaction of an R-vcr recording."""
    doc = yaml.safe_load(path.read_text())
    return [
        (i["request"]["uri"], json.loads(i["response"]["body"]["string"]))
        for i in doc["http_interactions"]
    ]


class FakeMastodon(_Server):
    """One instance (fosstodon.org in the recordings) with its recorded account, its
    100 recorded statuses and, under its newest status, replies from the recorded
    mastodon.social thread (re-parented, their accounts remote)."""

    INSTANCE = "fosstodon.org"

    def __init__(self, shared: Path, clock: FakeClock) -> None:
        super().__init__(self._route)
        self.clock = clock
        self.remaining = 300
        self.window_end: datetime | None = None
        ((_, account),) = vcr_bodies(shared / "get_account_default.yml")
        self.accounts: dict[str, dict] = {account["acct"].lower(): account}
        statuses = {
            s["id"]: s
            for _, page in vcr_bodies(shared / "get_account_statuses_limit.yml")
            for s in page
        }
        self.statuses: dict[str, list[dict]] = {
            account["id"]: sorted(statuses.values(), key=lambda s: int(s["id"]), reverse=True)
        }
        newest = self.statuses[account["id"]][0]
        ((_, context),) = vcr_bodies(shared / "get_context_default.yml")
        replies = []
        for reply in copy.deepcopy(context["descendants"][:3]):
            reply.update(in_reply_to_id=newest["id"], in_reply_to_account_id=account["id"])
            if "@" not in reply["account"]["acct"]:
                reply["account"]["acct"] += "@mastodon.social"
            replies.append(reply)
        self.replies: dict[str, list[dict]] = {newest["id"]: replies}
        # The recorded followers (limit=3), each with the id of its follow: Link headers
        # page by follow ids (the recording's rel="next" max_id is its last follow's).
        ((uri, followers),) = vcr_bodies(shared / "get_account_followers_default.yml")
        assert uri.split("/")[-2] == account["id"]
        self.followers: dict[str, list[tuple[int, dict]]] = {
            account["id"]: [(5127706 - 2501 * i, f) for i, f in enumerate(followers)]
        }
        self.hidden: set[str] = set()  # account ids whose follower list is served empty

    def add_status(self, username: str, text: str, at: datetime) -> str:
        account = self.accounts[username.lower()]
        status = copy.deepcopy(self.statuses[account["id"]][0])
        new_id = str(int(at.timestamp() * 1000) << 16)
        status.update(id=new_id, content=f"<p>{text}</p>", created_at=at.isoformat())
        status["uri"] = status["url"] = f"https://{self.INSTANCE}/@{username}/{new_id}"
        self.statuses[account["id"]].insert(0, status)
        return new_id

    def add_follower(self, username: str, new_username: str) -> str:
        """A new follower on top of the account's list (a recorded one, re-keyed)."""
        account = self.accounts[username.lower()]
        follows = self.followers[account["id"]]
        follower = copy.deepcopy(follows[-1][1])
        new_id = str(int(self.clock.now.timestamp() * 1000) << 16 | len(follows))
        follower.update(id=new_id, username=new_username, acct=f"{new_username}@example.social")
        follows.insert(0, (follows[0][0] + 1000, follower))
        return new_id

    def hide_collections(self, username: str, in_profile: bool = True) -> None:
        """The account hides its follower list: the list is served empty and (unless
        not `in_profile`, as an older server's profile) its profile says so."""
        account = self.accounts[username.lower()]
        account["hide_collections"] = True if in_profile else account.get("hide_collections")
        self.hidden.add(account["id"])

    def _headers(self) -> dict[str, str]:
        """300 requests a 5-minute window, as Mastodon's default limit."""
        if self.window_end is None or self.clock.now >= self.window_end:
            if self.window_end is not None:  # a new window; the first keeps what was set
                self.remaining = 300
            self.window_end = self.clock.now + timedelta(minutes=5)
        self.remaining = max(0, self.remaining - 1)
        reset = self.window_end.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        return {
            "X-RateLimit-Limit": "300",
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": reset,
        }

    def rate_limited(self, path_part: str, reset_in_s: float) -> None:
        reset = (self.clock.now + timedelta(seconds=reset_in_s)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        headers = {
            "X-RateLimit-Limit": "300",
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset": reset,
        }
        self.faults.append(Fault(path_part, 429, headers, _json({"error": "Too many requests"})))

    def _route(self, method: str, path: str, query: dict, headers: dict, body: bytes) -> Reply:
        parts = path.strip("/").split("/")
        missing = (404, self._headers(), _json({"error": "Record not found"}), [])
        if parts[:4] == ["api", "v1", "accounts", "lookup"]:
            account = self.accounts.get(query.get("acct", "").lower())
            return (200, self._headers(), _json(account), []) if account else missing
        if parts[:3] == ["api", "v1", "accounts"] and parts[4:] == ["statuses"]:
            if parts[3] not in self.statuses:
                return missing
            return self._statuses(self.statuses[parts[3]], query)
        if parts[:3] == ["api", "v1", "accounts"] and parts[4:] == ["followers"]:
            if parts[3] not in self.statuses:
                return missing
            return self._followers(parts[3], query)
        if parts[:3] == ["api", "v1", "statuses"] and parts[4:] == ["context"]:
            replies = self.replies.get(parts[3], [])
            echoed = headers.get("Authorization")  # a careless proxy's echo: never stored
            out = {"ancestors": [], "descendants": replies, **({"debug": echoed} if echoed else {})}
            return 200, self._headers(), _json(out), [r["id"] for r in replies]
        return 404, {}, _json({"error": "Not found"}), []

    def _statuses(self, statuses: list[dict], query: dict) -> Reply:
        limit = min(int(query.get("limit", 20)), 40)
        found = statuses
        if "max_id" in query:
            found = [s for s in found if int(s["id"]) < int(query["max_id"])]
        if "since_id" in query:
            found = [s for s in found if int(s["id"]) > int(query["since_id"])]
        if "min_id" in query:  # the statuses just above min_id, newest first
            above = [s for s in found if int(s["id"]) > int(query["min_id"])]
            page = sorted(above, key=lambda s: int(s["id"]))[:limit][::-1]
        else:
            page = found[:limit]
        headers = self._headers()
        if page:
            base = f"{self.url}/api/v1/accounts/{page[0]['account']['id']}/statuses?limit={limit}"
            headers["Link"] = (
                f'<{base}&max_id={page[-1]["id"]}>; rel="next", '
                f'<{base}&min_id={page[0]["id"]}>; rel="prev"'
            )
        return 200, headers, _json(page), [s["id"] for s in page]

    def _followers(self, account_id: str, query: dict) -> Reply:
        follows = [] if account_id in self.hidden else self.followers.get(account_id, [])
        limit = min(int(query.get("limit", 40)), 80)
        if "max_id" in query:
            follows = [(n, f) for n, f in follows if n < int(query["max_id"])]
        page = follows[:limit]
        headers = self._headers()
        if page:  # as Mastodon: a next link whenever the page is full
            base = f"{self.url}/api/v1/accounts/{account_id}/followers?limit={limit}"
            links = [f'<{base}&since_id={page[0][0]}>; rel="prev"']
            if len(page) == limit:
                links.insert(0, f'<{base}&max_id={page[-1][0]}>; rel="next"')
            headers["Link"] = ", ".join(links)
        return 200, headers, _json([f for _, f in page]), [f["id"] for _, f in page]


def status_ids(served: list[Served]) -> list[str]:
    return [i for s in served if s.path.endswith("/statuses") for i in s.post_ids]
