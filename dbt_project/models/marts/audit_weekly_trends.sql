-- One row per client, audit period, audited account and week of the period: the
-- weekly series the report charts. Week figures add up to the period's scorecard.
with weeks as (
    select * from {{ ref('int_audit__weeks') }}
),

accounts as (
    select * from {{ ref('int_audit__accounts') }}
),

spine as (
    select
        a.client,
        a.period_start,
        a.period_end,
        a.role,
        a.platform,
        a.account_key,
        a.handle,
        w.week_no,
        w.week_start,
        w.week_end
    from accounts as a
    inner join weeks as w
        on w.client = a.client
        and w.period_start = a.period_start
        and w.period_end = a.period_end
),

posts as (
    select
        s.client, s.period_start, s.period_end, s.platform, s.account_key, s.week_no,
        count(p.post_id) as posts,
        count(p.post_id) filter (where p.kind = 'reply') as replies,
        count(p.post_id) filter (where p.is_broadcast) as broadcast_posts,
        count(p.engagements) as engagement_posts,
        sum(p.engagements) as engagements
    from spine as s
    inner join {{ ref('int_audit__posts') }} as p
        on p.client = s.client
        and p.period_start = s.period_start
        and p.period_end = s.period_end
        and p.platform = s.platform
        and p.account_key = s.account_key
        and p.created_at > s.week_start
        and p.created_at <= s.week_end
    group by all
),

inbound as (
    select
        s.client, s.period_start, s.period_end, s.platform, s.account_key, s.week_no,
        count(*) as inbound,
        count(*) filter (where i.answered) as answered,
        quantile_cont(i.first_response_min, 0.5) as median_first_response_min
    from spine as s
    inner join {{ ref('int_audit__inbound') }} as i
        on i.client = s.client
        and i.period_start = s.period_start
        and i.period_end = s.period_end
        and i.platform = s.platform
        and i.account_key = s.account_key
        and i.created_at > s.week_start
        and i.created_at <= s.week_end
    group by all
),

followers as (
    select
        s.client, s.period_start, s.period_end, s.platform, s.account_key, s.week_no,
        arg_max(h.followers, h.observed_at) as followers_end
    from spine as s
    inner join {{ ref('audit_follower_history') }} as h
        on h.client = s.client
        and h.period_start = s.period_start
        and h.period_end = s.period_end
        and h.platform = s.platform
        and h.account_key = s.account_key
        and h.observed_at <= s.week_end
    group by all
)

select
    s.client,
    s.period_start,
    s.period_end,
    s.role,
    s.platform,
    s.account_key,
    s.handle,
    s.week_no,
    s.week_start,
    s.week_end,
    coalesce(p.posts, 0) as posts,
    coalesce(p.replies, 0) as replies,
    coalesce(p.broadcast_posts, 0) as broadcast_posts,
    p.broadcast_posts / nullif(p.posts, 0) as broadcast_share,
    coalesce(i.inbound, 0) as inbound,
    coalesce(i.answered, 0) as answered,
    i.answered / nullif(i.inbound, 0) as response_rate,
    i.median_first_response_min,
    p.engagements / nullif(p.engagement_posts, 0) as engagement_per_post,
    f.followers_end
from spine as s
left join posts as p using (client, period_start, period_end, platform, account_key, week_no)
left join inbound as i using (client, period_start, period_end, platform, account_key, week_no)
left join followers as f using (client, period_start, period_end, platform, account_key, week_no)
