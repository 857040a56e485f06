-- One row per conversation: a thread of at least two posts joined by replies (a lone
-- post is not a conversation). Its size, who took part, how deep it went, its span.
with thread_posts as (
    select * from {{ ref('int_threads__posts') }}
),

threads as (
    select
        platform,
        root_post_id,
        count(*) as posts,
        count(distinct account_id) as participants,
        max(depth) as depth,
        min(created_at) as first_post_at,
        max(created_at) as last_post_at
    from thread_posts
    group by platform, root_post_id
    having count(*) >= 2
),

-- when the root is not in the data (an X conversation whose first tweet we lack), the
-- account its direct replies answer; the smallest id if they disagree (they cannot)
root_authors as (
    select
        tp.platform,
        tp.root_post_id,
        min(tp.account_id) filter (where tp.post_id = tp.root_post_id) as author_in_data,
        min(p.replied_to_account_id) filter (where tp.in_reply_to_post_id = tp.root_post_id)
            as author_replied_to
    from thread_posts as tp
    inner join {{ ref('int_posts__current') }} as p
        on p.platform = tp.platform and p.post_id = tp.post_id
    where tp.post_id = tp.root_post_id or tp.in_reply_to_post_id = tp.root_post_id
    group by tp.platform, tp.root_post_id
)

select
    t.platform,
    t.root_post_id,
    coalesce(r.author_in_data is not null, false) as root_in_data,
    coalesce(r.author_in_data, r.author_replied_to) as root_account_id,
    t.posts,
    t.participants,
    t.depth,
    t.first_post_at,
    t.last_post_at
from threads as t
left join root_authors as r
    on r.platform = t.platform and r.root_post_id = t.root_post_id
