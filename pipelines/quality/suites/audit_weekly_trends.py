"""marts.audit_weekly_trends: one row per client, period, audited account and week, the
series the report charts. Counts are whole and >= 0 and ordered as in the scorecard,
rates lie in [0, 1] and equal their computation, times are >= 0."""

from pipelines.quality.suites import guards as g
from pipelines.quality.suites.base import MartSuite

GRAIN = ("client", "period_start", "period_end", "platform", "account_key", "week_no")

SUITE = MartSuite(
    mart="audit_weekly_trends",
    key_columns=("client", "period_end", "handle", "week_no"),
    guards=lambda: [
        g.not_null(*GRAIN, "role", "handle", "week_start", "week_end"),
        g.unique(*GRAIN),
        g.count("week_no", min_value=1),
        *(g.count(c) for c in ("posts", "replies", "broadcast_posts", "inbound", "answered")),
        g.at_most("replies", "posts"),
        g.at_most("broadcast_posts", "posts"),
        g.at_most("answered", "inbound"),
        g.share("broadcast_share", "broadcast_posts", "posts"),
        g.share("response_rate", "answered", "inbound"),
        g.latency("median_first_response_min", known_when_positive="answered"),
        # engagements are summed upstream; the week row cannot recompute the mean
        g.at_least_zero("engagement_per_post", null_when_zero="posts"),
        g.count("followers_end", nullable=True),
    ],
    description="GX suite: the weekly series behind the report's charts.",
)
