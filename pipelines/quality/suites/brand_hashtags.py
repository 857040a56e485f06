"""marts.brand_hashtags: one row per measured account and hashtag it posted with. Every
count is whole (posts at least 1), and carried_conversation is true exactly when other
accounts replied to its tagged posts or to each other under the tag."""

from pipelines.quality.suites import guards as g
from pipelines.quality.suites.base import MartSuite

GRAIN = ("platform", "account_id", "hashtag")

SUITE = MartSuite(
    mart="brand_hashtags",
    key_columns=GRAIN,
    guards=lambda: [
        g.not_null(*GRAIN),
        g.unique(*GRAIN),
        *g.hashtag_conversation(),
    ],
    description="GX suite: a brand's hashtags, their replies and the conversation flag.",
)
