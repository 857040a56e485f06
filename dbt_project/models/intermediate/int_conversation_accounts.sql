-- The accounts whose conversations are measured: every handle audits.yaml names plus
-- every account a source marks as a brand (TWCS brands need no audits.yaml entry).
-- An audited handle we have never seen keeps a row with a NULL account_id, so the report
-- can say "no data" rather than silently drop it; mentions can still reach it.
with accounts as (
    select * from {{ ref('int_accounts__all') }}
),

audited as (
    select platform, handle_lower, min(handle) as handle
    from {{ ref('stg_config__audited_accounts') }}
    group by platform, handle_lower
),

candidates as (
    select
        au.platform,
        acc.account_id,
        coalesce(acc.handle, au.handle) as handle,
        coalesce(acc.is_brand, false) as is_brand,
        true as is_audited
    from audited as au
    left join accounts as acc
        on {{ names_account('au', 'acc') }}

    union all

    select platform, account_id, handle, is_brand, false as is_audited
    from accounts
    where is_brand
),

-- Bluesky and Mastodon have no timeline of every message to an account: the live ingest
-- reads the replies under its posts and, where a session allows, a mention search.
mention_searches as (
    select distinct platform, account_id
    from {{ ref('stg_ops__inbound_sources') }}
    where source = 'mentions'
),

measured as (
    select
        platform,
        -- one key for resolved and unresolved accounts alike ('@' never starts an id)
        coalesce(account_id, '@' || lower(handle)) as account_key,
        account_id,
        any_value(handle) as handle,
        bool_or(is_brand) as is_brand,
        bool_or(is_audited) as is_audited
    from candidates
    group by platform, coalesce(account_id, '@' || lower(handle)), account_id
)

select
    m.*,
    -- Where its inbound messages come from. X (mentions timeline) and TWCS (the
    -- customers' tweets to the brand) hold replies and mentions alike.
    case
        when m.platform in ('bluesky', 'mastodon') and ms.account_id is null then 'replies'
        else 'replies+mentions'
    end as inbound_coverage
from measured as m
left join mention_searches as ms
    on ms.platform = m.platform and ms.account_id = m.account_id
