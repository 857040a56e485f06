"""Client audits on the real demo run: `rapport demo` ends by writing both clients'
reports; the scorecard matches a computation from the canonical tables; the demo's
archetypes get the findings their descriptions call for; a second audit of the same
period writes a byte-identical CSV; the report renders in headless Chromium and shows
marts.audit_scorecard's numbers. One demo build serves the whole module."""

from __future__ import annotations

import contextlib
import io
import re
import shutil
from collections import Counter
from dataclasses import fields
from datetime import UTC, datetime, timedelta
from html import escape

import dagster as dg
import duckdb
import pytest

from pipelines.audience import single_rules
from pipelines.cli import main
from pipelines.config.settings import PROJECT_ROOT, load_settings
from pipelines.defs.dagster_home import ensure_dagster_home
from pipelines.defs.dbt_project import rapport_dbt_project
from pipelines.reports.glossary import PLAIN, scorecard_definitions
from pipelines.reports.periods import local_time
from pipelines.reports.tables import CHANGES, COVERAGE, METRICS
from pipelines.sources import demo as demo_world
from tests.report_helpers import (
    CHROMIUM,
    chromium,
    independent_audit,
    independent_audit_with_minutes,
    png_pixels,
    scorecard_cells,
)

ANCHOR = datetime(2026, 11, 16, 6, tzinfo=UTC)
START = datetime(2026, 10, 19, 6, tzinfo=UTC)
WEEK_START, WEEK_END = datetime(2026, 11, 2, tzinfo=UTC), datetime(2026, 11, 9, tzinfo=UTC)
# the anchor's local date
FOLDERS = {"northwind": "2026-11-15", "acme": "2026-11-16", "globex": "2026-11-16"}
# Each audit also registers the previous period of the same length, ending at its start.
BEFORE_START, BEFORE_WEEK = START - timedelta(days=28), WEEK_START - timedelta(days=7)
ACME_PERIODS = [  # by period_end
    (BEFORE_START, START),
    (BEFORE_WEEK, WEEK_START),
    (WEEK_START, WEEK_END),
    (START, ANCHOR),
]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    root = tmp_path_factory.mktemp("report_demo")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("RAPPORT_WAREHOUSE", str(root / "wh" / "rapport.duckdb"))
        mp.setenv("RAPPORT_RAW_DIR", str(root / "wh" / "raw"))
        mp.setenv("RAPPORT_INBOX", str(root / "wh" / "inbox"))
        mp.setenv("RAPPORT_AUDITS", str(PROJECT_ROOT / "audits.yaml"))
        mp.setenv("DAGSTER_HOME", str(root / "dagster_home"))
        mp.delenv("RAPPORT_REPORTS_DIR", raising=False)
        settings = load_settings()
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            assert main(["demo"]) == 0
        first_csv = (settings.reports_dir / "acme" / FOLDERS["acme"] / "scorecard.csv").read_bytes()
        # A second audit of the same period, with everything upstream recomputed.
        with contextlib.redirect_stdout(io.StringIO()):
            assert main(["report", "acme"]) == 0
            # An earlier, shorter period: a new folder and new scorecard rows beside the
            # first period's, which stay as they were.
            assert (
                main(
                    ["report", "acme", "--no-refresh", "--days", "7", "--period-end", "2026-11-08"]
                )
                == 0
            )
        yield settings, out.getvalue(), first_csv


def scorecard(settings, client: str) -> dict[str, dict]:
    """The client's scorecard for the demo's default period."""
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        cur = con.execute(
            "SELECT * FROM marts.audit_scorecard WHERE client = ? AND period_end = ?",
            [client, ANCHOR],
        )
        names = [d[0] for d in cur.description]
        return {r[names.index("handle")]: dict(zip(names, r, strict=True)) for r in cur.fetchall()}


def report_path(settings, client: str, name: str = "report.html"):
    return settings.reports_dir / client / FOLDERS[client] / name


def test_the_demo_ends_by_writing_both_reports_and_printing_their_paths(demo):
    settings, printed, _ = demo
    for client in ("northwind", "acme"):
        for name in ("report.html", "scorecard.csv"):
            path = report_path(settings, client, name)
            assert path.is_file() and str(path) in printed


def test_the_report_is_self_contained(demo):
    settings, _, _ = demo
    html = report_path(settings, "northwind").read_text()
    assert "<style>" in html and "<svg" in html
    # nothing to fetch: no script, stylesheet link, image source or CSS url(); the only
    # links are anchors a reader clicks (the follow-up list's posts, the definitions)
    assert not re.search(r"<script|<link|<img|url\(|@import|javascript:", html, re.I)
    assert not re.search(r'src="', html)
    hrefs = re.findall(r'<(\w+)[^>]* href="([^"]*)"', html)
    assert {tag for tag, _ in hrefs} == {"a"}
    assert all(h.startswith(("#", "https://x.com/", "https://bsky.app/")) for _, h in hrefs)


