-- One row per client, audit period, audited account and profile snapshot that the
-- period's follower chart needs: the baseline the period starts from (see
-- int_audit__followers) and every snapshot after it up to the period's end.
with accounts as (
    select * from {{ ref('int_audit__accounts') }}
    where account_id is not null
),

baseline as (
    select * from {{ ref('int_audit__followers') }}
)

select
    a.client,
    a.period_start,
    a.period_end,
    a.role,
    a.platform,
    a.account_key,
    a.account_id,
    a.handle,
    s.observed_at,
    s.followers,
    s.following,
    s.observed_at <= a.period_start as is_baseline
from accounts as a
inner join baseline as b
    on b.client = a.client
    and b.period_start = a.period_start
    and b.period_end = a.period_end
    and b.platform = a.platform
    and b.account_key = a.account_key
inner join {{ ref('stg_canonical__account_snapshots') }} as s
    on s.platform = a.platform
    and s.account_id = a.account_id
    and s.observed_at >= b.start_observed_at
    and s.observed_at <= a.period_end
