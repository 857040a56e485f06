-- One row per complete follower sample of an account (pipelines/canonical/followers.py).
select
    platform,
    account_id,
    sampled_at,
    method as sample_method,
    requested as followers_requested,
    sampled as followers_sampled,
    read_new as followers_read_new,
    followers_total,
    hidden as followers_hidden,
    stopped_by,
    incremental,
    raw_file_id
from {{ source('canonical', 'follower_samples') }}
