"""The X API v2 through tweepy's Client and Paginator, returning pages as X sent them.

tweepy 4.17 needs three adjustments, all made here:

* it builds every URL on the old ``https://api.twitter.com`` host (a constant inside
  ``BaseClient.request``, not an attribute), so the session rewrites that prefix to the
  configured host (RAPPORT_X_API_URL, default https://api.x.com);
* it sends requests without a timeout, so a stalled connection would hang a run
  forever; the session adds one;
* its debug log prints the request headers, bearer token included; the scrubbing
  filter of pipelines/core/secrets.py on that logger replaces the token before any handler
  sees the line.

Every response is scrubbed as it arrives (body, reason and headers, and the request
headers it carries): a proxy or debug gateway may echo the Authorization header, and
everything downstream (raw landing, tweepy's exceptions, the refusal messages, the
ops tables) then only ever sees the marker.

``return_type=requests.Response`` keeps the body bytes for raw landing, and iterating
the Paginator's pages (not ``flatten()``) keeps ``includes``, ``errors`` and ``meta``."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import requests
import tweepy

from pipelines.core import secrets
from pipelines.sources.x_api.policy import RetryPolicy

TWEEPY_HOST = "https://api.twitter.com"
USERS_PER_LOOKUP = 100  # the users lookup endpoint's limit

# What the canonical tables and the marts read: kinds (referenced_tweets), threads
# (conversation_id, in_reply_to_user_id), mentions / hashtags / links (entities),
# engagement (public_metrics), edits (edit_history_tweet_ids).
TWEET_FIELDS = [
    "author_id",
    "conversation_id",
    "created_at",
    "edit_history_tweet_ids",
    "entities",
    "in_reply_to_user_id",
    "lang",
    "public_metrics",
    "referenced_tweets",
]
USER_FIELDS = [
    "created_at",
    "description",
    "location",
    "profile_image_url",
    "protected",
    "public_metrics",
    "verified",
]
# A follower's profile as the audience model reads it (pipelines/audience): the user
# fields above and its url. Every user object a followers page returns is billed.
FOLLOWER_USER_FIELDS = [*USER_FIELDS, "url"]
FOLLOWERS_PER_PAGE = 1000  # GET /2/users/:id/followers: max_results 1 to 1000

# The authors of the page's posts and of the posts they reply to, quote or repost, and
# those posts themselves. Mentioned users are not expanded: their handles are in
# entities already, and every expanded user is billed.
EXPANSIONS = [
    "author_id",
    "in_reply_to_user_id",
    "referenced_tweets.id",
    "referenced_tweets.id.author_id",
]


def _scrub_headers(headers) -> None:  # noqa: ANN001 (requests' CaseInsensitiveDict)
    for key, value in list(headers.items()):
        if isinstance(value, str):
            headers[key] = secrets.scrub(value)


def scrub_response(response: requests.Response) -> requests.Response:
    """The response with every secret replaced, in place, before anyone reads it. The
    body is only rewritten when it held one: otherwise its bytes stay X's own."""
    for r in (*response.history, response):
        body = r.content  # read whole already: the session does not stream
        clean = secrets.scrub_bytes(body) if body else body
        if clean != body:
            r._content = clean
        r.reason = secrets.scrub(r.reason) if isinstance(r.reason, str) else r.reason
        r.url = secrets.scrub(r.url)
        _scrub_headers(r.headers)
        if r.request is not None:  # it still carries the Authorization header
            _scrub_headers(r.request.headers)
    return response


class _ApiSession(requests.Session):
    def __init__(self, api_url: str, timeout_s: float) -> None:
        super().__init__()
        self.api_url = api_url.rstrip("/")
        self.timeout_s = timeout_s

    def request(self, method, url, *args, **kwargs):  # noqa: ANN001, ANN201 (requests' own)
        if isinstance(url, str) and url.startswith(TWEEPY_HOST):
            url = self.api_url + url[len(TWEEPY_HOST) :]
        kwargs.setdefault("timeout", self.timeout_s)
        return scrub_response(super().request(method, url, *args, **kwargs))


def _keep_token_out_of_logs(token: str) -> None:
    # The token may be handed over in code rather than read from X_BEARER_TOKEN.
    secrets.remember("X_BEARER_TOKEN", token)
    tweepy_log = logging.getLogger("tweepy.client")
    if secrets.SCRUB_FILTER not in tweepy_log.filters:
        tweepy_log.addFilter(secrets.SCRUB_FILTER)


def make_client(bearer_token: str, api_url: str, timeout_s: float) -> tweepy.Client:
    client = tweepy.Client(bearer_token=bearer_token, return_type=requests.Response)
    client.session = _ApiSession(api_url, timeout_s)
    _keep_token_out_of_logs(bearer_token)
    return client


@dataclass(frozen=True)
class Page:
    url: str  # the request URL as sent (no token: that is a header)
    body: bytes  # the response body, byte for byte
    attempts: int  # HTTP requests it took, retries included


class XApi:
    """The reads the ingest and the follower sampler make, each giving whole pages."""

    def __init__(self, client: tweepy.Client, policy: RetryPolicy) -> None:
        self.client = client
        self.policy = policy
        self.attempts = 0  # requests since the last page was handed out
        counted = policy.on_attempt

        def count() -> None:
            self.attempts += 1
            if counted is not None:
                counted()

        policy.on_attempt = count

    def _page(self, response: requests.Response) -> Page:
        page = Page(url=response.url, body=response.content, attempts=self.attempts)
        self.attempts = 0
        return page

    def _retrying(self, method: Callable, before_request: Callable[[], None]) -> Callable:
        # Paginator picks its token parameter by the method's __name__: keep it.
        @functools.wraps(method)
        def call(*args, **kwargs):
            before_request()
            return self.policy.call(method, *args, **kwargs)

        return call

    def lookup_users(self, handles: list[str], before_request: Callable[[], None]) -> Page:
        call = self._retrying(self.client.get_users, before_request)
        return self._page(call(usernames=handles, user_fields=USER_FIELDS))

    def post_pages(
        self,
        endpoint: str,
        account_id: str,
        before_request: Callable[[], None],
        *,
        page_size: int,
        since_id: str | None = None,
        until_id: str | None = None,
        start_time: str | None = None,
        pagination_token: str | None = None,
    ) -> Iterator[Page]:
        """The account's timeline or mentions, newest first, one page per request."""
        method = {
            "timeline": self.client.get_users_tweets,
            "mentions": self.client.get_users_mentions,
        }[endpoint]
        kwargs = {
            "max_results": page_size,
            "since_id": since_id,
            "until_id": until_id,
            "start_time": start_time,
            "tweet_fields": TWEET_FIELDS,
            "expansions": EXPANSIONS,
            "user_fields": USER_FIELDS,
        }
        paginator = tweepy.Paginator(
            self._retrying(method, before_request),
            account_id,
            pagination_token=pagination_token,
            **{k: v for k, v in kwargs.items() if v is not None},
        )
        for response in paginator:
            yield self._page(response)

    def follower_page(
        self,
        account_id: str,
        before_request: Callable[[], None],
        *,
        max_results: int,
        pagination_token: str | None = None,
    ) -> Page:
        """One page of the account's followers, most recent first (GET
        /2/users/:id/followers). Called page by page, not through Paginator.flatten()
        (which drops the body), so each page's size can follow the budget left."""
        call = self._retrying(self.client.get_users_followers, before_request)
        kwargs = {"max_results": max_results, "user_fields": FOLLOWER_USER_FIELDS}
        if pagination_token:
            kwargs["pagination_token"] = pagination_token
        return self._page(call(account_id, **kwargs))
