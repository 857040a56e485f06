"""The report's Conversations section: for each brand account, the replies it repeated
word for word in the period (marts.audit_canned_replies, most repeated first) and the
hashtags it posted with, those that carried a conversation apart from those it only
broadcast into (marts.audit_hashtags). Rows from the warehouse
(pipelines/reports/data.py); the texts are the networks' and untrusted, so every field
is escaped."""

from __future__ import annotations

from html import escape

from pipelines.reports.data import CANNED_TEXT_LIMIT, AuditData
from pipelines.reports.periods import local_time
from pipelines.reports.tables import network


def _canned(rows: list[dict], tz: str) -> str:
    if not rows:
        return "<p class='small'>No reply text repeated in the period.</p>"
    total = rows[0]["total"]
    shown = f" (the {len(rows)} most repeated of {total:,})" if total > len(rows) else ""
    items = "".join(
        f'<tr class="canned-reply"><td>{r["replies"]:,}</td>'
        f"<td class='text'>{escape(r['reply_text'])}</td>"
        f"<td>{escape(local_time(r['first_at'], tz))} &ndash; "
        f"{escape(local_time(r['last_at'], tz))}</td></tr>"
        for r in rows
    )
    return (
        f"<p class='small'>Replies repeated word for word{shown}, mentions and links "
        "aside:</p><table class='follow-ups'><thead><tr><th>times</th><th>reply</th>"
        f"<th>first &ndash; last</th></tr></thead><tbody>{items}</tbody></table>"
    )


def _tags(rows: list[dict]) -> str:
    if not rows:
        return "<p class='small'>No hashtag in the period.</p>"

    def listed(tags: list[dict]) -> str:
        if not tags:
            return "none"
        return ", ".join(
            f'<span class="hashtag" data-posts="{t["posts"]}">#{escape(t["hashtag"])}</span> '
            f"({t['posts']:,} post{'' if t['posts'] == 1 else 's'}"
            + (
                f", {t['replies_from_others'] + t['others_conversation_replies']:,} replies"
                if t["carried_conversation"]
                else ""
            )
            + ")"
            for t in tags
        )

    carried = [t for t in rows if t["carried_conversation"]]
    broadcast = [t for t in rows if not t["carried_conversation"]]
    return (
        f"<p class='small' data-carried='{len(carried)}'><strong>Hashtags that carried a "
        f"conversation:</strong> {listed(carried)}</p>"
        f"<p class='small' data-broadcast-only='{len(broadcast)}'><strong>Hashtags it only "
        f"broadcast into</strong> (no reply from anyone, no exchange between others): "
        f"{listed(broadcast)}</p>"
    )


def conversations_section(data: AuditData) -> str:
    tz = data.period.timezone
    parts = [
        "<p class='small'>What the brand says again and again, and where its hashtags "
        f"led; at most {CANNED_TEXT_LIMIT} repeated replies per account.</p>"
    ]
    for brand in data.role("brand"):
        if brand["account_id"] is None:
            continue
        key = brand["account_key"]
        parts.append(
            f'<h3 class="conversation">@{escape(brand["handle"])} '
            f'<span class="small">({escape(network(brand["platform"]))})</span></h3>'
            f"{_canned(data.canned_texts.get(key, []), tz)}"
            f"{_tags(data.hashtags.get(key, []))}"
        )
    return "".join(parts)
