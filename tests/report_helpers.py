"""Helpers for the report tests: headless Chromium, a PNG decoder (no image package is
installed, so zlib, struct and numpy do it), and an audit computed straight from the
canonical tables, independently of the dbt models."""

from __future__ import annotations

import re
import struct
import subprocess
import zlib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb
import numpy as np

from pipelines.reports.pdf import CHROMIUM_FLAGS as PDF_CHROMIUM_FLAGS

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = list(PDF_CHROMIUM_FLAGS)  # the flags report.pdf is printed with


def chromium(args: list[str], profile: Path) -> str:
    proc = subprocess.run(
        [str(CHROMIUM), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return proc.stdout


def png_pixels(path: Path) -> np.ndarray:
    """Decode an 8-bit RGB(A) PNG into a height x width x channels array."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, header = 8, [], None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = header
    assert depth == 8 and colour in (2, 6) and interlace == 0, header
    bpp = 3 if colour == 2 else 4
    raw = np.frombuffer(zlib.decompress(b"".join(idat)), dtype=np.uint8)
    stride = width * bpp
    out = np.zeros((height, stride), dtype=np.uint8)
    prev = np.zeros(stride, dtype=np.int32)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], raw[start + 1 : start + 1 + stride].astype(np.int32)
        if kind == 0:
            cur = line
        elif kind == 2:
            cur = (line + prev) & 0xFF
        elif kind == 1:  # each byte adds the one bpp to its left: a running sum per channel
            cur = line.reshape(-1, bpp).cumsum(axis=0).reshape(-1) & 0xFF
        else:
            cur = line.copy()
            for i in range(stride):
                left = cur[i - bpp] if i >= bpp else 0
                up, corner = prev[i], prev[i - bpp] if i >= bpp else 0
                if kind == 3:
                    cur[i] = (line[i] + (left + up) // 2) & 0xFF
                else:  # Paeth
                    p = left + up - corner
                    pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                    pred = left if pa <= pb and pa <= pc else (up if pb <= pc else corner)
                    cur[i] = (line[i] + pred) & 0xFF
        out[y] = cur
        prev = cur
    return out.reshape(height, width, bpp)


CELL = re.compile(
    r'<td[^>]*data-handle="(?P<handle>[^"]+)" data-metric="(?P<metric>[^"]+)" '
    r'data-value="(?P<value>[^"]*)">(?P<text>[^<]*)(?:<span class="was"[^>]*>[^<]*</span>)?</td>'
)


def scorecard_cells(dom: str) -> dict[tuple[str, str], tuple[str, str]]:
    """(handle, metric) -> (raw value, text shown) for every scorecard cell of the DOM."""
    return {(m["handle"], m["metric"]): (m["value"], m["text"].strip()) for m in CELL.finditer(dom)}


@dataclass
class Expected:
    posts: int
    replies: int
    retweets: int
    quotes: int
    broadcast_posts: int
    inbound: int
    answered: int
    median_first_response_min: float | None
    p90_first_response_min: float | None
    followers_start: int | None
    followers_end: int | None
    following_end: int | None
    engagement_per_post: float | None
    # Cresci et al. 2015's single rules the end snapshot fails, at the paper's thresholds
    # (30 followers, 50 posts, following more than 2 x followers); None when unknown
    posts_count_end: int | None = None
    cresci_fewer_than_30_followers: bool | None = None
    cresci_fewer_than_50_posts: bool | None = None
    cresci_follows_more_than_twice_followers: bool | None = None

    # the inbound messages without a direct reply by the period's end, oldest first
    unanswered: list[dict] = field(default_factory=list, repr=False, compare=False)


def quantile(values: list[float], q: float) -> float | None:
    """Linear interpolation between closest ranks (DuckDB's quantile_cont)."""
    if not values:
        return None
    xs = sorted(values)
    pos = q * (len(xs) - 1)
    lo = int(pos)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def independent_audit(warehouse: Path, handle: str, start: datetime, end: datetime) -> Expected:
    """One account's period figures from canonical.* with plain Python, following the
    mart YAML definitions (the demo has no edited posts, so every stored post counts)."""
    return independent_audit_with_minutes(warehouse, handle, start, end)[0]


def independent_audit_with_minutes(
    warehouse: Path, handle: str, start: datetime, end: datetime
) -> tuple[Expected, list[float]]:
    """independent_audit and the first-response minutes of each answered message."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        posts = [
            dict(zip([d[0] for d in cur.description], r, strict=True))
            for cur in [con.execute("SELECT * FROM canonical.posts")]
            for r in cur.fetchall()
        ]
        (account_id,) = con.execute(
            "SELECT account_id FROM canonical.accounts WHERE lower(handle) = lower(?)", [handle]
        ).fetchone()
        snaps = con.execute(
            "SELECT observed_at, followers_count, following_count, post_count "
            "FROM canonical.account_snapshots "
            "WHERE account_id = ? ORDER BY observed_at",
            [account_id],
        ).fetchall()

    def kind(p: dict) -> str:
        if p["reposted_post_id"]:
            return "retweet"
        if p["in_reply_to_post_id"]:
            return "reply"
        return "quote" if p["quoted_post_id"] else "original"

    by_id = {p["post_id"]: p for p in posts}
    own = [p for p in posts if p["account_id"] == account_id and start < p["created_at"] <= end]
    kinds = [kind(p) for p in own]
    others = lambda mentions: [m.lstrip("@").lower() for m in mentions or []]  # noqa: E731
    broadcasts = sum(
        1
        for p, k in zip(own, kinds, strict=True)
        if k == "original" and all(m == handle.lower() for m in others(p["mentions"]))
    )

    def addressed_to_b(p: dict) -> bool:
        if p["account_id"] == account_id or kind(p) == "retweet":
            return False
        parent = by_id.get(p["in_reply_to_post_id"] or "")
        replied_to = parent["account_id"] if parent else p["in_reply_to_account_id"]
        return replied_to == account_id or handle.lower() in others(p["mentions"])

    minutes = []
    inbound = [p for p in posts if start < p["created_at"] <= end and addressed_to_b(p)]
    unanswered = []
    for message in inbound:
        answers = [
            q["created_at"]
            for q in posts
            if q["account_id"] == account_id
            and q["in_reply_to_post_id"] == message["post_id"]
            and q["created_at"] <= end
        ]
        if answers:
            minutes.append((min(answers) - message["created_at"]).total_seconds() / 60)
        else:
            unanswered.append(message)
    before = [s for s in snaps if s[0] <= start]
    inside = [s for s in snaps if start < s[0] <= end]
    first = before[-1] if before else (inside[0] if inside else None)
    last = (before + inside)[-1] if before or inside else None
    counts = ("like_count", "repost_count", "reply_count", "quote_count")
    engaged = [  # a post with any count unknown (Mastodon before quotes) has none
        sum(p[c] for c in counts)
        for p, k in zip(own, kinds, strict=True)
        if k != "retweet" and all(p[c] is not None for c in counts)
    ]
    followers, following, posts_count = last[1:4] if last else (None, None, None)

    def below(value: int | None, limit: int) -> bool | None:
        return None if value is None else value < limit

    return Expected(
        posts=len(own),
        replies=kinds.count("reply"),
        retweets=kinds.count("retweet"),
        quotes=kinds.count("quote"),
        broadcast_posts=broadcasts,
        inbound=len(inbound),
        answered=len(minutes),
        median_first_response_min=quantile(minutes, 0.5),
        p90_first_response_min=quantile(minutes, 0.9),
        followers_start=first[1] if first else None,
        followers_end=last[1] if last else None,
        following_end=last[2] if last else None,
        engagement_per_post=sum(engaged) / len(engaged) if engaged else None,
        posts_count_end=posts_count,
        cresci_fewer_than_30_followers=below(followers, 30),
        cresci_fewer_than_50_posts=below(posts_count, 50),
        cresci_follows_more_than_twice_followers=None
        if followers is None or following is None
        else following > 2 * followers,
        unanswered=sorted(unanswered, key=lambda p: (p["created_at"], p["post_id"])),
    ), minutes
