"""marts.post_mix: one row per account with posts. Kind counts are whole, >= 0 and add
up to posts (> 0); broadcasts are originals; every share lies in [0, 1] and equals its
count over posts."""

from pipelines.quality.suites import guards as g
from pipelines.quality.suites.base import MartSuite

KINDS = ("originals", "replies", "retweets", "quotes")

SUITE = MartSuite(
    mart="post_mix",
    key_columns=("platform", "account_id"),
    guards=lambda: [
        g.not_null("platform", "account_id"),
        g.unique("platform", "account_id"),
        g.count("posts", min_value=1),
        *(g.count(kind) for kind in KINDS),
        g.count("broadcast_posts"),
        g.equals("posts", " + ".join(KINDS), "posts__sum_of_kinds"),
        g.at_most("broadcast_posts", "originals"),
        g.share("original_share", "originals", "posts"),
        g.share("reply_share", "replies", "posts"),
        g.share("retweet_share", "retweets", "posts"),
        g.share("quote_share", "quotes", "posts"),
        g.share("broadcast_share", "broadcast_posts", "posts"),
    ],
    description="GX suite: kind counts add up to posts; shares in [0, 1] and consistent.",
)
