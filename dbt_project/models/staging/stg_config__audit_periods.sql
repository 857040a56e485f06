-- One row per audit period asked for. Periods are (period_start, period_end]: a post at
-- exactly period_end belongs to the period, one at exactly period_start to the one before.
with source as (
    select * from {{ source('config', 'audit_periods') }}
)

select
    client,
    period_start,
    period_end,
    -- exact seconds, not calendar arithmetic: the session time zone must not matter
    (epoch(period_end) - epoch(period_start)) / 86400.0 as period_days,
    timezone
from source
