"""Findings in plain language, generated from the scorecard and the client's thresholds.

Each rule reads figures of marts.audit_scorecard only, judges the client's own brands
(competitors are the yardstick: the scorecard's competitor_* columns), and says which
figure and which threshold it rests on, so a reader can check every sentence against
the table beside it. No metric is computed here: every share, rate and benchmark is a
mart column (dbt_project/macros/metrics.sql), the rules only compare them with the
client's thresholds."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from pipelines.config.report_thresholds import Thresholds, dbt_var

CONCERN = "concern"
STRENGTH = "strength"


@dataclass(frozen=True)
class Finding:
    handle: str
    code: str  # stable id of the rule, e.g. 'low_response_rate'
    kind: str  # concern | strength
    text: str  # the sentence a client reads
    figure: str  # the figure(s) behind it, with their scorecard column names
    threshold: str  # the threshold(s) it crossed


def pct(share: float | None, digits: int = 0) -> str:
    return "n/a" if share is None else f"{share * 100:.{digits}f}%"


def duration(minutes: float | None) -> str:
    if minutes is None:
        return "n/a"
    if minutes < 90:
        return f"{minutes:.0f} minutes"
    if minutes < 48 * 60:
        return f"{minutes / 60:.1f} hours"
    return f"{minutes / 1440:.1f} days"


@dataclass(frozen=True)
class _Yardstick:
    """The competitors' figures a brand is compared with: marts.audit_scorecard's
    competitor benchmark (the same on every row of the period and network), and each
    competitor's median response time on that network as its row states it."""

    inbound: int
    response_rate: float | None
    medians: list[tuple[str, float]]
    engagement_per_1k: float | None

    def answered_clause(self) -> str:
        if self.response_rate is None:
            return ""
        return f"; competitors answered {pct(self.response_rate)} of {self.inbound:,}"

    def speed_clause(self) -> str:
        if not self.medians:
            return ""
        return "; competitors: " + ", ".join(f"@{h} {duration(m)}" for h, m in self.medians)


def _yardstick(scorecard: list[dict], brand: dict) -> _Yardstick:
    """The brand's competitors on its own network: the scorecard's benchmark is per
    platform, as are the competitors' medians quoted beside it."""
    return _Yardstick(
        inbound=brand.get("competitor_inbound") or 0,
        response_rate=brand.get("competitor_response_rate"),
        medians=[
            (c["handle"], c["median_first_response_min"])
            for c in scorecard
            if c["role"] == "competitor"
            and c["platform"] == brand["platform"]
            and c["account_id"] is not None
            and c["median_first_response_min"] is not None
        ],
        engagement_per_1k=brand.get("competitor_engagement_per_post_per_1k_followers"),
    )


Rule = Callable[[dict, Thresholds, _Yardstick], Finding | None]


def _response_rate(b: dict, t: Thresholds, y: _Yardstick) -> Finding | None:
    rate, inbound = b["response_rate"], b["inbound"]
    if inbound < t.min_messages or rate is None:
        return None
    figure = f"response_rate {pct(rate, 1)} = answered {b['answered']:,} / inbound {inbound:,}" + (
        f"; competitors {pct(y.response_rate, 1)}" if y.response_rate is not None else ""
    )
    if rate < t.response_rate_below:
        return Finding(
            b["handle"],
            "low_response_rate",
            CONCERN,
            f"@{b['handle']} answered {pct(rate)} of {inbound:,} messages sent to it"
            f"{y.answered_clause()}.",
            figure,
            f"response_rate below {pct(t.response_rate_below)} "
            f"(judged from {t.min_messages} messages)",
        )
    if rate >= t.responsive_rate_above:
        return Finding(
            b["handle"],
            "responsive",
            STRENGTH,
            f"@{b['handle']} answered {pct(rate)} of {inbound:,} messages sent to it, "
            f"with a median first response of {duration(b['median_first_response_min'])}"
            f"{y.answered_clause()}.",
            figure,
            f"response_rate at or above {pct(t.responsive_rate_above)}",
        )
    return None


