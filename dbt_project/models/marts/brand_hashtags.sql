-- One row per measured account and hashtag it posted with: its posts carrying the tag,
-- the replies other accounts wrote to those posts, and the replies between two other
-- accounts that both carry the tag (the tag's conversation without the brand). A tag
-- with neither carried no conversation: the brand only broadcast into it.
-- All time; marts.audit_hashtags is the same per audit period (macros/hashtags.sql).
-- A table: one row per account and tag, small at any corpus size.
{% set scope %}
    select distinct
        platform,
        account_id,
        handle,
        '-infinity'::timestamptz as window_start,
        'infinity'::timestamptz as window_end
    from {{ ref('int_conversation_accounts') }}
    where account_id is not null
{% endset %}

{{ hashtag_figures(scope, []) }}
