"""marts.thread_accounts: one row per thread and measured account with a post in it, so
DuckDB counts the offending rows and GX validates that one-row profile (as for
marts.posts): the grain is unique, keys and figures are known, posts >= 1 and
first_response_min >= 0."""

from pipelines.quality.suites import guards as g
from pipelines.quality.suites.base import MartSuite

PROFILE_SQL = """
select
    (select count(*) from (
        select 1 from marts.thread_accounts
        group by platform, root_post_id, account_id having count(*) > 1
    )) as duplicate_keys,
    count(*) filter (
        where platform is null or root_post_id is null or account_id is null
            or posts is null or first_post_at is null or has_last_word is null
    ) as missing_values,
    count(*) filter (where posts < 1) as fewer_than_one_post,
    count(*) filter (where first_response_min < 0) as negative_first_response_min
from marts.thread_accounts
"""

SELECT = "select platform, root_post_id, account_id, handle, posts, first_response_min "
SAMPLE_SQL = {
    "duplicate_keys": "select platform, root_post_id, account_id, count(*) as copies "
    "from marts.thread_accounts group by all having count(*) > 1",
    "missing_values": SELECT + ", first_post_at, has_last_word from marts.thread_accounts "
    "where platform is null or root_post_id is null or account_id is null or posts is null "
    "or first_post_at is null or has_last_word is null",
    "fewer_than_one_post": SELECT + "from marts.thread_accounts where posts < 1",
    "negative_first_response_min": SELECT
    + "from marts.thread_accounts where first_response_min < 0",
}

SUITE = MartSuite(
    mart="thread_accounts",
    guards=lambda: [g.zero(*SAMPLE_SQL)],
    profile_sql=PROFILE_SQL,
    sample_sql=SAMPLE_SQL,
    profile_guards={
        "missing_values": ("posts",),
        "fewer_than_one_post": ("posts",),
        "negative_first_response_min": ("first_response_min",),
    },
    description="GX suite over an in-database profile: grain, keys, posts >= 1, "
    "response minutes >= 0.",
)
