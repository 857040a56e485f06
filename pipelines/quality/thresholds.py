"""The thresholds of the warning and contract checks, typed and documented in one place.

Blocking checks have no thresholds: an impossible value (a negative count, a share above
1) is wrong at any size. Warnings flag values that are possible but suspicious; what is
suspicious depends on the client, so each limit can be changed per deployment with an
environment variable RAPPORT_QUALITY_<FIELD> (e.g. RAPPORT_QUALITY_FOLLOWER_JUMP_SHARE=0.3)
or, in the Dagster UI, through the `quality` resource."""

from __future__ import annotations

import os
from typing import Literal

import dagster as dg
from pydantic import Field, ValidationError

ENV_PREFIX = "RAPPORT_QUALITY_"
# Rows GX validates at once in a large mart (gx_runner), unless RAPPORT_QUALITY_CHUNK_ROWS says.
CHUNK_ROWS = 250_000


class QualityConfigError(ValueError):
    """A RAPPORT_QUALITY_* variable names no threshold or holds a bad value."""


class QualityThresholds(dg.ConfigurableResource):
    """Limits for the warning checks and the source-contract checks."""

    follower_jump_share: float = Field(
        default=0.2,
        gt=0,
        description="Warn when an account's follower count moves by more than this share "
        "of the previous day's count (0.2 = 20%) from one daily snapshot to the next.",
    )
    follower_jump_min_followers: int = Field(
        default=100,
        ge=0,
        description="Ignore follower jumps from a base below this: 11 -> 14 followers is "
        "27% but says nothing.",
    )
    follower_jump_lookback_days: int = Field(
        default=7,
        ge=1,
        description="Only day-over-day moves whose later day lies within this many days "
        "of the newest snapshot are reported, so an old jump does not warn forever.",
    )
    snapshot_stale_hours: float = Field(
        default=36,
        gt=0,
        description="Warn when a measured account's newest profile snapshot is older than "
        "this many hours (the collector normally takes one a day).",
    )
    freshness_reference: Literal["latest_snapshot", "now"] = Field(
        default="latest_snapshot",
        description="What snapshot age is measured against: 'latest_snapshot' (the newest "
        "snapshot of any account on the platform, so archives imported later do not warn) "
        "or 'now' (the wall clock, for a live collector).",
    )
    median_jump_factor: float = Field(
        default=3.0,
        gt=1,
        description="Warn when an account's median first-response time in the recent "
        "window is more than this factor above or below its median in the window before.",
    )
    median_recent_days: int = Field(
        default=7,
        ge=1,
        description="Length of the recent window, ending at the platform's newest message.",
    )
    median_baseline_days: int = Field(
        default=28,
        ge=1,
        description="Length of the baseline window just before the recent one.",
    )
    median_min_answered: int = Field(
        default=5,
        ge=1,
        description="Answered messages each window needs before medians are compared.",
    )
    max_quarantined_share: float = Field(
        default=0.01,
        ge=0,
        le=1,
        description="Blocking: fail when more than this share of stored posts break the "
        "source contract (quarantined). Any quarantined post at all is a warning.",
    )
    max_rejected_share: float = Field(
        default=0.01,
        ge=0,
        le=1,
        description="Warn when a loaded file had more than this share of its items rejected.",
    )
    sample_rows: int = Field(
        default=5,
        ge=1,
        le=100,
        description="Offending rows kept as a sample with each failed check.",
    )
    chunk_rows: int = Field(
        default=CHUNK_ROWS,
        ge=1_000,
        description="A mart with more rows is validated by GX in slices of about this many "
        "rows, so memory stays bounded (one row per account: millions at 100M posts).",
    )

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> QualityThresholds:
        """Defaults, overridden by RAPPORT_QUALITY_<FIELD> variables (validated: a bad value
        is refused with the variable's name)."""
        env = dict(os.environ if env is None else env)
        overrides = {
            name: env[ENV_PREFIX + name.upper()]
            for name in cls.model_fields
            if ENV_PREFIX + name.upper() in env
        }
        known = {ENV_PREFIX + name.upper() for name in cls.model_fields}
        unknown = sorted(k for k in env if k.startswith(ENV_PREFIX) and k not in known)
        if unknown:
            raise QualityConfigError(
                f"unknown quality threshold(s) {', '.join(unknown)}; known: "
                + ", ".join(sorted(known))
            )
        try:
            return cls(**overrides)
        except ValidationError as exc:
            problems = "; ".join(
                f"{ENV_PREFIX}{str(e['loc'][0]).upper()}={e['input']!r}: {e['msg']}"
                for e in exc.errors()
            )
            raise QualityConfigError(f"bad quality threshold: {problems}") from None
