"""The thresholds findings are judged by. Each client may override any of them in
audits.yaml (``thresholds:``); the defaults below apply otherwise. They are judgement
calls, not facts, so every finding prints the threshold it crossed beside its figure.

A default that restates a metric definition is not written here: it is read from the
dbt var that defines the metric (dbt_project/dbt_project.yml), so a scorecard flag and
the finding on the same figure agree unless a client overrides the finding's."""

from __future__ import annotations

import functools
from dataclasses import dataclass, fields

import yaml

from pipelines.config.settings import DBT_PROJECT_DIR


@functools.cache
def dbt_var(name: str) -> object:
    """A metric-definition threshold, as dbt_project.yml's `vars:` sets it."""
    return yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text())["vars"][name]


@dataclass(frozen=True)
class Thresholds:
    # Response findings need enough messages to mean something (3 of 4 is not 75%).
    min_messages: int = 10
    response_rate_below: float = 0.5
    responsive_rate_above: float = 0.7
    min_answers: int = 5
    slow_response_minutes_above: float = 240.0
    # Post-mix and cadence findings need enough posts in the period.
    min_posts: int = 10
    broadcast_share_above: float = 0.6
    reply_share_below: float = 0.1
    amplify_share_below: float = 0.02
    # the rule of marts.*.flag_follows_far_more (following >= this x followers)
    follows_per_follower_above: float = float(dbt_var("follows_far_more_multiple"))
    posts_per_week_below: float = 1.0
    ghost_flags_min: int = 2
    follower_loss_above: float = 0.01
    engagement_vs_competitors_below: float = 0.5
    engagement_vs_competitors_above: float = 2.0
    # Etiquette findings (marts.first_contacts, marts.canned_replies, over the period).
    min_first_contacts: int = 5
    first_contact_pitch_share_above: float = 0.3
    first_contact_amplify_request_share_above: float = 0.1
    min_replies: int = 10
    canned_reply_share_above: float = 0.3
    min_questions: int = 5
    question_response_rate_below: float = 0.5
    # Conversation findings (marts.thread_accounts, marts.audit_hashtags,
    # marts.follow_churn_events, over the period).
    min_threads: int = 10
    last_word_share_below: float = 0.3
    introductions_min: int = 5
    min_hashtags: int = 3
    hashtag_broadcast_share_above: float = 0.5
    follow_churn_events_min: int = 1
    # The follow-up list: messages still unanswered this long after they were sent.
    follow_up_after_hours: float = 24.0
    # An alert, not a finding: the webhook is told (pipelines/reports/alerts.py).
    response_rate_drop_alert: float = 0.2


#: name -> (kind, what it decides). kind: 'share' in [0, 1], 'count' an integer >= 0,
#: 'number' a number >= 0.
THRESHOLD_DOCS: dict[str, tuple[str, str]] = {
    "min_messages": ("count", "inbound messages a brand needs before its response rate is judged"),
    "response_rate_below": ("share", "a brand answering less than this share is flagged"),
    "responsive_rate_above": ("share", "a brand answering at least this share is praised"),
    "min_answers": ("count", "answered messages needed before response time is judged"),
    "slow_response_minutes_above": (
        "number",
        "a median first response slower than this many minutes is flagged",
    ),
    "min_posts": ("count", "posts in the period needed before the post mix is judged"),
    "broadcast_share_above": ("share", "a broadcast share at or above this is flagged"),
    "reply_share_below": ("share", "a reply share below this is flagged"),
    "amplify_share_below": (
        "share",
        "an amplify_share ((retweets + quotes) / posts) below this is flagged",
    ),
    "follows_per_follower_above": (
        "number",
        "following / followers at or above this is flagged as follow-for-follow",
    ),
    "posts_per_week_below": ("number", "fewer posts per week than this is flagged"),
    "ghost_flags_min": (
        "count",
        "legitimacy flags (default avatar, empty bio, few posts) that make an account look "
        "abandoned",
    ),
    "follower_loss_above": ("share", "losing more than this share of followers is flagged"),
    "engagement_vs_competitors_below": (
        "number",
        "engagement per post per 1,000 followers below this multiple of the competitors' "
        "is flagged",
    ),
    "engagement_vs_competitors_above": (
        "number",
        "engagement per post per 1,000 followers at or above this multiple of the "
        "competitors' is praised",
    ),
    "min_first_contacts": (
        "count",
        "accounts a brand addressed for the first time in the period before its first "
        "contacts are judged",
    ),
    "first_contact_pitch_share_above": (
        "share",
        "a brand whose first words to an account are a pitch (a link or a lexicon phrase) "
        "at least this often is flagged",
    ),
    "first_contact_amplify_request_share_above": (
        "share",
        "a brand whose first words to an account ask it to retweet, share, follow, review "
        "or vote at least this often is flagged",
    ),
    "min_replies": ("count", "replies with text in the period before canned replies are judged"),
    "canned_reply_share_above": (
        "share",
        "a brand whose replies repeat another of its replies word for word at least this "
        "often is flagged",
    ),
    "min_questions": ("count", "questions addressed to a brand before their answers are judged"),
    "question_response_rate_below": (
        "share",
        "a brand answering less than this share of the questions put to it is flagged",
    ),
    "min_threads": ("count", "threads a brand joined in the period before its last word is judged"),
    "last_word_share_below": (
        "share",
        "a brand with the last word in less than this share of the threads it joined is "
        "flagged (it leaves conversations hanging)",
    ),
    "introductions_min": (
        "count",
        "replies introducing a third account (connecting people to others) at which a "
        "brand is praised",
    ),
    "min_hashtags": ("count", "hashtags a brand posted with in the period before they are judged"),
    "hashtag_broadcast_share_above": (
        "share",
        "a brand whose hashtags carried no conversation at least this often is flagged (it "
        "only broadcast into them)",
    ),
    "follow_churn_events_min": (
        "count",
        "follow sprees undone within days (marts.follow_churn_events) at which a brand is flagged",
    ),
    "follow_up_after_hours": (
        "number",
        "a message still unanswered this many hours after it was sent (at the period's end) "
        "goes on the brand's follow-up list",
    ),
    "response_rate_drop_alert": (
        "share",
        "a brand's response rate falling by more than this (0.2: 20 points) from its previous "
        "audit period alerts the agency (its webhook)",
    ),
}

assert set(THRESHOLD_DOCS) == {f.name for f in fields(Thresholds)}


def check_threshold(name: str, value: object) -> str | None:
    """Why ``value`` is not acceptable for threshold ``name``, or None when it is."""
    kind = THRESHOLD_DOCS[name][0]
    if isinstance(value, bool) or not isinstance(value, int | float):
        return f"threshold {name} must be a number, not {value!r}"
    if kind == "count" and (not isinstance(value, int) or value < 0):
        return f"threshold {name} must be a whole number >= 0, not {value!r}"
    if kind == "share" and not 0 <= value <= 1:
        return f"threshold {name} is a share and must lie in [0, 1], not {value!r}"
    if value < 0:
        return f"threshold {name} must be >= 0, not {value!r}"
    return None
