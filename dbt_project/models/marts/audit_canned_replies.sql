-- One row per client, audit period, audited account and reply text it posted as two or
-- more of its replies in the period: marts.canned_replies over the period, for the
-- report's list of a brand's most repeated replies.
with texts as (
    {{ canned_reply_texts(ref('int_audit__reply_texts'),
                          ['client', 'period_start', 'period_end', 'account_key']) }}
)

select
    t.client,
    t.period_start,
    t.period_end,
    t.platform,
    t.account_key,
    t.account_id,
    a.handle,
    t.reply_text,
    t.replies,
    t.first_at,
    t.last_at
from texts as t
inner join {{ ref('int_audit__accounts') }} as a
    using (client, period_start, period_end, platform, account_key)
