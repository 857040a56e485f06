-- One row per client, audit period, role and brand (brand_name): a brand's accounts on
-- every network added up, so an agency can read one figure per brand across X, Bluesky
-- and Mastodon beside the per-network rows of marts.audit_scorecard. Counts are summed
-- and every share and rate is recomputed from the sums (never an average of rates);
-- the response-time quantiles are taken over the pooled messages of all its accounts
-- (never an average of medians).
with scorecard as (
    select * from {{ ref('audit_scorecard') }}
),

summed as (
    select
        client,
        period_start,
        period_end,
        any_value(period_days) as period_days,
        role,
        brand_name,
        count(*) as accounts,
        count(distinct platform) as networks,
        string_agg(distinct platform, ', ' order by platform) as platforms,
        -- one coverage when every account has the same, else 'mixed': the report then
        -- says which network's messages were read how
        case when count(distinct inbound_coverage) = 1 then any_value(inbound_coverage)
            else 'mixed' end as inbound_coverage,
        sum(posts) as posts,
        sum(originals) as originals,
        sum(replies) as replies,
        sum(retweets) as retweets,
        sum(quotes) as quotes,
        sum(broadcast_posts) as broadcast_posts,
        sum(inbound) as inbound,
        sum(answered) as answered,
        sum(engagement_posts) as engagement_posts,
        sum(engagements) as engagements,
        -- questions, etiquette, threads, hashtags (a tag used on two networks counts
        -- once per network) and follow churn, summed as counts
        cast(sum(question_inbound) as bigint) as question_inbound,
        cast(sum(question_answered) as bigint) as question_answered,
        cast(sum(first_contacts) as bigint) as first_contacts,
        cast(sum(first_contact_pitches) as bigint) as first_contact_pitches,
        cast(sum(first_contact_amplify_requests) as bigint) as first_contact_amplify_requests,
        cast(sum(text_replies) as bigint) as text_replies,
        cast(sum(canned_replies) as bigint) as canned_replies,
        cast(sum(threads) as bigint) as threads,
        cast(sum(threads_brand_last_word) as bigint) as threads_brand_last_word,
        cast(sum(introductions) as bigint) as introductions,
        cast(sum(hashtags) as bigint) as hashtags,
        cast(sum(hashtags_broadcast_only) as bigint) as hashtags_broadcast_only,
        cast(sum(follow_churn_events) as bigint) as follow_churn_events,
        cast(sum(follow_churn_followed) as bigint) as follow_churn_followed,
        cast(sum(follow_churn_unfollowed) as bigint) as follow_churn_unfollowed,
        -- followers add up across networks (a person following on two counts twice);
        -- unknown when any account's count is, rather than a sum of some of them
        case when count(followers_end) = count(*) then sum(followers_end) end as followers_end,
        case when count(following_end) = count(*) then sum(following_end) end as following_end
    from scorecard
    group by client, period_start, period_end, role, brand_name
),

-- the period's inbound messages of each brand's accounts, pooled
pooled as (
    select
        a.client,
        a.period_start,
        a.period_end,
        a.role,
        a.brand_name,
        {{ conversation_counts('i') }}
    from {{ ref('int_audit__inbound') }} as i
    inner join {{ ref('int_audit__accounts') }} as a
        using (client, period_start, period_end, platform, account_key)
    group by a.client, a.period_start, a.period_end, a.role, a.brand_name
)

select
    s.client,
    s.period_start,
    s.period_end,
    s.period_days,
    s.role,
    s.brand_name,
    s.accounts,
    s.networks,
    s.platforms,
    s.inbound_coverage,
    cast(s.posts as bigint) as posts,
    cast(s.originals as bigint) as originals,
    cast(s.replies as bigint) as replies,
    cast(s.retweets as bigint) as retweets,
    cast(s.quotes as bigint) as quotes,
    {{ post_shares(['originals', 'replies', 'retweets', 'quotes'], 's.posts') }},
    cast(s.broadcast_posts as bigint) as broadcast_posts,
    {{ post_shares(['broadcast_posts'], 's.posts') }},
    cast(s.inbound as bigint) as inbound,
    cast(s.answered as bigint) as answered,
    {{ response_rate('s.answered', 's.inbound') }} as response_rate,
    p.median_first_response_min,
    p.p90_first_response_min,
    cast(s.engagement_posts as bigint) as engagement_posts,
    cast(s.engagements as bigint) as engagements,
    {{ engagement_per_post('s.engagements', 's.engagement_posts') }} as engagement_per_post,
    cast(s.followers_end as bigint) as followers_end,
    cast(s.following_end as bigint) as following_end,
    {{ follower_following_ratio('s.followers_end', 's.following_end') }} as follower_following_ratio,
    -- the shares recomputed from the sums, by the scorecard's macros
    {{ question_columns() }},
    {{ etiquette_columns() }},
    {{ thread_columns() }},
    introductions,
    {{ hashtag_columns() }},
    follow_churn_events,
    follow_churn_followed,
    follow_churn_unfollowed
from summed as s
left join pooled as p
    using (client, period_start, period_end, role, brand_name)
