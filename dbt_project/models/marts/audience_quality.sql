-- One row per audited account and follower sample: who follows the account, as far as
-- a sample of its followers shows. The fake share is the model's (pipelines/audience:
-- scored in Python, corrected for the model's error measured on collections it never
-- saw); the flag shares apply the accounts' own legitimacy flags to each follower.
with audited as (
    -- one row per account (several clients may audit it; the names agree per brand)
    select platform, account_id, min(handle) as handle, min(brand_name) as brand_name
    from {{ ref('audited_accounts') }}
    where account_id is not null
    group by platform, account_id
),

samples as (
    select * from {{ ref('stg_canonical__follower_samples') }}
),

estimates as (
    select * from {{ ref('stg_audience__sample_estimates') }}
),

flags as (
    select
        platform,
        account_id,
        sampled_at,
        {{ legitimacy_flags('has_default_avatar', 'bio_empty', 'posts_count', 'followers', 'following') }}
    from {{ ref('stg_canonical__sampled_followers') }}
),

flag_shares as (
    select
        platform,
        account_id,
        sampled_at,
        avg(flag_default_avatar::int) as default_avatar_share,
        avg(flag_empty_bio::int) as empty_bio_share,
        avg(flag_few_posts::int) as few_posts_share,
        avg(flag_follows_far_more::int) as follows_far_more_share
    from flags
    group by platform, account_id, sampled_at
)

select
    s.platform,
    s.account_id,
    a.handle,
    a.brand_name,
    s.sampled_at,
    s.sample_method,
    s.followers_requested,
    s.followers_sampled,
    s.followers_read_new,
    s.followers_total,
    s.followers_hidden,
    s.stopped_by,
    e.followers_scored,
    e.followers_unscored,
    e.followers_flagged,
    e.observed_fake_share,
    e.estimated_fake_share,
    e.fake_share_low,
    e.fake_share_high,
    f.default_avatar_share,
    f.empty_bio_share,
    f.few_posts_share,
    f.follows_far_more_share,
    e.model_version,
    e.model_error,
    s.sampled_at = max(s.sampled_at) over (partition by s.platform, s.account_id) as is_latest
from samples as s
inner join audited as a
    on a.platform = s.platform and a.account_id = s.account_id
left join estimates as e
    on e.platform = s.platform and e.account_id = s.account_id and e.sampled_at = s.sampled_at
left join flag_shares as f
    on f.platform = s.platform and f.account_id = s.account_id and f.sampled_at = s.sampled_at
