"""The follow-up list: each brand account's messages still unanswered a set number of
hours (threshold follow_up_after_hours) after they were sent, oldest first, with who
sent them, what they said and a link to the post. The rows come from the warehouse
(pipelines/reports/data.py); the text is the networks' and untrusted, so every field is
escaped."""

from __future__ import annotations

from html import escape
from urllib.parse import quote

from pipelines.reports.data import FOLLOW_UP_LIMIT, AuditData
from pipelines.reports.periods import local_time
from pipelines.reports.tables import network


def post_url(platform: str, post_id: str) -> str | None:
    """The post on its network's website, where the id alone tells it: X by status id,
    Bluesky from the at:// URI (at://DID/app.bsky.feed.post/RKEY). Mastodon's status
    URL is not stored and TWCS is a corpus without live posts: None."""
    if platform == "x" and post_id.isdigit():
        return f"https://x.com/i/status/{post_id}"
    if platform == "bluesky" and post_id.startswith("at://"):
        parts = post_id.removeprefix("at://").split("/")
        if len(parts) == 3 and parts[1] == "app.bsky.feed.post" and all(parts):
            did, _, rkey = parts
            return f"https://bsky.app/profile/{quote(did, safe=':')}/post/{quote(rkey, safe='')}"
    return None


def follow_up_section(data: AuditData, after_hours: float) -> str:
    tz = data.period.timezone
    parts = [
        f'<p class="small">Messages sent to the brand that had no direct reply by the '
        f"period's end, {after_hours:g} hours or more after they were sent (threshold "
        f"follow_up_after_hours); oldest first, at most {FOLLOW_UP_LIMIT} per account.</p>"
    ]
    for brand in data.role("brand"):
        rows = data.follow_ups.get(brand["account_key"], [])
        total = rows[0]["total"] if rows else 0
        shown = f", the oldest {len(rows)} shown" if total > len(rows) else ""
        head = (
            f'<h3 class="follow-up">@{escape(brand["handle"])} '
            f'<span class="small">({escape(network(brand["platform"]))})</span>'
            f'<span class="verdict" data-follow-ups="{total}">{total:,} unanswered'
            f"{shown}</span></h3>"
        )
        if not rows:
            parts.append(f"{head}<p class='small'>Nothing left unanswered.</p>")
            continue
        items = []
        for r in rows:
            url = post_url(r["platform"], r["post_id"])
            link = f'<a href="{escape(url, quote=True)}">open</a>' if url else "&ndash;"
            author = f"@{r['author_handle']}" if r["author_handle"] else "unknown"
            items.append(
                f'<tr class="follow-up" data-post-id="{escape(r["post_id"], quote=True)}">'
                f"<td>{escape(local_time(r['created_at'], tz))}</td>"
                f"<td>{escape(author)}</td><td class='text'>{escape(r['text'] or '')}</td>"
                f"<td>{link}</td></tr>"
            )
        parts.append(
            f'{head}<table class="follow-ups"><thead><tr><th>sent</th><th>from</th>'
            f"<th>message</th><th>post</th></tr></thead><tbody>{''.join(items)}</tbody></table>"
        )
    return "".join(parts)
