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
        on acc.platform = au.platform and acc.handle_lower = au.handle_lower

    union all

    select platform, account_id, handle, is_brand, false as is_audited
    from accounts
    where is_brand
)

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
