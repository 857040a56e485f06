"""Bluesky's public AppView through the atproto SDK (``atproto.Client``), returning
each response body exactly as the AppView sent it.

Public reads (getProfile, getAuthorFeed, getPostThread) need no session and go to the
AppView (default https://public.api.bsky.app). The mention search (searchPosts with
``mentions=``) needs one: with BLUESKY_HANDLE and BLUESKY_APP_PASSWORD set, a second
client logs in at the PDS / entryway (default https://bsky.social) and searches
through it. The session's JWTs are remembered as secrets (pipelines/core/secrets.py)
the moment they arrive, so they are scrubbed wherever they might be echoed; the
createSession response itself is never landed.

The SDK parses every response into its models and keeps no body; ``_Capturing``, a
subclass of its own ``Request``, keeps the last httpx response (read whole, as the SDK
does not stream) so the ingest lands the bytes that came over the wire.

Limits (https://docs.bsky.app/docs/advanced-guides/rate-limits): the AppView answers
429 with ``RateLimit-Reset`` (epoch seconds); waited out by pipelines/sources/retry.py.
Endpoints: https://docs.bsky.app/docs/api/app-bsky-feed-get-author-feed (limit <= 100,
a cursor going back in time only), https://docs.bsky.app/docs/api/app-bsky-feed-get-post-thread,
https://docs.bsky.app/docs/api/app-bsky-feed-search-posts (needs auth on the AppView),
https://docs.bsky.app/docs/api/app-bsky-actor-get-profile, and for follower samples
https://docs.bsky.app/docs/api/app-bsky-graph-get-followers (limit <= 100, a cursor,
newest first; its profileViews have no counts) with
https://docs.bsky.app/docs/api/app-bsky-actor-get-profiles (at most 25 ``actors`` a
request; profileViewDetailed, with followersCount, followsCount and postsCount)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
from atproto import Client
from atproto_client import exceptions as atx
from atproto_client.request import Request

from pipelines.core import secrets
from pipelines.sources.live import Fetched
from pipelines.sources.retry import RateLimited, Retrying, Transient, Verdict

HANDLE_ENV = "BLUESKY_HANDLE"  # not a secret: the account the app password belongs to
PASSWORD_ENV = "BLUESKY_APP_PASSWORD"
THREAD_DEPTH = 10  # reply levels below the post; the AppView's default is 6
PROFILES_PER_REQUEST = 25  # getProfiles' actors: the lexicon's maxLength


class _Capturing(Request):
    """The SDK's request class, keeping the last successful httpx response."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.last: httpx.Response | None = None

    def _send_request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        self.last = None
        response = super()._send_request(method, url, **kwargs)
        self.last = response
        return response


class BlueskyRefused(Exception):
    """Bluesky refused the login: the message names the likely cause."""


def classify(exc: Exception) -> Verdict:
    """Which SDK errors are waited out (pipelines/sources/retry.py)."""
    if isinstance(exc, atx.RateLimitExceededError):
        reset = exc.reset_at
        return RateLimited(reset.timestamp() if reset else None)
    if isinstance(exc, atx.NetworkError | httpx.TransportError):
        return Transient(type(exc).__name__)
    response = getattr(exc, "response", None)
    if isinstance(exc, atx.RequestException) and response and response.status_code >= 500:
        return Transient(f"{response.status_code} from Bluesky")
    return None


def error_name(exc: Exception) -> tuple[int | None, str, str]:
    """(status, XRPC error name, message) of an SDK error, scrubbed."""
    response = getattr(exc, "response", None)
    content = getattr(response, "content", None)
    name = getattr(content, "error", None) or ""
    message = getattr(content, "message", None) or str(exc)
    status = getattr(response, "status_code", None)
    return status, str(name), secrets.scrub(str(message)).replace("\n", " ")[:300]


