-- One row per (measured account, message addressed to it), with the account's first
-- direct answer. A message to B is a post by another account that replies to B or
-- mentions @B. Retweets are excluded: they amplify a post rather than say something to
-- B, and a retweet of a mention would otherwise count the same customer message twice.
-- Only a reply by B to the message itself answers it: a third party helping, or B
-- replying elsewhere in the thread, does not answer this customer.
--
-- Incremental: a daily run matches again only the messages int_posts__current rewrote
-- since the last run, the old messages a new post replies to (a late answer changes an
-- old message's figures) and the messages that reach a measured account added (or
-- changed) since then, replacing every row of each such message (and deleting those it
-- no longer produces). Rows of an account no longer measured, or measured under another
-- id or handle, are deleted first.
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['platform', 'post_id'],
    pre_hook=[
        "{{ reset_if_reshaped(['_target_hash', 'answered', 'first_response_at', 'first_response_min', 'first_response_post_id']) }}",
        "{% if is_incremental() %}{{ delete_rows_of_changed_targets(this) }}{% endif %}",
        "create table if not exists {{ matched_targets_relation() }} (platform varchar, account_key varchar, _target_hash ubigint)",
    ],
    post_hook=[
        "{{ delete_posts_that_no_longer_count(this) }}",
        "{{ delete_rows_not_matched_again(this) }}",
        "create or replace table {{ matched_targets_relation() }} as select platform, account_key, {{ conversation_target_hash('t') }} as _target_hash from {{ ref('int_conversation_accounts') }} as t",
    ],
) }}

with targets as (
    select
        platform, account_key, account_id, lower(handle) as handle_lower,
        {{ conversation_target_hash('t') }} as _target_hash
    from {{ ref('int_conversation_accounts') }} as t
),

-- Read twice (mentions, replies) straight from the table rather than copied once.
messages as not materialized (
    select platform, post_id, account_id, created_at, replied_to_account_id, mentions
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

-- What to match again: new or rewritten messages, the parents of new or rewritten
-- replies (their answers changed), and, usually none, messages reaching a new target.
rematch as materialized (
    select platform, post_id
    from {{ ref('int_posts__current') }}
    where _built_at > {{ last_built_at() }}
    union
    select platform, in_reply_to_post_id
    from {{ ref('int_posts__current') }}
    where _built_at > {{ last_built_at() }} and in_reply_to_post_id is not null
    union
    select m.platform, m.post_id
    from messages as m
    inner join new_targets as t
        on t.platform = m.platform and t.account_id = m.replied_to_account_id
    union
    select m.platform, m.post_id
    from (select platform, post_id, lower(unnest(mentions)) as handle_lower from messages) as m
    inner join new_targets as t
        on t.platform = m.platform and t.handle_lower = m.handle_lower
),
{% endif %}

to_match as not materialized (
    select m.* from messages as m
    {% if is_incremental() %}
    inner join rematch as r
        on r.platform = m.platform and r.post_id = m.post_id
    {% endif %}
),

-- Whole-handle, case-insensitive equality: @AcmeCareUK is not a mention of @AcmeCare.
-- A message mentioning B may also reply to B: both flags on one row.
via_mention as (
    select
        m.platform, t.account_key, t.account_id, m.post_id, m.account_id as author_account_id,
        m.created_at, t._target_hash,
        coalesce(m.replied_to_account_id = t.account_id, false) as via_reply,
        true as via_mention
    from (
        -- Handles compare lowered and once each: @Acme twice in a post is one mention
        -- (list_distinct is slow, and only lists of two or more can repeat).
        select
            *,
            unnest(
                case
                    when len(mentions) > 1 then list_distinct([lower(h) for h in mentions])
                    else [lower(h) for h in mentions]
                end
            ) as handle_lower
        from to_match
    ) as m
    inner join targets as t
        on t.platform = m.platform and t.handle_lower = m.handle_lower
    where m.account_id is distinct from t.account_id
),

-- Replies to B that do not mention B (those are above): the two sets never overlap, so
-- no grouping is needed to make one row per message and account.
via_reply_only as (
    select
        m.platform, t.account_key, t.account_id, m.post_id, m.account_id as author_account_id,
        m.created_at, t._target_hash, true as via_reply, false as via_mention
    from to_match as m
    inner join targets as t
        on t.platform = m.platform and t.account_id = m.replied_to_account_id
    where m.account_id is distinct from t.account_id
      and not coalesce(list_contains([lower(h) for h in m.mentions], t.handle_lower), false)
),

-- Materialized on a daily run: its exact (small) size makes DuckDB build the join on
-- it, not on every post; on a full build it is most posts, read once.
addressed as {% if is_incremental() %}materialized{% endif %} (
    select * from via_mention
    union all
    select * from via_reply_only
),

-- The measured accounts' direct replies to the messages addressed to them: the
-- earliest, and which post it is (the smaller id of two posted in the same second).
first_reply as (
    select
        a.platform, a.account_key, a.post_id,
        min(r.created_at) as first_response_at,
        arg_min(r.post_id, (r.created_at, r.post_id)) as first_response_post_id
    from addressed as a
    inner join {{ ref('int_posts__current') }} as r
        on r.platform = a.platform
        and r.in_reply_to_post_id = a.post_id
        and r.account_id = a.account_id
    group by a.platform, a.account_key, a.post_id
)

select
    a.platform,
    a.account_key,
    a.account_id,
    a.post_id,
    a.author_account_id,
    a.created_at,
    a.via_reply,
    a.via_mention,
    f.first_response_at is not null as answered,
    f.first_response_at,
    (epoch(f.first_response_at) - epoch(a.created_at)) / 60.0 as first_response_min,
    f.first_response_post_id,
    a._target_hash,
    now() as _built_at
from addressed as a
left join first_reply as f
    on f.platform = a.platform and f.account_key = a.account_key and f.post_id = a.post_id