def test_the_period_ends_at_the_latest_data_not_the_wall_clock(demo):
    settings, _, _ = demo
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        periods = con.execute(
            "SELECT client, period_start, period_end FROM config.audit_periods "
            "ORDER BY client, period_end"
        ).fetchall()
    # one period per client and period, though acme's first was audited twice; a date
    # as period end means the end of that day in the client's time zone (acme: UTC);
    # each audit registered its previous period too
    assert [(c, s.astimezone(UTC), e.astimezone(UTC)) for c, s, e in periods] == [
        *(("acme", s, e) for s, e in ACME_PERIODS),
        ("globex", BEFORE_START, START),
        ("globex", START, ANCHOR),
        ("northwind", BEFORE_START, START),
        ("northwind", START, ANCHOR),
    ]


def test_a_past_period_keeps_its_own_rows(demo):
    settings, _, _ = demo
    assert (settings.reports_dir / "acme" / "2026-11-08" / "scorecard.csv").is_file()
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        rows = con.execute(
            "SELECT period_end, handle, posts, inbound, answered FROM marts.audit_scorecard "
            "WHERE client = 'acme' ORDER BY period_end, handle"
        ).fetchall()
    assert [(e.astimezone(UTC), h) for e, h, *_ in rows] == [
        (end, h) for _, end in ACME_PERIODS for h in ("AcmeCo", "AcmeLabs", "RivalCo")
    ]
    starts = {end: start for start, end in ACME_PERIODS}
    for end, handle, posts, inbound, answered in rows:
        start = starts[end.astimezone(UTC)]
        want = independent_audit(settings.warehouse_path, handle, start, end)
        assert (posts, inbound, answered) == (want.posts, want.inbound, want.answered)


def test_two_audits_of_the_same_period_write_byte_identical_csvs(demo):
    settings, _, first_csv = demo
    second_csv = report_path(settings, "acme", "scorecard.csv").read_bytes()
    assert second_csv == first_csv
    header, *rows = second_csv.decode().splitlines()
    assert header.startswith("client,period_start,period_end,period_days,role,platform")
    assert [r.split(",")[8] for r in rows] == ["AcmeCo", "AcmeLabs", "RivalCo"]
    columns = header.split(",")
    for line in rows:
        cells = dict(zip(columns, line.split(","), strict=True))
        assert cells["period_days"] == "28"
        assert cells["inbound"].isdigit() and cells["followers_end"].isdigit()
        for column, cell in cells.items():
            digits = 1 if column.endswith(("_min", "_hours")) else 4
            if re.fullmatch(r"-?\d+\.\d+", cell):
                assert len(cell.split(".")[1]) <= digits, (column, cell)
                assert not cell.endswith("0"), (column, cell)


@pytest.mark.parametrize("client", ["northwind", "acme", "globex"])
def test_the_scorecard_matches_an_independent_computation(demo, client):
    settings, _, _ = demo
    rows = scorecard(settings, client)
    handles = [handle for c, _, _, handle, _ in demo_world.audit_entries() if c == client]
    assert sorted(rows) == sorted(handles)
    for handle in handles:
        got, want = rows[handle], independent_audit(settings.warehouse_path, handle, START, ANCHOR)
        for f in fields(want):
            if f.compare:
                value = getattr(want, f.name)
                assert got[f.name] == pytest.approx(value), f"{handle}.{f.name}"
        assert got["follower_growth"] == want.followers_end - want.followers_start
        assert got["response_rate"] == pytest.approx(
            want.answered / want.inbound if want.inbound else None
        )


