"""marts.audit_brand_totals: one row per client, audit period, role and brand. Its counts
are whole, >= 0 and equal the sums of the brand's rows in marts.audit_scorecard; the
kinds add up to posts; every share, rate and ratio equals its fresh computation from the
sums (never an average of the networks' rates); the pooled response-time quantiles are
ordered and known exactly when something was answered; every brand of the scorecard has
a row."""

from pipelines.quality.suites import guards as g
from pipelines.quality.suites.base import MartSuite

GRAIN = ("client", "period_start", "period_end", "role", "brand_name")
# The brand's rows of the scorecard (the outer table is this mart, by its own name).
_SAME_BRAND = " and ".join(f"s.{c} = audit_brand_totals.{c}" for c in GRAIN)
SUMMED = (
    "posts",
    "originals",
    "replies",
    "retweets",
    "quotes",
    "broadcast_posts",
    "inbound",
    "answered",
    "engagement_posts",
    "question_inbound",
    "question_answered",
    "first_contacts",
    "first_contact_pitches",
    "first_contact_amplify_requests",
    "text_replies",
    "canned_replies",
    "threads",
    "threads_brand_last_word",
    "introductions",
    "hashtags",
    "hashtags_broadcast_only",
    "follow_churn_events",
    "follow_churn_followed",
    "follow_churn_unfollowed",
)


def _scorecard(aggregate: str) -> str:
    return f"(select {aggregate} from marts.audit_scorecard as s where {_SAME_BRAND})"


SUITE = MartSuite(
    mart="audit_brand_totals",
    key_columns=("client", "period_end", "role", "brand_name"),
    guards=lambda: [
        g.not_null(*GRAIN, "period_days", "accounts", "networks", "platforms", "inbound_coverage"),
        g.unique(*GRAIN),
        g.at_least_zero("period_days"),
        g.count("accounts", min_value=1),
        g.count("networks", min_value=1),
        g.at_most("networks", "accounts"),
        g.computed("accounts", _scorecard("count(*)"), min_value=1, integer=True),
        *(g.computed(c, _scorecard(f"cast(sum({c}) as bigint)"), integer=True) for c in SUMMED),
        g.count("posts"),
        *g.post_mix(),
        *g.conversation(),
        *g.questions(),
        *g.etiquette(),
        *g.threads(),
        *g.hashtags(),
        g.count("engagement_posts"),
        g.at_most("engagement_posts", "posts"),
        g.count("engagements", nullable=True),
        g.ratio("engagement_per_post", "engagements", "engagement_posts"),
        g.count("followers_end", nullable=True),
        g.count("following_end", nullable=True),
        g.ratio("follower_following_ratio", "followers_end", "following_end"),
        # coverage: every brand of the scorecard has a row
        g.contains_all(
            "brand_key",
            "client || ':' || period_end || ':' || role || ':' || brand_name",
            "scorecard_brands",
        ),
    ],
    parameters_sql={
        "scorecard_brands": "select distinct client || ':' || period_end || ':' || role "
        "|| ':' || brand_name from marts.audit_scorecard"
    },
    description="GX suite: a brand's networks added up: sums, recomputed rates, pooled times.",
    cross_checks=("audit_scorecard",),
)