def _slow_response(b: dict, t: Thresholds, y: _Yardstick) -> Finding | None:
    median = b["median_first_response_min"]
    if b["answered"] < t.min_answers or median is None:
        return None
    if median <= t.slow_response_minutes_above:
        return None
    return Finding(
        b["handle"],
        "slow_response",
        CONCERN,
        f"@{b['handle']} took a median {duration(median)} to answer a message "
        f"(one in ten waited over {duration(b['p90_first_response_min'])}){y.speed_clause()}.",
        f"median_first_response_min {median:.1f}, p90_first_response_min "
        f"{b['p90_first_response_min']:.1f}, over {b['answered']} answered messages",
        f"median first response slower than {duration(t.slow_response_minutes_above)}",
    )


def _broadcaster(b: dict, t: Thresholds, y: _Yardstick) -> Finding | None:
    share, posts = b["broadcast_share"], b["posts"]
    if posts < t.min_posts or share is None or share < t.broadcast_share_above:
        return None
    return Finding(
        b["handle"],
        "broadcaster",
        CONCERN,
        f"{pct(share)} of @{b['handle']}'s {posts:,} posts are announcements that mention nobody.",
        f"broadcast_share {pct(share, 1)} = broadcast_posts {b['broadcast_posts']:,} / "
        f"posts {posts:,}",
        f"broadcast_share at or above {pct(t.broadcast_share_above)}",
    )


def _rarely_replies(b: dict, t: Thresholds, y: _Yardstick) -> Finding | None:
    share, posts = b["reply_share"], b["posts"]
    if posts < t.min_posts or share is None or share >= t.reply_share_below:
        return None
    if b["inbound"] == 0:
        return None  # nobody to reply to is not a failure to reply
    replies = b["replies"]
    lead = (
        f"@{b['handle']} replied to no one in {posts:,} posts"
        if replies == 0
        else f"Only {replies:,} of @{b['handle']}'s {posts:,} posts ({pct(share)}) are replies"
    )
    return Finding(
        b["handle"],
        "rarely_replies",
        CONCERN,
        f"{lead}, although {b['inbound']:,} messages were addressed to it.",
        f"reply_share {pct(share, 1)} = replies {replies:,} / posts {posts:,}; "
        f"inbound {b['inbound']:,}",
        f"reply_share below {pct(t.reply_share_below)}",
    )


def _never_amplifies(b: dict, t: Thresholds, y: _Yardstick) -> Finding | None:
    share, posts = b["amplify_share"], b["posts"]
    if posts < t.min_posts or share is None or share >= t.amplify_share_below:
        return None
    retweets, quotes = b["retweets"], b["quotes"]
    text = (
        f"@{b['handle']} never retweeted or quoted anyone in {posts:,} posts."
        if share == 0
        else f"@{b['handle']} retweeted others {retweets} times and quoted them {quotes} "
        f"times in {posts:,} posts."
    )
    return Finding(
        b["handle"],
        "never_amplifies",
        CONCERN,
        text,
        f"amplify_share {pct(share, 1)} = (retweets {retweets} + quotes {quotes}) / "
        f"posts {posts:,}",
        f"amplify_share below {pct(t.amplify_share_below)}",
    )


def _follow_for_follow(b: dict, t: Thresholds, y: _Yardstick) -> Finding | None:
    ratio = b["follows_per_follower"]
    if ratio is None or ratio < t.follows_per_follower_above:
        return None
    text = (
        f"@{b['handle']} follows {ratio:.1f} accounts per follower "
        f"({b['following_end']:,} following, {b['followers_end']:,} followers)"
    )
    growth, gained = b["following_growth"], b["follower_growth"]
    if growth and gained is not None and growth > 0:
        text += (
            f"; it followed {growth:,} more accounts in the period and gained {gained:,} followers"
        )
    return Finding(
        b["handle"],
        "follow_for_follow",
        CONCERN,
        text + ".",
        f"follows_per_follower {ratio:.2f} = following_end {b['following_end']:,} / "
        f"followers_end {b['followers_end']:,}; following_growth {growth}",
        f"follows_per_follower at or above {t.follows_per_follower_above:g}",
    )


