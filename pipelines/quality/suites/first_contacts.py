"""marts.first_contacts: one row per brand and account it addressed, as many rows as
accounts a brand ever spoke to (most customers of a TWCS-sized corpus), so DuckDB counts
the offending rows and GX validates that one-row profile (as for marts.inbound_messages):
the grain is unique, keys and time are known, no brand contacts itself, the addressed id
follows its key, and the flags agree with the link and phrases they come from."""

from pipelines.quality.suites import guards as g
from pipelines.quality.suites.base import MartSuite

WHERE = {
    "duplicate_keys": None,
    "missing_keys": "platform is null or account_id is null or handle is null "
    "or addressed_key is null or post_id is null or created_at is null or via is null",
    "self_contacts": "addressed_key = account_id",
    "addressed_id_not_its_key": "addressed_account_id is distinct from "
    "(case when addressed_key like '@%' then null else addressed_key end)",
    "pitch_flag_not_link_or_phrase": "has_link is null or is_pitch is null "
    "or is_pitch <> (has_link or pitch_phrase is not null)",
    "amplify_flag_not_phrase": "is_amplify_request is null "
    "or is_amplify_request <> (amplify_phrase is not null)",
}

COLUMNS = (
    "platform, account_id, handle, addressed_key, addressed_account_id, post_id, created_at, "
    "via, has_link, pitch_phrase, amplify_phrase, is_pitch, is_amplify_request"
)

FILTERS = ",\n    ".join(f"count(*) filter (where {w}) as {name}" for name, w in WHERE.items() if w)

# One read of the mart: every count below comes from this one copy of its columns.
PROFILE_SQL = f"""
with m as materialized (select {COLUMNS} from marts.first_contacts)
select
    (select count(*) from (
        select 1 from m group by platform, account_id, addressed_key having count(*) > 1
    )) as duplicate_keys,
    {FILTERS}
from m
"""

SAMPLE_SQL = {
    "duplicate_keys": "select platform, account_id, addressed_key, count(*) as copies "
    "from marts.first_contacts group by all having count(*) > 1",
    **{
        name: f"select {COLUMNS} from marts.first_contacts where {w}"
        for name, w in WHERE.items()
        if w
    },
}

SUITE = MartSuite(
    mart="first_contacts",
    guards=lambda: [g.zero(*SAMPLE_SQL)],
    profile_sql=PROFILE_SQL,
    sample_sql=SAMPLE_SQL,
    profile_guards={
        "pitch_flag_not_link_or_phrase": ("is_pitch", "has_link", "pitch_phrase"),
        "amplify_flag_not_phrase": ("is_amplify_request", "amplify_phrase"),
        "addressed_id_not_its_key": ("addressed_account_id", "addressed_key"),
    },
    description="GX suite over an in-database profile: grain, keys, no self-contact, "
    "and is_pitch / is_amplify_request agreeing with the link and phrases found.",
)
