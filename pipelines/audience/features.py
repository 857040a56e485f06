"""Every feature of the fake-follower model, defined once (plain Python, no scikit-learn).

REDUCED uses only what X, Bluesky and Mastodon all return; FULL adds X-only fields.
Left out on purpose (measured in the issue-17 prototype: they identify the collection,
not the account): account age and per-day rates (each collection was crawled and
created in its own years), handle and name shape, the avatar's image host."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from pipelines.audience.profiles import Profile


@dataclass(frozen=True)
class Feature:
    name: str
    doc: str
    value: Callable[[Profile], float]


FEATURES = (
    Feature("log_followers", "log(1 + followers)", lambda p: math.log1p(p.followers)),
    Feature(
        "log_following",
        "log(1 + accounts followed; X friends_count)",
        lambda p: math.log1p(p.following),
    ),
    Feature("log_posts", "log(1 + posts; X statuses_count)", lambda p: math.log1p(p.posts)),
    Feature(
        "log_follower_following_ratio",
        "log((1 + followers) / (1 + following)): negative when following far more than followed",
        lambda p: math.log1p(p.followers) - math.log1p(p.following),
    ),
    Feature(
        "empty_bio",
        "1 when the bio is empty after trimming, else 0",
        lambda p: float(p.bio.strip() == ""),
    ),
    Feature(
        "default_avatar",
        "1 when the avatar is the network's default image (X: URL holds default_profile_images)",
        lambda p: float(p.default_avatar),
    ),
    Feature(
        "log_listed", "X only: log(1 + lists the account is on)", lambda p: math.log1p(p.listed)
    ),
    Feature(
        "log_favourites",
        "X only: log(1 + posts the account liked)",
        lambda p: math.log1p(p.favourites),
    ),
    Feature("has_url", "X only: 1 when the profile gives a website", lambda p: float(p.url != "")),
    Feature(
        "has_location",
        "X only: 1 when the profile gives a location",
        lambda p: float(p.location != ""),
    ),
)
BY_NAME = {f.name: f for f in FEATURES}
REDUCED = (
    "log_followers",
    "log_following",
    "log_posts",
    "log_follower_following_ratio",
    "empty_bio",
    "default_avatar",
)
FULL = (*REDUCED, "log_listed", "log_favourites", "has_url", "has_location")
FEATURE_SETS = {"reduced": REDUCED, "full": FULL}


def matrix(profiles: Sequence[Profile], names: Sequence[str]) -> np.ndarray:
    """One row per profile, one column per named feature."""
    functions = [BY_NAME[n].value for n in names]
    return np.array([[f(p) for f in functions] for p in profiles], dtype=float).reshape(
        len(profiles), len(functions)
    )


def account_age_days(profile: Profile) -> float:
    """Days from creation to the profile's own observation time (never today). Not a model
    feature (it leaks the collection); kept for the report's legitimacy flags."""
    return (profile.observed_at - profile.created_at).total_seconds() / 86400.0
