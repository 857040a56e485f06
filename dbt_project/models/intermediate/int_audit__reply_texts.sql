-- One row per audit period, audited account and reply it wrote in the period, with its
-- normalised text (int_reply_texts): what the period's canned replies are counted on
-- (marts.audit_canned_replies, marts.audit_scorecard).
select
    a.client,
    a.period_start,
    a.period_end,
    a.platform,
    a.account_key,
    a.account_id,
    r.post_id,
    r.created_at,
    r.reply_text
from {{ ref('int_audit__accounts') }} as a
inner join {{ ref('int_reply_texts') }} as r
    on {{ in_audit_period('r') }}
