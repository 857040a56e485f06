"""What a data-literate analyst writes in 2026 instead of pandas: one DuckDB SQL script
over ``read_csv`` of the raw TWCS files, recomputing conversation_metrics and post_mix
from scratch, with the definitions of the dbt marts (the same as the pandas notebook,
pipelines/bench/baseline.py). The benchmark checks its output against the marts.

    python -m pipelines.bench.notebook_duckdb OUT_DIR AUDITED_HANDLES CSV_DIR [CSV_DIR ...]

Writes OUT_DIR/conversation_metrics.csv and OUT_DIR/post_mix.csv.

Mentions: the loader's MENTION_RE (an @ not after a word character, then 1 to 15 of
[A-Za-z0-9_] not followed by another) restated for RE2, which has no look-around: the
text gets a leading space, an @ must follow a non-word character, and the whole run of
handle characters after it must be at most 15 long. RE2's \\w is ASCII where Python's is
Unicode, so an @ right after a non-ASCII letter would differ; the benchmark's generated
texts have none, and the comparison with the marts would say so.
"""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb

SCRIPT = r"""
CREATE TEMP TABLE raw AS
SELECT * FROM read_csv($files, header = true, all_varchar = true, filename = true);

-- one row per tweet id (the first file that holds it), parsed
CREATE TEMP TABLE posts0 AS
SELECT
    tweet_id AS post_id,
    author_id AS account_id,
    inbound = 'True' AS inbound,
    strptime(created_at, '%a %b %d %H:%M:%S %z %Y') AS created_at,
    nullif(regexp_replace(in_response_to_tweet_id, '\.0$', ''), '') AS in_reply_to_post_id,
    list_filter(
        regexp_extract_all(' ' || text, '[^\w]@([A-Za-z0-9_]+)', 1),
        lambda m: length(m) <= 15
    ) AS mentions
FROM raw
QUALIFY row_number() OVER (PARTITION BY tweet_id ORDER BY filename) = 1;

-- the warehouse's quarantine rule: a reply dated before its parent is dropped
CREATE TEMP TABLE posts AS
SELECT c.*, p.account_id AS parent_account_id,
    CASE WHEN c.in_reply_to_post_id IS NULL THEN 'original' ELSE 'reply' END AS kind
FROM posts0 AS c
LEFT JOIN posts0 AS p ON p.post_id = c.in_reply_to_post_id
WHERE p.created_at IS NULL OR c.created_at >= p.created_at;

CREATE TEMP TABLE post_mix AS
SELECT
    account_id,
    count(*) AS posts,
    count(*) FILTER (WHERE kind = 'original') AS originals,
    count(*) FILTER (WHERE kind = 'reply') AS replies,
    count(*) FILTER (
        WHERE kind = 'original'
        AND len(list_filter(mentions, lambda m: lower(m) <> lower(account_id))) = 0
    ) AS broadcast_posts
FROM posts
GROUP BY account_id;

-- the measured accounts: every account that posted as a brand, and the audited handles
CREATE TEMP TABLE targets AS
SELECT DISTINCT account_id AS target FROM posts WHERE NOT inbound
UNION
SELECT unnest($audited::VARCHAR[]);

-- inbound: a reply to a target's post or a mention of its handle, by someone else
CREATE TEMP TABLE inbound AS
SELECT DISTINCT m.post_id, m.target, p.account_id, p.created_at
FROM (
    SELECT post_id, parent_account_id AS target FROM posts
    WHERE parent_account_id IN (SELECT target FROM targets)
    UNION
    SELECT x.post_id, t.target
    FROM (SELECT post_id, lower(unnest(mentions)) AS handle FROM posts) AS x
    INNER JOIN targets AS t ON lower(t.target) = x.handle
) AS m
INNER JOIN posts AS p ON p.post_id = m.post_id
WHERE p.account_id <> m.target;

CREATE TEMP TABLE answered AS
SELECT
    i.target,
    i.post_id,
    (epoch(min(r.created_at)) - epoch(i.created_at)) / 60.0 AS minutes
FROM inbound AS i
LEFT JOIN posts AS r ON r.in_reply_to_post_id = i.post_id AND r.account_id = i.target
GROUP BY i.target, i.post_id, i.created_at;

CREATE TEMP TABLE conversation_metrics AS
SELECT
    t.target AS account_id,
    coalesce(m.posts, 0) AS posts,
    coalesce(m.replies, 0) AS replies,
    coalesce(a.inbound, 0) AS inbound,
    coalesce(a.answered, 0) AS answered,
    a.median_first_response_min,
    a.p90_first_response_min,
    a.answered / nullif(a.inbound, 0) AS response_rate
FROM targets AS t
LEFT JOIN post_mix AS m ON m.account_id = t.target
LEFT JOIN (
    SELECT
        target,
        count(*) AS inbound,
        count(minutes) AS answered,
        quantile_cont(minutes, 0.5) AS median_first_response_min,
        quantile_cont(minutes, 0.9) AS p90_first_response_min
    FROM answered
    GROUP BY target
) AS a ON a.target = t.target;
"""


def main(argv: list[str]) -> int:
    out, audited, *folders = argv
    out_dir = Path(out)
    out_dir.mkdir(parents=True, exist_ok=True)
    files = sorted(str(f) for folder in folders for f in Path(folder).rglob("*.csv"))
    con = duckdb.connect()
    params = {"files": files, "audited": [h for h in audited.split(",") if h]}
    for statement in (s for s in SCRIPT.split(";\n") if s.strip()):
        used = {k: v for k, v in params.items() if f"${k}" in statement}
        con.execute(statement, used)
    for table in ("conversation_metrics", "post_mix"):
        con.execute(f"COPY {table} TO '{out_dir / table}.csv' (HEADER)")
    posts, measured, mixed = con.execute(
        "SELECT (SELECT count(*) FROM posts), (SELECT count(*) FROM conversation_metrics), "
        "(SELECT count(*) FROM post_mix)"
    ).fetchone()
    print(f"duckdb notebook: {posts:,} posts, {measured} measured accounts, {mixed:,} in post_mix")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
