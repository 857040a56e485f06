"""What to do when a request fails: wait, retry, or stop. Kept apart from the client so
the rules read in one place and test without a network.

* 429: wait until ``x-rate-limit-reset``; without the header, back off. A wait longer
  than ``max_rate_limit_wait_s`` stops the run (resumably) instead of holding the
  warehouse lock for it.
* 5xx, timeouts, dropped connections, a body cut short or not JSON: retry with capped
  exponential backoff, ``max_attempts`` tries in all, then stop resumably.
* 401 / 402 / 403: stop at once with the likely cause; retrying cannot fix a token,
  an access tier or an empty credit balance.

The waiting and retrying loop is pipelines/sources/retry.py's (shared with the Bluesky
and Mastodon ingests); this module says which of tweepy's errors are which. Sleeping and
the clock are injectable so tests run the real HTTP path without waiting."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, fields

import requests
import tweepy

from pipelines.core.secrets import scrub
from pipelines.sources.retry import IngestStopped, RateLimited, Retrying, Transient, Verdict

# Failures of the transport or of one response, not of the request: worth a retry.
_TRANSIENT = (
    requests.ConnectionError,
    requests.Timeout,
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError,
)


__all__ = ["IngestStopped", "RetryPolicy", "XAccessError", "classify", "explain_refusal"]


class XAccessError(Exception):
    """X refused the credentials: the message names the likely cause."""


def _x_says(exc: tweepy.HTTPException) -> str:
    # The client scrubbed the body already; scrubbed again here because this text goes
    # to stderr and the ops tables, and before it is cut, so no half token survives.
    try:
        body = exc.response.json()
    except ValueError:
        return scrub(exc.response.text)[:300]
    if not isinstance(body, dict):
        return scrub(str(body))[:300]
    parts = [body.get(k) for k in ("title", "detail", "reason", "type")]
    parts += [e.get("message") for e in body.get("errors", []) if isinstance(e, dict)]
    return scrub("; ".join(str(p) for p in parts if p))[:300]


def explain_refusal(exc: tweepy.HTTPException) -> str:
    status = exc.response.status_code
    said = _x_says(exc)
    lowered = said.lower()
    if status == 401:
        return (
            f"X rejected the bearer token (401 Unauthorized: {said}). X_BEARER_TOKEN is "
            "wrong, revoked or not an app-only bearer token: copy it again from the app's "
            "Keys and tokens page in the X developer console."
        )
    if status == 402 or any(w in lowered for w in ("credit", "billing", "spend", "payment")):
        return (
            f"X refused the request ({status}: {said}). The developer account is out of "
            "credits or over its spending limit: add credits or raise the limit in the "
            "X developer console, then run again."
        )
    return (
        f"X refused the request ({status}: {said}). The app's access tier does not "
        "include this endpoint (or the project is not enrolled for it), or the account has "
        "no credits left: check the app's access level and credit balance in the X "
        "developer console."
    )


def classify(exc: Exception) -> Verdict:
    """Which tweepy and transport errors are waited out (pipelines/sources/retry.py);
    a refused credential stops at once with its likely cause."""
    if isinstance(exc, tweepy.TooManyRequests):
        return RateLimited(exc.reset_time)
    if isinstance(exc, tweepy.TwitterServerError):
        return Transient(str(exc).splitlines()[0])
    if isinstance(exc, tweepy.Unauthorized | tweepy.Forbidden):
        raise XAccessError(explain_refusal(exc)) from None
    if isinstance(exc, tweepy.HTTPException):
        if exc.response.status_code == 402:
            raise XAccessError(explain_refusal(exc)) from None
        return None
    if isinstance(exc, _TRANSIENT):
        return Transient(type(exc).__name__)
    if isinstance(exc, ValueError):  # requests' JSONDecodeError
        return Transient("response body is not whole JSON")
    return None


@dataclass
class RetryPolicy:
    max_attempts: int = 5
    backoff_initial_s: float = 2
    backoff_max_s: float = 120
    max_rate_limit_wait_s: float = 900
    sleep: Callable[[float], None] = time.sleep
    now: Callable[[], float] = time.time  # seconds since the epoch, as x-rate-limit-reset
    on_attempt: Callable[[], None] | None = None  # counts every HTTP request made
    log: Callable[[str], None] = print

    def call(self, fn: Callable[..., requests.Response], *args, **kwargs) -> requests.Response:
        """Call a tweepy Client method (return_type=requests.Response) until it returns a
        whole JSON response, waiting and retrying as the module docstring says."""

        def attempt() -> requests.Response:
            if self.on_attempt is not None:
                self.on_attempt()
            response = fn(*args, **kwargs)
            response.json()  # a body cut short or garbled is retried like a dropped line
            return response

        # The same settings, under the same names, as the shared loop's.
        shared = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "on_attempt"}
        return Retrying("X", **shared).call(attempt, classify)
