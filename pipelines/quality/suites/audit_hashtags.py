"""marts.audit_hashtags: one row per client, audit period, audited account and hashtag
it posted with in the period. The rules of marts.brand_hashtags (whole counts, posts at
least 1, the conversation flag exactly its replies), and every row is an account of the
period's scorecard."""

from pipelines.quality.suites import guards as g
from pipelines.quality.suites.base import MartSuite

GRAIN = ("client", "period_start", "period_end", "account_key", "hashtag")

SUITE = MartSuite(
    mart="audit_hashtags",
    key_columns=("client", "period_end", "handle", "hashtag"),
    guards=lambda: [
        g.not_null(*GRAIN, "platform", "account_id"),
        g.unique(*GRAIN),
        *g.hashtag_conversation(),
    ],
    description="GX suite: a period's hashtags of a brand, their replies and the flag.",
)
