-- One row per account with posts: what its activity is made of. A broadcast is an
-- original addressed to nobody else; tagging your own handle does not address anyone.
--
-- Incremental: a daily run recounts only the accounts whose figures can have changed
-- since the last run: authors of the posts int_posts__resolved rewrote (new posts, and
-- posts that started or stopped counting: superseded by an edit, quarantined or
-- released), and accounts whose handle changed (a broadcast is judged against the
-- author's own handle). An account left with no counted post gets a zero row, which
-- the post_hook removes.
-- depends_on: {{ ref('int_posts__resolved') }}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['platform', 'account_id'],
    pre_hook="{{ reset_if_reshaped(['_built_at']) }}",
    post_hook="delete from {{ this }} where posts = 0",
) }}

with accounts as (
    select platform, account_id, handle, handle_lower from {{ ref('int_accounts__all') }}
),

{% if is_incremental() %}
-- Materialized: its exact (small) size makes DuckDB join every post against it, not
-- the other way round.
recount as materialized (
    select distinct platform, account_id
    from {{ ref('int_posts__resolved') }}
    where _built_at > {{ last_built_at() }}
    union
    select m.platform, m.account_id
    from {{ this }} as m
    inner join accounts as a
        on a.platform = m.platform and a.account_id = m.account_id
    where m.handle is distinct from a.handle
),
{% endif %}

posts as (
    select p.platform, p.account_id, p.kind, p.mentions
    from {{ ref('int_posts__current') }} as p
    {% if is_incremental() %}
    inner join recount as r
        on r.platform = p.platform and r.account_id = p.account_id
    {% else %}
    where p.account_id is not null
    {% endif %}
),

classified as (
    select
        p.platform,
        p.account_id,
        a.handle,
        p.kind,
        {{ is_broadcast('p.kind', 'p.mentions', 'a.handle_lower') }} as is_broadcast
    from posts as p
    left join accounts as a
        on a.platform = p.platform and a.account_id = p.account_id
),

counted as (
    select
        platform,
        account_id,
        any_value(handle) as handle,
        {{ post_counts(['posts', 'originals', 'replies', 'retweets', 'quotes', 'broadcast_posts']) }}
    from classified
    group by platform, account_id
),

{% if is_incremental() %}
-- every recounted account gets a row, zero when nothing of it counts any more
final as (
    select
        r.platform,
        r.account_id,
        a.handle,
        coalesce(c.posts, 0) as posts,
        coalesce(c.originals, 0) as originals,
        coalesce(c.replies, 0) as replies,
        coalesce(c.retweets, 0) as retweets,
        coalesce(c.quotes, 0) as quotes,
        coalesce(c.broadcast_posts, 0) as broadcast_posts
    from recount as r
    left join counted as c
        on c.platform = r.platform and c.account_id = r.account_id
    left join accounts as a
        on a.platform = r.platform and a.account_id = r.account_id
    where r.account_id is not null
)
{% else %}
final as (
    select * from counted
)
{% endif %}

select
    platform,
    account_id,
    handle,
    {{ post_mix_columns() }},
    -- when this row was last counted: lets the daily run find what changed since
    now() as _built_at
from final
