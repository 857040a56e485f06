"""marts.conversation_metrics: one row per measured account. Counts are whole and >= 0,
answered <= inbound and replies <= posts, rates lie in [0, 1] and are NULL exactly when
nothing was there to rate, response times are >= 0 and NULL exactly when nothing was
answered, and every account audits.yaml names has a row."""

from pipelines.quality.suites import guards as g
from pipelines.quality.suites.base import MartSuite

SUITE = MartSuite(
    mart="conversation_metrics",
    key_columns=("platform", "handle"),  # account_id is NULL for an unmatched handle
    guards=lambda: [
        g.not_null("platform", "handle", "is_brand", "is_audited"),
        # The grain (dbt's key expression): an unmatched audited handle has no account_id.
        g.derive(account_key="coalesce(account_id, '@' || lower(handle))"),
        g.unique("platform", "account_key"),
        g.count("posts"),
        g.count("replies"),
        g.count("inbound"),
        g.count("answered"),
        g.at_most("replies", "posts"),
        g.at_most("answered", "inbound"),
        g.share("reply_share", "replies", "posts"),
        g.share("response_rate", "answered", "inbound"),
        g.latency("median_first_response_min", known_when_positive="answered"),
        g.latency("p90_first_response_min", known_when_positive="answered"),
        g.at_most("median_first_response_min", "p90_first_response_min"),
        g.contains_all("audit_key", "platform || ':' || lower(handle)", "audited_keys"),
    ],
    # What the build measured against: the audits config mirrored into the warehouse.
    parameters_sql={
        "audited_keys": "select distinct lower(trim(platform)) || ':' "
        "|| lower(ltrim(trim(handle), '@')) from config.audited_accounts"
    },
    description="GX suite: counts, shares, response times and audited coverage.",
)
