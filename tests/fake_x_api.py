"""A fake of the X API v2 endpoints the ingest and the follower sampler read, for
tests: real HTTP on 127.0.0.1 (http.server in a daemon thread), bounded (it stops
itself after ``max_requests`` requests or ``max_seconds``), with faults scripted per
request.

It serves a World: users, posts, and which posts are each account's timeline and
mentions. ``World.from_pages`` builds one from X API v2 pages (the demo world's files),
so the ingest reads over HTTP exactly the posts the demo wrote to disk. Like the real
API it honours ``max_results``, ``since_id``, ``until_id``, ``start_time``,
``pagination_token``, ``tweet.fields`` / ``user.fields`` (only the default fields plus
the ones asked for come back) and the expansions. GET /2/users/:id/followers serves
the most recent first (``max_results`` 1 to 1000, ``pagination_token``):
``World.from_cassettes`` serves tweepy's recording of it, and ``add_follower`` puts a
new follower on top. It answers a missing or wrong bearer token with 401, puts
not-found / suspended / not-authorised notices in ``errors`` beside the data, and
sends ``x-rate-limit-*`` headers on every response."""

from __future__ import annotations

import copy
import gzip
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

import yaml

PROBLEMS = "https://api.twitter.com/2/problems/"
DEFAULT_TWEET_KEYS = ("id", "text", "edit_history_tweet_ids")
DEFAULT_USER_KEYS = ("id", "name", "username")
_EPOCH_MS = 1288834974657


@dataclass
class FakeClock:
    """The ingest's clock and sleep in tests: sleeping moves time on, instantly."""

    now: datetime
    slept: list[float] = field(default_factory=list)

    def __call__(self) -> datetime:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += timedelta(seconds=seconds)


@dataclass
class World:
    users: dict[str, dict] = field(default_factory=dict)  # id -> full user object
    tweets: dict[str, dict] = field(default_factory=dict)  # id -> full tweet object
    timeline: dict[str, list[str]] = field(default_factory=dict)  # user id -> post ids
    mentions: dict[str, list[str]] = field(default_factory=dict)
    suspended: set[str] = field(default_factory=set)  # handles, lower case
    refused: set[str] = field(default_factory=set)  # user ids whose reads are refused
    deleted: set[str] = field(default_factory=set)  # post ids still referenced, now gone
    followers: dict[str, list[str]] = field(default_factory=dict)  # user id -> newest first

    @classmethod
    def from_cassettes(cls, folder: Path) -> World:
        """tweepy's recordings of the real API (x_api_v2/tweepy_cassettes/v2): the users
        lookup's users, and the followers page's 100 users as the followers of the
        account it was recorded for, in the order X served them."""
        world = cls()
        users = recorded_body(folder / "test_client_get_users.yaml")
        for user in users["data"]:
            world.users[user["id"]] = user
        followers = recorded_body(folder / "test_client_get_users_followers.yaml")
        for user in followers["data"]:
            world.users.setdefault(user["id"], user)
        account = followers["uri"].rstrip("/").split("/")[-2]
        world.followers[account] = [u["id"] for u in followers["data"]]
        return world

    def add_follower(self, account_id: str, handle: str) -> str:
        """A new follower on top of the account's list (a recorded follower, re-keyed)."""
        template = self.users[self.followers[account_id][-1]]
        newest = max(int(i) for i in self.users)
        user = {**copy.deepcopy(template), "id": str(newest + 1), "username": handle}
        user["name"] = handle
        self.users[user["id"]] = user
        self.followers[account_id].insert(0, user["id"])
        return user["id"]

    @classmethod
    def from_pages(cls, folder: Path) -> World:
        world = cls()
        for path in sorted(folder.glob("*.jsonl")):
            for line in path.read_text().splitlines():
                page = json.loads(line)
                data = page.get("data") or []
                includes = page.get("includes", {})
                for obj in [*data, *includes.get("tweets", []), *includes.get("users", [])]:
                    table = world.tweets if "text" in obj else world.users
                    # the users files come in date order: the last profile wins
                    table[obj["id"]] = obj
                parts = urlsplit(page["__twarc"]["url"]).path.split("/")
                if parts[-1] in ("tweets", "mentions"):
                    index = world.timeline if parts[-1] == "tweets" else world.mentions
                    index.setdefault(parts[-2], []).extend(t["id"] for t in data)
        return world

    def handle_of(self, user_id: str) -> str:
        return self.users[user_id]["username"]

    def user_by_handle(self, handle: str) -> dict | None:
        return next(
            (u for u in self.users.values() if u["username"].lower() == handle.lower()), None
        )

    def stream(self, user_id: str, endpoint: str) -> list[str]:
        index = self.timeline if endpoint == "tweets" else self.mentions
        return index.get(user_id, [])

    def add_post(self, author: str, text: str, at: datetime, reply_to: str | None = None) -> str:
        """A new post by `author` (a handle); an @handle in the text is a mention."""
        user = self.user_by_handle(author)
        assert user is not None, author
        newest = max((int(i) for i in self.tweets), default=0)
        post_id = str(max(newest + 1, (int(at.timestamp() * 1000) - _EPOCH_MS) << 22))
        mentioned = [w[1:].rstrip(".,!?") for w in text.split() if w.startswith("@")]
        tweet = {
            "id": post_id,
            "text": text,
            "author_id": user["id"],
            "created_at": at.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "conversation_id": post_id,
            "lang": "en",
            "edit_history_tweet_ids": [post_id],
            "public_metrics": {"retweet_count": 0, "reply_count": 0, "like_count": 0},
        }
        if reply_to:
            parent = self.tweets[reply_to]
            tweet["conversation_id"] = parent.get("conversation_id", reply_to)
            tweet["in_reply_to_user_id"] = parent["author_id"]
            tweet["referenced_tweets"] = [{"type": "replied_to", "id": reply_to}]
        if mentioned:
            tweet["entities"] = {
                "mentions": [
                    {"username": m, "id": self.user_by_handle(m)["id"]}
                    for m in mentioned
                    if self.user_by_handle(m)
                ]
            }
        self.tweets[post_id] = tweet
        self.timeline.setdefault(user["id"], []).append(post_id)
        for m in mentioned:
            target = self.user_by_handle(m)
            if target is not None and target["id"] != user["id"]:
                self.mentions.setdefault(target["id"], []).append(post_id)
        return post_id


