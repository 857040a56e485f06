-- One row per audit period, audited account and inbound message sent to it in the
-- period. A message counts as answered only when the account's first direct reply came
-- by the period's end, so an audit of a past period gives the same figures later.
with audited as (
    select * from {{ ref('int_audit__accounts') }}
),

responses as (
    select * from {{ ref('int_first_responses') }}
),

in_period as (
    select
        a.client,
        a.period_start,
        a.period_end,
        a.platform,
        a.account_key,
        r.post_id,
        r.created_at,
        coalesce(r.first_response_at <= a.period_end, false) as answered,
        r.first_response_min
    from audited as a
    inner join responses as r
        on r.platform = a.platform
        and r.account_key = a.account_key
        and r.created_at > a.period_start
        and r.created_at <= a.period_end
)

select
    client,
    period_start,
    period_end,
    platform,
    account_key,
    post_id,
    created_at,
    answered,
    case when answered then first_response_min end as first_response_min
from in_period
