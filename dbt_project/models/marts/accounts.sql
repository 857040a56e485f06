-- One row per account with its latest profile and the legitimacy signals an auditor
-- reads first. Without a profile (all of TWCS) every profile column and flag is NULL:
-- unknown is not the same as "fine".
with accounts as (
    select * from {{ ref('int_accounts__all') }}
),

snapshots as (
    select * from {{ ref('int_accounts__latest_snapshot') }}
),

joined as (
    select
        a.platform,
        a.account_id,
        a.handle,
        a.is_brand,
        s.followers,
        s.following,
        {{ follower_following_ratio('s.followers', 's.following') }} as follower_following_ratio,
        s.posts_count,
        s.has_default_avatar,
        s.bio_empty,
        s.snapshot_observed_at
    from accounts as a
    left join snapshots as s
        on s.platform = a.platform and s.account_id = a.account_id
)

select
    platform,
    account_id,
    handle,
    is_brand,
    followers,
    following,
    follower_following_ratio,
    case
        when following = 0 then 'no_following'
        when follower_following_ratio is null then null
        when follower_following_ratio < {{ var('ratio_band_follow_heavy_below') }} then 'follow_heavy'
        when follower_following_ratio < {{ var('ratio_band_follows_more_below') }} then 'follows_more'
        when follower_following_ratio < {{ var('ratio_band_balanced_below') }} then 'balanced'
        else 'follower_heavy'
    end as ratio_band,
    posts_count,
    has_default_avatar,
    bio_empty,
    snapshot_observed_at,
    {{ legitimacy_flags('has_default_avatar', 'bio_empty', 'posts_count', 'followers', 'following') }},
    -- Cresci et al.'s single rules; their bio and avatar rules are the two flags above
    {{ cresci_rules('posts_count', 'followers', 'following') }}
from joined