def _looks_abandoned(b: dict, t: Thresholds, y: _Yardstick) -> Finding | None:
    signals = []
    if b["flag_default_avatar"]:
        signals.append("the default avatar")
    if b["flag_empty_bio"]:
        signals.append("an empty bio")
    if b["flag_few_posts"]:
        signals.append(f"only {b['posts_count_end']:,} posts ever")
    if len(signals) < t.ghost_flags_min:
        return None
    return Finding(
        b["handle"],
        "looks_abandoned",
        CONCERN,
        f"@{b['handle']} looks abandoned: it has {', '.join(signals)} and "
        f"{b['followers_end']:,} followers.",
        f"flag_default_avatar {b['flag_default_avatar']}, flag_empty_bio "
        f"{b['flag_empty_bio']}, flag_few_posts {b['flag_few_posts']} "
        f"(posts_count_end {b['posts_count_end']}), followers_end {b['followers_end']}",
        f"at least {t.ghost_flags_min} legitimacy flags",
    )


def _inactive(b: dict, t: Thresholds, y: _Yardstick) -> Finding | None:
    per_week = b["posts_per_week"]
    if per_week >= t.posts_per_week_below:
        return None
    return Finding(
        b["handle"],
        "inactive",
        CONCERN,
        f"@{b['handle']} posted {b['posts']} times in {b['period_days']:g} days "
        f"({per_week:.1f} a week); its longest silence lasted "
        f"{duration(b['longest_gap_hours'] * 60)}.",
        f"posts_per_week {per_week:.2f}; longest_gap_hours {b['longest_gap_hours']:.1f}",
        f"posts_per_week below {t.posts_per_week_below:g}",
    )


def _losing_followers(b: dict, t: Thresholds, y: _Yardstick) -> Finding | None:
    rate = b["follower_growth_rate"]
    if rate is None or rate >= -t.follower_loss_above:
        return None
    return Finding(
        b["handle"],
        "losing_followers",
        CONCERN,
        f"@{b['handle']} lost {-b['follower_growth']:,} followers ({pct(rate, 1)}) in the period.",
        f"follower_growth {b['follower_growth']:,}; follower_growth_rate {pct(rate, 2)}",
        f"a loss of more than {pct(t.follower_loss_above, 1)}",
    )


def _engagement(b: dict, t: Thresholds, y: _Yardstick) -> Finding | None:
    mine, theirs = b["engagement_per_post_per_1k_followers"], y.engagement_per_1k
    if mine is None or theirs is None or b["engagement_posts"] < t.min_posts:
        return None
    figure = f"engagement_per_post_per_1k_followers {mine:.3f}; competitors' mean {theirs:.3f}"
    if theirs > 0 and mine >= t.engagement_vs_competitors_above * theirs:
        return Finding(
            b["handle"],
            "high_engagement",
            STRENGTH,
            f"Each post of @{b['handle']} drew {mine:.2f} likes, reposts, replies and quotes "
            f"per 1,000 followers, {mine / theirs:.1f} times the competitors' {theirs:.2f}.",
            figure,
            f"at or above {t.engagement_vs_competitors_above:g} x the competitors'",
        )
    if mine >= t.engagement_vs_competitors_below * theirs:
        return None
    return Finding(
        b["handle"],
        "low_engagement",
        CONCERN,
        f"Each post of @{b['handle']} drew {mine:.2f} likes, reposts, replies and quotes "
        f"per 1,000 followers; competitors' posts drew {theirs:.2f}.",
        figure,
        f"below {t.engagement_vs_competitors_below:g} x the competitors'",
    )


def _unanswered_questions(b: dict, t: Thresholds, y: _Yardstick) -> Finding | None:
    rate, asked = b["question_response_rate"], b["question_inbound"]
    if asked < t.min_questions or rate is None or rate >= t.question_response_rate_below:
        return None
    return Finding(
        b["handle"],
        "unanswered_questions",
        CONCERN,
        f"@{b['handle']} answered {b['question_answered']:,} of the {asked:,} questions put "
        f"to it ({pct(rate)}).",
        f"question_response_rate {pct(rate, 1)} = question_answered "
        f"{b['question_answered']:,} / question_inbound {asked:,}",
        f"question_response_rate below {pct(t.question_response_rate_below)} "
        f"(judged from {t.min_questions} questions)",
    )


