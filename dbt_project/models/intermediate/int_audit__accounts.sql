-- One row per audit period and audited account: every account the client's audits.yaml
-- entry names, resolved to a known account by platform and lower(handle), as
-- int_conversation_accounts resolves them. A handle never seen keeps its row (account_id
-- NULL) so the report can say "no data" instead of dropping the account.
with periods as (
    select * from {{ ref('stg_config__audit_periods') }}
),

audited as (
    select * from {{ ref('stg_config__audited_accounts') }}
),

accounts as (
    select * from {{ ref('int_accounts__all') }}
)

select
    p.client,
    p.period_start,
    p.period_end,
    p.period_days,
    p.timezone,
    au.role,
    au.platform,
    -- the same key int_conversation_accounts (and so int_first_responses) uses
    coalesce(acc.account_id, '@' || au.handle_lower) as account_key,
    acc.account_id,
    coalesce(acc.handle, au.handle) as handle,
    au.brand_name,
    ca.inbound_coverage
from periods as p
inner join audited as au
    on au.client = p.client
left join accounts as acc
    on {{ names_account('au', 'acc') }}
left join {{ ref('int_conversation_accounts') }} as ca
    on ca.platform = au.platform and ca.account_key = coalesce(acc.account_id, '@' || au.handle_lower)
