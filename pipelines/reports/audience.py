"""The report's audience section: for each audited account, its latest follower sample
taken by the period's end (marts.audience_quality), the estimated share of fake
followers with its 95% interval, the legitimacy flags' shares in the sample, how the
sample was taken, and the model's error measured on collections it never saw, in plain
words. Every figure is the mart's; handles are the networks' text, so escaped."""

from __future__ import annotations

from html import escape

from pipelines.reports.periods import local_time
from pipelines.reports.tables import network

# Each flag share of marts.audience_quality, as the section names it.
FLAGS = (
    ("empty_bio_share", "empty bio"),
    ("default_avatar_share", "default avatar"),
    ("few_posts_share", "few posts"),
    ("follows_far_more_share", "follows far more than followed"),
)
METHOD = {
    "most_recent": (
        "the most recent followers, newest first, as the network lists them: not a random "
        "draw, so a recent wave of bought followers weighs more than it would in the "
        "whole audience"
    )
}


def _pct(value: float | None) -> str:
    return "&ndash;" if value is None else f"{100 * value:.0f}%"


def _account(row: dict, tz: str) -> str:
    head = (
        f'<h3>@{escape(row["handle"] or "")} <span class="small">'
        f"({escape(network(row['platform']))})</span>"
    )
    if row["followers_hidden"]:
        return head + "</h3><p class='small'>The account hides its follower list.</p>"
    if row["estimated_fake_share"] is None:
        return head + "</h3><p class='small'>No follower of the sample could be scored.</p>"
    share = (
        f'<span class="verdict" data-fake-share="{row["estimated_fake_share"]:.4f}" '
        f'data-low="{row["fake_share_low"]:.4f}" data-high="{row["fake_share_high"]:.4f}">'
        f"{_pct(row['estimated_fake_share'])} look fake "
        f"({_pct(row['fake_share_low'])} to {_pct(row['fake_share_high'])})</span></h3>"
    )
    total = row["followers_total"]
    of = f" of {total:,}" if total is not None else ""
    flags = ", ".join(f"{name} {_pct(row[column])}" for column, name in FLAGS)
    return (
        f"{head}{share}<p>An estimated {_pct(row['estimated_fake_share'])} of the "
        f"sampled followers are fake (95% interval {_pct(row['fake_share_low'])} to "
        f"{_pct(row['fake_share_high'])}); the model flagged "
        f"{row['followers_flagged']:,} of {row['followers_scored']:,} "
        f"({_pct(row['observed_fake_share'])} before correcting for its error). Sample: "
        f"{row['followers_sampled']:,} followers{of}, taken "
        f"{escape(local_time(row['sampled_at'], tz))}; "
        f"{escape(METHOD.get(row['sample_method'], row['sample_method']))}.</p>"
        f"<p class='small'>Legitimacy flags in the sample: {flags}.</p>"
    )


def audience_section(rows: list[dict], tz: str) -> str:
    if not rows:
        return "<p class='small'>No follower sample of these accounts yet.</p>"
    errors = sorted({r["model_error"] for r in rows if r["model_error"]})
    error = "".join(f"<p class='small'>The model: {escape(e)}.</p>" for e in errors)
    return (
        "<p class='small'>Who follows each account, as far as a sample of its followers "
        "shows: the share that looks like bought (fake) followers, estimated by Rapport's "
        "open profile model and corrected for the error it makes.</p>"
        + "".join(_account(r, tz) for r in rows)
        + error
    )
