-- One row per stored post that breaks the source contract, with why. These posts stay
-- here for review and are left out of every metric (int_posts__current drops them): a
-- post without an author cannot be attributed, one without a time cannot be placed in a
-- period or timed, and a reply dated before the post it answers would make a negative
-- response time. Parsers already reject what they cannot read (canonical.rejects); this
-- catches what a source delivered well-formed but wrong.
--
-- Incremental: a daily run checks again only the posts from files it has not checked
-- yet and the replies to them (a parent that arrives or changes can quarantine or
-- release its replies). It writes every post it checked, clean ones with a NULL
-- reason, so delete+insert replaces their old rows; the post_hook then drops the clean
-- ones. A full build writes only the quarantined posts.
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['platform', 'post_id'],
    pre_hook="create table if not exists {{ checked_files_relation() }} (raw_file_id varchar)",
    post_hook=[
        "delete from {{ this }} where reason is null",
        "create or replace table {{ checked_files_relation() }} as select distinct raw_file_id from {{ ref('stg_canonical__posts') }}",
    ],
) }}

-- Only the columns the checks read: this self-join runs over every stored post.
with posts as (
    select platform, post_id, account_id, created_at, in_reply_to_post_id, raw_file_id
    from {{ ref('stg_canonical__posts') }}
),

{% if is_incremental() %}
new_posts as (
    select platform, post_id from posts
    where raw_file_id not in (select raw_file_id from {{ checked_files_relation() }})
),

to_check as (
    select platform, post_id from new_posts
    union
    select p.platform, p.post_id
    from posts as p
    inner join new_posts as n
        on n.platform = p.platform and n.post_id = p.in_reply_to_post_id
),
{% endif %}

checked as (
    select
        p.platform,
        p.post_id,
        p.account_id,
        p.created_at,
        p.in_reply_to_post_id,
        parent.created_at as parent_created_at,
        p.raw_file_id,
        list_filter([
            case when nullif(trim(p.post_id), '') is null then 'missing post_id' end,
            case when nullif(trim(p.account_id), '') is null then 'missing account_id' end,
            case when p.created_at is null then 'missing created_at' end,
            -- the version the source says was replied to, not the latest edit of it
            case when p.created_at < parent.created_at then 'reply predates its parent' end
        ], lambda r: r is not null) as reasons
    from posts as p
    left join posts as parent
        on parent.platform = p.platform and parent.post_id = p.in_reply_to_post_id
    {% if is_incremental() %}
    where exists (
        select 1 from to_check as c where c.platform = p.platform and c.post_id = p.post_id
    )
    {% endif %}
)

select
    platform,
    post_id,
    account_id,
    created_at,
    in_reply_to_post_id,
    parent_created_at,
    nullif(array_to_string(reasons, '; '), '') as reason,
    raw_file_id
from checked
{% if not is_incremental() %}
where len(reasons) > 0
{% endif %}
