-- One row per account and inbound source a live ingest has read (Bluesky, Mastodon).
select
    platform,
    account_id,
    source,
    first_read_at,
    last_read_at
from {{ source('ops', 'inbound_sources') }}
