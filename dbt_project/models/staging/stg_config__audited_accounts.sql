-- One row per audits.yaml entry. Operators type handles with or without '@' and in any
-- case, so the handle is cleaned here and matched case-insensitively downstream. A
-- brand's name (audits.yaml `name:`) groups its accounts on several networks; an entry
-- without one is its own brand, named by its handle.
with source as (
    select * from {{ source('config', 'audited_accounts') }}
)

select
    client,
    lower(trim(role)) as role,
    lower(trim(platform)) as platform,
    ltrim(trim(handle), '@') as handle,
    lower(ltrim(trim(handle), '@')) as handle_lower,
    coalesce(nullif(trim(name), ''), ltrim(trim(handle), '@')) as brand_name
from source
