-- One row per account we know of: every canonical account plus any post author a loader
-- did not record, so every post has an author row to join to.
with accounts as (
    select * from {{ ref('stg_canonical__accounts') }}
),

snapshots as (
    select * from {{ ref('int_accounts__latest_snapshot') }}
),

missing_authors as (
    select distinct p.platform, p.account_id
    from {{ ref('int_posts__current') }} as p
    where p.account_id is not null
      and not exists (
          select 1 from accounts as a
          where a.platform = p.platform and a.account_id = p.account_id
      )
),

spine as (
    select platform, account_id, handle, is_brand from accounts
    union all
    select platform, account_id, null, false from missing_authors
)

select
    s.platform,
    s.account_id,
    -- loaders keep the latest handle on accounts; a profile fills in when they had none
    coalesce(s.handle, snap.handle) as handle,
    lower(coalesce(s.handle, snap.handle)) as handle_lower,
    s.is_brand
from spine as s
left join snapshots as snap
    on snap.platform = s.platform and snap.account_id = s.account_id