def test_a_brand_on_three_networks_has_one_total_from_its_pooled_messages(demo):
    """Northwind Coffee is on X, Bluesky and Mastodon: marts.audit_brand_totals sums its
    three accounts' counts, recomputes the rate from the sums and takes the median over
    all their answered messages together, and the report shows a column per network and
    the total, with the total's exact values."""
    settings, _, _ = demo
    members = [
        (platform, handle)
        for client, role, platform, handle, name in demo_world.audit_entries()
        if client == "northwind" and name == "Northwind Coffee"
    ]
    assert sorted(p for p, _ in members) == ["bluesky", "mastodon", "x"]
    parts = [
        independent_audit_with_minutes(settings.warehouse_path, h, START, ANCHOR)
        for _, h in members
    ]
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        cur = con.execute(
            "SELECT * FROM marts.audit_brand_totals WHERE client = 'northwind' "
            "AND period_end = ? AND brand_name = 'Northwind Coffee'",
            [ANCHOR],
        )
        names = [d[0] for d in cur.description]
        (total,) = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    assert (total["accounts"], total["platforms"]) == (3, "bluesky, mastodon, x")
    for field in ("posts", "replies", "retweets", "quotes", "broadcast_posts", "inbound"):
        assert total[field] == sum(getattr(e, field) for e, _ in parts), field
    answered = sum(e.answered for e, _ in parts)
    assert total["answered"] == answered
    assert total["response_rate"] == pytest.approx(answered / total["inbound"])
    pooled = [m for _, minutes in parts for m in minutes]
    assert total["median_first_response_min"] == pytest.approx(_pooled_median(pooled))
    assert total["followers_end"] == sum(e.followers_end for e, _ in parts)
    # per-network medians averaged would be another number: the pooling matters here
    mean_of_medians = sum(e.median_first_response_min for e, _ in parts) / len(parts)
    assert total["median_first_response_min"] != pytest.approx(mean_of_medians)
    assert total["inbound_coverage"] == "mixed"  # X: replies and mentions; others: replies

    html = report_path(settings, "northwind").read_text()
    for metric in ("inbound", "answered", "response_rate", "median_first_response_min"):
        cell = re.search(
            rf'data-brand="Northwind Coffee" data-metric="{metric}" data-value="([^"]*)"', html
        )
        assert cell and float(cell.group(1)) == pytest.approx(total[metric]), metric
    assert "all networks (Bluesky, Mastodon, X)" in html
    assert "On Bluesky and Mastodon, no free timeline holds every post" in html


def _pooled_median(values: list[float]) -> float:
    xs = sorted(values)
    mid = len(xs) // 2
    return xs[mid] if len(xs) % 2 else (xs[mid - 1] + xs[mid]) / 2


def test_weekly_trends_add_up_to_the_scorecard(demo):
    settings, _, _ = demo
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        mismatches = con.execute(
            """
            SELECT s.handle
            FROM marts.audit_scorecard AS s
            JOIN (SELECT client, period_end, account_key, count(*) AS weeks, sum(posts) AS posts,
                         sum(inbound) AS inbound, sum(answered) AS answered
                  FROM marts.audit_weekly_trends GROUP BY ALL) AS w
              USING (client, period_end, account_key)
            WHERE w.weeks <> ceil(s.period_days / 7) OR w.posts <> s.posts OR w.inbound <> s.inbound
               OR w.answered <> s.answered
            """
        ).fetchall()
        history = con.execute(
            "SELECT count(*) FROM marts.audit_follower_history "
            "WHERE client = 'acme' AND period_end = ?",
            [ANCHOR],
        ).fetchone()[0]
    assert mismatches == []
    assert history == 3 * demo_world.DEFAULT_DAYS  # a daily snapshot per account


def findings_in(html: str) -> dict[str, dict[str, str]]:
    """handle -> {finding code: kind}, as the report shows them."""
    out: dict[str, dict[str, str]] = {}
    findings = html[html.index("<h2>Findings</h2>") :]
    findings = findings[: findings.index("<h2", 5)]
    for section in re.split(r"<h3>", findings)[1:]:
        handle = re.match(r"@(\w+)", section)
        if handle:
            codes = re.findall(r'<li class="(concern|strength)" data-code="(\w+)"', section)
            out[handle.group(1)] = {code: kind for kind, code in codes}
    return out