def _first_contact(code: str, what: str, column: str, counted: str, threshold: str) -> Rule:
    """A share of the brand's first contacts in the period (marts.first_contacts)."""

    def rule(b: dict, t: Thresholds, y: _Yardstick) -> Finding | None:
        contacts, share = b["first_contacts"], b[f"{column}_share"]
        above = getattr(t, threshold)
        if contacts < t.min_first_contacts or share is None or share < above:
            return None
        count = b[counted]
        return Finding(
            b["handle"],
            code,
            CONCERN,
            f"@{b['handle']}'s first words to {count:,} of the {contacts:,} accounts it "
            f"addressed for the first time ({pct(share)}) {what}.",
            f"{column}_share {pct(share, 1)} = {counted} {count:,} / first_contacts {contacts:,}",
            f"{column}_share at or above {pct(above)} (judged from {t.min_first_contacts} "
            "first contacts)",
        )

    return rule


_pitches_on_first_contact = _first_contact(
    "pitches_on_first_contact",
    "were a sales pitch (a link or a promotional phrase)",
    "first_contact_pitch",
    "first_contact_pitches",
    "first_contact_pitch_share_above",
)
_asks_strangers_to_amplify = _first_contact(
    "asks_strangers_to_amplify",
    "asked them to retweet, share, follow, review or vote",
    "first_contact_amplify_request",
    "first_contact_amplify_requests",
    "first_contact_amplify_request_share_above",
)


def _canned_replies(b: dict, t: Thresholds, y: _Yardstick) -> Finding | None:
    share, replies = b["canned_reply_share"], b["text_replies"]
    if replies < t.min_replies or share is None or share < t.canned_reply_share_above:
        return None
    text = (
        f"{pct(share)} of @{b['handle']}'s {replies:,} replies repeat another of its replies "
        "word for word (mentions and links aside)"
    )
    if b["top_canned_reply"]:
        text += (
            f'; the most repeated, {b["top_canned_reply_uses"]:,} times: "{b["top_canned_reply"]}"'
        )
    return Finding(
        b["handle"],
        "canned_replies",
        CONCERN,
        text + ".",
        f"canned_reply_share {pct(share, 1)} = canned_replies {b['canned_replies']:,} / "
        f"text_replies {replies:,}",
        f"canned_reply_share at or above {pct(t.canned_reply_share_above)} (judged from "
        f"{t.min_replies} replies)",
    )


def _leaves_threads_hanging(b: dict, t: Thresholds, y: _Yardstick) -> Finding | None:
    share, threads = b["threads_last_word_share"], b["threads"]
    if threads < t.min_threads or share is None or share >= t.last_word_share_below:
        return None
    last = b["threads_brand_last_word"]
    return Finding(
        b["handle"],
        "leaves_threads_hanging",
        CONCERN,
        f"@{b['handle']} had the last word in {last:,} of the {threads:,} threads it joined "
        f"({pct(share)}): in the others, someone spoke after it and heard nothing back.",
        f"threads_last_word_share {pct(share, 1)} = threads_brand_last_word {last:,} / "
        f"threads {threads:,}",
        f"threads_last_word_share below {pct(t.last_word_share_below)} (judged from "
        f"{t.min_threads} threads)",
    )


def _connects_people(b: dict, t: Thresholds, y: _Yardstick) -> Finding | None:
    made = b["introductions"]
    if made < t.introductions_min:
        return None
    return Finding(
        b["handle"],
        "connects_people",
        STRENGTH,
        f"@{b['handle']} introduced a third account in {made:,} of its {b['replies']:,} "
        "replies, connecting the people it talks with to others.",
        f"introductions {made:,} (of replies {b['replies']:,})",
        f"introductions at or above {t.introductions_min}",
    )


