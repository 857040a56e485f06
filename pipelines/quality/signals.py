"""Warnings: values that are possible but suspicious. Each query runs in DuckDB over the
staging / intermediate tables (snapshots and messages can be large) and returns only the
offending rows; a warning never blocks a report, it asks a person to look."""

from __future__ import annotations

import duckdb

from pipelines.quality.gx_runner import fetch_frame
from pipelines.quality.outcome import CheckOutcome, Failure
from pipelines.quality.thresholds import QualityThresholds

FOLLOWER_JUMPS_SQL = """
with daily as (
    -- the last snapshot of each UTC day
    select
        platform,
        account_id,
        timezone('UTC', observed_at)::date as day,
        arg_max(handle, observed_at) as handle,
        arg_max(followers, observed_at) as followers
    from staging.stg_canonical__account_snapshots
    where followers is not null
    group by platform, account_id, timezone('UTC', observed_at)::date
),

steps as (
    select
        *,
        lag(day) over w as previous_day,
        lag(followers) over w as previous_followers
    from daily
    window w as (partition by platform, account_id order by day)
),

latest as (
    select platform, max(day) as latest_day from daily group by platform
)

select
    s.platform,
    s.account_id,
    s.handle,
    s.previous_day,
    s.day,
    s.previous_followers,
    s.followers,
    round((s.followers - s.previous_followers) / s.previous_followers, 4) as change_share,
    count(*) over () as offending
from steps as s
inner join latest as l on l.platform = s.platform
where s.previous_day = s.day - 1
  and s.previous_followers >= $min_followers
  and s.day > l.latest_day - $lookback_days
  and abs(s.followers - s.previous_followers) > $jump_share * s.previous_followers
order by abs(s.followers - s.previous_followers) / s.previous_followers desc
limit $sample_rows
"""

STALE_SNAPSHOTS_SQL = """
with latest as (
    select platform, account_id, max(observed_at) as last_snapshot_at
    from staging.stg_canonical__account_snapshots
    group by platform, account_id
),

-- only platforms whose collector takes profile snapshots at all (TWCS has none)
reference as (
    select
        platform,
        case when $reference = 'now' then now() else max(last_snapshot_at) end as reference_at
    from latest
    group by platform
),

measured as (
    select platform, account_id, handle from intermediate.int_conversation_accounts
)

select
    m.platform,
    m.account_id,
    m.handle,
    l.last_snapshot_at,
    r.reference_at,
    round((epoch(r.reference_at) - epoch(l.last_snapshot_at)) / 3600, 1) as hours_old,
    count(*) over () as offending
from measured as m
inner join reference as r on r.platform = m.platform
left join latest as l on l.platform = m.platform and l.account_id = m.account_id
where l.last_snapshot_at is null
   or epoch(r.reference_at) - epoch(l.last_snapshot_at) > $stale_hours * 3600
order by l.last_snapshot_at nulls first, m.handle
limit $sample_rows
"""

MEDIAN_JUMPS_SQL = """
with reference as (
    select platform, max(created_at) as reference_at
    from intermediate.int_first_responses
    group by platform
),

answered as (
    select
        f.platform,
        f.account_key,
        f.first_response_min,
        case
            when epoch(r.reference_at) - epoch(f.created_at) < $recent_days * 86400
                then 'recent'
            when epoch(r.reference_at) - epoch(f.created_at)
                < ($recent_days + $baseline_days) * 86400
                then 'baseline'
        end as period
    from intermediate.int_first_responses as f
    inner join reference as r on r.platform = f.platform
    where f.answered
),

medians as (
    select
        platform,
        account_key,
        count(*) filter (where period = 'recent') as recent_answered,
        count(*) filter (where period = 'baseline') as baseline_answered,
        quantile_cont(first_response_min, 0.5) filter (where period = 'recent')
            as recent_median_min,
        quantile_cont(first_response_min, 0.5) filter (where period = 'baseline')
            as baseline_median_min
    from answered
    where period is not null
    group by platform, account_key
)

select
    m.platform,
    c.handle,
    m.recent_answered,
    m.baseline_answered,
    round(m.baseline_median_min, 2) as baseline_median_min,
    round(m.recent_median_min, 2) as recent_median_min,
    count(*) over () as offending
from medians as m
left join intermediate.int_conversation_accounts as c
    on c.platform = m.platform and c.account_key = m.account_key
where m.recent_answered >= $min_answered
  and m.baseline_answered >= $min_answered
  and (m.recent_median_min > $factor * m.baseline_median_min
       or m.recent_median_min * $factor < m.baseline_median_min)
order by greatest(
    m.recent_median_min / nullif(m.baseline_median_min, 0),
    m.baseline_median_min / nullif(m.recent_median_min, 0)
) desc nulls first
limit $sample_rows
"""


def _warning(
    con: duckdb.DuckDBPyConnection,
    *,
    name: str,
    asset: str,
    sql: str,
    params: dict,
    what: str,
    ok: str,
) -> CheckOutcome:
    frame = fetch_frame(con, sql, params)
    offending = int(frame["offending"].iloc[0]) if len(frame) else 0
    samples = tuple(frame.drop(columns=["offending"]).to_dict(orient="records"))
    failures = (Failure(what, (), offending, samples=samples),) if offending else ()
    return CheckOutcome(
        check_name=name,
        asset=asset,
        blocking=False,
        passed=not offending,
        severity="WARN",
        summary=ok if not offending else f"{offending} {what}",
        failures=failures,
        metadata={"thresholds": params},
    )


def follower_jumps(con: duckdb.DuckDBPyConnection, t: QualityThresholds) -> CheckOutcome:
    return _warning(
        con,
        name="follower_counts_plausible",
        asset="marts/accounts",
        sql=FOLLOWER_JUMPS_SQL,
        params={
            "jump_share": t.follower_jump_share,
            "min_followers": t.follower_jump_min_followers,
            "lookback_days": t.follower_jump_lookback_days,
            "sample_rows": t.sample_rows,
        },
        what=f"day-over-day follower move(s) above {t.follower_jump_share:.0%}",
        ok=f"no follower count moved more than {t.follower_jump_share:.0%} in a day "
        f"(last {t.follower_jump_lookback_days} days)",
    )


def stale_snapshots(con: duckdb.DuckDBPyConnection, t: QualityThresholds) -> CheckOutcome:
    return _warning(
        con,
        name="snapshots_fresh",
        asset="marts/accounts",
        sql=STALE_SNAPSHOTS_SQL,
        params={
            "stale_hours": t.snapshot_stale_hours,
            "reference": t.freshness_reference,
            "sample_rows": t.sample_rows,
        },
        what=f"measured account(s) without a snapshot in {t.snapshot_stale_hours:g} hours",
        ok=f"every measured account has a snapshot within {t.snapshot_stale_hours:g} hours "
        + ("of now" if t.freshness_reference == "now" else "of the platform's latest one"),
    )


def median_jumps(con: duckdb.DuckDBPyConnection, t: QualityThresholds) -> CheckOutcome:
    return _warning(
        con,
        name="response_time_median_stable",
        asset="marts/conversation_metrics",
        sql=MEDIAN_JUMPS_SQL,
        params={
            "factor": t.median_jump_factor,
            "recent_days": t.median_recent_days,
            "baseline_days": t.median_baseline_days,
            "min_answered": t.median_min_answered,
            "sample_rows": t.sample_rows,
        },
        what=f"account(s) whose median first-response time moved more than "
        f"{t.median_jump_factor:g}x between the baseline and the last "
        f"{t.median_recent_days} days",
        ok=f"no median first-response time moved more than {t.median_jump_factor:g}x",
    )