def recorded_body(path: Path) -> dict:
    """A vcrpy cassette's first response body (gunzipped), with its request's uri."""
    (interaction, *_) = yaml.safe_load(path.read_text())["interactions"]
    body = interaction["response"]["body"]["string"]
    if isinstance(body, bytes) and body[:2] == b"\x1f\x8b":
        body = gzip.decompress(body)
    return {**json.loads(body), "uri": interaction["request"]["uri"]}


@dataclass
class Fault:
    """What the fake does instead of answering, for the next `times` matching requests.

    kind: 429 (``reset_in`` seconds from the clock, None: no reset header), 503,
    truncate (declares the whole body, sends half, hangs up), garble (a complete
    response whose body is cut JSON), delay (answers after ``delay`` real seconds, once
    the client has timed out: the tests set its timeout below the delay),
    status (``status`` with ``body``), pause (waits until ``release()``), echo (a proxy
    or debug gateway that repeats the request's Authorization header: in an
    ``x-echo-authorization`` response header and in the body, as is and URL-encoded;
    ``status`` 200: the real page with it in ``meta`` and in the first post's text, or
    the first user's description; any other status: an error whose detail quotes it)."""

    kind: str
    path: str = ""  # the request path must contain this
    query: str = ""  # and its query string this
    times: int = 1
    reset_in: float | None = None
    status: int = 500
    body: dict | None = None
    delay: float = 0.0


@dataclass
class Served:
    path: str
    params: dict[str, str]
    status: int
    data_ids: list[str]  # posts in data
    post_ids: list[str]  # every post object in the response
    user_ids: list[str]  # every user object in the response
    body: bytes = b""  # the body sent, when the response was whole


