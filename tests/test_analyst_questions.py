"""The README's questions for analysts ("For analysts"), each run through `rapport sql`
on a built demo warehouse: every query parses, runs against the analyst copy and gives
a non-empty answer that agrees with the same figure computed here from the canonical
tables (or, for a median, from the messages themselves)."""

from __future__ import annotations

import contextlib
import io
import json
import re
from datetime import datetime, timedelta

import duckdb
import pytest

from pipelines.cli import main
from pipelines.config.settings import PROJECT_ROOT, load_settings

README = PROJECT_ROOT / "README.md"
SQL_BLOCK = re.compile(r"```sql\n(.*?)```", re.DOTALL)


def analyst_queries() -> list[str]:
    """The SQL blocks under the README's "For analysts" heading, in order."""
    text = README.read_text()
    start = text.index("### For analysts")
    end = text.index("\n## ", start)
    return [q.strip() for q in SQL_BLOCK.findall(text[start:end])]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    root = tmp_path_factory.mktemp("analyst_questions")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("RAPPORT_WAREHOUSE", str(root / "wh" / "rapport.duckdb"))
        mp.setenv("RAPPORT_RAW_DIR", str(root / "wh" / "raw"))
        mp.setenv("RAPPORT_INBOX", str(root / "wh" / "inbox"))
        mp.setenv("RAPPORT_REPORTS_DIR", str(root / "wh" / "reports"))
        mp.setenv("RAPPORT_AUDITS", str(PROJECT_ROOT / "audits.yaml"))
        mp.setenv("DAGSTER_HOME", str(root / "dagster_home"))
        with contextlib.redirect_stdout(io.StringIO()):
            assert main(["demo"]) == 0
        yield load_settings(), mp


@pytest.fixture(scope="module")
def answers(demo) -> list[list[dict]]:
    """Each README query's rows, as `rapport sql --format json` writes them."""
    found = []
    for query in analyst_queries():
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            assert main(["sql", query, "--format", "json", "--limit", "0"]) == 0, query
        found.append(json.loads(out.getvalue()))
    return found


def canonical(settings, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def when(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def test_the_readme_has_five_questions_each_answered(answers):
    assert len(analyst_queries()) == 5
    assert all(rows for rows in answers), [len(rows) for rows in answers]


def test_the_top_writer_count_matches_the_posts(demo, answers):
    settings, _ = demo
    top = answers[0][0]
    counts = [r["messages"] for r in answers[0]]
    assert counts == sorted(counts, reverse=True) and top["messages"] > 1
    # the author's posts to @NorthwindCoffee: replies to its posts or mentions of it,
    # retweets and superseded edit versions aside
    ((expected,),) = canonical(
        settings,
        """
        with brand as (
            select account_id from canonical.accounts
            where platform = 'x' and lower(handle) = 'northwindcoffee'
        ), author as (
            select account_id from canonical.accounts where platform = 'x' and handle = ?
        ), superseded as (
            select unnest(edit_history_post_ids[:-1]) as post_id from canonical.posts
            where platform = 'x' and len(edit_history_post_ids) > 1
        )
        select count(*) from canonical.posts as p
        where p.platform = 'x' and p.account_id = (select account_id from author)
          and p.reposted_post_id is null
          and p.post_id not in (select post_id from superseded)
          and (p.in_reply_to_account_id = (select account_id from brand)
               or list_contains([lower(m) for m in p.mentions], 'northwindcoffee'))
        """,
        [top["author_handle"]],
    )
    assert top["messages"] == expected


def test_the_unanswered_messages_are_recent_and_unanswered(demo, answers):
    settings, _ = demo
    rows = answers[1]
    ((latest,),) = canonical(settings, "select max(created_at) from marts.inbound_messages")
    brands = {
        (p, h)
        for p, h in canonical(
            settings,
            "select platform, handle from marts.audited_accounts "
            "where client = 'northwind' and role = 'brand'",
        )
    }
    for row in rows:
        assert (row["platform"], row["handle"]) in brands
        assert latest - timedelta(days=7) < when(row["created_at"]) <= latest
        # nobody at the brand replied to it directly
        ((replies,),) = canonical(
            settings,
            "select count(*) from canonical.posts as r "
            "inner join canonical.accounts as a on a.platform = r.platform "
            "and a.account_id = r.account_id "
            "where r.platform = ? and r.in_reply_to_post_id = ? and a.handle = ?",
            [row["platform"], row["post_id"], row["handle"]],
        )
        assert replies == 0, row


def test_weekly_follower_growth_adds_up_to_the_snapshots(demo, answers):
    settings, _ = demo
    growth: dict[tuple, int] = {}
    for row in answers[2]:
        key = (row["platform"], row["handle"])
        growth[key] = growth.get(key, 0) + (row["follower_growth"] or 0)
    assert len(growth) >= 3
    assert any(g != 0 for g in growth.values())
    for (platform, handle), total in growth.items():
        ((first, last),) = canonical(
            settings,
            "select arg_min(s.followers_count, s.observed_at), "
            "arg_max(s.followers_count, s.observed_at) "
            "from canonical.account_snapshots as s "
            "inner join marts.follower_history as h using (platform, account_id) "
            "where h.platform = ? and h.handle = ? and h.observed_at = s.observed_at",
            [platform, handle],
        )
        assert total == last - first, (platform, handle)


def test_the_fastest_competitor_comes_first(demo, answers):
    settings, _ = demo
    rows = answers[3]
    medians = [r["median_first_response_min"] for r in rows]
    assert medians == sorted(medians)
    competitors = {
        (p, h)
        for p, h in canonical(
            settings,
            "select lower(trim(platform)), ltrim(trim(handle), '@') "
            "from config.audited_accounts where role = 'competitor'",
        )
    }
    for row in rows:
        assert (row["platform"], row["handle"]) in competitors
        ((median,),) = canonical(
            settings,
            "select quantile_cont(first_response_min, 0.5) from marts.inbound_messages "
            "where platform = ? and handle = ?",
            [row["platform"], row["handle"]],
        )
        assert row["median_first_response_min"] == pytest.approx(median)


def test_reply_shares_by_network_add_up(demo, answers):
    settings, _ = demo
    rows = answers[4]
    assert {r["platform"] for r in rows} == {"x", "bluesky", "mastodon"}
    assert sum(r["share_of_replies"] for r in rows) == pytest.approx(1, abs=0.002)
    for row in rows:
        ((replies,),) = canonical(
            settings,
            "select count(*) from marts.posts where platform = ? and handle = ? and kind = 'reply'",
            [row["platform"], row["handle"]],
        )
        assert row["replies"] == replies > 0
