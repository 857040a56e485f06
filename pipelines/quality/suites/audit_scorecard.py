"""marts.audit_scorecard: one row per client, audit period and audited account, the
figures a client report prints. Every count is whole and >= 0 and the kinds add up to
posts; every share, rate and ratio lies in range and equals its fresh computation; the
period's figures stay within the period (days with posts, longest gap); growth equals
end minus start; the competitor benchmark is consistent; and every audited account of a
client with a period has a row."""

from pipelines.quality.suites import guards as g
from pipelines.quality.suites.audited import audited_keys_sql
from pipelines.quality.suites.base import MartSuite

GRAIN = ("client", "period_start", "period_end", "platform", "account_key")
GROWS = "end_observed_at > start_observed_at"  # growth needs two different snapshots

SUITE = MartSuite(
    mart="audit_scorecard",
    key_columns=("client", "period_end", "handle"),
    guards=lambda: [
        g.not_null(
            *GRAIN,
            "period_days",
            "role",
            "handle",
            "brand_name",
            "inbound_coverage",
            "posts_per_week",
            "longest_gap_hours",
        ),
        g.unique(*GRAIN),
        g.at_least_zero("period_days"),
        # post mix
        g.count("posts"),
        *g.post_mix(),
        g.share("amplify_share", "retweets + quotes", "posts"),
        # cadence: at most one more calendar day than the period spans (time zones)
        g.computed("posts_per_week", "posts / (period_days / 7.0)"),
        g.count("days_with_posts"),
        g.derive(days_with_posts__max="ceil(period_days) + 1"),
        g.at_most("days_with_posts", "days_with_posts__max"),
        g.at_most("days_with_posts", "posts"),
        g.derive(period_hours__max="period_days * 24.0 + 0.001"),  # float rounding room
        g.at_least_zero("longest_gap_hours"),
        g.at_most("longest_gap_hours", "period_hours__max"),
        # conversation
        *g.conversation(),
        # questions (macros/text_questions.sql) among the period's inbound messages
        *g.questions(),
        # etiquette: first contacts and canned replies made in the period
        *g.etiquette(),
        g.count("top_canned_reply_uses", nullable=True, min_value=2),
        g.at_most("top_canned_reply_uses", "canned_replies"),
        # threads joined and introductions made in the period; its hashtags; follow churn
        *g.threads(),
        *g.hashtags(),
        g.at_most("follow_churn_events", "follow_churn_followed"),
        # followers
        *(
            g.count(c, nullable=True)
            for c in ("followers_start", "followers_end", "following_start", "following_end")
        ),
        g.computed(
            "follower_growth",
            f"case when {GROWS} then followers_end - followers_start end",
            min_value=None,
            integer=True,
        ),
        g.ratio("follower_growth_rate", "follower_growth", "followers_start", min_value=-1),
        g.computed(
            "following_growth",
            f"case when {GROWS} then following_end - following_start end",
            min_value=None,
            integer=True,
        ),
        g.ratio("follower_following_ratio", "followers_end", "following_end"),
        g.ratio("follows_per_follower", "following_end", "followers_end"),
        # engagement
        g.count("engagement_posts"),
        g.at_most("engagement_posts", "posts"),
        *(
            g.count(c, nullable=True)
            for c in ("engagements", "likes", "reposts", "replies_received", "quotes_received")
        ),
        g.ratio("engagement_per_post", "engagements", "engagement_posts"),
        g.ratio(
            "engagement_per_post_per_1k_followers",
            "engagement_per_post",
            "followers_end",
            scale=1000,
        ),
        # legitimacy
        g.count("posts_count_end", nullable=True),
        # the competitor benchmark (the same on every row of a client's period and platform)
        g.count("competitor_inbound"),
        g.count("competitor_answered"),
        g.at_most("competitor_answered", "competitor_inbound"),
        g.share("competitor_response_rate", "competitor_answered", "competitor_inbound"),
        g.at_least_zero("competitor_engagement_per_post_per_1k_followers"),
        # coverage: every audited account of a client that has a period has a row
        g.contains_all(
            "audit_key", "client || ':' || platform || ':' || lower(handle)", "audited_keys"
        ),
    ],
    parameters_sql={"audited_keys": audited_keys_sql(per_client=True, with_period_only=True)},
    description="GX suite: every figure a client report prints, its range and consistency.",
)
