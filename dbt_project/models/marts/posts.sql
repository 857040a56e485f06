-- One row per post that counts (superseded edit versions excluded), with its author's
-- handle and kind: the base the reports slice and the other marts aggregate.
with posts as (
    select * from {{ ref('int_posts__current') }}
),

accounts as (
    select * from {{ ref('int_accounts__all') }}
)

select
    p.platform,
    p.post_id,
    p.account_id,
    a.handle,
    p.created_at,
    p.kind,
    p.in_reply_to_post_id,
    p.conversation_id,
    p.in_reply_to_account_id,
    p.quoted_post_id,
    p.reposted_post_id,
    p.text,
    p.lang,
    p.mentions
from posts as p
left join accounts as a
    on a.platform = p.platform and a.account_id = p.account_id
