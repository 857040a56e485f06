-- Posts that break the source contract, with every reason (see int_posts__resolved,
-- which judges every stored post once): kept here for inspection and left out of
-- every metric.
{{ config(materialized='view') }}

select
    platform,
    post_id,
    account_id,
    created_at,
    coalesce(source_in_reply_to_post_id, in_reply_to_post_id) as in_reply_to_post_id,
    parent_created_at,
    quarantine_reason as reason,
    raw_file_id,
    _built_at
from {{ ref('int_posts__resolved') }}
where quarantine_reason is not null
