-- One row per audit period and week of it. Weeks are counted back from period_end in
-- exact 7 x 24 hours, so the last week ends with the period and only the first can be
-- shorter (when period_days is not a multiple of 7).
with periods as (
    select * from {{ ref('stg_config__audit_periods') }}
),

numbered as (
    select
        client,
        period_start,
        period_end,
        cast(ceil(period_days / 7.0) as integer) as weeks,
        unnest(range(1, cast(ceil(period_days / 7.0) as integer) + 1)) as week_no
    from periods
)

select
    client,
    period_start,
    period_end,
    week_no,
    -- exact seconds: calendar arithmetic would follow the session's DST changes
    greatest(
        to_timestamp(epoch(period_end) - 604800 * (weeks - week_no + 1)), period_start
    ) as week_start,
    to_timestamp(epoch(period_end) - 604800 * (weeks - week_no)) as week_end
from numbered
