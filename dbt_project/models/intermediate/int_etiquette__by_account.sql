-- One row per measured account: the counts behind conversation_metrics'
-- first_contact_pitch_share, first_contact_amplify_request_share and canned_reply_share
-- (the shares themselves are made there, with macros/metrics.sql ratio()). An audited
-- handle never seen (no account_id) has a row of zeros.
with accounts as (
    select distinct platform, account_key, account_id
    from {{ ref('int_conversation_accounts') }}
),

contacts as (
    select
        platform, account_id,
        count(*) as first_contacts,
        count(*) filter (where is_pitch) as first_contact_pitches,
        count(*) filter (where is_amplify_request) as first_contact_amplify_requests
    from {{ ref('int_first_contacts') }}
    group by platform, account_id
),

texts as (
    select
        platform, account_id,
        count(*) filter (where reply_text <> '') as text_replies
    from {{ ref('int_reply_texts') }}
    group by platform, account_id
),

canned as (
    select platform, account_id, sum(replies) as canned_replies
    from ({{ canned_reply_texts(ref('int_reply_texts')) }}) as c
    group by platform, account_id
)

select
    a.platform,
    a.account_key,
    a.account_id,
    coalesce(c.first_contacts, 0) as first_contacts,
    coalesce(c.first_contact_pitches, 0) as first_contact_pitches,
    coalesce(c.first_contact_amplify_requests, 0) as first_contact_amplify_requests,
    coalesce(t.text_replies, 0) as text_replies,
    coalesce(k.canned_replies, 0)::bigint as canned_replies
from accounts as a
left join contacts as c
    on c.platform = a.platform and c.account_id = a.account_id
left join texts as t
    on t.platform = a.platform and t.account_id = a.account_id
left join canned as k
    on k.platform = a.platform and k.account_id = a.account_id
