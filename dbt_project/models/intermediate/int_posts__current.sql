-- One row per post that counts: superseded edit versions dropped, each post given its
-- kind, and its reply target resolved through edits so conversations survive them.
with posts as (
    select * from {{ ref('stg_canonical__posts') }}
),

edits as (
    select * from {{ ref('int_posts__edit_chains') }}
),

current_posts as (
    select p.*
    from posts as p
    left join edits as e
        on e.platform = p.platform and e.post_id = p.post_id
    where not coalesce(e.is_superseded, false)
),

resolved as (
    select
        c.*,
        coalesce(pe.current_post_id, c.in_reply_to_post_id) as parent_post_id
    from current_posts as c
    left join edits as pe
        on pe.platform = c.platform and pe.post_id = c.in_reply_to_post_id
)

select
    r.platform,
    r.post_id,
    r.account_id,
    r.created_at,
    -- A retweet that is also flagged as a reply still only amplifies, and a reply that
    -- quotes is still a reply: the first matching reference wins.
    case
        when r.reposted_post_id is not null then 'retweet'
        when r.in_reply_to_post_id is not null then 'reply'
        when r.quoted_post_id is not null then 'quote'
        else 'original'
    end as kind,
    r.parent_post_id as in_reply_to_post_id,
    r.in_reply_to_account_id,
    -- The stored parent's author is authoritative; the source's in_reply_to_account_id
    -- only fills in when the parent was never stored.
    coalesce(parent.account_id, r.in_reply_to_account_id) as replied_to_account_id,
    r.conversation_id,
    r.quoted_post_id,
    r.reposted_post_id,
    r.text,
    r.lang,
    r.mentions
from resolved as r
left join posts as parent
    on parent.platform = r.platform and parent.post_id = r.parent_post_id