def _broadcasts_into_hashtags(b: dict, t: Thresholds, y: _Yardstick) -> Finding | None:
    share, tags = b["hashtag_broadcast_share"], b["hashtags"]
    if tags < t.min_hashtags or share is None or share < t.hashtag_broadcast_share_above:
        return None
    silent = b["hashtags_broadcast_only"]
    return Finding(
        b["handle"],
        "broadcasts_into_hashtags",
        CONCERN,
        f"{silent:,} of the {tags:,} hashtags @{b['handle']} posted with ({pct(share)}) "
        "carried no conversation: nobody answered its posts there, nor each other; it "
        "only broadcast into them (the list is under Conversations).",
        f"hashtag_broadcast_share {pct(share, 1)} = hashtags_broadcast_only {silent:,} / "
        f"hashtags {tags:,}",
        f"hashtag_broadcast_share at or above {pct(t.hashtag_broadcast_share_above)} "
        f"(judged from {t.min_hashtags} hashtags)",
    )


def _follow_churn(b: dict, t: Thresholds, y: _Yardstick) -> Finding | None:
    events = b["follow_churn_events"]
    if events < max(t.follow_churn_events_min, 1):
        return None
    followed, dropped = b["follow_churn_followed"], b["follow_churn_unfollowed"]
    sprees = "one spree" if events == 1 else f"{events:,} sprees"
    days = dbt_var("follow_churn_window_days")
    return Finding(
        b["handle"],
        "follow_churn",
        CONCERN,
        f"@{b['handle']} followed {followed:,} accounts in {sprees} and unfollowed "
        f"{dropped:,} within {days} days: following for the follow-back, then dropping "
        "those who did not.",
        f"follow_churn_events {events:,}, follow_churn_followed {followed:,}, "
        f"follow_churn_unfollowed {dropped:,}",
        f"follow_churn_events at or above {max(t.follow_churn_events_min, 1)} (an event: "
        f"following up at least {dbt_var('follow_churn_min_change_pct')}% and down as much "
        f"within {days} days)",
    )


RULES: tuple[Rule, ...] = (
    _response_rate,
    _slow_response,
    _broadcaster,
    _rarely_replies,
    _never_amplifies,
    _follow_for_follow,
    _looks_abandoned,
    _inactive,
    _losing_followers,
    _engagement,
    _unanswered_questions,
    _pitches_on_first_contact,
    _asks_strangers_to_amplify,
    _canned_replies,
    _leaves_threads_hanging,
    _broadcasts_into_hashtags,
    _follow_churn,
    _connects_people,
)


def find(scorecard: list[dict], thresholds: Thresholds) -> list[Finding]:
    """Every finding for the client's brands, brand by brand in scorecard order."""
    found: list[Finding] = []
    for brand in (r for r in scorecard if r["role"] == "brand"):
        if brand["account_id"] is None:
            found.append(
                Finding(
                    brand["handle"],
                    "no_data",
                    CONCERN,
                    f"No data for @{brand['handle']}: the warehouse has no account with "
                    "this handle, so none of its figures can be judged.",
                    "account_id NULL",
                    "none",
                )
            )
            continue
        yardstick = _yardstick(scorecard, brand)
        found.extend(f for rule in RULES if (f := rule(brand, thresholds, yardstick)))
    return found


#: finding code -> the short verdict it leads to, strongest first.
VERDICTS: tuple[tuple[str, str], ...] = (
    ("no_data", "No data"),
    ("looks_abandoned", "Looks abandoned"),
    ("follow_for_follow", "Buys reach by following back"),
    ("follow_churn", "Follows to be followed, then unfollows"),
    ("broadcaster", "Shouts into the room and leaves"),
    ("pitches_on_first_contact", "Sells before it says hello"),
    ("asks_strangers_to_amplify", "Asks strangers for favours"),
    ("canned_replies", "Answers with a form letter"),
    ("low_response_rate", "Leaves its audience unanswered"),
    ("slow_response", "Answers, but slowly"),
    ("leaves_threads_hanging", "Leaves conversations hanging"),
    ("broadcasts_into_hashtags", "Talks into hashtags, not with anyone"),
    ("responsive", "Social: answers its audience"),
    ("high_engagement", "Engaging: its posts draw people in"),
    ("connects_people", "Connects people to each other"),
)


def verdict(findings: list[Finding]) -> str:
    codes = {f.code for f in findings}
    for code, text in VERDICTS:
        if code in codes:
            return text
    return "No finding crossed a threshold"
