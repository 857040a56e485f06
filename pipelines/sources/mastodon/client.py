"""Mastodon's public REST API through Mastodon.py (``Mastodon(api_base_url=...)``),
one client per audited account's instance, returning each response body exactly as
the instance sent it.

Reads: ``account_lookup`` (GET /api/v1/accounts/lookup), ``account_statuses`` (GET
/api/v1/accounts/:id/statuses, paged forward with ``min_id``) and ``status_context``
(GET /api/v1/statuses/:id/context). All are public; MASTODON_ACCESS_TOKEN, when set,
is sent only to the instance it was issued by (``token_instance`` in networks.yaml):
a token handed to every audited server would be a token leaked to all of them.

Mastodon.py parses each response and keeps no body; a ``requests.Session`` response
hook keeps the last response (read whole: the session does not stream), so the ingest
lands the bytes that came over the wire and reads the rate-limit headers itself.
Mastodon.py is told to throw on 429 (its own "wait" sleeps on the real clock); the
waiting is pipelines/sources/retry.py's, on the injected clock.

Limits (https://docs.joinmastodon.org/api/rate-limits/): 300 requests per 5 minutes
per account or IP, announced in ``X-RateLimit-Remaining`` and ``X-RateLimit-Reset``
(an ISO time); at 0 remaining the next request waits for the reset. Statuses:
https://docs.joinmastodon.org/methods/accounts/#statuses (limit <= 40; ``min_id``
pages forward from an id), context: https://docs.joinmastodon.org/methods/statuses/#context,
account lookup: https://docs.joinmastodon.org/methods/accounts/#lookup (404 unknown,
410 gone), ``suspended`` and ``hide_collections``:
https://docs.joinmastodon.org/entities/Account/. Follower samples: ``account_followers``
(GET /api/v1/accounts/:id/followers, limit <= 80, newest first, paged down by the
``max_id`` of the Link header's rel="next": a follow's id, not an account's;
https://docs.joinmastodon.org/methods/accounts/#followers)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from urllib.parse import parse_qs, urlsplit

import requests
from mastodon import Mastodon
from mastodon import errors as mx

from pipelines.core import secrets
from pipelines.sources.live import Fetched
from pipelines.sources.retry import RateLimited, Retrying, Transient, Verdict

TOKEN_ENV = "MASTODON_ACCESS_TOKEN"


class _Capture:
    """A requests response hook keeping the last response (errors too: a 429's
    headers say when the limit resets)."""

    def __init__(self) -> None:
        self.last: requests.Response | None = None

    def __call__(self, response: requests.Response, *args: object, **kwargs: object) -> None:
        self.last = response


def _reset_epoch(response: requests.Response | None) -> float | None:
    value = response.headers.get("X-RateLimit-Reset") if response is not None else None
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return float(value) if value.isdigit() else None  # some servers send epoch seconds


def api_status(exc: Exception) -> tuple[int | None, str]:
    """(HTTP status, the instance's words) of a Mastodon.py API error, scrubbed."""
    args = getattr(exc, "args", ())
    status = args[1] if len(args) > 1 and isinstance(args[1], int) else None
    said = " ".join(str(a) for a in args[2:] if a) or str(exc)
    return status, secrets.scrub(said).replace("\n", " ")[:300]


class MastodonApi:
    """The reads the ingest and the follower sampler make on any instance, each
    returning one page."""

    def __init__(
        self,
        instance_url: Callable[[str], str],
        retry: Retrying,
        timeout_s: float,
        token: str | None = None,
        token_instance: str = "",
    ) -> None:
        self.instance_url, self.retry, self.timeout_s = instance_url, retry, timeout_s
        self.token, self.token_instance = token, token_instance.lower()
        if token:
            secrets.remember(TOKEN_ENV, token)  # it may be handed over in code
        self._clients: dict[str, tuple[Mastodon, _Capture]] = {}
        self._pause_until: dict[str, float] = {}  # instance -> rate-limit reset

    def _client(self, instance: str) -> tuple[Mastodon, _Capture]:
        if instance not in self._clients:
            capture = _Capture()
            session = requests.Session()
            session.hooks["response"].append(capture)
            token = self.token if self.token and instance == self.token_instance else None
            client = Mastodon(
                api_base_url=self.instance_url(instance),
                access_token=token,
                session=session,
                ratelimit_method="throw",
                request_timeout=self.timeout_s,
                version_check_mode="none",
            )
            self._clients[instance] = (client, capture)
        return self._clients[instance]

    def _classify(self, capture: _Capture) -> Callable[[Exception], Verdict]:
        def classify(exc: Exception) -> Verdict:
            if isinstance(exc, mx.MastodonRatelimitError):
                return RateLimited(_reset_epoch(capture.last))
            if isinstance(exc, mx.MastodonServerError):
                return Transient(f"{api_status(exc)[0]} from the instance")
            if isinstance(exc, mx.MastodonNetworkError):
                return Transient(type(exc).__name__)
            return None

        return classify

    def _fetch(self, instance: str, call: Callable[[Mastodon], object]) -> Fetched:
        client, capture = self._client(instance)
        if (reset := self._pause_until.pop(instance, None)) is not None:
            # The last response said 0 requests remain: wait for the reset (or stop).
            wait = self.retry.rate_limit_wait(RateLimited(reset), 1)
            self.retry.log(f"  {instance}: rate limit used up; waiting {wait:.0f} s")
            self.retry.sleep(wait)
        before = self.retry.requests
        self.retry.call(lambda: call(client), self._classify(capture))
        response = capture.last
        assert response is not None  # the call returned, so a response came back
        if response.headers.get("X-RateLimit-Remaining") == "0":
            if (reset := _reset_epoch(response)) is not None:
                self._pause_until[instance] = reset
        return Fetched(response.url, response.content, self.retry.requests - before)

    def lookup(self, instance: str, username: str) -> Fetched:
        return self._fetch(instance, lambda c: c.account_lookup(username))

    def statuses(self, instance: str, local_id: str, min_id: str, limit: int) -> Fetched:
        return self._fetch(
            instance, lambda c: c.account_statuses(local_id, min_id=min_id, limit=limit)
        )

    def context(self, instance: str, local_id: str) -> Fetched:
        return self._fetch(instance, lambda c: c.status_context(local_id))

    def followers(
        self, instance: str, local_id: str, max_id: str | None, limit: int
    ) -> tuple[Fetched, str | None]:
        """One page of the account's followers, most recent first, and the max_id of
        the next (older) page from the Link header (None: no next page)."""
        fetched = self._fetch(
            instance, lambda c: c.account_followers(local_id, max_id=max_id, limit=limit)
        )
        response = self._client(instance)[1].last
        link = response.links.get("next", {}).get("url") if response is not None else None
        found = parse_qs(urlsplit(link).query).get("max_id") if link else None
        return fetched, found[0] if found else None
