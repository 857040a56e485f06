"""marts.threads: one row per thread of two or more posts, as many rows as there are
conversations (a large share of a corpus), so DuckDB counts the offending rows and GX
validates that one-row profile (as for marts.posts): the grain is unique, keys and
figures are known, posts >= 2, 1 <= participants <= posts, 0 <= depth < posts and the
first post is not after the last."""

from pipelines.quality.suites import guards as g
from pipelines.quality.suites.base import MartSuite

PROFILE_SQL = """
select
    (select count(*) from (
        select 1 from marts.threads group by platform, root_post_id having count(*) > 1
    )) as duplicate_keys,
    count(*) filter (
        where platform is null or root_post_id is null or root_in_data is null
            or posts is null or participants is null or depth is null
            or first_post_at is null or last_post_at is null
    ) as missing_values,
    count(*) filter (where posts < 2) as fewer_than_two_posts,
    count(*) filter (where participants < 1 or participants > posts)
        as participants_out_of_range,
    count(*) filter (where depth < 0 or depth >= posts) as depth_out_of_range,
    count(*) filter (where first_post_at > last_post_at) as first_post_after_last
from marts.threads
"""

SELECT = "select platform, root_post_id, posts, participants, depth, first_post_at, last_post_at "
SAMPLE_SQL = {
    "duplicate_keys": "select platform, root_post_id, count(*) as copies from marts.threads "
    "group by all having count(*) > 1",
    "missing_values": SELECT + ", root_in_data from marts.threads where platform is null "
    "or root_post_id is null or root_in_data is null or posts is null "
    "or participants is null or depth is null or first_post_at is null "
    "or last_post_at is null",
    "fewer_than_two_posts": SELECT + "from marts.threads where posts < 2",
    "participants_out_of_range": SELECT
    + "from marts.threads where participants < 1 or participants > posts",
    "depth_out_of_range": SELECT + "from marts.threads where depth < 0 or depth >= posts",
    "first_post_after_last": SELECT + "from marts.threads where first_post_at > last_post_at",
}

SUITE = MartSuite(
    mart="threads",
    guards=lambda: [g.zero(*SAMPLE_SQL)],
    profile_sql=PROFILE_SQL,
    sample_sql=SAMPLE_SQL,
    profile_guards={
        "missing_values": ("posts", "participants", "depth"),
        "fewer_than_two_posts": ("posts",),
        "participants_out_of_range": ("participants", "posts"),
        "depth_out_of_range": ("depth", "posts"),
    },
    description="GX suite over an in-database profile: grain, keys, posts >= 2, "
    "participants and depth within posts, time order.",
)
