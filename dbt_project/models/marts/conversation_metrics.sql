-- One row per measured account (audited or marked a brand): how much it talks, how
-- much is addressed to it, and how fast it answers. Accounts with no posts or no
-- inbound still appear, with zero counts and NULL rates, so a silent brand shows up.
with targets as (
    select * from {{ ref('int_conversation_accounts') }}
),

activity as (
    select
        p.platform,
        p.account_id,
        {{ post_counts(['posts', 'replies'], 'p') }},
        -- B connecting people to others (macros/metrics.sql is_introduction)
        count(*) filter (
            where {{ is_introduction('p.kind', 'p.mentions', 'parent_author.handle_lower', 't.handle') }}
        ) as introductions
    from {{ ref('int_posts__current') }} as p
    -- only the measured accounts' posts: grouping every author's would cost far more
    inner join targets as t
        on t.platform = p.platform and t.account_id = p.account_id
    left join {{ ref('int_accounts__all') }} as parent_author
        on parent_author.platform = p.platform and parent_author.account_id = p.replied_to_account_id
    group by p.platform, p.account_id
),

responsiveness as (
    select
        platform,
        account_key,
        {{ conversation_counts() }}
    from {{ ref('int_first_responses') }}
    group by platform, account_key
),

-- the inbound messages that ask something (see macros/text_questions.sql)
questions as (
    select
        f.platform,
        f.account_key,
        count(*) as question_inbound,
        count(*) filter (where f.answered) as question_answered
    from {{ ref('int_first_responses') }} as f
    inner join {{ ref('stg_canonical__posts') }} as sp
        on sp.platform = f.platform and sp.post_id = f.post_id
    where {{ is_question('sp.text') }}
    group by f.platform, f.account_key
),

thread_figures as (
    select
        platform,
        account_id,
        count(*) as threads,
        count(*) filter (where has_last_word) as threads_brand_last_word
    from {{ ref('thread_accounts') }}
    group by platform, account_id
),

-- first contacts and canned replies (marts.first_contacts, marts.canned_replies)
etiquette as (
    select * from {{ ref('int_etiquette__by_account') }}
),

joined as (
    select
        t.platform,
        t.account_id,
        t.handle,
        coalesce(a.posts, 0) as posts,
        coalesce(a.replies, 0) as replies,
        coalesce(r.inbound, 0) as inbound,
        coalesce(r.answered, 0) as answered,
        r.median_first_response_min,
        r.p90_first_response_min,
        coalesce(q.question_inbound, 0) as question_inbound,
        coalesce(q.question_answered, 0) as question_answered,
        coalesce(th.threads, 0) as threads,
        coalesce(th.threads_brand_last_word, 0) as threads_brand_last_word,
        coalesce(a.introductions, 0) as introductions,
        coalesce(e.first_contacts, 0) as first_contacts,
        coalesce(e.first_contact_pitches, 0) as first_contact_pitches,
        coalesce(e.first_contact_amplify_requests, 0) as first_contact_amplify_requests,
        coalesce(e.text_replies, 0) as text_replies,
        coalesce(e.canned_replies, 0) as canned_replies,
        t.is_brand,
        t.is_audited,
        t.inbound_coverage
    from targets as t
    left join activity as a
        on a.platform = t.platform and a.account_id = t.account_id
    left join responsiveness as r
        on r.platform = t.platform and r.account_key = t.account_key
    left join questions as q
        on q.platform = t.platform and q.account_key = t.account_key
    left join thread_figures as th
        on th.platform = t.platform and th.account_id = t.account_id
    left join etiquette as e
        on e.platform = t.platform and e.account_key = t.account_key
)

select
    platform,
    account_id,
    handle,
    posts,
    replies,
    {{ post_shares(['replies']) }},
    inbound,
    answered,
    {{ response_rate() }} as response_rate,
    median_first_response_min,
    p90_first_response_min,
    {{ question_columns() }},
    {{ thread_columns() }},
    introductions,
    {{ etiquette_columns() }},
    is_brand,
    is_audited,
    inbound_coverage
from joined
