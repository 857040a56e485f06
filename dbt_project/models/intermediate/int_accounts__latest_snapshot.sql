-- One row per account that has at least one profile snapshot: the newest observation.
-- Older snapshots stay in staging for trend work; the marts report the current profile.
with ranked as (
    select
        *,
        row_number() over (
            partition by platform, account_id
            order by observed_at desc
        ) as recency_rank
    from {{ ref('stg_canonical__account_snapshots') }}
)

select
    platform,
    account_id,
    observed_at as snapshot_observed_at,
    handle,
    followers,
    following,
    posts_count,
    has_default_avatar,
    bio,
    -- a bio of only spaces says nothing, the same as no bio
    coalesce(trim(bio), '') = '' as bio_empty
from ranked
where recency_rank = 1
