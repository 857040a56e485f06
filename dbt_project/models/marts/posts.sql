-- One row per post that counts (superseded edit versions excluded), with its author's
-- handle and kind: the base the reports slice and the other marts aggregate.
--
-- Incremental: a daily run rewrites the posts int_posts__current rewrote since the last
-- run and the posts of accounts whose handle changed.
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['platform', 'post_id'],
    post_hook="{{ delete_posts_that_no_longer_count(this) }}",
) }}

with posts as (
    select c.* from {{ ref('int_posts__current') }} as c
    {% if is_incremental() %}
    where c._built_at > {{ last_built_at() }}
        or exists (
            select 1
            from {{ this }} as old
            inner join {{ ref('int_accounts__all') }} as acc
                on acc.platform = old.platform and acc.account_id = old.account_id
            where old.handle is distinct from acc.handle
              and old.platform = c.platform and old.post_id = c.post_id
        )
    {% endif %}
),

accounts as (
    select * from {{ ref('int_accounts__all') }}
)

select
    p.platform,
    p.post_id,
    p.account_id,
    a.handle,
    p.created_at,
    p.kind,
    p.in_reply_to_post_id,
    p.conversation_id,
    p.in_reply_to_account_id,
    p.quoted_post_id,
    p.reposted_post_id,
    p.text,
    p.lang,
    p.mentions,
    -- when this row was last written: lets the daily run touch only what changed
    now() as _built_at
from posts as p
left join accounts as a
    on a.platform = p.platform and a.account_id = p.account_id
