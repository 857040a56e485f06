-- One row per account per observation: profile counters renamed to what the marts call
-- them (followers, following, posts_count).
with source as (
    select * from {{ source('canonical', 'account_snapshots') }}
)

select
    platform,
    account_id,
    observed_at,
    nullif(ltrim(trim(handle), '@'), '') as handle,
    display_name,
    bio,
    location,
    profile_image_url,
    has_default_avatar,
    verified,
    protected,
    account_created_at,
    followers_count as followers,
    following_count as following,
    post_count as posts_count,
    listed_count,
    raw_file_id
from source