class FakeXApi:
    def __init__(
        self,
        world: World,
        token: str,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        max_requests: int = 400,
        max_seconds: float = 120,
    ) -> None:
        self.world = world
        self.token = token
        self.clock = clock
        self.max_requests = max_requests
        self.max_seconds = max_seconds
        self.faults: list[Fault] = []
        self.served: list[Served] = []
        self.paused = threading.Event()
        self._resume = threading.Event()
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._watchdog = threading.Timer(max_seconds, self.stop)

    # ---------------------------------------------------------------- lifecycle

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> FakeXApi:
        self._thread.start()
        self._watchdog.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        self._watchdog.cancel()
        self._resume.set()
        self._server.shutdown()
        self._server.server_close()

    def fault(self, kind: str, **options) -> Fault:
        fault = Fault(kind, **options)
        self.faults.append(fault)
        return fault

    def release(self) -> None:
        self._resume.set()

    def data_ids(self, path_part: str = "") -> list[str]:
        """Every post id served in `data` by successful requests whose path matches."""
        return [i for s in self.served if path_part in s.path for i in s.data_ids]

    def requests_to(self, path_part: str) -> list[Served]:
        return [s for s in self.served if path_part in s.path]

    # ---------------------------------------------------------------- answers

    def _fault_for(self, path: str, query: str) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.times > 0 and fault.path in path and fault.query in query:
                    fault.times -= 1
                    return fault
        return None

    def answer(self, path: str, params: dict[str, str], auth: str | None) -> tuple[int, dict]:
        if auth != f"Bearer {self.token}":
            return 401, {
                "title": "Unauthorized",
                "type": "about:blank",
                "status": 401,
                "detail": "Unauthorized",
            }
        parts = path.rstrip("/").split("/")
        if parts[-2:] == ["users", "by"]:
            return 200, self._users(params)
        if len(parts) == 5 and parts[2] == "users" and parts[4] in ("tweets", "mentions"):
            return self._posts(parts[3], parts[4], params)
        if len(parts) == 5 and parts[2] == "users" and parts[4] == "followers":
            return self._followers(parts[3], params)
        return 404, {"title": "Not Found Error", "detail": f"no route {path}"}

    def _render(self, obj: dict, defaults: tuple[str, ...], asked: str | None) -> dict:
        keys = set(defaults) | set((asked or "").split(","))
        return {k: v for k, v in obj.items() if k in keys}

    def _user(self, user: dict, params: dict) -> dict:
        return self._render(user, DEFAULT_USER_KEYS, params.get("user.fields"))

    def _users(self, params: dict) -> dict:
        data, errors = [], []
        for handle in params.get("usernames", "").split(","):
            user = self.world.user_by_handle(handle)
            if handle.lower() in self.world.suspended:
                errors.append(
                    self._error(
                        handle,
                        "usernames",
                        "user",
                        "resource-not-found",
                        "Forbidden",
                        f"User has been suspended: [{handle}].",
                    )
                )
            elif user is None:
                errors.append(
                    self._error(
                        handle,
                        "usernames",
                        "user",
                        "resource-not-found",
                        "Not Found Error",
                        f"Could not find user with usernames: [{handle}].",
                    )
                )
            else:
                data.append(self._user(user, params))
        out: dict = {"data": data} if data else {}
        if errors:
            out["errors"] = errors
        return out

    @staticmethod
    def _error(value, parameter, resource, problem, title, detail) -> dict:
        return {
            "value": value,
            "detail": detail,
            "title": title,
            "resource_type": resource,
            "parameter": parameter,
            "resource_id": value,
            "type": PROBLEMS + problem,
        }

    def _posts(self, user_id: str, endpoint: str, params: dict) -> tuple[int, dict]:
        size = int(params.get("max_results", 10))
        if not 5 <= size <= 100:
            return 400, {"title": "Invalid Request", "detail": f"max_results {size} not in 5-100"}
        if user_id not in self.world.users:
            return 200, {
                "errors": [
                    self._error(
                        user_id,
                        "id",
                        "user",
                        "resource-not-found",
                        "Not Found Error",
                        f"Could not find user with id: [{user_id}].",
                    )
                ]
            }
        if user_id in self.world.refused:
            return 200, {
                "errors": [
                    self._error(
                        user_id,
                        "id",
                        "user",
                        "not-authorized-for-resource",
                        "Authorization Error",
                        f"Sorry, you are not authorized to see the user with id: [{user_id}].",
                    )
                ]
            }
        ids = sorted(self.world.stream(user_id, endpoint), key=int, reverse=True)
        token = params.get("pagination_token")
        if token is not None and not token.startswith("p"):
            return 400, {"title": "Invalid Request", "detail": "pagination_token is invalid"}
        lower = int(params.get("since_id", 0))
        upper = min(int(params.get("until_id", 2**64)), int(token[1:]) if token else 2**64)
        start = params.get("start_time")
        ids = [i for i in ids if lower < int(i) < upper]
        if start:
            ids = [i for i in ids if self.world.tweets[i]["created_at"][:19] >= start[:19]]
        chunk, more = ids[:size], len(ids) > size
        if not chunk:
            return 200, {"meta": {"result_count": 0}}
        meta = {"newest_id": chunk[0], "oldest_id": chunk[-1], "result_count": len(chunk)}
        if more:
            meta["next_token"] = f"p{chunk[-1]}"
        page: dict = {"data": [self._tweet(i, params) for i in chunk]}
        includes, errors = self._includes(chunk, params)
        if includes:
            page["includes"] = includes
        if errors:
            page["errors"] = errors
        page["meta"] = meta
        return 200, page

    def _followers(self, user_id: str, params: dict) -> tuple[int, dict]:
        size = int(params.get("max_results", 100))
        if not 1 <= size <= 1000:
            return 400, {"title": "Invalid Request", "detail": f"max_results {size} not in 1-1000"}
        ids = self.world.followers.get(user_id, [])
        token = params.get("pagination_token")
        if token is not None:
            if not token.startswith("f") or token[1:] not in ids:
                return 400, {"title": "Invalid Request", "detail": "pagination_token is invalid"}
            ids = ids[ids.index(token[1:]) + 1 :]  # after the last follower served
        chunk = ids[:size]
        if not chunk:
            return 200, {"meta": {"result_count": 0}}
        meta: dict = {"result_count": len(chunk)}
        if len(ids) > size:
            meta["next_token"] = f"f{chunk[-1]}"
        return 200, {"data": [self._user(self.world.users[i], params) for i in chunk], "meta": meta}

    def _tweet(self, post_id: str, params: dict) -> dict:
        return self._render(
            self.world.tweets[post_id], DEFAULT_TWEET_KEYS, params.get("tweet.fields")
        )

    def _includes(self, chunk: list[str], params: dict) -> tuple[dict, list]:
        expansions = set(params.get("expansions", "").split(","))
        users: dict[str, dict] = {}
        tweets: dict[str, dict] = {}
        errors: list[dict] = []

        def add_user(user_id: str | None) -> None:
            if user_id and user_id in self.world.users:
                users.setdefault(user_id, self._user(self.world.users[user_id], params))

        for post_id in chunk:
            tweet = self.world.tweets[post_id]
            if "author_id" in expansions:
                add_user(tweet.get("author_id"))
            if "in_reply_to_user_id" in expansions:
                add_user(tweet.get("in_reply_to_user_id"))
            if "entities.mentions.username" in expansions:
                for m in tweet.get("entities", {}).get("mentions", []):
                    add_user(m.get("id"))
            if "referenced_tweets.id" in expansions:
                for ref in tweet.get("referenced_tweets", []):
                    if ref["id"] in self.world.deleted or ref["id"] not in self.world.tweets:
                        errors.append(
                            self._error(
                                ref["id"],
                                "referenced_tweets.id",
                                "tweet",
                                "resource-not-found",
                                "Not Found Error",
                                f"Could not find tweet with referenced_tweets.id: [{ref['id']}].",
                            )
                        )
                        continue
                    tweets.setdefault(ref["id"], self._tweet(ref["id"], params))
                    if "referenced_tweets.id.author_id" in expansions:
                        add_user(self.world.tweets[ref["id"]].get("author_id"))
        out: dict = {}
        if users:
            out["users"] = list(users.values())
        if tweets:
            out["tweets"] = list(tweets.values())
        return out, errors

    # ---------------------------------------------------------------- echo

    @staticmethod
    def echo_refusal(status: int, auth: str) -> dict:
        return {
            "title": HTTPStatus(status).phrase,
            "type": "about:blank",
            "status": status,
            "detail": f"{HTTPStatus(status).phrase}: the gateway got Authorization: {auth}",
            "request": {"authorization": auth, "query": f"?authorization={quote(auth)}"},
        }

    @staticmethod
    def echo_into(page: dict, auth: str) -> dict:
        """The page with the header in meta and in its first post or user."""
        page = json.loads(json.dumps(page))  # the world's objects stay as they were
        meta = page.setdefault("meta", {})
        meta["debug_authorization"] = auth
        meta["debug_query"] = f"?authorization={quote(auth)}"
        data = page.get("data")
        first = data[0] if isinstance(data, list) and data else None
        if isinstance(first, dict):
            field_name = "text" if "text" in first else "description"
            first[field_name] = f"{first.get(field_name, '')} [debug {auth}]".strip()
        return page

    # ---------------------------------------------------------------- HTTP

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:  # keep test output quiet
                pass

            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                split = urlsplit(self.path)
                params = {k: v[0] for k, v in parse_qs(split.query).items()}
                auth = self.headers.get("Authorization") or ""
                with fake._lock:
                    over = len(fake.served) >= fake.max_requests
                fault = None if over else fake._fault_for(split.path, split.query)
                if over:
                    status, body = 503, {"title": "fake server request limit reached"}
                elif fault and fault.kind == "pause":
                    fake.paused.set()
                    fake._resume.wait(fake.max_seconds)
                    status, body = fake.answer(split.path, params, auth)
                elif fault and fault.kind == "429":
                    status, body = (
                        429,
                        {"title": "Too Many Requests", "detail": "Too Many Requests"},
                    )
                elif fault and fault.kind == "503":
                    status, body = 503, {"title": "Service Unavailable"}
                elif fault and fault.kind == "status":
                    status, body = fault.status, fault.body or {}
                elif fault and fault.kind == "echo" and fault.status != 200:
                    status, body = fault.status, fake.echo_refusal(fault.status, auth)
                elif fault and fault.kind == "echo":
                    status, body = fake.answer(split.path, params, auth)
                    body = fake.echo_into(body, auth) if status == 200 else body
                else:
                    if fault and fault.kind == "delay":
                        time.sleep(fault.delay)
                    status, body = fake.answer(split.path, params, auth)
                raw = json.dumps(body, separators=(",", ":")).encode()
                # A cut or garbled body, or one sent after the client gave up (the test
                # sets the client's timeout below the delay), delivers nothing.
                ok = status == 200 and not (fault and fault.kind in ("truncate", "garble", "delay"))
                data = body.get("data", []) if ok else []
                included = body.get("includes", {}) if ok else {}
                posts = [o["id"] for o in data + included.get("tweets", []) if "text" in o]
                users = [o["id"] for o in data + included.get("users", []) if "username" in o]
                ids = [t["id"] for t in data if "text" in t]
                with fake._lock:
                    whole = raw if ok else b""
                    served = Served(split.path, params, status, ids, posts, users, whole)
                    fake.served.append(served)
                self.send_response(status)
                self.send_header("content-type", "application/json; charset=utf-8")
                reset = int(fake.clock().timestamp()) + 900
                if fault and fault.kind == "429":
                    reset = (
                        None
                        if fault.reset_in is None
                        else int(fake.clock().timestamp() + fault.reset_in)
                    )
                if reset is not None:
                    self.send_header("x-rate-limit-limit", "900")
                    self.send_header("x-rate-limit-remaining", "0" if status == 429 else "899")
                    self.send_header("x-rate-limit-reset", str(reset))
                if fault and fault.kind == "echo":
                    self.send_header("x-echo-authorization", auth)
                if fault and fault.kind == "garble":
                    raw = raw[: len(raw) // 2]
                self.send_header("content-length", str(len(raw)))
                self.end_headers()
                try:
                    if fault and fault.kind == "truncate":
                        self.wfile.write(raw[: len(raw) // 2])
                        self.wfile.flush()
                        self.close_connection = True
                        return
                    self.wfile.write(raw)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout) or was killed

        return Handler
