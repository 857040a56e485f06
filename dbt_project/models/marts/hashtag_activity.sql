-- One row per platform, hashtag (lowercased) and UTC day: how many posts carried it,
-- by how many accounts, how many of them answered a post carrying the same hashtag
-- (and of those, how many answered someone else), and how many the measured accounts
-- wrote. The hashtag lists come from the loaders (stg_canonical__posts.hashtags:
-- entities on X, facets and tags on Bluesky, tags on Mastodon, and for TWCS, whose
-- CSV has only the text, the loader's #word regex in pipelines/sources/twcs/parse.py),
-- so no model parses text. Retweets are left out: they repeat another's post, hashtags
-- included, and would count one post once per share.
-- A table: one row per tag and day, a fraction of the posts at any corpus size.
with posts as (
    select platform, post_id, account_id, created_at, in_reply_to_post_id
    from {{ ref('int_posts__current') }}
    where kind <> 'retweet'
),

-- Each post's hashtags once each, lowercased: #Coffee and #coffee are one tag, on
-- every network (Mastodon and Bluesky match tags without case too).
tags as (
    select distinct platform, post_id, hashtag
    from (
        select platform, post_id, lower(ltrim(trim(unnest(hashtags)), '#')) as hashtag
        from {{ ref('stg_canonical__posts') }}
        where len(hashtags) > 0
    )
    where hashtag <> ''
),

-- Every tagged post with its parent's author and whether the parent (resolved through
-- edits, in int_posts__current) carried the same hashtag.
tagged as (
    select
        p.platform,
        t.hashtag,
        p.account_id,
        p.created_at,
        parent.account_id as parent_account_id,
        pt.post_id is not null as replies_same_hashtag
    from tags as t
    inner join posts as p
        on p.platform = t.platform and p.post_id = t.post_id
    left join posts as parent
        on parent.platform = p.platform and parent.post_id = p.in_reply_to_post_id
    left join tags as pt
        on pt.platform = parent.platform and pt.post_id = parent.post_id
        and pt.hashtag = t.hashtag
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
