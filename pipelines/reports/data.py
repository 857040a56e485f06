"""The rows one audit reads: the period's scorecard, its brands' cross-network totals,
weekly trends and follower history, the previous period's scorecard, the brands'
messages still unanswered, their most repeated replies and their hashtags, straight from
the warehouse (the report computes no metric of its own: those lists are rows, not
figures)."""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

from pipelines.reports.periods import AuditPeriod

ORDER = "CASE role WHEN 'brand' THEN 0 ELSE 1 END, lower(handle), platform"
# The scorecard keeps a brand's accounts on several networks side by side (by name).
SCORECARD_ORDER = (
    "CASE role WHEN 'brand' THEN 0 ELSE 1 END, lower(brand_name), platform, lower(handle)"
)
WHERE = "client = ? AND period_start = ? AND period_end = ?"


@dataclass(frozen=True)
class AuditData:
    period: AuditPeriod
    columns: list[str]  # marts.audit_scorecard's columns, in the mart's order
    scorecard: list[dict]  # one per account: brands first, then competitors, by brand
    weekly: list[dict]
    followers: list[dict]
    # marts.audit_brand_totals rows of the brands on more than one network
    totals: list[dict] = ()
    # The previous period's rows (same length, ending where this one starts) of the
    # accounts that have data in it, by account_key; of the totals, by (role, brand_name).
    previous: dict[str, dict] = field(default_factory=dict)
    previous_totals: dict[tuple[str, str], dict] = field(default_factory=dict)
    # account_key of each brand account -> its oldest unanswered messages (FOLLOW_UP_LIMIT
    # at most; each row carries the account's total as `total`)
    follow_ups: dict[str, list[dict]] = field(default_factory=dict)
    # marts.audience_quality: each scorecard account's latest sample by the period's end
    audience: list[dict] = ()
    # account_key of each brand account -> its most repeated reply texts of the period
    # (marts.audit_canned_replies, CANNED_TEXT_LIMIT at most, most repeated first)
    canned_texts: dict[str, list[dict]] = field(default_factory=dict)
    # account_key of each brand account -> its hashtags of the period
    # (marts.audit_hashtags: those that carried a conversation first, by posts)
    hashtags: dict[str, list[dict]] = field(default_factory=dict)

    def role(self, role: str) -> list[dict]:
        return [r for r in self.scorecard if r["role"] == role]


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list) -> tuple[list[str], list[dict]]:
    cur = con.execute(sql, params)
    names = [d[0] for d in cur.description]
    return names, [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


# A period an account has data in: a post, a message or a profile snapshot by its end.
HAS_DATA = "account_id IS NOT NULL AND (posts > 0 OR inbound > 0 OR end_observed_at IS NOT NULL)"

FOLLOW_UP_LIMIT = 20

# The brand accounts' messages not answered by the period's end though sent at least
# `follow_up_after_hours` before it, oldest first, with who sent them and what they said.
FOLLOW_UP_SQL = f"""
SELECT *
FROM (
    SELECT
        i.account_key,
        i.platform,
        i.post_id,
        i.created_at,
        p.account_id AS author_id,
        p.handle AS author_handle,
        p.text,
        count(*) OVER (PARTITION BY i.account_key) AS total,
        row_number() OVER (PARTITION BY i.account_key ORDER BY i.created_at, i.post_id) AS n
    FROM intermediate.int_audit__inbound AS i
    INNER JOIN marts.audit_scorecard AS s
        USING (client, period_start, period_end, platform, account_key)
    LEFT JOIN marts.posts AS p
        ON p.platform = i.platform AND p.post_id = i.post_id
    WHERE i.client = ? AND i.period_start = ? AND i.period_end = ?
      AND s.role = 'brand'
      AND NOT i.answered
      AND epoch(i.period_end) - epoch(i.created_at) >= ? * 3600
)
WHERE n <= {FOLLOW_UP_LIMIT}
ORDER BY account_key, n
"""


# Each of the period's accounts' latest follower sample taken by the period's end (so a
# past period's report stays what it was), brands first.
AUDIENCE_SQL = """
SELECT q.*, s.role
FROM marts.audience_quality AS q
INNER JOIN marts.audit_scorecard AS s
    ON s.platform = q.platform AND s.account_id = q.account_id
WHERE s.client = ? AND s.period_start = ? AND s.period_end = ? AND q.sampled_at <= s.period_end
QUALIFY row_number() OVER (PARTITION BY q.platform, q.account_id ORDER BY q.sampled_at DESC) = 1
ORDER BY CASE s.role WHEN 'brand' THEN 0 ELSE 1 END, lower(s.brand_name), q.platform,
    lower(q.handle)
"""


CANNED_TEXT_LIMIT = 5

CANNED_TEXTS_SQL = f"""
SELECT account_key, reply_text, replies, first_at, last_at,
    count(*) OVER (PARTITION BY account_key) AS total
FROM marts.audit_canned_replies
WHERE {WHERE}
QUALIFY row_number() OVER (
    PARTITION BY account_key ORDER BY replies DESC, reply_text
) <= {CANNED_TEXT_LIMIT}
ORDER BY account_key, replies DESC, reply_text
"""

HASHTAGS_SQL = f"""
SELECT account_key, hashtag, posts, replies_from_others, others_conversation_replies,
    carried_conversation
FROM marts.audit_hashtags
WHERE {WHERE}
ORDER BY account_key, carried_conversation DESC, posts DESC, hashtag
"""


def _by_account(rows: list[dict]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for r in rows:
        out.setdefault(r["account_key"], []).append(r)
    return out


def load_follow_ups(
    con: duckdb.DuckDBPyConnection, period: AuditPeriod, after_hours: float
) -> dict[str, list[dict]]:
    _, rows = _rows(con, FOLLOW_UP_SQL, [period.client, period.start, period.end, after_hours])
    return _by_account(rows)


def load_audit_data(
    con: duckdb.DuckDBPyConnection, period: AuditPeriod, follow_up_after_hours: float = 24.0
) -> AuditData:
    params = [period.client, period.start, period.end]
    columns, scorecard = _rows(
        con, f"SELECT * FROM marts.audit_scorecard WHERE {WHERE} ORDER BY {SCORECARD_ORDER}", params
    )
    _, weekly = _rows(
        con,
        f"SELECT * FROM marts.audit_weekly_trends WHERE {WHERE} ORDER BY {ORDER}, week_no",
        params,
    )
    _, followers = _rows(
        con,
        f"SELECT * FROM marts.audit_follower_history WHERE {WHERE} ORDER BY {ORDER}, observed_at",
        params,
    )
    _, totals = _rows(
        con,
        "SELECT * FROM marts.audit_brand_totals "
        f"WHERE {WHERE} AND networks > 1 ORDER BY role, lower(brand_name)",
        params,
    )
    before = period.previous
    before_params = [period.client, before.start, before.end]
    _, previous = _rows(
        con,
        f"SELECT * FROM marts.audit_scorecard WHERE {WHERE} AND {HAS_DATA}",
        before_params,
    )
    _, previous_totals = _rows(
        con,
        f"SELECT * FROM marts.audit_brand_totals WHERE {WHERE} AND networks > 1 "
        "AND (posts > 0 OR inbound > 0 OR followers_end IS NOT NULL)",
        before_params,
    )
    return AuditData(
        period,
        columns,
        scorecard,
        weekly,
        followers,
        totals,
        previous={r["account_key"]: r for r in previous},
        previous_totals={(t["role"], t["brand_name"]): t for t in previous_totals},
        follow_ups=load_follow_ups(con, period, follow_up_after_hours),
        audience=_rows(con, AUDIENCE_SQL, params)[1],
        canned_texts=_by_account(_rows(con, CANNED_TEXTS_SQL, params)[1]),
        hashtags=_by_account(_rows(con, HASHTAGS_SQL, params)[1]),
    )
