-- One row per follower of a sample, the profile as observed then, counters renamed as
-- stg_canonical__account_snapshots renames them.
select
    platform,
    account_id,
    sampled_at,
    follower_id,
    position,
    observed_at,
    nullif(ltrim(trim(handle), '@'), '') as handle,
    bio,
    -- a bio of only spaces says nothing, the same as no bio
    coalesce(trim(bio), '') = '' as bio_empty,
    has_default_avatar,
    account_created_at,
    followers_count as followers,
    following_count as following,
    post_count as posts_count,
    listed_count,
    favourites_count
from {{ source('canonical', 'sampled_followers') }}
