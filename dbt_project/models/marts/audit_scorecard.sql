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
        {{ post_counts(['posts', 'originals', 'replies', 'retweets', 'quotes', 'broadcast_posts']) }},
        count(*) filter (where is_introduction) as introductions,
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
        {{ conversation_counts() }}
    from {{ ref('int_audit__inbound') }}
    group by client, period_start, period_end, platform, account_key
),

followers as (
    select * from {{ ref('int_audit__followers') }}
),

-- the period's inbound messages that ask something (macros/text_questions.sql)
questions as (
    select
        i.client,
        i.period_start,
        i.period_end,
        i.platform,
        i.account_key,
        count(*) as question_inbound,
        count(*) filter (where i.answered) as question_answered
    from {{ ref('int_audit__inbound') }} as i
    inner join {{ ref('stg_canonical__posts') }} as s
        on s.platform = i.platform and s.post_id = i.post_id
    where {{ is_question('s.text') }}
    group by i.client, i.period_start, i.period_end, i.platform, i.account_key
),

-- first contacts made in the period (marts.first_contacts: the brand's first reply to,
-- or mention of, each account it ever addressed)
first_contacts as (
    select
        a.client,
        a.period_start,
        a.period_end,
        a.platform,
        a.account_key,
        count(*) as first_contacts,
        count(*) filter (where fc.is_pitch) as first_contact_pitches,
        count(*) filter (where fc.is_amplify_request) as first_contact_amplify_requests
    from accounts as a
    inner join {{ ref('first_contacts') }} as fc
        on {{ in_audit_period('fc') }}
    group by a.client, a.period_start, a.period_end, a.platform, a.account_key
),

-- the period's replies with text, and the texts among them posted twice or more
-- (marts.audit_canned_replies)
reply_texts as (
    select
        client, period_start, period_end, platform, account_key,
        count(*) as text_replies
    from {{ ref('int_audit__reply_texts') }}
    where reply_text <> ''
    group by client, period_start, period_end, platform, account_key
),

canned as (
    select
        client,
        period_start,
        period_end,
        platform,
        account_key,
        sum(replies) as canned_replies,
        -- the most repeated text (ties: the greatest in text order), for the report
        arg_max(reply_text, (replies, reply_text)) as top_canned_reply,
        max(replies) as top_canned_reply_uses
    from {{ ref('audit_canned_replies') }}
    group by client, period_start, period_end, platform, account_key
),

-- the threads the account joined in the period (its first post in the thread is in
-- it), and of those the ones whose latest post is its own (marts.thread_accounts)
threads as (
    select
        a.client,
        a.period_start,
        a.period_end,
        a.platform,
        a.account_key,
        count(*) as threads,
        count(*) filter (where ta.has_last_word) as threads_brand_last_word
    from accounts as a
    inner join {{ ref('thread_accounts') }} as ta
        on {{ in_audit_period('ta', 'first_post_at') }}
    group by a.client, a.period_start, a.period_end, a.platform, a.account_key
),

-- follow sprees undone within days whose peak falls in the period
-- (marts.follow_churn_events)
churn as (
    select
        a.client,
        a.period_start,
        a.period_end,
        a.platform,
        a.account_key,
        count(*) as follow_churn_events,
        sum(e.following_peak - e.following_before) as follow_churn_followed,
        sum(e.following_peak - e.following_after) as follow_churn_unfollowed
    from accounts as a
    inner join {{ ref('follow_churn_events') }} as e
        on {{ in_audit_period('e', 'peak_at') }}
    group by a.client, a.period_start, a.period_end, a.platform, a.account_key
),

