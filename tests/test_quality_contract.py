"""The source contract: posts a source delivered well-formed but wrong (no author, no
time, a reply older than the post it answers) are quarantined with their reason, left
out of every metric, and their count is itself checked; input the parser could not read
is rejected and counted too.

One real build: two real X API v2 collections (twarc2 pages from ../shared/data) plus
one page written here that breaks the contract on purpose, audited as client `qa`."""

from __future__ import annotations

import contextlib
import io
import json
import re
import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from pipelines.cli import main
from tests.conftest import shared_file
from tests.quality_helpers import downstream_report, materialized, run_checks_and_report

BRAND, CUST_A, CUST_B = "9001", "9002", "9003"
MENTION = {"mentions": [{"start": 0, "end": 13, "username": "QualityBrand", "id": BRAND}]}


def tweet(tid: str, author: str | None, at: str | None, text: str, **extra) -> dict:
    t = {"id": tid, "text": text, "lang": "en", "edit_history_tweet_ids": [tid], **extra}
    if author is not None:
        t["author_id"] = author
    if at is not None:
        t["created_at"] = at
    return t


def reply(tid: str, author: str, at: str, parent: str, to_user: str) -> dict:
    return tweet(
        tid,
        author,
        at,
        "sorry about that",
        referenced_tweets=[{"type": "replied_to", "id": parent}],
        in_reply_to_user_id=to_user,
        conversation_id=parent,
    )


CONTRACT_PAGE = {
    "data": [
        tweet("700001", CUST_A, "2026-11-10T10:00:00.000Z", "@QualityBrand late", entities=MENTION),
        reply("700002", BRAND, "2026-11-10T10:30:00.000Z", "700001", CUST_A),  # 30 minutes
        tweet("700003", CUST_B, "2026-11-10T12:00:00.000Z", "@QualityBrand help", entities=MENTION),
        # answers 700003 an hour before it was posted: impossible, quarantined
        reply("700004", BRAND, "2026-11-10T11:00:00.000Z", "700003", CUST_B),
        # nobody wrote it: quarantined
        tweet("700005", None, "2026-11-10T13:00:00.000Z", "@QualityBrand hi", entities=MENTION),
        # never posted: quarantined
        tweet("700006", CUST_A, None, "@QualityBrand again", entities=MENTION),
    ],
    "includes": {
        "users": [
            {"id": BRAND, "username": "QualityBrand", "name": "Quality Brand"},
            {"id": CUST_A, "username": "cust_a", "name": "A"},
            {"id": CUST_B, "username": "cust_b", "name": "B"},
        ]
    },
    "__twarc": {"retrieved_at": "2026-11-11T00:00:00+00:00"},
}
# Lines the parser cannot load: rejected into canonical.rejects with file and line.
UNREADABLE = [
    {"text": "a tweet without an id", "author_id": CUST_A},
    tweet("700007", CUST_A, "yesterday", "a time nobody can read"),
]
QUARANTINED = {
    "700004": "reply predates its parent",
    "700005": "missing account_id",
    "700006": "missing created_at",
}
AUDITS = "clients:\n  - name: qa\n    brands:\n      - {platform: x, handle: QualityBrand}\n"


def run(argv: list[str]) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        code = main(argv)
    return code, out.getvalue()


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    real = [shared_file(f"x_api_v2/twarc_pages/{n}") for n in ("brexit.jsonl", "kpop.jsonl")]
    root = tmp_path_factory.mktemp("quality_contract")
    page = root / "contract_page.jsonl"
    page.write_text("\n".join(json.dumps(x) for x in [CONTRACT_PAGE, *UNREADABLE]) + "\n")
    (root / "audits.yaml").write_text(AUDITS)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("RAPPORT_WAREHOUSE", str(root / "wh" / "rapport.duckdb"))
        mp.setenv("RAPPORT_RAW_DIR", str(root / "wh" / "raw"))
        mp.setenv("RAPPORT_INBOX", str(root / "wh" / "inbox"))
        mp.setenv("RAPPORT_AUDITS", str(root / "audits.yaml"))
        mp.setenv("DAGSTER_HOME", str(root / "dagster_home"))
        assert run(["import", "twarc2", *map(str, real), str(page)])[0] == 0
        code, out = run(["build"])
    return root / "wh" / "rapport.duckdb", code, out


