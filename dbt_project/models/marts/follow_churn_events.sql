-- One row per follow-churn event of a measured account: its following count rose by at
-- least follow_churn_min_change_pct percent to a peak and fell by at least as much
-- within follow_churn_window_days after it (follow for the follow-back, then unfollow).
-- Definition (follow_churn_events.yml): on the daily series (the last snapshot of each
-- UTC day with a following count), a peak is a day whose count is above every count in
-- the W days before it and at least every count in the W days after it; its base is the
-- lowest count in those W days before (the latest such day), its fall the lowest count
-- in the W days after (the earliest such day). Two peaks are never within W days of
-- each other, so events do not overlap (one's fall may be the next one's base).
-- Window frames over each account's days, then a bounded look-up per peak: linear.
-- A table: a few rows per measured account, small at any corpus size.
{% set w = var('follow_churn_window_days') %}
{% set n = var('follow_churn_min_change_pct') %}

with measured as (
    select distinct platform, account_id, handle
    from {{ ref('int_conversation_accounts') }}
    where account_id is not null
),

daily as (
    select
        s.platform,
        s.account_id,
        cast(timezone('UTC', s.observed_at) as date) as day,
        max(s.observed_at) as observed_at,
        -- (platform, account_id, observed_at) is unique (marts.follower_history's grain)
        arg_max(s.following, s.observed_at) as following
    from {{ ref('stg_canonical__account_snapshots') }} as s
    where s.following is not null
        and exists (
            select 1 from measured as m
            where m.platform = s.platform and m.account_id = s.account_id
        )
    group by s.platform, s.account_id, cast(timezone('UTC', s.observed_at) as date)
),

framed as (
    select
        *,
        max(following) over before_day as max_before,
        min(following) over before_day as min_before,
        max(following) over after_day as max_after,
        min(following) over after_day as min_after
    from daily
    window
        before_day as (
            partition by platform, account_id order by day
            range between interval {{ w }} days preceding and interval 1 day preceding
        ),
        after_day as (
            partition by platform, account_id order by day
            range between interval 1 day following and interval {{ w }} days following
        )
),

peaks as (
    select *
    from framed
    where following > max_before
        and following >= max_after
        and min_before > 0
        and (following - min_before) * 100.0 / min_before >= {{ n }}
        and (following - min_after) * 100.0 / following >= {{ n }}
),

-- the days that hold the base and the fall (ties: the base nearest the peak, the
-- earliest fall)
bases as (
    select p.platform, p.account_id, p.day, arg_max(d.observed_at, d.day) as rise_from_at
    from peaks as p
    inner join daily as d
        on d.platform = p.platform and d.account_id = p.account_id
        and d.day >= p.day - interval {{ w }} days and d.day < p.day
        and d.following = p.min_before
    group by p.platform, p.account_id, p.day
),

falls as (
    select p.platform, p.account_id, p.day, arg_min(d.observed_at, d.day) as fall_at
    from peaks as p
    inner join daily as d
        on d.platform = p.platform and d.account_id = p.account_id
        and d.day > p.day and d.day <= p.day + interval {{ w }} days
        and d.following = p.min_after
    group by p.platform, p.account_id, p.day
)

select
    p.platform,
    p.account_id,
    m.handle,
    b.rise_from_at,
    p.min_before as following_before,
    p.observed_at as peak_at,
    p.following as following_peak,
    f.fall_at,
    p.min_after as following_after,
    (p.following - p.min_before) * 100.0 / p.min_before as rise_pct,
    (p.following - p.min_after) * 100.0 / p.following as fall_pct
from peaks as p
inner join measured as m
    on m.platform = p.platform and m.account_id = p.account_id
inner join bases as b
    on b.platform = p.platform and b.account_id = p.account_id and b.day = p.day
inner join falls as f
    on f.platform = p.platform and f.account_id = p.account_id and f.day = p.day
