"""marts.canned_replies: one row per account and repeated reply text. The grain is
unique, the text is known and not empty, every row counts at least two replies (a text
said once is not canned) and the first of them is no later than the last."""

from pipelines.quality.suites import guards as g
from pipelines.quality.suites.base import MartSuite

SUITE = MartSuite(
    mart="canned_replies",
    key_columns=("platform", "account_id", "reply_text"),
    guards=lambda: [
        g.not_null("platform"),
        g.unique("platform", "account_id", "reply_text"),
        *g.canned_texts(),
    ],
    description="GX suite: grain, keys, replies >= 2, first_at <= last_at, no empty text.",
)
