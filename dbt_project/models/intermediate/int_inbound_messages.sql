-- One row per (measured account, message addressed to it). A message to B is a post by
-- another account that replies to B or mentions @B. Retweets are excluded: they amplify
-- a post rather than say something to B, and a retweet of a mention would otherwise
-- count the same customer message twice.
--
-- Incremental: a daily run matches again only the messages int_posts__current rewrote
-- since the last run and the messages that reach a measured account added (or changed)
-- since then, replacing every row of each such message. Rows of an account no longer
-- measured, or measured under another id or handle, are deleted first.
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['platform', 'post_id'],
    pre_hook=[
        "{% if is_incremental() %}{{ delete_rows_of_changed_targets(this) }}{% endif %}",
        "create table if not exists {{ matched_targets_relation() }} (platform varchar, account_key varchar, _target_hash ubigint)",
    ],
    post_hook=[
        "{{ delete_posts_that_no_longer_count(this) }}",
        "create or replace table {{ matched_targets_relation() }} as select platform, account_key, {{ conversation_target_hash('t') }} as _target_hash from {{ ref('int_conversation_accounts') }} as t",
    ],
) }}

with targets as (
    select
        platform, account_key, account_id, lower(handle) as handle_lower,
        {{ conversation_target_hash('t') }} as _target_hash
    from {{ ref('int_conversation_accounts') }} as t
),

-- Read twice (replies, mentions) straight from the table rather than copied once.
messages as not materialized (
    select platform, post_id, account_id, created_at, replied_to_account_id, mentions, _built_at
    from {{ ref('int_posts__current') }}
    where kind <> 'retweet'
),

{% if is_incremental() %}
new_targets as (
    select * from targets as t
    where not exists (
        select 1 from {{ matched_targets_relation() }} as m
        where m.platform = t.platform and m.account_key = t.account_key
          and m._target_hash = t._target_hash
    )
),

-- Usually none: a message reaches a new target by reply or by mention.
reaching_new_targets as (
    select m.platform, m.post_id
    from messages as m
    inner join new_targets as t
        on t.platform = m.platform and t.account_id = m.replied_to_account_id
    union
    select m.platform, m.post_id
    from (
        select platform, post_id, lower(unnest(mentions)) as handle_lower from messages
    ) as m
    inner join new_targets as t
        on t.platform = m.platform and t.handle_lower = m.handle_lower
),
{% endif %}

to_match as not materialized (
    select * from messages as m
    {% if is_incremental() %}
    where m._built_at > {{ last_built_at() }}
        or exists (
            select 1 from reaching_new_targets as n
            where n.platform = m.platform and n.post_id = m.post_id
        )
    {% endif %}
),

via_reply as (
    select
        m.platform, t.account_key, t.account_id, m.post_id,
        m.account_id as author_account_id, m.created_at, t._target_hash,
        true as via_reply, false as via_mention
    from to_match as m
    inner join targets as t
        on t.platform = m.platform and t.account_id = m.replied_to_account_id
    where m.account_id is distinct from t.account_id
),

-- Whole-handle, case-insensitive equality: @AcmeCareUK is not a mention of @AcmeCare.
mentioned as (
    select platform, post_id, account_id, created_at, lower(unnest(mentions)) as handle_lower
    from to_match
),

via_mention as (
    select
        m.platform, t.account_key, t.account_id, m.post_id,
        m.account_id as author_account_id, m.created_at, t._target_hash,
        false as via_reply, true as via_mention
    from mentioned as m
    inner join targets as t
        on t.platform = m.platform and t.handle_lower = m.handle_lower
    where m.account_id is distinct from t.account_id
),

-- Each branch carries what the row needs, so grouping needs no join back to messages.
addressed as (
    select * from via_reply
    union all
    select * from via_mention
)

select
    platform,
    account_key,
    any_value(account_id) as account_id,
    post_id,
    any_value(author_account_id) as author_account_id,
    any_value(created_at) as created_at,
    bool_or(via_reply) as via_reply,
    bool_or(via_mention) as via_mention,
    any_value(_target_hash) as _target_hash,
    now() as _built_at
from addressed
group by platform, account_key, post_id
