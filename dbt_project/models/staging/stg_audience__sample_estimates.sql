-- One row per follower sample scored by the fake-follower model (pipelines/audience/scores.py).
select
    platform,
    account_id,
    sampled_at,
    model_version,
    scored as followers_scored,
    unscored as followers_unscored,
    flagged as followers_flagged,
    observed_fake_share,
    estimated_fake_share,
    interval_low as fake_share_low,
    interval_high as fake_share_high,
    model_error
from {{ source('audience', 'sample_estimates') }}