def test_the_archetypes_get_the_findings_their_descriptions_call_for(demo):
    settings, _, _ = demo
    found = {
        **findings_in(report_path(settings, "northwind").read_text()),
        **findings_in(report_path(settings, "acme").read_text()),
    }
    # broadcaster: "announcements only: never replies, retweets or mentions anyone,
    # though customers mention it and reply to it"
    assert {"broadcaster", "rarely_replies", "never_amplifies", "low_response_rate"} <= set(
        found[demo_world.BROADCASTER]
    )
    # follow-for-follow: "follows ten or more times as many accounts as follow it ...
    # rarely answers"
    assert {"follow_for_follow", "low_response_rate"} <= set(found[demo_world.FOLLOW_FOR_FOLLOW])
    # ghost: "empty bio, default avatar, fewer than 20 posts ever, a dozen followers"
    assert "looks_abandoned" in found[demo_world.GHOST]
    # the conversational brand: no concern at all, praised for answering and for
    # pointing customers to its sister account (cast.INTRODUCES)
    assert found[demo_world.CONVERSATIONAL] == {
        "responsive": "strength",
        "connects_people": "strength",
    }
    # the broadcaster's threads are customers answering it: it never speaks last
    assert "leaves_threads_hanging" in found[demo_world.BROADCASTER]
    # the etiquette brands: "its first words to a stranger are a sales pitch ... or a
    # request to retweet, follow or review it"; "the same text every time"
    globex = findings_in(report_path(settings, "globex").read_text())
    # "follows in sprees"; it tacks the day's trending tag onto its deals (cast.TRENDS)
    assert {
        "pitches_on_first_contact",
        "asks_strangers_to_amplify",
        "follow_churn",
        "broadcasts_into_hashtags",
    } <= set(globex[demo_world.PITCHER])
    assert "canned_replies" in globex[demo_world.AUTO_REPLIER]
    etiquette = {
        "pitches_on_first_contact",
        "asks_strangers_to_amplify",
        "canned_replies",
        "follow_churn",
        "broadcasts_into_hashtags",
        "leaves_threads_hanging",
    }
    assert not etiquette & set(found[demo_world.CONVERSATIONAL])
    assert "unanswered_questions" not in found[demo_world.CONVERSATIONAL]
    text = report_path(settings, "globex").read_text()
    assert (
        "100% of @GlobexHelp&#x27;s 49 replies repeat another of its replies word for word" in text
    )
    assert "thank you for contacting globex support." in text
    html = report_path(settings, "acme").read_text()
    assert "@AcmeCo answered 0% of 123 messages sent to it; competitors answered 30% of 44." in html
    assert "100% of @AcmeCo&#x27;s 97 posts are announcements that mention nobody." in html


def test_dagster_shows_the_scorecard_and_findings_with_the_file_path(demo):
    settings, _, _ = demo
    key = dg.AssetKey(["reports", "client_audit"])
    records = dg.DagsterInstance.get().fetch_materializations(key, limit=20).records
    by_report = {
        r.asset_materialization.metadata["report"].value: r.asset_materialization
        for r in reversed(records)  # oldest first, so the latest of each report wins
    }
    assert str(report_path(settings, "northwind")) in by_report
    acme = by_report[str(report_path(settings, "acme"))]
    assert acme.partition == "acme"
    assert acme.metadata["scorecard_csv"].value == str(
        report_path(settings, "acme", "scorecard.csv")
    )
    summary = acme.metadata["summary"].value
    assert "| @RivalCo | competitor | 48 | 44 | 29.5% |" in summary
    assert "**@AcmeCo**: Shouts into the room and leaves" in summary


@pytest.mark.skipif(not CHROMIUM.exists(), reason="run `make chromium` (make test does)")
def test_the_report_renders_in_headless_chromium_with_the_marts_numbers(demo, tmp_path):
    settings, _, _ = demo
    url = report_path(settings, "northwind").as_uri()
    shot = tmp_path / "report.png"
    chromium([f"--screenshot={shot}", "--window-size=1100,1200", url], tmp_path / "profile")
    pixels = png_pixels(shot)
    assert pixels.shape[:2] == (1200, 1100)
    grey = pixels[..., :3].mean(axis=2)
    assert grey.std() > 20  # a blank page has none
    assert (grey < 128).mean() > 0.01  # dark text and lines cover part of it
    assert len({tuple(p) for p in pixels[::10, ::10, :3].reshape(-1, 3)}) > 50  # colours

    cells = scorecard_cells(chromium(["--dump-dom", url], tmp_path / "profile"))
    rows = scorecard(settings, "northwind")
    assert {h for h, _ in cells} == set(rows)
    for handle, row in rows.items():
        for metric in METRICS:
            raw, shown = cells[(handle, metric.column)]
            value = row[metric.column]
            if value is None:
                assert (raw, shown) == ("", "\u2013")
            elif isinstance(value, bool):
                assert raw == str(value).lower() and shown == ("yes" if value else "no")
            elif isinstance(value, int):
                assert int(raw) == value
                if metric.column != "follower_growth":
                    assert shown == f"{value:,}"
            else:
                assert float(raw) == value  # the page carries the mart's exact value
                if metric.column.endswith(("_share", "_rate")) and "growth" not in metric.column:
                    assert shown == f"{value * 100:.1f}%"


# ---------------------------------------------------------------- what a client reads


