-- One row per inbound message and the measured account it addresses (a reply to it or
-- a mention of it): who wrote, when, what, and whether and how fast the account
-- answered. The figures are int_inbound_messages' (which computes first_response_min
-- and the answering post once, in the pass that matches the replies); this mart only
-- adds the names and the text.
--
-- A view: the mart is as large as the messages themselves (most of TWCS's ~3M posts,
-- and as many rows as posts addressed to a measured account at 10M posts), and every
-- column is already stored in the incremental int_inbound_messages, canonical.posts
-- and int_accounts__all. Building it costs nothing, a daily run never copies the
-- messages again, and a query reads only the columns (and joins) it names.
{{ config(materialized='view') }}

with inbound as (
    select * from {{ ref('int_inbound_messages') }}
),

measured as (
    select platform, account_key, handle from {{ ref('int_conversation_accounts') }}
),

accounts as (
    select platform, account_id, handle from {{ ref('int_accounts__all') }}
),

stored as (
    select platform, post_id, text from {{ ref('stg_canonical__posts') }}
)

select
    i.platform,
    i.account_id,
    m.handle,
    i.post_id,
    i.author_account_id,
    au.handle as author_handle,
    i.created_at,
    t.text,
    i.via_reply,
    i.via_mention,
    i.answered,
    i.first_response_at,
    i.first_response_min,
    i.first_response_post_id
from inbound as i
inner join measured as m
    on m.platform = i.platform and m.account_key = i.account_key
left join accounts as au
    on au.platform = i.platform and au.account_id = i.author_account_id
left join stored as t
    on t.platform = i.platform and t.post_id = i.post_id
