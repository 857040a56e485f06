"""Waiting, retrying and stopping, for every live ingest: the parts that do not depend
on a network's client library. Each network says which of its client's exceptions are
a rate limit (and when it resets) and which are worth a retry; the loop is here.

* rate limited: wait until the reset the network announced; without one, back off. A
  wait longer than ``max_rate_limit_wait_s`` stops the run (resumably) instead of
  holding the warehouse lock for it.
* transient (5xx, timeouts, dropped connections): capped exponential backoff,
  ``max_attempts`` tries in all, then stop resumably.
* anything else is the caller's to handle (a missing account, a refused credential).

Sleep and the clock are injected so tests run the real HTTP path without waiting."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from pipelines.config.networks import NetworkConfig

T = TypeVar("T")


class IngestStopped(Exception):
    """The run stopped early and can resume: budget spent, rate limited, API down."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason  # budget | rate_limit | unavailable


def backoff_s(initial_s: float, max_s: float, attempt: int) -> float:
    """The wait before retry `attempt` + 1: doubling from `initial_s`, capped."""
    return min(max_s, initial_s * 2 ** (attempt - 1))


@dataclass(frozen=True)
class RateLimited:
    reset_at: float | None  # seconds since the epoch, when the network said


@dataclass(frozen=True)
class Transient:
    problem: str


Verdict = RateLimited | Transient | None  # None: not a fault to wait out


@dataclass
class Retrying:
    network: str  # named in the messages: "Bluesky", "mastodon.social"
    max_attempts: int = 5
    backoff_initial_s: float = 2
    backoff_max_s: float = 120
    max_rate_limit_wait_s: float = 900
    sleep: Callable[[float], None] = time.sleep
    now: Callable[[], float] = time.time  # seconds since the epoch
    log: Callable[[str], None] = print
    requests: int = 0  # every HTTP request made through call()

    @classmethod
    def configured(
        cls,
        network: str,
        config: NetworkConfig,
        clock: Callable[[], datetime],
        sleep: Callable[[float], None],
        log: Callable[[str], None],
    ) -> Retrying:
        """The retry policy of networks.yaml, on the given clock and sleep."""
        return cls(
            network,
            max_attempts=config.max_attempts,
            backoff_initial_s=config.backoff_initial_s,
            backoff_max_s=config.backoff_max_s,
            max_rate_limit_wait_s=config.max_rate_limit_wait_s,
            sleep=sleep,
            now=lambda: clock().timestamp(),
            log=log,
        )

    def rate_limit_wait(self, limited: RateLimited, attempt: int) -> float:
        """How long to wait for a limit to reset; IngestStopped past the maximum."""
        if limited.reset_at is None:
            return backoff_s(self.backoff_initial_s, self.backoff_max_s, attempt)
        wait = max(0.0, limited.reset_at - self.now()) + 1  # the reset second itself
        if wait > self.max_rate_limit_wait_s:
            raise IngestStopped(
                "rate_limit",
                f"{self.network} rate limit reached; it resets in {wait / 60:.0f} min, more "
                f"than max_rate_limit_wait_s ({self.max_rate_limit_wait_s:.0f} s): stopped, "
                "run again after the reset to resume",
            )
        return wait

    def call(self, fn: Callable[[], T], classify: Callable[[Exception], Verdict]) -> T:
        """fn() until it returns, waiting out what `classify` calls a fault."""
        problem = ""
        for attempt in range(1, self.max_attempts + 1):
            self.requests += 1
            try:
                return fn()
            except Exception as exc:
                verdict = classify(exc)
                if verdict is None:
                    raise
            if isinstance(verdict, RateLimited):
                wait, problem = self.rate_limit_wait(verdict, attempt), "429 rate limited"
            else:
                wait = backoff_s(self.backoff_initial_s, self.backoff_max_s, attempt)
                problem = verdict.problem
            if attempt == self.max_attempts:
                break
            self.log(f"  {problem}; retrying in {wait:.0f} s (attempt {attempt + 1})")
            self.sleep(wait)
        raise IngestStopped(
            "unavailable",
            f"{self.network} API failed {self.max_attempts} times in a row (last: {problem}): "
            "stopped, run again later to resume",
        )
