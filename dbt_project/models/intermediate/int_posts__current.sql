-- One row per post that counts: superseded edit versions and posts breaking the source
-- contract (int_posts__quarantined) dropped. Everything is computed, once, in
-- int_posts__resolved; this view only picks the posts every metric counts.
{{ config(materialized='view') }}

select
    platform,
    post_id,
    account_id,
    created_at,
    kind,
    in_reply_to_post_id,
    replied_to_account_id,
    mentions,
    raw_file_id,
    _built_at
from {{ ref('int_posts__resolved') }}
where counts
