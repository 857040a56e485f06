-- One row per measured account (audited or marked a brand): how much it talks, how
-- much is addressed to it, and how fast it answers. Accounts with no posts or no
-- inbound still appear, with zero counts and NULL rates, so a silent brand shows up.
with targets as (
    select * from {{ ref('int_conversation_accounts') }}
),

activity as (
    select
        platform,
        account_id,
        {{ post_counts(['posts', 'replies']) }}
    from {{ ref('int_posts__current') }} as p
    -- only the measured accounts' posts: grouping every author's would cost far more
    where exists (
        select 1 from targets as t
        where t.platform = p.platform and t.account_id = p.account_id
    )
    group by platform, account_id
),

responsiveness as (
    select
        platform,
        account_key,
        {{ conversation_counts() }}
    from {{ ref('int_first_responses') }}
    group by platform, account_key
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
        t.is_brand,
        t.is_audited,
        t.inbound_coverage
    from targets as t
    left join activity as a
        on a.platform = t.platform and a.account_id = t.account_id
    left join responsiveness as r
        on r.platform = t.platform and r.account_key = t.account_key
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
    is_brand,
    is_audited,
    inbound_coverage
from joined
