"""marts.audience_quality: one row per audited account and follower sample. The grain is
unique, counts are whole and nest (read_new <= sampled <= requested; flagged <= scored;
scored + unscored = sampled), the observed share is flagged / scored, the estimate lies
in its interval inside [0, 1], every flag share is a share, and every complete sample
of an audited account has its row."""

from pipelines.quality.suites import guards as g
from pipelines.quality.suites.base import MartSuite

GRAIN = ("platform", "account_id", "sampled_at")
SHARES = (
    "estimated_fake_share",
    "fake_share_low",
    "fake_share_high",
    "default_avatar_share",
    "empty_bio_share",
    "few_posts_share",
    "follows_far_more_share",
)


SUITE = MartSuite(
    mart="audience_quality",
    key_columns=GRAIN,
    guards=lambda: [
        g.not_null(
            *GRAIN, "handle", "sample_method", "stopped_by", "followers_hidden", "is_latest"
        ),
        g.unique(*GRAIN),
        g.count("followers_requested", min_value=1),
        g.count("followers_sampled"),
        g.count("followers_read_new"),
        g.count("followers_total", nullable=True),
        g.count("followers_scored", nullable=True),
        g.count("followers_unscored", nullable=True),
        g.count("followers_flagged", nullable=True),
        g.at_most("followers_read_new", "followers_sampled"),
        g.at_most("followers_sampled", "followers_requested"),
        g.at_most("followers_flagged", "followers_scored"),
        g.equals(
            "followers_sampled",
            "coalesce(followers_scored + followers_unscored, followers_sampled)",
            "followers_sampled__scored_plus_unscored",
        ),
        g.share("observed_fake_share", "followers_flagged", "followers_scored"),
        *(g.fraction(c) for c in SHARES),
        g.at_most("fake_share_low", "estimated_fake_share"),
        g.at_most("estimated_fake_share", "fake_share_high"),
        # coverage: every complete sample of an audited account has its row
        g.contains_all(
            "sample_key", "platform || ':' || account_id || ':' || sampled_at", "samples"
        ),
    ],
    parameters_sql={
        "samples": "select distinct s.platform || ':' || s.account_id || ':' || s.sampled_at "
        "from staging.stg_canonical__follower_samples as s "
        "inner join marts.audited_accounts as a "
        "on a.platform = s.platform and a.account_id = s.account_id"
    },
    description="GX suite: follower samples, the fake share and its interval, flag shares.",
)
