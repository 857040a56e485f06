-- One row per platform, hashtag (lowercased) and UTC day: how many posts carried it,
-- by how many accounts, how many of them answered a post carrying the same hashtag
-- (and of those, how many answered someone else), and how many the measured accounts
-- wrote. Tags and posts as int_posts__hashtags extracts them (retweets left out).
-- A table: one row per tag and day, a fraction of the posts at any corpus size.
with tagged as (
    select * from {{ ref('int_posts__hashtags') }}
),

measured as (
    select distinct platform, account_id
    from {{ ref('int_conversation_accounts') }}
    where account_id is not null
)

select
    t.platform,
    t.hashtag,
    cast(timezone('UTC', t.created_at) as date) as day,
    count(*) as posts,
    count(distinct t.account_id) as authors,
    count(*) filter (where t.replies_same_hashtag) as replies_same_hashtag,
    count(*) filter (
        where t.replies_same_hashtag and t.account_id <> t.parent_account_id
    ) as conversation_replies,
    count(*) filter (where m.account_id is not null) as audited_posts
from tagged as t
left join measured as m
    on m.platform = t.platform and m.account_id = t.account_id
group by t.platform, t.hashtag, cast(timezone('UTC', t.created_at) as date)
