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
        a.account_id,
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
        {{ post_counts(['posts', 'replies', 'broadcast_posts'], alias='p') }},
        count(p.engagements) as engagement_posts,
        sum(p.engagements) as engagements
    from spine as s
    inner join {{ ref('int_audit__posts') }} as p
        on {{ in_audit_week('p') }}
    group by all
),

inbound as (
    select
        s.client, s.period_start, s.period_end, s.platform, s.account_key, s.week_no,
        {{ conversation_counts(alias='i', p90=false) }}
    from spine as s
    inner join {{ ref('int_audit__inbound') }} as i
        on {{ in_audit_week('i') }}
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
),

joined as (
    select
        s.client,
        s.period_start,
        s.period_end,
        s.role,
        s.platform,
        s.account_key,
        s.account_id,
        s.handle,
        s.week_no,
        s.week_start,
        s.week_end,
        coalesce(p.posts, 0) as posts,
        coalesce(p.replies, 0) as replies,
        coalesce(p.broadcast_posts, 0) as broadcast_posts,
        coalesce(i.inbound, 0) as inbound,
        coalesce(i.answered, 0) as answered,
        i.median_first_response_min,
        p.engagements,
        p.engagement_posts,
        f.followers_end
    from spine as s
    left join posts as p using (client, period_start, period_end, platform, account_key, week_no)
    left join inbound as i using (client, period_start, period_end, platform, account_key, week_no)
    left join followers as f using (client, period_start, period_end, platform, account_key, week_no)
)

select
    client,
    period_start,
    period_end,
    role,
    platform,
    account_key,
    account_id,
    handle,
    week_no,
    week_start,
    week_end,
    posts,
    replies,
    broadcast_posts,
    {{ post_shares(['broadcast_posts']) }},
    inbound,
    answered,
    {{ response_rate() }} as response_rate,
    median_first_response_min,
    {{ engagement_per_post() }} as engagement_per_post,
    followers_end
from joined