-- the hashtags the account posted with in the period (marts.audit_hashtags)
hashtags as (
    select
        client,
        period_start,
        period_end,
        platform,
        account_key,
        count(*) as hashtags,
        count(*) filter (where not carried_conversation) as hashtags_broadcast_only
    from {{ ref('audit_hashtags') }}
    group by client, period_start, period_end, platform, account_key
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
        f.bio_empty_end,
        coalesce(q.question_inbound, 0) as question_inbound,
        coalesce(q.question_answered, 0) as question_answered,
        coalesce(fc.first_contacts, 0) as first_contacts,
        coalesce(fc.first_contact_pitches, 0) as first_contact_pitches,
        coalesce(fc.first_contact_amplify_requests, 0) as first_contact_amplify_requests,
        coalesce(rt.text_replies, 0) as text_replies,
        cast(coalesce(c.canned_replies, 0) as bigint) as canned_replies,
        c.top_canned_reply,
        c.top_canned_reply_uses,
        coalesce(th.threads, 0) as threads,
        coalesce(th.threads_brand_last_word, 0) as threads_brand_last_word,
        coalesce(p.introductions, 0) as introductions,
        coalesce(h.hashtags, 0) as hashtags,
        coalesce(h.hashtags_broadcast_only, 0) as hashtags_broadcast_only,
        coalesce(ch.follow_churn_events, 0) as follow_churn_events,
        coalesce(ch.follow_churn_followed, 0) as follow_churn_followed,
        coalesce(ch.follow_churn_unfollowed, 0) as follow_churn_unfollowed
    from accounts as a
    left join posts as p using (client, period_start, period_end, platform, account_key)
    left join gaps as g using (client, period_start, period_end, platform, account_key)
    left join inbound as i using (client, period_start, period_end, platform, account_key)
    left join followers as f using (client, period_start, period_end, platform, account_key)
    left join questions as q using (client, period_start, period_end, platform, account_key)
    left join first_contacts as fc using (client, period_start, period_end, platform, account_key)
    left join reply_texts as rt using (client, period_start, period_end, platform, account_key)
    left join canned as c using (client, period_start, period_end, platform, account_key)
    left join threads as th using (client, period_start, period_end, platform, account_key)
    left join churn as ch using (client, period_start, period_end, platform, account_key)
    left join hashtags as h using (client, period_start, period_end, platform, account_key)
),

figures as (
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
        brand_name,
        inbound_coverage,
        -- post mix (marts.post_mix, over the period)
        {{ post_mix_columns() }},
        {{ post_shares(['amplified']) }},
        -- cadence
        posts / (period_days / 7.0) as posts_per_week,
        days_with_posts,
        longest_gap_hours,
        -- conversation (marts.conversation_metrics, over the period)
        inbound,
        answered,
        {{ response_rate() }} as response_rate,
        median_first_response_min,
        p90_first_response_min,
        {{ question_columns() }},
        -- etiquette (marts.first_contacts and marts.canned_replies, over the period)
        {{ etiquette_columns() }},
        top_canned_reply,
        top_canned_reply_uses,
        -- threads, introductions, hashtags (marts.thread_accounts, marts.audit_hashtags)
        {{ thread_columns() }},
        introductions,
        {{ hashtag_columns() }},
        -- followers
        start_observed_at,
        end_observed_at,
        followers_start,
        followers_end,
        {{ period_change('followers') }} as follower_growth,
        {{ ratio(period_change('followers'), 'followers_start') }} as follower_growth_rate,
        following_start,
        following_end,
        {{ period_change('following') }} as following_growth,
        follow_churn_events,
        follow_churn_followed,
        follow_churn_unfollowed,
        {{ follower_following_ratio('followers_end', 'following_end') }} as follower_following_ratio,
        {{ ratio('following_end', 'followers_end') }} as follows_per_follower,
        -- engagement
        engagement_posts,
        engagements,
        likes,
        reposts,
        replies_received,
        quotes_received,
        {{ engagement_per_post() }} as engagement_per_post,
        {{ engagement_per_post_per_1k_followers() }} as engagement_per_post_per_1k_followers,
        -- legitimacy (marts.accounts' flags, on the profile at the period's end)
        posts_count_end,
        {{ legitimacy_flags('has_default_avatar_end', 'bio_empty_end', 'posts_count_end',
                            'followers_end', 'following_end') }},
        -- Cresci et al.'s single rules; their bio and avatar rules are the two flags above
        {{ cresci_rules('posts_count_end', 'followers_end', 'following_end') }}
    from joined
    ),

-- the yardstick a brand is judged against: the period's competitors with an account,
-- pooled (their messages together) or averaged (engagement), on every row of the period
-- and network: an X account is judged against X competitors, a Bluesky one against
-- Bluesky's (their messages are read differently: inbound_coverage)
benchmark as (
    select
        *,
        cast(coalesce(sum(case when role = 'competitor' and account_id is not null
            then inbound end) over period, 0) as bigint) as competitor_inbound,
        cast(coalesce(sum(case when role = 'competitor' and account_id is not null
            then answered end) over period, 0) as bigint) as competitor_answered,
        avg(case when role = 'competitor' and account_id is not null
            then engagement_per_post_per_1k_followers end) over period
            as competitor_engagement_per_post_per_1k_followers
    from figures
    window period as (partition by client, period_start, period_end, platform)
)

select
    * exclude (competitor_engagement_per_post_per_1k_followers),
    {{ response_rate('competitor_answered', 'competitor_inbound') }} as competitor_response_rate,
    competitor_engagement_per_post_per_1k_followers
from benchmark
