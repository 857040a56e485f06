-- One row per post (retweets left out) and hashtag it carries, lowercased: the one home
-- of hashtag extraction for marts.hashtag_activity, marts.brand_hashtags and
-- marts.audit_hashtags. The hashtag lists come from the loaders
-- (stg_canonical__posts.hashtags: entities on X, facets and tags on Bluesky, tags on
-- Mastodon, and for TWCS, whose CSV has only the text, the loader's #word regex in
-- pipelines/sources/twcs/parse.py), so no model parses text. Retweets repeat another's
-- post, hashtags included, and would count one post once per share.
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
)

-- with its parent's author and whether the parent (resolved through edits, in
-- int_posts__current) carried the same hashtag
select
    p.platform,
    p.post_id,
    t.hashtag,
    p.account_id,
    p.created_at,
    p.in_reply_to_post_id,
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
