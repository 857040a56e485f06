"""marts.post_mix: one row per account with posts. Kind counts are whole, >= 0 and add
up to posts (> 0); broadcasts are originals; every share lies in [0, 1] and equals its
count over posts."""

from pipelines.quality.suites import guards as g
from pipelines.quality.suites.base import MartSuite

SUITE = MartSuite(
    mart="post_mix",
    key_columns=("platform", "account_id"),
    guards=lambda: [
        g.not_null("platform", "account_id"),
        g.unique("platform", "account_id"),
        g.count("posts", min_value=1),
        *g.post_mix(),
    ],
    description="GX suite: kind counts add up to posts; shares in [0, 1] and consistent.",
)
