-- One row per account per platform, as the loaders recorded it.
with source as (
    select * from {{ source('canonical', 'accounts') }}
)

select
    platform,
    account_id,
    nullif(ltrim(trim(handle), '@'), '') as handle,
    is_brand,
    first_seen_at
from source
