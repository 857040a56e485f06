"""One GX suite per mart, defined in code and versioned with the project. A mart without
a suite here fails tests/test_quality_gates.py, so no metric ships unguarded. The
suites hold every value rule on the marts (ranges, ratios, sums, nullness, grain); the
marts' dbt tests keep to relationships, categories and time order (one home a rule)."""

from pipelines.quality.suites import (
    accounts,
    audience_quality,
    audit_brand_totals,
    audit_canned_replies,
    audit_follower_history,
    audit_hashtags,
    audit_scorecard,
    audit_weekly_trends,
    audited_accounts,
    brand_hashtags,
    canned_replies,
    conversation_metrics,
    first_contacts,
    follow_churn_events,
    follower_history,
    hashtag_activity,
    inbound_messages,
    post_mix,
    posts,
    thread_accounts,
    threads,
)
from pipelines.quality.suites.base import MartSuite

SUITES: dict[str, MartSuite] = {
    s.mart: s
    for s in (
        conversation_metrics.SUITE,
        post_mix.SUITE,
        accounts.SUITE,
        posts.SUITE,
        audit_scorecard.SUITE,
        audit_brand_totals.SUITE,
        audit_weekly_trends.SUITE,
        audit_follower_history.SUITE,
        inbound_messages.SUITE,
        follower_history.SUITE,
        audited_accounts.SUITE,
        audience_quality.SUITE,
        threads.SUITE,
        thread_accounts.SUITE,
        first_contacts.SUITE,
        canned_replies.SUITE,
        hashtag_activity.SUITE,
        brand_hashtags.SUITE,
        follow_churn_events.SUITE,
        audit_hashtags.SUITE,
        audit_canned_replies.SUITE,
    )
}
