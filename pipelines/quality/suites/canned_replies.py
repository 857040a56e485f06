"""marts.canned_replies: one row per account and repeated reply text. The grain is
unique, the text is known and not empty, every row counts at least two replies (a text
said once is not canned) and the first of them is no later than the last."""

from pipelines.quality.suites import guards as g
from pipelines.quality.suites.base import MartSuite

SUITE = MartSuite(
    mart="canned_replies",
    key_columns=("platform", "account_id", "reply_text"),
    guards=lambda: [
        g.not_null("platform", "account_id", "handle", "reply_text", "first_at", "last_at"),
        g.unique("platform", "account_id", "reply_text"),
        g.count("replies", min_value=2),
        g.at_most("first_at", "last_at"),
        # an empty text (a bare link or mention) is no text to repeat
        g.derive(reply_text_is_empty="reply_text = ''"),
        g.equals("reply_text_is_empty", "false", "reply_text_never_empty"),
    ],
    description="GX suite: grain, keys, replies >= 2, first_at <= last_at, no empty text.",
)
