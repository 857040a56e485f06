-- One row per measured account and hashtag it posted with: its posts carrying the tag,
-- the replies other accounts wrote to those posts, and the replies between two other
-- accounts that both carry the tag (the tag's conversation without the brand). A tag
-- with neither carried no conversation: the brand only broadcast into it.
-- Tags as in marts.hashtag_activity (lowercased, retweets left out); the two must agree.
-- A table: one row per account and tag, small at any corpus size.
with posts as (
    select platform, post_id, account_id, in_reply_to_post_id
    from {{ ref('int_posts__current') }}
    where kind <> 'retweet'
),

tags as (
    select distinct platform, post_id, hashtag
    from (
        select platform, post_id, lower(ltrim(trim(unnest(hashtags)), '#')) as hashtag
        from {{ ref('stg_canonical__posts') }}
        where len(hashtags) > 0
    )
    where hashtag <> ''
),

measured as (
    select distinct platform, account_id, handle
    from {{ ref('int_conversation_accounts') }}
    where account_id is not null
),

tagged as (
    select p.platform, p.post_id, p.account_id, p.in_reply_to_post_id, t.hashtag
    from tags as t
    inner join posts as p
        on p.platform = t.platform and p.post_id = t.post_id
),

brand_posts as (
    select t.platform, t.post_id, t.account_id, t.hashtag
    from tagged as t
    where exists (
        select 1 from measured as m
        where m.platform = t.platform and m.account_id = t.account_id
    )
),

-- Replies by another account to a brand post carrying the tag (the reply itself need
-- not repeat the tag).
replies_from_others as (
    select b.platform, b.account_id, b.hashtag, count(*) as replies_from_others
    from brand_posts as b
    inner join posts as r
        on r.platform = b.platform and r.in_reply_to_post_id = b.post_id
    where r.account_id <> b.account_id
    group by b.platform, b.account_id, b.hashtag
),

-- Tagged replies to a tagged post of another account (hashtag_activity's
-- conversation_replies, all days), for the tags some measured account posted.
conversations as (
    select r.platform, r.hashtag, r.account_id, parent.account_id as parent_account_id
    from tagged as r
    inner join tagged as parent
        on parent.platform = r.platform and parent.post_id = r.in_reply_to_post_id
        and parent.hashtag = r.hashtag
    where r.account_id <> parent.account_id
        and exists (
            select 1 from brand_posts as b
            where b.platform = r.platform and b.hashtag = r.hashtag
        )
),

others_talking as (
    select b.platform, b.account_id, b.hashtag, count(*) as others_conversation_replies
    from (select distinct platform, account_id, hashtag from brand_posts) as b
    inner join conversations as c
        on c.platform = b.platform and c.hashtag = b.hashtag
    where c.account_id <> b.account_id and c.parent_account_id <> b.account_id
    group by b.platform, b.account_id, b.hashtag
),

counted as (
    select platform, account_id, hashtag, count(*) as posts
    from brand_posts
    group by platform, account_id, hashtag
)

select
    c.platform,
    c.account_id,
    m.handle,
    c.hashtag,
    c.posts,
    coalesce(r.replies_from_others, 0) as replies_from_others,
    coalesce(o.others_conversation_replies, 0) as others_conversation_replies,
    coalesce(r.replies_from_others, 0) + coalesce(o.others_conversation_replies, 0) > 0
        as carried_conversation
from counted as c
inner join measured as m
    on m.platform = c.platform and m.account_id = c.account_id
left join replies_from_others as r
    on r.platform = c.platform and r.account_id = c.account_id and r.hashtag = c.hashtag
left join others_talking as o
    on o.platform = c.platform and o.account_id = c.account_id and o.hashtag = c.hashtag
