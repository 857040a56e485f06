-- One row per reply (kind 'reply') by a measured account, with its normalised text
-- (macros/post_text.sql): what canned replies are counted on, all-time here
-- (marts.canned_replies, int_etiquette__by_account) and per audit period by
-- audit_scorecard. Narrow on purpose: only the columns those counts need.
with measured as (
    select distinct platform, account_id
    from {{ ref('int_conversation_accounts') }}
    where account_id is not null
),

replies as (
    select p.platform, p.account_id, p.post_id, p.created_at
    from {{ ref('int_posts__current') }} as p
    inner join measured as m
        on m.platform = p.platform and m.account_id = p.account_id
    where p.kind = 'reply'
)

select
    r.platform,
    r.account_id,
    r.post_id,
    r.created_at,
    {{ normalise_post_text('s.text') }} as reply_text
from replies as r
inner join {{ ref('stg_canonical__posts') }} as s
    on s.platform = r.platform and s.post_id = r.post_id