def test_the_period_line_shows_the_marts_bounds_in_the_clients_zone(demo):
    settings, _, _ = demo
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        ((start, end),) = con.execute(
            "SELECT DISTINCT period_start, period_end FROM marts.audit_scorecard "
            "WHERE client = 'northwind' AND period_end = ?",
            [ANCHOR],
        ).fetchall()
    tz = "America/Los_Angeles"  # audits.yaml's northwind
    bounds = f"{local_time(start, tz)} to {local_time(end, tz)}"
    assert bounds == "18 Oct 2026 23:00 PDT (UTC-07:00) to 15 Nov 2026 22:00 PST (UTC-08:00)"
    html = report_path(settings, "northwind").read_text()
    assert f"<strong>Period:</strong> {bounds}, 28 days (America/Los_Angeles)" in html


def test_follower_charts_start_at_zero(demo):
    settings, _, _ = demo
    html = report_path(settings, "acme").read_text()
    charts = re.findall(r'<svg[^>]*aria-label="Followers of @(\w+)".*?</svg>', html)
    assert len(charts) == 3
    for svg in re.findall(r'<svg[^>]*aria-label="(?:Followers|Weekly)[^"]*".*?</svg>', html):
        labels = re.findall(r'text-anchor="end"[^>]*>([^<]*)</text>', svg)
        assert labels[0] in ("0", "0%", "0 h"), labels


def test_the_cresci_rules_sit_beside_the_flags_with_the_mcc_rapport_measured(demo):
    """The flags section shows Cresci et al.'s single rules the account fails, and their
    plain words carry the MCC of the committed single_rules.json (written by `rapport
    audience evaluate`), labelled as measured here: for the bio and avatar rules, on the
    account's own flags, whose definitions stay as they were."""
    settings, _, _ = demo
    html = report_path(settings, "northwind").read_text()
    flags = html.split("Legitimacy flags (profile at period end)")[1].split("</table>")[0]
    for label in (
        "Cresci rule: fewer than 30 followers",
        "Cresci rule: fewer than 50 posts ever",
        "Cresci rule: follows more than 2 times its followers",
    ):
        assert f">{escape(label)}<a" in flags, label
    rules = single_rules.load()["rules"]
    assert [r["column"] for r in rules] == [
        "cresci_fewer_than_30_followers",
        "cresci_fewer_than_50_posts",
        "cresci_follows_more_than_twice_followers",
        "flag_empty_bio",
        "flag_default_avatar",
    ]
    for r in rules:
        words = PLAIN[r["column"]]
        assert (
            f"MCC {r['lowest_mcc']:.3f}, measured by Rapport on Cresci's labelled collections"
            in words
        )
        assert f'<dd>{escape(words)}<a href="#def-{r["column"]}">' in html
        assert escape(words, quote=True) in flags  # the row's tooltip
    assert PLAIN["flag_empty_bio"].startswith("The profile has no description. ")
    # NorthwindDeals follows 7,096 accounts with 469 followers: it fails the ratio rule
    cell = scorecard_cells(html)[("NorthwindDeals", "cresci_follows_more_than_twice_followers")]
    assert cell == ("true", "yes")


def test_definitions_are_in_plain_words_with_the_exact_ones_in_the_appendix(demo):
    settings, _, _ = demo
    html = report_path(settings, "northwind").read_text()
    plain = html.split("<h2>How the figures are defined</h2>")[1].split("<h2>")[0]
    assert "quantile_cont" not in plain and "in_reply_to_post_id" not in plain
    appendix = html.split('<h2 id="exact-definitions">')[1]
    assert "<h2" not in appendix  # the last section
    definitions = scorecard_definitions(rapport_dbt_project().manifest_path)
    for metric in (COVERAGE, *METRICS):
        assert f'<dd>{escape(PLAIN[metric.column])}<a href="#def-{metric.column}">' in plain
        exact = f'<dt id="def-{metric.column}">{metric.column}</dt><dd>'
        assert exact + escape(definitions[metric.column]) in appendix
    assert "quantile_cont" in appendix
    anchors = set(re.findall(r' id="([^"]+)"', html))
    assert {h for h in re.findall(r'href="#([^"]+)"', html)} <= anchors


def cells_with_previous(html: str, handle: str) -> dict[str, tuple[str, str | None]]:
    """metric -> (value, previous value or None) of an account's scorecard cells."""
    found = re.finditer(
        rf'data-handle="{handle}" data-metric="(\w+)" data-value="([^"]*)">[^<]*'
        r'(?:<span class="was" data-previous="([^"]*)">([^<]*)</span>)?</td>',
        html,
    )
    return {m[1]: (m[2], m[3], m[4]) for m in found}


