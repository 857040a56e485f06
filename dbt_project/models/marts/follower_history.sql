-- One row per profile snapshot of every measured account (audited, or marked a brand
-- by its source): the follower, following and post counts as seen at each time, and
-- their change since the account's previous snapshot, audit period or not. Customers
-- and other accounts are left out: their snapshots are not a history anyone audits.
-- A table: a few rows per measured account and day, small at any corpus size.
with measured as (
    select distinct platform, account_id, handle
    from {{ ref('int_conversation_accounts') }}
    where account_id is not null
),

snapshots as (
    select
        s.platform,
        s.account_id,
        m.handle,
        s.observed_at,
        s.followers,
        s.following,
        s.posts_count
    from {{ ref('stg_canonical__account_snapshots') }} as s
    inner join measured as m
        on m.platform = s.platform and m.account_id = s.account_id
)

select
    platform,
    account_id,
    handle,
    observed_at,
    followers,
    following,
    posts_count,
    followers - lag(followers) over previous as followers_change,
    following - lag(following) over previous as following_change,
    posts_count - lag(posts_count) over previous as posts_count_change
from snapshots
window previous as (partition by platform, account_id order by observed_at)
