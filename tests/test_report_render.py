"""The report's pieces on fixed inputs: chart axes from zero, the CSV's rounding, times
in the client's zone, plain-words definitions for every figure, the previous period
beside the current one, and the follow-up list's links and escaping. The same pieces
are tested on the real demo run in test_report_demo.py."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from pipelines.reports.charts import Series, line_chart
from pipelines.reports.data import AuditData
from pipelines.reports.export import csv_cell
from pipelines.reports.followups import follow_up_section, post_url
from pipelines.reports.glossary import PLAIN
from pipelines.reports.periods import AuditPeriod, local_time
from pipelines.reports.tables import CHANGES, COVERAGE, METRICS, scorecard_table

END = datetime(2026, 11, 16, 6, tzinfo=UTC)
PERIOD = AuditPeriod("c", END - timedelta(days=28), END, "America/Los_Angeles")


def y_labels(svg: str) -> list[str]:
    return re.findall(r'text-anchor="end"[^>]*>([^<]*)</text>', svg)


def test_a_small_dip_in_followers_is_drawn_on_an_axis_from_zero():
    points = [(0.0, 10_000.0), (1.0, 9_996.0), (2.0, 9_998.0)]
    svg = line_chart([Series("@a", "#000", points)], [(0.0, "a")], lambda v: f"{v:,.0f}", "t")
    labels = y_labels(svg)
    assert labels[0] == "0" and labels[-1] == "10,000"
    ys = [float(y) for y in re.findall(r'<circle cx="[^"]+" cy="([^"]+)"', svg)]
    assert max(ys) - min(ys) < 1  # a 0.04% dip: under a pixel, not the chart's height


def test_rates_and_times_start_at_zero_too():
    svg = line_chart(
        [Series("@a", "#000", [(0.0, 40.0), (1.0, 45.0)])],
        [],
        lambda v: f"{v:.0f}%",
        "t",
        y_max=100,
    )
    assert y_labels(svg)[0] == "0%"


@pytest.mark.parametrize(
    ("column", "value", "written"),
    [
        ("period_days", 28.0, "28"),
        ("period_days", 6.958333333333333, "6.9583"),
        ("response_rate", 0.7661290322580645, "0.7661"),
        ("broadcast_share", 0.5, "0.5"),
        ("follower_growth_rate", -0.000041, "0"),
        ("median_first_response_min", 42.71666666666667, "42.7"),
        ("longest_gap_hours", 30.0, "30"),
        ("posts_per_week", 24.25, "24.25"),
        ("engagement_per_post_per_1k_followers", 0.0123456, "0.0123"),
        ("posts", 97, "97"),
        ("flag_empty_bio", True, "true"),
        ("median_first_response_min", None, ""),
        ("period_end", END, "2026-11-16T06:00:00Z"),
    ],
)
def test_the_csv_rounds_floats_and_writes_whole_numbers_as_integers(column, value, written):
    assert csv_cell(column, value) == written


def test_times_are_shown_in_the_clients_zone_with_its_abbreviation_and_offset():
    tz = "America/Los_Angeles"
    assert local_time(PERIOD.start, tz) == "18 Oct 2026 23:00 PDT (UTC-07:00)"
    assert local_time(PERIOD.end, tz) == "15 Nov 2026 22:00 PST (UTC-08:00)"
    assert local_time(END, "Asia/Kolkata") == "16 Nov 2026 11:30 IST (UTC+05:30)"
    assert local_time(END, "UTC") == "16 Nov 2026 06:00 UTC (UTC+00:00)"
    with pytest.raises(ValueError, match="no time zone"):
        local_time(END.replace(tzinfo=None), tz)


def test_every_figure_the_scorecard_shows_has_a_definition_in_plain_words():
    shown = {m.column for m in (COVERAGE, *METRICS)}
    assert shown == set(PLAIN)
    for column, words in PLAIN.items():
        assert words.strip(), column
        # plain words: no SQL, no column names, no formulas
        assert not re.search(r"quantile|epoch|NULL|_id\b|\w+_\w+|[=/]| x ", words), column


def test_the_previous_period_is_shown_beside_the_main_figures():
    assert set(CHANGES) == {
        "inbound",
        "response_rate",
        "median_first_response_min",
        "posts",
        "followers_end",
        "engagement_per_post",
    }
    now = {m.column: None for m in METRICS} | {
        "handle": "B",
        "role": "brand",
        "platform": "x",
        "brand_name": "B",
        "account_key": "b",
        "inbound_coverage": "replies+mentions",
        "inbound": 111,
        "response_rate": 0.766,
        "median_first_response_min": 30.0,
        "posts": 40,
        "followers_end": 1_234,
        "engagement_per_post": 12.25,
    }
    before = {
        "inbound": 100,
        "response_rate": 0.701,
        "median_first_response_min": 120.0,
        "posts": 52,
        "followers_end": None,
        "engagement_per_post": 10.0,
    }
    other = now | {"handle": "C", "account_key": "c"}
    html = scorecard_table([now, other], PLAIN, previous={"b": before})
    cell = lambda handle, metric: re.search(  # noqa: E731
        rf'data-handle="{handle}" data-metric="{metric}" data-value="[^"]*">(.*?)</td>', html
    ).group(1)
    assert cell("B", "response_rate") == (
        '76.6%<span class="was" data-previous="0.701"> (was 70.1%, +6.5 pts)</span>'
    )
    assert "(was 100, +11)" in cell("B", "inbound")
    assert "(was 52, -12)" in cell("B", "posts")
    assert "(was 2.0 hours, -1.5 hours)" in cell("B", "median_first_response_min")
    assert "(was 10.0, +2.2)" in cell("B", "engagement_per_post")
    assert cell("B", "followers_end") == "1,234"  # no previous figure: the value alone
    assert cell("C", "response_rate") == "76.6%"  # no previous data: the value alone
    assert "was" not in cell("B", "reply_share")  # not a main figure


def test_post_links_follow_each_network():
    assert post_url("x", "1857000000000000001") == "https://x.com/i/status/1857000000000000001"
    uri = "at://did:plc:abc123/app.bsky.feed.post/3kq2xyz"
    assert post_url("bluesky", uri) == "https://bsky.app/profile/did:plc:abc123/post/3kq2xyz"
    assert post_url("bluesky", "at://did:plc:abc/app.bsky.feed.like/1") is None
    assert post_url("mastodon", "social.example:1234") is None  # status URL not stored
    assert post_url("twcs", "123") is None
    assert post_url("x", 'javascript:alert(1)"') is None


def test_the_follow_up_list_escapes_the_networks_text():
    brand = {"handle": "B", "role": "brand", "platform": "x", "account_key": "b"}
    sent = END - timedelta(hours=30)
    rows = [
        {
            "account_key": "b",
            "platform": "x",
            "post_id": "42",
            "created_at": sent,
            "author_id": "7",
            "author_handle": "mallory",
            "text": '<script>alert("hi")</script> & <img src=x onerror=alert(1)>',
            "total": 25,
            "n": 1,
        }
    ]
    data = AuditData(PERIOD, [], [brand], [], [], follow_ups={"b": rows})
    html = follow_up_section(data, 24.0)
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;alert(&quot;hi&quot;)&lt;/script&gt; &amp; &lt;img" in html
    assert '<a href="https://x.com/i/status/42">open</a>' in html
    assert "@mallory" in html and local_time(sent, PERIOD.timezone) in html
    assert 'data-follow-ups="25">25 unanswered, the oldest 1 shown' in html
    nothing = follow_up_section(AuditData(PERIOD, [], [brand], [], []), 24.0)
    assert 'data-follow-ups="0"' in nothing and "Nothing left unanswered" in nothing