def test_the_previous_period_is_shown_beside_the_current_one(demo):
    settings, _, _ = demo
    # the 7-day audit to 2026-11-08: the week before it has data
    html = (settings.reports_dir / "acme" / "2026-11-08" / "report.html").read_text()
    assert "<strong>Compared with:</strong> the previous 7 days, 26 Oct 2026 00:00 UTC" in html
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        cur = con.execute(
            "SELECT * FROM marts.audit_scorecard WHERE client = 'acme' AND handle = 'RivalCo' "
            "AND period_start = ? AND period_end = ?",
            [BEFORE_WEEK, WEEK_START],
        )
        before = dict(zip([d[0] for d in cur.description], cur.fetchone(), strict=True))
    assert before["posts"] > 0 and before["inbound"] > 0
    cells = cells_with_previous(html, "RivalCo")
    for metric in CHANGES:
        value, previous, words = cells[metric]
        if before[metric] is None:
            assert previous is None, metric
        else:
            assert float(previous) == pytest.approx(before[metric]), metric
            assert words.startswith(" (was "), metric
    assert cells["reply_share"][1] is None  # not a main figure
    # the default period: nothing before the demo's data began, so only the values
    for client in ("acme", "northwind"):
        html = report_path(settings, client).read_text()
        assert 'class="was"' not in html and "Compared with" not in html


def test_the_follow_up_list_holds_each_brands_oldest_unanswered_messages(demo):
    settings, _, _ = demo
    html = report_path(settings, "acme").read_text()
    section = html.split('<h2 id="follow-up">')[1].split("<h2>")[0]
    want = independent_audit(settings.warehouse_path, "AcmeCo", START, ANCHOR)
    overdue = [m for m in want.unanswered if m["created_at"] <= ANCHOR - timedelta(hours=24)]
    assert len(overdue) > 20
    acme = section.split('<h3 class="follow-up">@AcmeCo ')[1].split("<h3")[0]
    assert f'data-follow-ups="{len(overdue)}">{len(overdue)} unanswered, the oldest 20' in acme
    shown = re.findall(r'<tr class="follow-up" data-post-id="([^"]+)">(.*?)</tr>', acme)
    assert [post_id for post_id, _ in shown] == [m["post_id"] for m in overdue[:20]]
    for (post_id, row), message in zip(shown, overdue, strict=False):
        assert escape(message["text"]) in row
        assert f'<a href="https://x.com/i/status/{post_id}">open</a>' in row
        assert local_time(message["created_at"], "UTC") in row
    # Bluesky posts link to bsky.app; Mastodon's status URL is not stored: no link
    north = report_path(settings, "northwind").read_text().split('<h2 id="follow-up">')[1]
    bsky = north.split("@northwindcoffee.bsky.social ")[1].split("<h3")[0]
    assert re.search(r'<a href="https://bsky.app/profile/did:plc:\w+/post/\w+">open</a>', bsky)
    masto = north.split("@northwindcoffee@social.example ")[1].split("<h3")[0]
    assert '<tr class="follow-up"' in masto and "<a href" not in masto


# ---------------------------------------------------------------- the quality gate


@pytest.fixture
def warehouse_copy(demo, tmp_path, monkeypatch):
    """The built demo warehouse, copied, with its own reports folder and run history."""
    settings, _, _ = demo
    copy = tmp_path / "wh" / "rapport.duckdb"
    copy.parent.mkdir()
    shutil.copyfile(settings.warehouse_path, copy)
    monkeypatch.setenv("RAPPORT_WAREHOUSE", str(copy))
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    copied = load_settings()
    ensure_dagster_home(copied)
    return copied


def fail_a_blocking_check(settings, asset: str = "marts/audit_scorecard") -> None:
    with duckdb.connect(str(settings.warehouse_path)) as con:
        con.execute(
            "INSERT INTO ops.check_results (run_id, checked_at, check_name, asset, severity, "
            "blocking, passed, status, unexpected_count) "
            "VALUES ('test', now(), 'response_rate_in_range', ?, 'ERROR', true, false, 'fail', 1)",
            [asset],
        )


def test_rapport_report_refuses_when_a_blocking_check_on_its_inputs_failed(warehouse_copy, capsys):
    fail_a_blocking_check(warehouse_copy)
    assert main(["report", "acme", "--no-refresh"]) == 1
    err = capsys.readouterr().err
    assert "the acme report was not produced" in err
    assert "marts/audit_scorecard: response_rate_in_range (ops.check_results)" in err
    assert not warehouse_copy.reports_dir.exists()


