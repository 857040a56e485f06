"""How the demo's followers are shaped: per class (``human``, ``fake``: a bought
follower), the distributions the audience model reads (pipelines/audience/features.py),
measured on the labelled profiles of ../shared/data/bot_detection, and a draw from them.

Measured by ``python -m tests.demo_shapes`` (tests/demo_shapes.py; humans:
cresci2017_genuine_accounts.csv and cresci2015_humans_TFP.csv pooled, 3,943 rows; bought
followers: cresci2015_fake_followers_FSF_TWT.csv, 2,014 rows; read as the model reads
them, each row observed at its own crawl time), which prints the constants below;
tests/test_demo_followers.py checks that they are what it measures from the files of
these sha256s. Numbers only, no row of the data:

* ``quantiles``: of log1p of each count (followers, following = friends_count, posts =
  statuses_count, listed, favourites) and of the account's age in days at its crawl,
  at the probabilities ``QUANTILES``;
* ``shares``: of empty bios, default avatars (``default_profile_images`` in the image
  URL), profiles with a website and with a location;
* ``correlation``: of the van der Waerden normal scores of those ten variables (in the
  order CONTINUOUS + BINARY), which keeps them together as the data has them (followers
  with listed, a bought follower's following with its age...).

A draw is a Gaussian copula: ten correlated standard normals, each turned into a
quantile of its variable (linear between the measured quantiles, the measured end
beyond them), a 0/1 variable set when its normal falls in its measured share's upper
tail. Plain Python (``random.Random``), so the demo's bytes do not hang on a numpy or
BLAS build."""

from __future__ import annotations

import math
import random
from bisect import bisect_right
from dataclasses import dataclass
from functools import cache

HUMAN, FAKE = "human", "fake"
CONTINUOUS = ("followers", "following", "posts", "listed", "favourites", "age_days")
BINARY = ("empty_bio", "default_avatar", "has_url", "has_location")
QUANTILES = (0.005, 0.01, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 0.995)

# fmt: off
MEASURED: dict[str, str] = {  # file -> its sha256
    "cresci2017_genuine_accounts.csv":
        "8ecb37ba72ba7aa79b12bb7be13d3d618ef86d4d5947ecc62d43417cb5b0d78b",
    "cresci2015_humans_TFP.csv":
        "1ae7bddb7d8253e53dd9ef42fd56956588611807cd16599eb3a3780fa1976ade",
    "cresci2015_fake_followers_FSF_TWT.csv":
        "9607f4777010bd44341907966337a21923ca5345fd500aba0d414c3990880a2c",
}
SHAPES: dict[str, dict] = {
    "human": {
        "rows": 3943,
        "quantiles": {
            "followers":
                (1.099, 1.792, 2.996, 3.669, 4.489, 5.017, 5.425, 5.733, 6.038, 6.385, 6.847, 7.464,
                 8.101, 9.592, 10.076),
            "following":
                (2.163, 2.639, 3.784, 4.317, 4.839, 5.198, 5.468, 5.727, 5.966, 6.249, 6.617, 7.122,
                 7.585, 8.421, 9.08),
            "posts":
                (1.792, 2.398, 4.42, 5.493, 6.656, 7.467, 8.023, 8.533, 9.026, 9.5, 10.0, 10.584,
                 11.044, 11.863, 12.134),
            "listed":
                (0.0, 0.0, 0.0, 0.0, 0.0, 0.693, 0.693, 1.099, 1.386, 1.792, 2.398, 3.401, 4.205,
                 5.452, 6.091),
            "favourites":
                (0.0, 0.0, 1.099, 2.303, 4.159, 5.318, 6.157, 6.807, 7.43, 8.024, 8.6, 9.262, 9.785,
                 10.619, 10.963),
            "age_days":
                (3.844, 4.121, 5.098, 5.775, 6.361, 6.726, 6.969, 7.127, 7.274, 7.446, 7.602, 7.695,
                 7.737, 7.937, 7.987),
        },
        "shares": {
            "empty_bio": 0.128,
            "default_avatar": 0.007,
            "has_url": 0.38,
            "has_location": 0.682,
        },
        "correlation": (
            (1.0, 0.73, 0.75, 0.66, 0.56, 0.2, -0.31, -0.16, 0.22, 0.15),
            (0.73, 1.0, 0.5, 0.5, 0.39, 0.23, -0.25, -0.14, 0.13, 0.18),
            (0.75, 0.5, 1.0, 0.55, 0.63, 0.22, -0.28, -0.14, 0.15, 0.13),
            (0.66, 0.5, 0.55, 1.0, 0.24, 0.4, -0.25, -0.07, 0.34, 0.28),
            (0.56, 0.39, 0.63, 0.24, 1.0, -0.11, -0.21, -0.13, -0.02, -0.03),
            (0.2, 0.23, 0.22, 0.4, -0.11, 1.0, -0.07, -0.04, 0.19, 0.27),
            (-0.31, -0.25, -0.28, -0.25, -0.21, -0.07, 1.0, 0.19, -0.18, -0.21),
            (-0.16, -0.14, -0.14, -0.07, -0.13, -0.04, 0.19, 1.0, -0.06, -0.1),
            (0.22, 0.13, 0.15, 0.34, -0.02, 0.19, -0.18, -0.06, 1.0, 0.28),
            (0.15, 0.18, 0.13, 0.28, -0.03, 0.27, -0.21, -0.1, 0.28, 1.0),
        ),
    },
    "fake": {
        "rows": 2014,
        "quantiles": {
            "followers":
                (0.0, 0.693, 1.099, 1.609, 1.946, 2.079, 2.197, 2.303, 2.485, 2.565, 2.708, 2.996,
                 3.829, 5.287, 5.74),
            "following":
                (5.007, 5.113, 5.215, 5.268, 5.323, 5.371, 5.425, 5.513, 5.738, 6.118, 6.321, 6.408,
                 6.518, 6.96, 7.138),
            "posts":
                (0.0, 0.0, 0.0, 0.693, 2.303, 2.773, 2.89, 2.996, 3.091, 3.178, 3.258, 4.234, 5.416,
                 7.233, 7.916),
            "listed":
                (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.099, 1.595),
            "favourites":
                (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.099, 2.079, 3.363, 4.254),
            "age_days":
                (4.779, 4.779, 4.782, 4.788, 4.788, 4.79, 4.906, 4.915, 5.971, 6.567, 6.88, 7.115,
                 7.236, 7.331, 7.362),
        },
        "shares": {
            "empty_bio": 0.407,
            "default_avatar": 0.001,
            "has_url": 0.05,
            "has_location": 0.742,
        },
        "correlation": (
            (1.0, 0.12, 0.43, 0.32, 0.18, 0.06, -0.24, -0.02, 0.14, 0.23),
            (0.12, 1.0, 0.06, 0.25, 0.33, 0.71, 0.41, 0.04, 0.25, -0.48),
            (0.43, 0.06, 1.0, 0.24, 0.43, -0.04, -0.26, 0.02, 0.17, 0.22),
            (0.32, 0.25, 0.24, 1.0, 0.27, 0.26, 0.03, -0.01, 0.22, -0.07),
            (0.18, 0.33, 0.43, 0.27, 1.0, 0.29, 0.13, 0.03, 0.17, -0.19),
            (0.06, 0.71, -0.04, 0.26, 0.29, 1.0, 0.48, 0.01, 0.25, -0.5),
            (-0.24, 0.41, -0.26, 0.03, 0.13, 0.48, 1.0, 0.04, -0.04, -0.56),
            (-0.02, 0.04, 0.02, -0.01, 0.03, 0.01, 0.04, 1.0, -0.01, -0.05),
            (0.14, 0.25, 0.17, 0.22, 0.17, 0.25, -0.04, -0.01, 1.0, 0.02),
            (0.23, -0.48, 0.22, -0.07, -0.19, -0.5, -0.56, -0.05, 0.02, 1.0),
        ),
    },
}
# fmt: on


