-- One row per client, audit period and audited account: the figures a client audit
-- reports, each restricted to the period. Counts and shares are those of
-- marts.post_mix and marts.conversation_metrics, computed over the period's posts and
-- messages only; followers, engagement and cadence are added.
with accounts as (
    select * from {{ ref('int_audit__accounts') }}
),

posts as (
    select
        client,
        period_start,
        period_end,
        platform,
        account_key,
        count(*) as posts,
        count(*) filter (where kind = 'original') as originals,
        count(*) filter (where kind = 'reply') as replies,
        count(*) filter (where kind = 'retweet') as retweets,
        count(*) filter (where kind = 'quote') as quotes,
        count(*) filter (where is_broadcast) as broadcast_posts,
        count(distinct local_date) as days_with_posts,
        count(engagements) as engagement_posts,
        sum(engagements) as engagements,
        sum(likes) as likes,
        sum(reposts) as reposts,
        sum(replies_received) as replies_received,
        sum(quotes) as quotes_received
    from {{ ref('int_audit__posts') }}
    group by client, period_start, period_end, platform, account_key
),

-- the longest stretch without a post, counting from the period's start to its end
gaps as (
    select
        client,
        period_start,
        period_end,
        platform,
        account_key,
        max(gap_seconds) / 3600.0 as longest_gap_hours
    from (
        select
            client, period_start, period_end, platform, account_key,
            epoch(created_at) - epoch(coalesce(
                lag(created_at) over (
                    partition by client, period_start, period_end, platform, account_key
                    order by created_at
                ),
                period_start
            )) as gap_seconds
        from {{ ref('int_audit__posts') }}
        union all
        select
            client, period_start, period_end, platform, account_key,
            epoch(period_end) - epoch(max(created_at))
        from {{ ref('int_audit__posts') }}
        group by client, period_start, period_end, platform, account_key
    )
    group by client, period_start, period_end, platform, account_key
),

inbound as (
    select
        client,
        period_start,
        period_end,
        platform,
        account_key,
        count(*) as inbound,
        count(*) filter (where answered) as answered,
        -- unanswered messages have NULL minutes and are ignored by the quantiles
        quantile_cont(first_response_min, 0.5) as median_first_response_min,
        quantile_cont(first_response_min, 0.9) as p90_first_response_min
    from {{ ref('int_audit__inbound') }}
    group by client, period_start, period_end, platform, account_key
),

followers as (
    select * from {{ ref('int_audit__followers') }}
),

joined as (
    select
        a.*,
        coalesce(p.posts, 0) as posts,
        coalesce(p.originals, 0) as originals,
        coalesce(p.replies, 0) as replies,
        coalesce(p.retweets, 0) as retweets,
        coalesce(p.quotes, 0) as quotes,
        coalesce(p.broadcast_posts, 0) as broadcast_posts,
        coalesce(p.days_with_posts, 0) as days_with_posts,
        coalesce(g.longest_gap_hours, a.period_days * 24.0) as longest_gap_hours,
        coalesce(i.inbound, 0) as inbound,
        coalesce(i.answered, 0) as answered,
        i.median_first_response_min,
        i.p90_first_response_min,
        coalesce(p.engagement_posts, 0) as engagement_posts,
        p.engagements,
        p.likes,
        p.reposts,
        p.replies_received,
        p.quotes_received,
        f.start_observed_at,
        f.followers_start,
        f.following_start,
        f.end_observed_at,
        f.followers_end,
        f.following_end,
        f.posts_count_end,
        f.has_default_avatar_end,
        f.bio_empty_end
    from accounts as a
    left join posts as p using (client, period_start, period_end, platform, account_key)
    left join gaps as g using (client, period_start, period_end, platform, account_key)
    left join inbound as i using (client, period_start, period_end, platform, account_key)
    left join followers as f using (client, period_start, period_end, platform, account_key)
)

select
    client,
    period_start,
    period_end,
    period_days,
    role,
    platform,
    account_key,
    account_id,
    handle,
    -- post mix (marts.post_mix, over the period)
    posts,
    originals,
    replies,
    retweets,
    quotes,
    originals / nullif(posts, 0) as original_share,
    replies / nullif(posts, 0) as reply_share,
    retweets / nullif(posts, 0) as retweet_share,
    quotes / nullif(posts, 0) as quote_share,
    broadcast_posts,
    broadcast_posts / nullif(posts, 0) as broadcast_share,
    -- cadence
    posts / (period_days / 7.0) as posts_per_week,
    days_with_posts,
    longest_gap_hours,
    -- conversation (marts.conversation_metrics, over the period)
    inbound,
    answered,
    answered / nullif(inbound, 0) as response_rate,
    median_first_response_min,
    p90_first_response_min,
    -- followers
    start_observed_at,
    end_observed_at,
    followers_start,
    followers_end,
    case when end_observed_at > start_observed_at then followers_end - followers_start end
        as follower_growth,
    case when end_observed_at > start_observed_at
        then (followers_end - followers_start) / nullif(followers_start, 0) end
        as follower_growth_rate,
    following_start,
    following_end,
    case when end_observed_at > start_observed_at then following_end - following_start end
        as following_growth,
    followers_end / nullif(following_end, 0) as follower_following_ratio,
    following_end / nullif(followers_end, 0) as follows_per_follower,
    -- engagement
    engagement_posts,
    engagements,
    likes,
    reposts,
    replies_received,
    quotes_received,
    engagements / nullif(engagement_posts, 0) as engagement_per_post,
    engagements / nullif(engagement_posts, 0) / nullif(followers_end, 0) * 1000
        as engagement_per_post_per_1k_followers,
    -- legitimacy (marts.accounts' flags, on the profile at the period's end)
    posts_count_end,
    has_default_avatar_end as flag_default_avatar,
    bio_empty_end as flag_empty_bio,
    posts_count_end < {{ var('few_posts_threshold') }} as flag_few_posts,
    case
        when following_end = 0 then false
        else following_end >= {{ var('follows_far_more_multiple') }} * followers_end
    end as flag_follows_far_more
from joined