def test_a_refused_audit_is_a_failed_run_in_dagster(warehouse_copy):
    from pipelines.definitions import defs
    from pipelines.defs.assets.reports import CLIENT_AUDIT
    from pipelines.defs.resources import build_resources

    fail_a_blocking_check(warehouse_copy, "intermediate/int_posts__current")  # upstream
    instance = dg.DagsterInstance.get()
    result = dg.materialize(
        [*defs.assets, *defs.asset_checks],
        selection=[CLIENT_AUDIT],
        partition_key="acme",
        resources={**defs.resources, **build_resources(warehouse_copy)},
        instance=instance,
        raise_on_error=False,
    )
    assert not result.success
    (failure,) = [e for e in result.all_events if e.is_step_failure]
    assert failure.step_key == "reports__client_audit"
    assert "int_posts__current: response_rate_in_range" in failure.step_failure_data.error.message
    assert instance.get_run_by_id(result.run_id).status == dg.DagsterRunStatus.FAILURE
    assert not warehouse_copy.reports_dir.exists()


def test_a_blocking_check_failing_in_the_same_run_stops_the_report(warehouse_copy):
    from pipelines.definitions import defs
    from pipelines.defs.jobs import audit_selection
    from pipelines.defs.resources import build_resources

    @dg.asset_check(asset=dg.AssetKey(["marts", "audit_scorecard"]), blocking=True)
    def scorecard_is_wrong() -> dg.AssetCheckResult:
        return dg.AssetCheckResult(passed=False, severity=dg.AssetCheckSeverity.ERROR)

    result = dg.materialize(
        [*defs.assets, *defs.asset_checks, scorecard_is_wrong],
        selection=audit_selection(refresh=False) | dg.AssetSelection.checks(scorecard_is_wrong),
        partition_key="acme",
        resources={**defs.resources, **build_resources(warehouse_copy)},
        instance=dg.DagsterInstance.get(),
        raise_on_error=False,
    )
    assert not result.success
    started = {e.step_key for e in result.all_events if e.event_type_value == "STEP_START"}
    assert "rapport_dbt_models" in started and "reports__client_audit" not in started
    assert not warehouse_copy.reports_dir.exists()


def audience_rows(settings) -> dict[tuple, dict]:
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        cur = con.execute("SELECT * FROM marts.audience_quality")
        names = [d[0] for d in cur.description]
        rows = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    return {(r["platform"], r["handle"], r["sampled_at"]): r for r in rows}


def test_each_follower_samples_interval_holds_its_generated_share_of_bought_followers(demo):
    settings, _, _ = demo
    rows = audience_rows(settings)
    truth = demo_world.follower_truth()
    assert {(p, h.lower(), at) for p, h, at in rows} == {(p, h.lower(), at) for p, h, at in truth}
    shares = {}
    for (platform, handle, at), t in truth.items():
        row = next(
            r
            for k, r in rows.items()
            if k[0] == platform and k[2] == at and k[1].lower() == handle.lower()
        )
        share = len(t.bought_ids) / len(t.follower_ids)
        shares[handle] = share
        assert row["followers_sampled"] == len(t.follower_ids)
        assert row["followers_scored"] == len(t.follower_ids), (handle, "every follower scored")
        assert row["fake_share_low"] <= share <= row["fake_share_high"], (handle, at, share, row)
    # the world has a clean audience and one with bought followers
    assert shares[demo_world.CONVERSATIONAL] == 0
    assert shares[demo_world.FOLLOW_FOR_FOLLOW] > 0.25


def test_the_samples_flag_shares_match_the_sampled_profiles(demo):
    settings, _, _ = demo
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        followers = con.execute(
            "SELECT platform, account_id, sampled_at, bio, has_default_avatar, post_count, "
            "followers_count, following_count FROM canonical.sampled_followers"
        ).fetchall()
    by_sample: dict[tuple, list] = {}
    for p, a, at, bio, avatar, posts, n_followers, following in followers:
        # a flag is unknown (None) where the profile lacks what it reads; a share is over
        # the followers where it is known
        by_sample.setdefault((p, a, at), []).append(
            (
                not (bio or "").strip(),
                avatar,
                None if posts is None else posts < 20,  # few_posts_threshold
                None
                if following is None or n_followers is None
                else following != 0 and following >= 10 * n_followers,
            )
        )
    rows = {
        (r["platform"], r["account_id"], r["sampled_at"]): r
        for r in audience_rows(settings).values()
    }
    for key, flags in by_sample.items():
        row = rows[key]
        for i, column in enumerate(
            ("empty_bio_share", "default_avatar_share", "few_posts_share", "follows_far_more_share")
        ):
            known = [f[i] for f in flags if f[i] is not None]
            expected = sum(known) / len(known) if known else None
            assert row[column] == pytest.approx(expected), (key, column)


