"""marts.conversation_metrics: one row per measured account. Counts are whole and >= 0,
answered <= inbound and replies <= posts, questions are inbound messages (answered
ones answered), threads with the last word are threads, introductions are replies,
rates lie in [0, 1] and are NULL exactly when nothing was there to rate, response
times are >= 0 and NULL exactly when nothing was answered, and every account
audits.yaml names has a row."""

from pipelines.quality.suites import guards as g
from pipelines.quality.suites.audited import audited_keys_sql
from pipelines.quality.suites.base import MartSuite

SUITE = MartSuite(
    mart="conversation_metrics",
    key_columns=("platform", "handle"),  # account_id is NULL for an unmatched handle
    guards=lambda: [
        g.not_null("platform", "handle", "is_brand", "is_audited", "inbound_coverage"),
        # The grain (dbt's key expression): an unmatched audited handle has no account_id.
        g.derive(account_key="coalesce(account_id, '@' || lower(handle))"),
        g.unique("platform", "account_key"),
        g.count("posts"),
        g.count("replies"),
        g.at_most("replies", "posts"),
        g.share("reply_share", "replies", "posts"),
        *g.conversation(),
        *g.questions(),
        *g.threads(),
        *g.etiquette(),
        g.contains_all("audit_key", "platform || ':' || lower(handle)", "audited_keys"),
    ],
    # What the build measured against: the audits config mirrored into the warehouse.
    parameters_sql={"audited_keys": audited_keys_sql(per_client=False)},
    description="GX suite: counts, shares, response times and audited coverage.",
)
