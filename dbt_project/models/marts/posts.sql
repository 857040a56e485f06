-- One row per post that counts (superseded edit versions and quarantined posts
-- excluded), with its author's handle, kind and text: what analysts slice.
--
-- A view: int_posts__current holds the computed columns and canonical.posts the text,
-- so building this mart costs nothing, and a query reads only the columns it names
-- (a full build used to spend a quarter of its time copying every post's text here).
-- Nothing in the pipeline reads it; the other marts aggregate int_posts__current.
{{ config(materialized='view') }}

with posts as (
    select * from {{ ref('int_posts__current') }}
),

-- what int_posts__current leaves in canonical.posts
stored as (
    select
        platform, post_id, text, lang, in_reply_to_account_id, conversation_id,
        quoted_post_id, reposted_post_id
    from {{ ref('stg_canonical__posts') }}
),

accounts as (
    select platform, account_id, handle from {{ ref('int_accounts__all') }}
)

select
    p.platform,
    p.post_id,
    p.account_id,
    a.handle,
    p.created_at,
    p.kind,
    p.in_reply_to_post_id,
    t.conversation_id,
    t.in_reply_to_account_id,
    t.quoted_post_id,
    t.reposted_post_id,
    t.text,
    t.lang,
    p.mentions
from posts as p
left join stored as t
    on t.platform = p.platform and t.post_id = p.post_id
left join accounts as a
    on a.platform = p.platform and a.account_id = p.account_id