def test_the_report_shows_each_accounts_latest_sample_with_its_interval(demo):
    settings, _, _ = demo
    html = report_path(settings, "northwind").read_text()
    section = html[html.index('id="audience"') :]
    latest = {}
    for row in audience_rows(settings).values():
        if row["sampled_at"] <= ANCHOR and row["platform"] == "x":
            if (
                row["handle"] not in latest
                or row["sampled_at"] > latest[row["handle"]]["sampled_at"]
            ):
                latest[row["handle"]] = row
    for handle in (demo_world.CONVERSATIONAL, demo_world.FOLLOW_FOR_FOLLOW):
        row = latest[handle]
        assert (
            f'data-fake-share="{row["estimated_fake_share"]:.4f}" '
            f'data-low="{row["fake_share_low"]:.4f}" data-high="{row["fake_share_high"]:.4f}"'
        ) in section, handle
        assert f"@{handle} " in section
    assert "the most recent followers, newest first" in section
    assert "on collections it was not trained on it caught" in section
    assert "AcmeCo" not in section  # another client's account


def _posts(settings) -> list[dict]:
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        cur = con.execute(
            "SELECT platform, post_id, handle, created_at, kind, in_reply_to_post_id, text "
            "FROM marts.posts WHERE platform = 'x'"
        )
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def _brand_section(html: str, handle: str) -> str:
    part = html[html.index('<h2 id="conversations">') :]
    part = part[: part.index("<h2", 5)]
    return part[part.index(f'<h3 class="conversation">@{handle} ') :].split("<h3", 2)[1]


def test_the_conversations_section_lists_repeated_replies_and_hashtags_as_the_posts_show_them(
    demo,
):
    """The report's Conversations section, against an independent computation from the
    posts (marts.posts: text, author, reply links): the auto-replier's repeated reply
    texts with their counts, and the pitcher's hashtags split into those that carried a
    conversation and those it only broadcast into."""
    from tests.test_etiquette import normalise

    settings, _, _ = demo
    posts = _posts(settings)
    html = report_path(settings, "globex").read_text()

    def in_period(p: dict) -> bool:
        return START < p["created_at"] <= ANCHOR

    # repeated replies: the same normalised text twice or more in the period
    texts = Counter(
        normalise(p["text"])
        for p in posts
        if p["handle"] == demo_world.AUTO_REPLIER and p["kind"] == "reply" and in_period(p)
    )
    texts.pop("", None)
    repeated = sorted(((n, t) for t, n in texts.items() if n >= 2), key=lambda x: (-x[0], x[1]))
    section = _brand_section(html, demo_world.AUTO_REPLIER)
    shown = re.findall(
        r'<tr class="canned-reply"><td>([\d,]+)</td><td class=\'text\'>(.*?)</td>', section
    )
    assert shown == [(f"{n:,}", escape(t)) for n, t in repeated[:5]]

    # hashtags: a tag carried a conversation when someone else replied to one of the
    # brand's posts carrying it, or two others exchanged tagged replies in the period
    def tags(p: dict) -> set[str]:
        return {t.lower() for t in re.findall(r"#([A-Za-z]\w*)", p["text"] or "")}

    by_id = {p["post_id"]: p for p in posts}
    own = {
        p["post_id"]
        for p in posts
        if p["handle"] == demo_world.PITCHER and p["kind"] != "retweet" and in_period(p)
    }
    used = set().union(*(tags(by_id[i]) for i in own))
    carried = set()
    for r in posts:
        parent = by_id.get(r["in_reply_to_post_id"])
        if parent is None or r["kind"] == "retweet" or r["handle"] == parent["handle"]:
            continue
        if parent["post_id"] in own and r["handle"] != demo_world.PITCHER:
            carried |= tags(parent)
        elif (
            demo_world.PITCHER not in (r["handle"], parent["handle"])
            and in_period(r)
            and parent["kind"] != "retweet"
        ):
            carried |= tags(r) & tags(parent) & used
    section = _brand_section(html, demo_world.PITCHER)
    listed_carried, listed_broadcast = (
        set(re.findall(r'class="hashtag"[^>]*>#(\w+)</span>', part))
        for part in section.split("Hashtags it only broadcast into")
    )
    assert listed_carried == carried and listed_broadcast == used - carried
    assert len(used - carried) >= 3  # the trend-jacked tags (cast.TRENDS)
