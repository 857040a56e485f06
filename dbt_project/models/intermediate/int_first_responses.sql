-- One row per inbound message with the addressed account's first direct answer. Only a
-- reply by that account to the message itself counts: a third party helping, or the
-- brand replying elsewhere in the thread, does not answer this customer.
--
-- Incremental: a daily run recomputes the messages matched since the last run and the
-- old messages a new reply answers (a late answer changes an old message's figures).
-- Rows of an account no longer measured (or measured under another id or handle) are
-- deleted first, as int_inbound_messages deletes its own.
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['platform', 'account_key', 'post_id'],
    pre_hook="{% if is_incremental() %}{{ delete_rows_of_changed_targets(this) }}{% endif %}",
    post_hook="{{ delete_posts_that_no_longer_count(this) }}",
) }}

with inbound as (
    select i.* from {{ ref('int_inbound_messages') }} as i
    {% if is_incremental() %}
    where i._built_at > {{ last_built_at() }}
        or exists (
            select 1 from {{ ref('int_posts__current') }} as r
            where r._built_at > {{ last_built_at() }}
              and r.platform = i.platform and r.in_reply_to_post_id = i.post_id
        )
    {% endif %}
),

replies as (
    select platform, account_id, in_reply_to_post_id, created_at
    from {{ ref('int_posts__current') }}
    where in_reply_to_post_id is not null
),

first_reply as (
    select i.platform, i.account_key, i.post_id, min(r.created_at) as first_response_at
    from inbound as i
    inner join replies as r
        on r.platform = i.platform
        and r.in_reply_to_post_id = i.post_id
        and r.account_id = i.account_id
    group by i.platform, i.account_key, i.post_id
)

select
    i.platform,
    i.account_key,
    i.account_id,
    i.post_id,
    i.author_account_id,
    i.created_at,
    f.first_response_at is not null as answered,
    f.first_response_at,
    (epoch(f.first_response_at) - epoch(i.created_at)) / 60.0 as first_response_min,
    -- the measured accounts this row was matched against (see int_inbound_messages)
    i._target_hash,
    now() as _built_at
from inbound as i
left join first_reply as f
    on f.platform = i.platform and f.account_key = i.account_key and f.post_id = i.post_id
