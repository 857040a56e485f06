-- One row per (platform, brand, addressed account): the brand's first post addressing
-- that account in the data, and whether it opened with a pitch or a request to amplify.
-- Addressing is a reply to the account or a mention of its handle (a handle we know
-- maps to that account, any other to '@' || lower(handle)); never the brand itself, and
-- never a retweet (it passes a post on rather than speaking to anyone). A post that
-- replies to A and mentions C is the first contact with both if neither came earlier;
-- of two posts in the same second the smaller post_id comes first.
-- Intermediate so that int_etiquette__by_account can count it (intermediate never reads
-- a mart); marts.first_contacts publishes it as it is, column docs in its YAML.
with brands as (
    select platform, account_id, any_value(handle) as handle
    from {{ ref('int_conversation_accounts') }}
    where account_id is not null
    group by platform, account_id
),

-- One handle, one account: of two accounts once holding the same handle, the smaller id.
known_handles as (
    select platform, lower(handle) as handle_lower, min(account_id) as account_id
    from {{ ref('int_accounts__all') }}
    where handle is not null
    group by platform, lower(handle)
),

brand_posts as (
    select p.platform, p.post_id, p.account_id, p.created_at, p.replied_to_account_id, p.mentions
    from {{ ref('int_posts__current') }} as p
    inner join brands as b
        on b.platform = p.platform and b.account_id = p.account_id
    where p.kind <> 'retweet'
),

by_reply as (
    select platform, account_id, post_id, created_at,
        replied_to_account_id as addressed_key, true as via_reply, false as via_mention
    from brand_posts
    where replied_to_account_id is not null
),

by_mention as (
    select
        m.platform, m.account_id, m.post_id, m.created_at,
        coalesce(k.account_id, '@' || m.handle_lower) as addressed_key,
        false as via_reply, true as via_mention
    from (
        select platform, account_id, post_id, created_at, lower(unnest(mentions)) as handle_lower
        from brand_posts
        where len(mentions) > 0
    ) as m
    left join known_handles as k
        on k.platform = m.platform and k.handle_lower = m.handle_lower
),

-- One row per post and addressed account (a reply that also mentions its account, or
-- the same handle twice, is one addressing).
addressed as (
    select
        platform, account_id, addressed_key, post_id, created_at,
        bool_or(via_reply) as via_reply, bool_or(via_mention) as via_mention
    from (select * from by_reply union all select * from by_mention) as u
    where addressed_key <> account_id
    group by platform, account_id, addressed_key, post_id, created_at
),

firsts as (
    select *
    from addressed
    qualify row_number() over (
        partition by platform, account_id, addressed_key order by created_at, post_id
    ) = 1
),

-- The lexicon phrases in force (added_in up to the version this build uses).
lexicon as (
    select phrase, category, match
    from {{ ref('first_contact_lexicon') }}
    where added_in <= {{ var('first_contact_lexicon_version') }}
),

texts as (
    select
        f.platform, f.post_id,
        {{ lexicon_text('s.text') }} as words,
        coalesce(len(s.urls) > 0, false)
            or regexp_matches(coalesce(s.text, ''), '(https?://|www\.)\S') as has_link
    from (select distinct platform, post_id from firsts) as f
    inner join {{ ref('stg_canonical__posts') }} as s
        on s.platform = f.platform and s.post_id = f.post_id
),

-- The phrase each post matches per category: the longest, then the first alphabetically,
-- so the column names the most specific phrase found ("coupon code" over "coupon").
phrases as (
    select
        t.platform, t.post_id,
        arg_min(l.phrase, (-length(l.phrase), l.phrase)) filter (where l.category = 'pitch')
            as pitch_phrase,
        arg_min(l.phrase, (-length(l.phrase), l.phrase)) filter (where l.category = 'amplify_request')
            as amplify_phrase
    from texts as t
    inner join lexicon as l
        on {{ lexicon_matches('t.words', 'l') }}
    group by t.platform, t.post_id
)

select
    f.platform,
    f.account_id,
    b.handle,
    f.addressed_key,
    case when f.addressed_key like '@%' then null else f.addressed_key end as addressed_account_id,
    coalesce(a.handle, case when f.addressed_key like '@%' then substr(f.addressed_key, 2) end)
        as addressed_handle,
    f.post_id,
    f.created_at,
    case
        when f.via_reply and f.via_mention then 'reply+mention'
        when f.via_reply then 'reply'
        else 'mention'
    end as via,
    coalesce(t.has_link, false) as has_link,
    ph.pitch_phrase,
    ph.amplify_phrase,
    coalesce(t.has_link, false) or ph.pitch_phrase is not null as is_pitch,
    ph.amplify_phrase is not null as is_amplify_request
from firsts as f
inner join brands as b
    on b.platform = f.platform and b.account_id = f.account_id
left join {{ ref('int_accounts__all') }} as a
    on a.platform = f.platform and a.account_id = f.addressed_key
left join texts as t
    on t.platform = f.platform and t.post_id = f.post_id
left join phrases as ph
    on ph.platform = f.platform and ph.post_id = f.post_id
