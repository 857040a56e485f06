-- One row per account with posts: what its activity is made of. A broadcast is an
-- original addressed to nobody else; tagging your own handle does not address anyone.
with posts as (
    select * from {{ ref('int_posts__current') }}
    where account_id is not null
),

accounts as (
    select * from {{ ref('int_accounts__all') }}
),

classified as (
    select
        p.platform,
        p.account_id,
        a.handle,
        p.kind,
        p.kind = 'original'
            and len([m for m in coalesce(p.mentions, []) if lower(m) is distinct from a.handle_lower]) = 0
            as is_broadcast
    from posts as p
    left join accounts as a
        on a.platform = p.platform and a.account_id = p.account_id
),

counted as (
    select
        platform,
        account_id,
        any_value(handle) as handle,
        count(*) as posts,
        count(*) filter (where kind = 'original') as originals,
        count(*) filter (where kind = 'reply') as replies,
        count(*) filter (where kind = 'retweet') as retweets,
        count(*) filter (where kind = 'quote') as quotes,
        count(*) filter (where is_broadcast) as broadcast_posts
    from classified
    group by platform, account_id
)

select
    platform,
    account_id,
    handle,
    posts,
    originals,
    replies,
    retweets,
    quotes,
    originals / posts as original_share,
    replies / posts as reply_share,
    retweets / posts as retweet_share,
    quotes / posts as quote_share,
    broadcast_posts,
    broadcast_posts / posts as broadcast_share
from counted
