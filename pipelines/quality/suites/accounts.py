"""marts.accounts: one row per account. Profile counts are whole and >= 0 (NULL when no
profile was seen); follower_following_ratio is >= 0, NULL exactly when following is 0
or unknown, and equals followers / following."""

from pipelines.quality.suites import guards as g
from pipelines.quality.suites.base import MartSuite

SUITE = MartSuite(
    mart="accounts",
    key_columns=("platform", "account_id", "handle"),
    guards=lambda: [
        g.not_null("platform", "account_id", "is_brand"),
        g.unique("platform", "account_id"),
        g.count("followers", nullable=True),
        g.count("following", nullable=True),
        g.count("posts_count", nullable=True),
        g.ratio("follower_following_ratio", "followers", "following"),
    ],
    description="GX suite: profile counts and the follower/following ratio.",
)
