-- One row per (platform, account, reply text) that the account posted as two or more
-- of its replies: the public form of an auto-DM, the same words sent to everyone.
-- A text that is empty once mentions and URLs are gone (a bare link) is not a text.
with texts as (
    {{ canned_reply_texts(ref('int_reply_texts')) }}
),

accounts as (
    select platform, account_id, any_value(handle) as handle
    from {{ ref('int_conversation_accounts') }}
    where account_id is not null
    group by platform, account_id
)

select
    t.platform,
    t.account_id,
    a.handle,
    t.reply_text,
    t.replies,
    t.first_at,
    t.last_at
from texts as t
inner join accounts as a
    on a.platform = t.platform and a.account_id = t.account_id
