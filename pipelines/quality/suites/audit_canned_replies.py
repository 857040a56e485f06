"""marts.audit_canned_replies: one row per client, audit period, audited account and
reply text it repeated in the period. The rules of marts.canned_replies (at least two
replies, first no later than last, never an empty text), and every reply of a row lies
in its period."""

from pipelines.quality.suites import guards as g
from pipelines.quality.suites.base import MartSuite

GRAIN = ("client", "period_start", "period_end", "account_key", "reply_text")

SUITE = MartSuite(
    mart="audit_canned_replies",
    key_columns=("client", "period_end", "handle", "reply_text"),
    guards=lambda: [
        g.not_null(*GRAIN, "platform"),
        g.unique(*GRAIN),
        *g.canned_texts(),
        g.derive(first_in_period="first_at > period_start"),
        g.equals("first_in_period", "true", "first_at_after_period_start"),
        g.at_most("last_at", "period_end"),
    ],
    description="GX suite: a period's repeated reply texts, their counts and times.",
)
