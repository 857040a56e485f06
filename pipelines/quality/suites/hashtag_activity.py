"""marts.hashtag_activity: one row per platform, hashtag and day. Every count is whole,
there is at least one post and one author, and each count is a part of a larger one:
authors, replies and the measured accounts' posts <= posts, conversation replies <=
replies to the same hashtag."""

from pipelines.quality.suites import guards as g
from pipelines.quality.suites.base import MartSuite

GRAIN = ("platform", "hashtag", "day")

SUITE = MartSuite(
    mart="hashtag_activity",
    key_columns=GRAIN,
    guards=lambda: [
        g.not_null(*GRAIN),
        g.unique(*GRAIN),
        g.count("posts", min_value=1),
        g.count("authors", min_value=1),
        g.count("replies_same_hashtag"),
        g.count("conversation_replies"),
        g.count("audited_posts"),
        g.at_most("authors", "posts"),
        g.at_most("replies_same_hashtag", "posts"),
        g.at_most("conversation_replies", "replies_same_hashtag"),
        g.at_most("audited_posts", "posts"),
    ],
    description="GX suite: hashtag counts per day and their order.",
)