class BlueskyApi:
    """The reads the ingest and the follower sampler make, each returning one page."""

    def __init__(self, appview_url: str, pds_url: str, retry: Retrying, timeout_s: float) -> None:
        self.retry = retry
        self.timeout_s = timeout_s
        self.pds_url = pds_url
        self._public_request = _Capturing(timeout=timeout_s)
        self.public = Client(base_url=appview_url, request=self._public_request)
        self._session_request: _Capturing | None = None
        self.session: Client | None = None

    def _fetch(self, request: _Capturing, call: Callable[[], object]) -> Fetched:
        before = self.retry.requests
        self.retry.call(call, classify)
        response = request.last
        assert response is not None  # the call returned, so a response came back
        return Fetched(str(response.url), response.content, self.retry.requests - before)

    def login(self, handle: str, password: str) -> None:
        """A session for the mention search. Its JWTs become secrets at once."""
        secrets.remember(PASSWORD_ENV, password)
        self._session_request = _Capturing(timeout=self.timeout_s)
        client = Client(base_url=self.pds_url, request=self._session_request)

        def keep_secret(event: object, session: object) -> None:
            secrets.remember("BLUESKY_ACCESS_JWT", getattr(session, "access_jwt", None))
            secrets.remember("BLUESKY_REFRESH_JWT", getattr(session, "refresh_jwt", None))

        client.on_session_change(keep_secret)
        try:
            self.retry.call(
                lambda: client.login(handle, password, fetch_bsky_profile=False), classify
            )
        except (atx.UnauthorizedError, atx.BadRequestError) as exc:
            _, name, message = error_name(exc)
            raise BlueskyRefused(
                f"Bluesky refused the login of {handle} ({name or 'error'}: {message}): check "
                f"{HANDLE_ENV} and {PASSWORD_ENV} (an app password from Settings > Privacy "
                "and security > App passwords, not the account password)"
            ) from None
        finally:
            self._session_request.last = None  # the createSession body: never kept
        self.session = client

    def profile(self, actor: str) -> Fetched:
        return self._fetch(
            self._public_request,
            lambda: self.public.app.bsky.actor.get_profile({"actor": actor}),
        )

    def author_feed(self, actor: str, cursor: str | None, limit: int) -> Fetched:
        params = {"actor": actor, "filter": "posts_with_replies", "limit": limit}
        if cursor:
            params["cursor"] = cursor
        return self._fetch(
            self._public_request, lambda: self.public.app.bsky.feed.get_author_feed(params)
        )

    def post_thread(self, uri: str) -> Fetched:
        params = {"uri": uri, "depth": THREAD_DEPTH, "parent_height": 0}
        return self._fetch(
            self._public_request, lambda: self.public.app.bsky.feed.get_post_thread(params)
        )

    def mentions(self, handle: str, cursor: str | None, limit: int) -> Fetched:
        assert self.session is not None and self._session_request is not None
        client = self.session
        # q is required; "*" matches every post, mentions= narrows it to the account.
        params = {"q": "*", "mentions": handle, "sort": "latest", "limit": limit}
        if cursor:
            params["cursor"] = cursor
        return self._fetch(self._session_request, lambda: client.app.bsky.feed.search_posts(params))

    def followers(self, actor: str, cursor: str | None, limit: int) -> Fetched:
        """One page of the account's followers, most recent first (public)."""
        params: dict = {"actor": actor, "limit": limit}
        if cursor:
            params["cursor"] = cursor
        return self._fetch(
            self._public_request, lambda: self.public.app.bsky.graph.get_followers(params)
        )

    def profiles(self, actors: list[str]) -> Fetched:
        """The detailed profiles (with counts) of up to 25 actors (public). The AppView
        leaves out an actor it cannot show (deleted, taken down)."""
        if not 1 <= len(actors) <= PROFILES_PER_REQUEST:
            raise ValueError(f"getProfiles takes 1 to {PROFILES_PER_REQUEST} actors")
        params = {"actors": list(actors)}
        return self._fetch(
            self._public_request, lambda: self.public.app.bsky.actor.get_profiles(params)
        )
