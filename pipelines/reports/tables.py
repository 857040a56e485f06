"""The scorecard table: each audited account a column (brands first), each figure a row.
Every cell carries the raw value (data-value, as in the CSV) beside the formatted one,
so a test or a reader can match the page against marts.audit_scorecard."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from html import escape

from pipelines.reports.export import csv_value
from pipelines.reports.findings import duration


def _int(v) -> str:
    return f"{v:,}"


def _signed(v) -> str:
    return f"{v:+,}"


def _pct(v) -> str:
    return f"{v * 100:.1f}%"


def _fixed(digits: int) -> Callable:
    return lambda v: f"{v:,.{digits}f}"


def _minutes(v) -> str:
    return duration(v)


def _hours(v) -> str:
    return duration(v * 60)


def _flag(v) -> str:
    return "yes" if v else "no"


@dataclass(frozen=True)
class Metric:
    column: str
    label: str
    fmt: Callable


SECTIONS: tuple[tuple[str, tuple[Metric, ...]], ...] = (
    (
        "Conversation",
        (
            Metric("inbound", "Messages received", _int),
            Metric("answered", "Messages answered", _int),
            Metric("response_rate", "Response rate", _pct),
            Metric("median_first_response_min", "Median first response", _minutes),
            Metric("p90_first_response_min", "90th percentile first response", _minutes),
        ),
    ),
    (
        "Posting",
        (
            Metric("posts", "Posts", _int),
            Metric("posts_per_week", "Posts per week", _fixed(1)),
            Metric("days_with_posts", "Days with posts", _int),
            Metric("longest_gap_hours", "Longest silence", _hours),
            Metric("reply_share", "Replies (share of posts)", _pct),
            Metric("broadcast_share", "Broadcasts (share of posts)", _pct),
            Metric("retweets", "Retweets", _int),
            Metric("quotes", "Quotes", _int),
        ),
    ),
    (
        "Audience",
        (
            Metric("followers_end", "Followers at period end", _int),
            Metric("follower_growth", "Follower growth", _signed),
            Metric("follower_growth_rate", "Follower growth rate", lambda v: f"{v:+.2%}"),
            Metric("following_end", "Following at period end", _int),
            Metric("follows_per_follower", "Accounts followed per follower", _fixed(2)),
            Metric("engagement_per_post", "Engagement per post", _fixed(1)),
            Metric(
                "engagement_per_post_per_1k_followers",
                "Engagement per post per 1,000 followers",
                _fixed(2),
            ),
        ),
    ),
    (
        "Legitimacy flags (profile at period end)",
        (
            Metric("flag_default_avatar", "Default avatar", _flag),
            Metric("flag_empty_bio", "Empty bio", _flag),
            Metric("flag_few_posts", "Few posts ever", _flag),
            Metric("flag_follows_far_more", "Follows far more than followed", _flag),
        ),
    ),
)

METRICS: tuple[Metric, ...] = tuple(m for _, ms in SECTIONS for m in ms)


def scorecard_table(rows: list[dict], definitions: dict[str, str]) -> str:
    head = "".join(
        f'<th class="{r["role"]}" scope="col">@{escape(r["handle"])}'
        f'<span class="role">{"brand" if r["role"] == "brand" else "competitor"}</span></th>'
        for r in rows
    )
    body = []
    for section, metrics in SECTIONS:
        body.append(f'<tr class="section"><th colspan="{len(rows) + 1}">{section}</th></tr>')
        for m in metrics:
            cells = []
            for r in rows:
                value = r[m.column]
                shown = "&ndash;" if value is None else escape(m.fmt(value))
                flag = ' class="flagged"' if m.fmt is _flag and value else ""
                cells.append(
                    f'<td{flag} data-handle="{escape(r["handle"])}" data-metric="{m.column}" '
                    f'data-value="{escape(csv_value(value))}">{shown}</td>'
                )
            title = escape(definitions.get(m.column, ""), quote=True)
            body.append(
                f'<tr><th scope="row" title="{title}">{m.label}'
                f'<span class="col">{m.column}</span></th>{"".join(cells)}</tr>'
            )
    return (
        '<table class="scorecard"><thead><tr><th scope="col">Figure</th>'
        f"{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )
