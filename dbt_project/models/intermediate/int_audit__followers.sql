-- One row per audit period and audited account with a profile snapshot by the period's
-- end: the profile at the start of the period and at its end. The start is the last
-- snapshot at or before period_start, else (history began inside the period) the first
-- snapshot in it; the end is the last snapshot at or before period_end.
with audited as (
    select * from {{ ref('int_audit__accounts') }}
    where account_id is not null
),

snapshots as (
    select
        a.client,
        a.period_start,
        a.period_end,
        a.platform,
        a.account_key,
        s.observed_at,
        s.followers,
        s.following,
        s.posts_count,
        s.has_default_avatar,
        coalesce(trim(s.bio), '') = '' as bio_empty,
        s.observed_at <= a.period_start as before_period
    from audited as a
    inner join {{ ref('stg_canonical__account_snapshots') }} as s
        on s.platform = a.platform
        and s.account_id = a.account_id
        and s.observed_at <= a.period_end
),

ranked as (
    select
        *,
        row_number() over (
            partition by client, period_start, period_end, platform, account_key
            -- before the period: the latest first; inside it: the earliest first
            order by
                not before_period,
                case when before_period then -epoch(observed_at) else epoch(observed_at) end
        ) as start_rank,
        row_number() over (
            partition by client, period_start, period_end, platform, account_key
            order by observed_at desc
        ) as end_rank
    from snapshots
)

select
    e.client,
    e.period_start,
    e.period_end,
    e.platform,
    e.account_key,
    s.observed_at as start_observed_at,
    s.followers as followers_start,
    s.following as following_start,
    e.observed_at as end_observed_at,
    e.followers as followers_end,
    e.following as following_end,
    e.posts_count as posts_count_end,
    e.has_default_avatar as has_default_avatar_end,
    e.bio_empty as bio_empty_end
from ranked as e
inner join ranked as s
    on s.client = e.client
    and s.period_start = e.period_start
    and s.period_end = e.period_end
    and s.platform = e.platform
    and s.account_key = e.account_key
    and s.start_rank = 1
where e.end_rank = 1
