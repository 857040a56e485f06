"""marts.inbound_messages: one row per inbound message and addressed account, as many
rows as messages (most of a corpus), so DuckDB counts the offending rows and GX
validates that one-row profile (as for marts.posts): the grain is unique, keys, author,
time and flags are known, every row is a reply or a mention, first_response_min is >= 0
and NULL exactly when the message is unanswered, and each account's rows number its
marts.conversation_metrics.inbound (every account of that mart, none missing)."""

from pipelines.quality.suites import guards as g
from pipelines.quality.suites.base import MartSuite

# The addressed account's key, as conversation_metrics keys it (an audited handle
# matching no account has no account_id).
KEY = "coalesce(account_id, '@' || lower(handle))"

# One read of the view: every count below comes from this one copy of its columns.
PROFILE_SQL = f"""
with m as materialized (
    select
        platform, {KEY} as account_key, handle, post_id, author_account_id, created_at,
        via_reply, via_mention, answered, first_response_min
    from marts.inbound_messages
),
per_account as (
    select platform, account_key, count(*) as messages from m group by all
)
select
    (select count(*) from (
        select 1 from m group by platform, account_key, post_id having count(*) > 1
    )) as duplicate_keys,
    count(*) filter (where platform is null or handle is null or post_id is null)
        as missing_keys,
    count(*) filter (where author_account_id is null or created_at is null)
        as missing_authors_or_times,
    count(*) filter (
        where via_reply is null or via_mention is null or answered is null
            or not (via_reply or via_mention)
    ) as bad_flags,
    count(*) filter (where first_response_min < 0) as negative_first_response_min,
    count(*) filter (where (first_response_min is null) = answered)
        as first_response_min_not_null_exactly_when_answered,
    (select count(*) from marts.conversation_metrics as c
        full join per_account as i
            on i.platform = c.platform
            and i.account_key = coalesce(c.account_id, '@' || lower(c.handle))
        where coalesce(c.inbound, -1) <> coalesce(i.messages, 0)
    ) as accounts_whose_rows_differ_from_inbound
from m
"""

SAMPLE_SQL = {
    "duplicate_keys": f"select platform, {KEY} as account_key, post_id, count(*) as copies "
    "from marts.inbound_messages group by all having count(*) > 1",
    "missing_keys": "select platform, account_id, handle, post_id from marts.inbound_messages "
    "where platform is null or handle is null or post_id is null",
    "missing_authors_or_times": "select platform, handle, post_id, author_account_id, "
    "created_at from marts.inbound_messages "
    "where author_account_id is null or created_at is null",
    "bad_flags": "select platform, handle, post_id, via_reply, via_mention, answered "
    "from marts.inbound_messages where via_reply is null or via_mention is null "
    "or answered is null or not (via_reply or via_mention)",
    "negative_first_response_min": "select platform, handle, post_id, first_response_min "
    "from marts.inbound_messages where first_response_min < 0",
    "first_response_min_not_null_exactly_when_answered": "select platform, handle, post_id, "
    "answered, first_response_min from marts.inbound_messages "
    "where (first_response_min is null) = answered",
    "accounts_whose_rows_differ_from_inbound": f"""
        select c.platform, c.handle, c.inbound, i.messages
        from marts.conversation_metrics as c
        full join (select platform, {KEY} as account_key, count(*) as messages
                   from marts.inbound_messages group by all) as i
            on i.platform = c.platform
            and i.account_key = coalesce(c.account_id, '@' || lower(c.handle))
        where coalesce(c.inbound, -1) <> coalesce(i.messages, 0)""",
}

SUITE = MartSuite(
    mart="inbound_messages",
    guards=lambda: [g.zero(*SAMPLE_SQL)],
    profile_sql=PROFILE_SQL,
    sample_sql=SAMPLE_SQL,
    profile_guards={
        "negative_first_response_min": ("first_response_min",),
        "first_response_min_not_null_exactly_when_answered": ("first_response_min", "answered"),
    },
    description="GX suite over an in-database profile: grain, keys, flags, response "
    "minutes, and rows per account = conversation_metrics.inbound.",
    cross_checks=("conversation_metrics",),
)
