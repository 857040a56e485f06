-- One row per client, role and account audits.yaml names (client, role, platform,
-- account): which accounts are a client's own brands and which its competitors, with
-- the brand name that groups one brand's accounts across networks. Resolved to a known
-- account as int_conversation_accounts and int_audit__accounts resolve entries
-- (names_account); a handle never seen keeps its row with account_id NULL.
--
-- A mart of its own rather than a role column on marts.accounts: the role belongs to
-- a client, not to the account (an account can be one client's brand and another's
-- competitor, and most accounts are nobody's), so it cannot sit on a one-row-per-
-- account mart without breaking that grain. Join it to any account mart on
-- (platform, account_id).
with audited as (
    select distinct client, role, platform, handle, handle_lower, brand_name
    from {{ ref('stg_config__audited_accounts') }}
),

accounts as (
    select * from {{ ref('int_accounts__all') }}
)

select distinct
    au.client,
    au.role,
    au.brand_name,
    au.platform,
    acc.account_id,
    coalesce(acc.handle, au.handle) as handle
from audited as au
left join accounts as acc
    on {{ names_account('au', 'acc') }}
