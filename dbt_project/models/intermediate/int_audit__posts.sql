-- One row per audit period, audited account and post it wrote in the period, with the
-- post's kind, whether it is a broadcast or an introduction and the engagement it drew.
with audited as (
    select * from {{ ref('int_audit__accounts') }}
    where account_id is not null
),

posts as (
    select * from {{ ref('int_posts__current') }}
),

-- public metrics are on the stored post (int_posts__current keeps only what the
-- conversation marts need)
metrics as (
    select platform, post_id, like_count, repost_count, reply_count, quote_count
    from {{ ref('stg_canonical__posts') }}
)

select
    a.client,
    a.period_start,
    a.period_end,
    a.platform,
    a.account_key,
    a.account_id,
    p.post_id,
    p.created_at,
    -- the client's local calendar day, for days_with_posts
    cast(timezone(a.timezone, p.created_at) as date) as local_date,
    p.kind,
    -- marts.post_mix's broadcast: an original mentioning no account but its author
    {{ is_broadcast('p.kind', 'p.mentions', 'lower(a.handle)') }} as is_broadcast,
    -- marts.conversation_metrics' introduction: a reply mentioning a third account
    {{ is_introduction('p.kind', 'p.mentions', 'parent_author.handle_lower', 'a.handle') }}
        as is_introduction,
    -- a retweet's counters belong to the post it repeats, not to the account
    case when p.kind <> 'retweet' then m.like_count end as likes,
    case when p.kind <> 'retweet' then m.repost_count end as reposts,
    case when p.kind <> 'retweet' then m.reply_count end as replies_received,
    case when p.kind <> 'retweet' then m.quote_count end as quotes,
    case
        when p.kind <> 'retweet'
            then m.like_count + m.repost_count + m.reply_count + m.quote_count
    end as engagements
from audited as a
inner join posts as p
    on {{ in_audit_period('p') }}
left join metrics as m
    on m.platform = p.platform and m.post_id = p.post_id
left join {{ ref('int_accounts__all') }} as parent_author
    on parent_author.platform = p.platform and parent_author.account_id = p.replied_to_account_id
