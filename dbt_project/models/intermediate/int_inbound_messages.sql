-- One row per (measured account, message addressed to it). A message to B is a post by
-- another account that replies to B or mentions @B. Retweets are excluded: they amplify
-- a post rather than say something to B, and a retweet of a mention would otherwise
-- count the same customer message twice.
--
-- Incremental: a daily run matches only the messages int_posts__current rewrote since
-- the last run, replacing every row of each such message. When the measured accounts
-- change, the pre_hook empties the table and the run matches every message again.
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['platform', 'post_id'],
    pre_hook="{% if is_incremental() %}delete from {{ this }} where _targets_hash <> {{ conversation_targets_hash() }}{% endif %}",
    post_hook="{{ delete_posts_that_no_longer_count(this) }}",
) }}

with targets as (
    select * from {{ ref('int_conversation_accounts') }}
),

messages as (
    select *
    from {{ ref('int_posts__current') }}
    where kind <> 'retweet'
    {% if is_incremental() %}
      and _built_at > {{ last_built_at() }}
    {% endif %}
),

via_reply as (
    select t.platform, t.account_key, m.post_id
    from targets as t
    inner join messages as m
        on m.platform = t.platform and m.replied_to_account_id = t.account_id
    where m.account_id is distinct from t.account_id
),

-- Whole-handle, case-insensitive equality: @AcmeCareUK is not a mention of @AcmeCare.
mentioned as (
    select platform, post_id, account_id, lower(unnest(mentions)) as handle_lower
    from messages
),

via_mention as (
    select t.platform, t.account_key, m.post_id
    from targets as t
    inner join mentioned as m
        on m.platform = t.platform and m.handle_lower = lower(t.handle)
    where m.account_id is distinct from t.account_id
),

addressed as (
    select platform, account_key, post_id, true as via_reply, false as via_mention
    from via_reply
    union all
    select platform, account_key, post_id, false, true
    from via_mention
)

select
    a.platform,
    a.account_key,
    t.account_id,
    a.post_id,
    any_value(m.account_id) as author_account_id,
    any_value(m.created_at) as created_at,
    bool_or(a.via_reply) as via_reply,
    bool_or(a.via_mention) as via_mention,
    {{ conversation_targets_hash() }} as _targets_hash,
    now() as _built_at
from addressed as a
inner join targets as t
    on t.platform = a.platform and t.account_key = a.account_key
inner join messages as m
    on m.platform = a.platform and m.post_id = a.post_id
group by a.platform, a.account_key, t.account_id, a.post_id
