"""What the scorecard's figures mean, twice: in plain words for the client (PLAIN, one
sentence or two per figure the scorecard shows, written here and nowhere else), and
exactly, as the warehouse defines them (the dbt YAML of marts.audit_scorecard, read
through the manifest), for the report's appendix. The plain words explain; the exact
definition decides."""

from __future__ import annotations

import json
from pathlib import Path

from pipelines.audience import single_rules
from pipelines.config.report_thresholds import dbt_var

SCORECARD_NODE = "model.rapport.audit_scorecard"


def _cresci(column: str, test: str) -> str:
    """How a flag stands to Cresci et al.'s single rule `test` (in plain words), with the
    MCC Rapport measured for the rule (pipelines/audience/single_rules.json, written by
    `rapport audience evaluate`): never a figure typed here."""
    mcc = single_rules.by_column()[column]["lowest_mcc"]
    return (
        f"Such a profile fails \u201c{test}\u201d, one of the single tests Cresci and "
        f"colleagues (2015) used to spot bought followers. That test alone scores MCC "
        f"{mcc:.3f}, measured by Rapport on Cresci's labelled collections (the lowest over "
        "the pairs of collections tried; 1 is a perfect test, 0 no better than chance, "
        "below 0 worse), not a figure quoted from the paper."
    )


#: scorecard column -> its definition in plain words (every figure the scorecard shows;
#: tests/test_report_render.py holds it to pipelines/reports/tables.py's METRICS).
PLAIN: dict[str, str] = {
    "inbound_coverage": (
        "Where the account's messages were found: on X, every reply to its posts and "
        "every post mentioning it; on Bluesky and Mastodon usually only the replies under "
        "its own posts, because those networks offer no free list of every mention."
    ),
    "inbound": (
        "Messages other people sent the account in the period: replies to its posts and "
        "posts that mention it. Reposts are not messages; a reply that also mentions it "
        "counts once."
    ),
    "answered": (
        "Of those messages, the ones the account replied to directly by the end of the period."
    ),
    "response_rate": "The share of messages received that the account answered.",
    "median_first_response_min": (
        "How long a typical answered message waited for the account's first reply: half "
        "were answered faster, half slower."
    ),
    "p90_first_response_min": (
        "The wait that nine in ten answered messages stayed within: the slowest tenth "
        "waited longer."
    ),
    "question_response_rate": (
        "Of the messages that asked the account something (a question mark, links aside), "
        "the share it answered."
    ),
    "threads_last_word_share": (
        "Of the conversations (reply threads) the account joined in the period, the share "
        "in which the latest post is its own; in the others someone spoke after it."
    ),
    "introductions": (
        "Replies in which the account named a third person, neither itself nor whom it "
        "answered: connecting the people it talks with to others."
    ),
    "first_contact_pitch_share": (
        "Of the accounts it addressed for the first time in the period, the share whose "
        "first words from it were a sales pitch: a link, or a promotional phrase from "
        "Rapport's published list (a discount, a promo code, \u201cbuy now\u201d...)."
    ),
    "first_contact_amplify_request_share": (
        "Of those first contacts, the share that asked a stranger for a favour: to "
        "retweet, share, follow, review or vote."
    ),
    "canned_reply_share": (
        "The share of its replies whose words (mentions and links aside, case and spacing "
        "ignored) are exactly those of another of its replies in the period: the public "
        "form of the automatic direct message."
    ),
    "hashtag_broadcast_share": (
        "Of the hashtags it posted with in the period, the share where nobody answered its "
        "posts and nobody else talked with each other: it only broadcast into them."
    ),
    "follow_churn_events": (
        "Times its following rose sharply and fell back as sharply within days: following "
        "accounts for the follow-back, then dropping them."
    ),
    "posts": "Everything the account published in the period: posts, replies, reposts, quotes.",
    "posts_per_week": "Posts in the period, spread evenly over its weeks.",
    "days_with_posts": (
        "Days (in the client's time zone) on which the account posted at least once."
    ),
    "longest_gap_hours": (
        "The longest stretch of the period in which the account posted nothing, counting "
        "from the period's start and up to its end."
    ),
    "reply_share": "The share of the account's posts that are replies to someone.",
    "broadcast_share": (
        "The share of the account's posts that are announcements: its own new posts that "
        "mention nobody else."
    ),
    "retweets": "Posts of other accounts the account passed on unchanged (reposts, boosts).",
    "quotes": "Posts of other accounts the account shared with a comment of its own.",
    "followers_end": "Followers at the last profile reading by the period's end.",
    "follower_growth": (
        "Followers gained (or lost, when negative) between the profile reading at the "
        "period's start and the last one by its end."
    ),
    "follower_growth_rate": "Follower growth as a share of the followers at the start.",
    "following_end": "Accounts it follows, at the last profile reading by the period's end.",
    "follows_per_follower": (
        "Accounts it follows for each account following it; a high figure suggests "
        "follow-back tactics."
    ),
    "engagement_per_post": (
        "Likes, reposts, replies and quotes the average post received (reposts of others' "
        "posts are left out)."
    ),
    "engagement_per_post_per_1k_followers": (
        "Engagement per post for every 1,000 followers, so accounts of different sizes "
        "can be compared."
    ),
    "flag_default_avatar": (
        "The profile still shows the network's default picture. "
        + _cresci("flag_default_avatar", "has a picture of its own")
    ),
    "flag_empty_bio": "The profile has no description. " + _cresci("flag_empty_bio", "has a bio"),
    "flag_few_posts": (
        f"The profile reports fewer than {dbt_var('few_posts_threshold')} posts in its whole life."
    ),
    "flag_follows_far_more": (
        f"It follows at least {dbt_var('follows_far_more_multiple')} times as many "
        "accounts as follow it."
    ),
    "cresci_fewer_than_30_followers": (
        f"Fewer than {dbt_var('cresci_min_followers')} accounts follow it. "
        + _cresci(
            "cresci_fewer_than_30_followers",
            f"at least {dbt_var('cresci_min_followers')} followers",
        )
    ),
    "cresci_fewer_than_50_posts": (
        f"The profile reports fewer than {dbt_var('cresci_min_posts')} posts in its whole "
        "life. "
        + _cresci("cresci_fewer_than_50_posts", f"at least {dbt_var('cresci_min_posts')} posts")
    ),
    "cresci_follows_more_than_twice_followers": (
        f"It follows more than {dbt_var('cresci_followers_multiple')} times as many "
        "accounts as follow it. "
        + _cresci(
            "cresci_follows_more_than_twice_followers",
            f"follows at most {dbt_var('cresci_followers_multiple')} times its followers",
        )
    ),
}


def scorecard_definitions(manifest_path: Path) -> dict[str, str]:
    """Column -> description of marts.audit_scorecard, whitespace collapsed: the exact
    definitions, quoted in the report's appendix."""
    manifest = json.loads(manifest_path.read_text())
    columns = manifest["nodes"][SCORECARD_NODE]["columns"]
    return {name: " ".join(col["description"].split()) for name, col in columns.items()}
