"""marts.posts: one row per counted post, far too many to fetch (the full TWCS corpus
has ~3M), so DuckDB counts the offending rows and GX validates that one-row profile:
the grain is unique, every post has a known kind, an author and a time, and no post the
source contract quarantined is counted."""

from pipelines.quality.suites import guards as g
from pipelines.quality.suites.base import MartSuite

KINDS = "('original', 'reply', 'retweet', 'quote')"

# One read of the view (it joins the text and the author's handle back): every count
# below comes from that one copy of the columns they need.
PROFILE_SQL = f"""
with p as materialized (
    select platform, post_id, kind, account_id, created_at from marts.posts
)
select
    (select count(*) from (
        select 1 from p group by platform, post_id having count(*) > 1
    )) as duplicate_keys,
    count(*) filter (where platform is null or post_id is null) as missing_keys,
    count(*) filter (where kind is null or kind not in {KINDS}) as unknown_kinds,
    count(*) filter (where account_id is null) as missing_authors,
    count(*) filter (where created_at is null) as missing_times,
    (select count(*) from p
        inner join intermediate.int_posts__quarantined as q
            on q.platform = p.platform and q.post_id = p.post_id) as quarantined_counted
from p
"""

SAMPLE_SQL = {
    "duplicate_keys": "select platform, post_id, count(*) as copies from marts.posts "
    "group by platform, post_id having count(*) > 1",
    "missing_keys": "select platform, post_id, account_id from marts.posts "
    "where platform is null or post_id is null",
    "unknown_kinds": f"select platform, post_id, kind from marts.posts "
    f"where kind is null or kind not in {KINDS}",
    "missing_authors": "select platform, post_id, created_at from marts.posts "
    "where account_id is null",
    "missing_times": "select platform, post_id, account_id from marts.posts "
    "where created_at is null",
    "quarantined_counted": "select q.platform, q.post_id, q.reason from marts.posts as p "
    "inner join intermediate.int_posts__quarantined as q "
    "on q.platform = p.platform and q.post_id = p.post_id",
}

SUITE = MartSuite(
    mart="posts",
    guards=lambda: [g.zero(*SAMPLE_SQL)],
    profile_sql=PROFILE_SQL,
    sample_sql=SAMPLE_SQL,
    description="GX suite over an in-database profile: grain, kinds, authors, times, "
    "no quarantined post counted.",
)
