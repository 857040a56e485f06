-- One row per stored post version, renamed and cleaned only. Superseded edit versions
-- are still here: intermediate drops them once it has used them to resolve replies.
with source as (
    select * from {{ source('canonical', 'posts') }}
)

select
    platform,
    post_id,
    account_id,
    created_at,
    text,
    lang,
    -- Loaders may write '' for "not a reply"; downstream kind logic tests for NULL.
    nullif(trim(in_reply_to_post_id), '') as in_reply_to_post_id,
    nullif(trim(in_reply_to_account_id), '') as in_reply_to_account_id,
    nullif(trim(conversation_id), '') as conversation_id,
    nullif(trim(quoted_post_id), '') as quoted_post_id,
    nullif(trim(reposted_post_id), '') as reposted_post_id,
    -- Case is kept as written; matching lowers both sides where it compares. Loaders
    -- already write bare handles, so the per-element clean-up (a lambda, slow over
    -- millions of rows) only runs on lists that hold a NULL, '', '@' or a space.
    case
        when len(mentions) > 0 and (
            list_count(mentions) <> len(mentions)
            or list_contains(mentions, '')
            or contains(array_to_string(mentions, ','), '@')
            or contains(array_to_string(mentions, ','), ' ')
        )
            then [ltrim(trim(m), '@') for m in mentions if nullif(ltrim(trim(m), '@'), '') is not null]
        else mentions
    end as mentions,
    hashtags,
    urls,
    like_count,
    repost_count,
    reply_count,
    quote_count,
    impression_count,
    edit_history_post_ids,
    raw_file_id
from source
