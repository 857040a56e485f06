-- One row per post that takes part in a conversation (every counted post but retweets),
-- with the thread it belongs to and how deep in it it sits. A thread is rooted at a
-- post whose parent is not in the data: the walk runs top down from those roots along
-- reply links, so each post is reached once (linear, no pair of posts compared).
with recursive posts as (
    select platform, post_id, account_id, created_at, in_reply_to_post_id
    from {{ ref('int_posts__current') }}
    -- a retweet passes a post on; it says nothing in a conversation
    where kind <> 'retweet'
),

-- the replies whose parent is in the data: the only rows the walk joins to
linked as materialized (
    select c.platform, c.post_id, c.in_reply_to_post_id
    from posts as c
    inner join posts as p
        on p.platform = c.platform and p.post_id = c.in_reply_to_post_id
),

roots as (
    select platform, post_id
    from posts as p
    where not exists (
        select 1 from linked as l
        where l.platform = p.platform and l.post_id = p.post_id
    )
),

walk as (
    select platform, post_id, post_id as ancestor_post_id, 0 as depth
    from roots
    union all
    select l.platform, l.post_id, w.ancestor_post_id, w.depth + 1
    from walk as w
    inner join linked as l
        on l.platform = w.platform and l.in_reply_to_post_id = w.post_id
),

conversations as (
    select platform, post_id, nullif(trim(conversation_id), '') as conversation_id
    from {{ ref('stg_canonical__posts') }}
    where platform = 'x' and conversation_id is not null
)

select
    p.platform,
    p.post_id,
    p.account_id,
    p.created_at,
    p.in_reply_to_post_id,
    -- X names the thread (its conversation_id, the root's id even when the root is not
    -- in the data); elsewhere, the earliest known ancestor
    coalesce(c.conversation_id, w.ancestor_post_id) as root_post_id,
    w.ancestor_post_id,
    w.depth
from walk as w
inner join posts as p
    on p.platform = w.platform and p.post_id = w.post_id
left join conversations as c
    on c.platform = p.platform and c.post_id = p.post_id
