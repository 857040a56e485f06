-- One row per (thread of marts.threads, measured account with a post in it): how much
-- the account said there, how long it took to join in, and whether it spoke last.
with thread_posts as (
    select * from {{ ref('int_threads__posts') }}
),

threads as (
    select * from {{ ref('threads') }}
),

targets as (
    select platform, account_id, handle
    from {{ ref('int_conversation_accounts') }}
    where account_id is not null
),

per_account as (
    select
        tp.platform,
        tp.root_post_id,
        tp.account_id,
        count(*) as posts,
        min(tp.created_at) as first_post_at,
        max(tp.created_at) as last_post_at
    from thread_posts as tp
    where exists (
        select 1 from targets as t
        where t.platform = tp.platform and t.account_id = tp.account_id
    )
    group by tp.platform, tp.root_post_id, tp.account_id
)

select
    a.platform,
    a.root_post_id,
    a.account_id,
    t.handle,
    a.posts,
    a.first_post_at,
    -- the thread's earliest post is another account's exactly when it is earlier than
    -- this account's first: then it is the first post before it
    case
        when th.first_post_at < a.first_post_at
            then (epoch(a.first_post_at) - epoch(th.first_post_at)) / 60.0
    end as first_response_min,
    a.last_post_at = th.last_post_at as has_last_word
from per_account as a
inner join threads as th
    on th.platform = a.platform and th.root_post_id = a.root_post_id
inner join targets as t
    on t.platform = a.platform and t.account_id = a.account_id