def query(path: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_too_many_quarantined_posts_fail_the_build_and_keep_the_analyst_copy_back(built):
    path, code, out = built
    assert code == 1
    assert re.search(r"\bquarantined_posts\s+intermediate/int_posts__quarantined\s+fail", out), out
    assert re.search(r"3 of \d+ posts quarantined \(1\.\d\d%; blocking above 1\.00%\)", out)
    # the marts were built, but analysts never see them: no copy was published
    assert not path.with_name("rapport_analyst.duckdb").exists()


def test_too_many_quarantined_posts_stop_a_downstream_report_in_the_same_run(
    built, tmp_path, monkeypatch
):
    """The quarantine check guards an intermediate model, yet a report reading a mart
    two steps downstream of it must not be written while it fails."""
    path, _, _ = built
    copy = tmp_path / "rapport.duckdb"
    shutil.copyfile(path, copy)
    monkeypatch.setenv("RAPPORT_WAREHOUSE", str(copy))
    result = run_checks_and_report()
    assert not result.success
    assert downstream_report.key not in materialized(result)
    failed = [e for e in result.get_asset_check_evaluations() if not e.passed]
    assert [(e.check_name, e.severity) for e in failed if e.blocking] == [
        ("quarantined_posts", dg.AssetCheckSeverity.ERROR)
    ]


def test_contract_breaking_posts_are_quarantined_with_their_reason(built):
    path, _, _ = built
    rows = query(path, "select post_id, reason from intermediate.int_posts__quarantined")
    assert dict(rows) == QUARANTINED  # and nothing from the two real collections


def test_quarantined_posts_count_in_no_metric(built):
    path, _, _ = built
    counted = {r[0] for r in query(path, "select post_id from marts.posts")}
    assert counted.isdisjoint(QUARANTINED) and {"700001", "700002", "700003"} <= counted
    # Worked out by hand from CONTRACT_PAGE without the quarantined posts: QualityBrand
    # wrote one reply (700002), was sent 700001 and 700003, answered 700001 in 30 min.
    # Counting them would give 2 posts, 4 inbound and a median of -15 minutes.
    (row,) = query(
        path,
        "select posts, replies, reply_share, inbound, answered, response_rate, "
        "median_first_response_min, p90_first_response_min "
        "from marts.conversation_metrics where handle = 'QualityBrand'",
    )
    assert row == (1, 1, 1.0, 2, 1, 0.5, 30.0, 30.0)
    (mix,) = query(path, "select posts, replies from marts.post_mix where account_id = '9001'")
    assert mix == (1, 1)


def test_unreadable_input_is_rejected_and_counted_as_a_warning(built, tmp_path, monkeypatch):
    path, _, _ = built
    rejects = query(
        path,
        "select line_number, reason from canonical.rejects where file_name like '%contract_page%' "
        "order by line_number",
    )
    assert [line for line, _ in rejects] == [2, 3]
    assert "no id" in rejects[0][1] and "yesterday" in rejects[1][1]

    copy = tmp_path / "rapport.duckdb"
    shutil.copyfile(path, copy)
    monkeypatch.setenv("RAPPORT_WAREHOUSE", str(copy))
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    # An operator who accepts up to 2% quarantined posts: 3 of 282 is then a warning.
    monkeypatch.setenv("RAPPORT_QUALITY_MAX_QUARANTINED_SHARE", "0.02")
    code, out = run(["check"])
    assert code == 0, out
    assert re.search(r"\bquarantined_posts\s+\S+\s+pass\s+3 of \d+ posts quarantined", out), out
    assert re.search(r"no_quarantined_posts\s+\S+\s+warn\s+3 of \d+ posts quarantined", out)
    assert re.search(r"rejected_input\s+canonical/rejects\s+warn", out), out
    status = dict(
        query(
            copy,
            "select check_name, status from ops.check_results where run_id like 'check-%'",
        )
    )
    assert status["quarantined_posts"] == "pass" and status["no_quarantined_posts"] == "warn"
    assert status["rejected_input"] == "warn"
    assert {s for c, s in status.items() if c.endswith("_suite")} == {"pass"}


def test_a_bad_threshold_is_refused_with_its_variable(built, tmp_path, monkeypatch):
    path, _, _ = built
    monkeypatch.setenv("RAPPORT_WAREHOUSE", str(path))
    monkeypatch.setenv("RAPPORT_QUALITY_FOLLOWER_JUMP_SHARE", "a lot")
    code, out = run(["check"])
    assert code == 2
    assert "RAPPORT_QUALITY_FOLLOWER_JUMP_SHARE='a lot'" in out
