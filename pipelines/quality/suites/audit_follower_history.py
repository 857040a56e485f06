"""marts.audit_follower_history: one row per client, period, audited account and profile
snapshot the follower chart plots. Follower and following counts are whole and >= 0."""

from pipelines.quality.suites import guards as g
from pipelines.quality.suites.base import MartSuite

GRAIN = ("client", "period_start", "period_end", "platform", "account_key", "observed_at")

SUITE = MartSuite(
    mart="audit_follower_history",
    key_columns=("client", "handle", "observed_at"),
    guards=lambda: [
        g.not_null(*GRAIN, "role", "handle", "is_baseline"),
        g.unique(*GRAIN),
        g.count("followers", nullable=True),
        g.count("following", nullable=True),
    ],
    description="GX suite: the follower counts the report charts.",
)