@dataclass(frozen=True)
class Shape:
    """One follower's numbers, as its profile shows them."""

    followers: int
    following: int
    posts: int
    listed: int
    favourites: int
    age_days: float  # at the time it is first observed
    empty_bio: bool
    default_avatar: bool
    has_url: bool
    has_location: bool


def cholesky(matrix: tuple[tuple[float, ...], ...]) -> list[list[float]]:
    """The lower-triangular L with L L^T = matrix (positive definite)."""
    n = len(matrix)
    lower = [[0.0] * n for _ in range(n)]
    for i in range(n):
        for j in range(i + 1):
            total = matrix[i][j] - sum(lower[i][k] * lower[j][k] for k in range(j))
            lower[i][j] = math.sqrt(total) if i == j else total / lower[j][j]
    return lower


@cache
def _factor(label: str) -> list[list[float]]:
    return cholesky(SHAPES[label]["correlation"])


def _normal_cdf(z: float) -> float:
    return 0.5 * (1.0 + math.erf(z / math.sqrt(2.0)))


def quantile(values: tuple[float, ...], u: float) -> float:
    """The variable's value at probability u: linear between the measured quantiles."""
    if u <= QUANTILES[0]:
        return values[0]
    if u >= QUANTILES[-1]:
        return values[-1]
    i = bisect_right(QUANTILES, u) - 1
    share = (u - QUANTILES[i]) / (QUANTILES[i + 1] - QUANTILES[i])
    return values[i] + share * (values[i + 1] - values[i])


def draw(rng: random.Random, label: str) -> Shape:
    """One follower of class ``label`` (HUMAN or FAKE)."""
    shape = SHAPES[label]
    lower = _factor(label)
    normals = [rng.gauss(0.0, 1.0) for _ in lower]
    u = [_normal_cdf(sum(row[k] * normals[k] for k in range(i + 1))) for i, row in enumerate(lower)]
    logs = {n: quantile(shape["quantiles"][n], u[i]) for i, n in enumerate(CONTINUOUS)}
    counts = {n: max(0, round(math.expm1(logs[n]))) for n in CONTINUOUS[:-1]}
    flags = {n: u[len(CONTINUOUS) + i] > 1.0 - shape["shares"][n] for i, n in enumerate(BINARY)}
    return Shape(**counts, age_days=math.expm1(logs["age_days"]), **flags)
