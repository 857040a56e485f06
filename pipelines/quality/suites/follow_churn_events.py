"""marts.follow_churn_events: one row per rise and fall of a measured account's following
count. Counts are whole (the base above 0), the peak is at least the base and the count
after it, and each percentage equals its change over its base computed afresh."""

from pipelines.quality.suites import guards as g
from pipelines.quality.suites.base import MartSuite

GRAIN = ("platform", "account_id", "peak_at")

SUITE = MartSuite(
    mart="follow_churn_events",
    key_columns=GRAIN,
    guards=lambda: [
        g.not_null(*GRAIN, "handle", "rise_from_at", "fall_at"),
        g.unique(*GRAIN),
        g.count("following_before", min_value=1),
        g.count("following_peak"),
        g.count("following_after"),
        g.at_most("following_before", "following_peak"),
        g.at_most("following_after", "following_peak"),
        g.computed("rise_pct", "(following_peak - following_before) * 100.0 / following_before"),
        g.computed("fall_pct", "(following_peak - following_after) * 100.0 / following_peak"),
    ],
    description="GX suite: follow-churn events' counts, their order and percentages.",
)
