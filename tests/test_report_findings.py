"""The findings engine on fixed scorecard rows: each rule fires at its threshold and
not below it, names its figure, and judges brands only (competitors are the
yardstick). The demo's archetypes are tested on a real run in test_report_demo.py."""

from __future__ import annotations

from dataclasses import replace

from pipelines.config.report_thresholds import Thresholds
from pipelines.reports.findings import CONCERN, STRENGTH, find, verdict


def row(handle: str, role: str = "brand", **figures) -> dict:
    """A scorecard row of an unremarkable, sociable account, with overrides."""
    base = {
        "handle": handle,
        "role": role,
        "platform": "x",
        "account_id": handle.lower(),
        "period_days": 28.0,
        "posts": 100,
        "originals": 40,
        "replies": 50,
        "retweets": 8,
        "quotes": 2,
        "amplify_share": 0.1,
        "broadcast_posts": 30,
        "broadcast_share": 0.3,
        "reply_share": 0.5,
        "posts_per_week": 25.0,
        "longest_gap_hours": 20.0,
        "inbound": 100,
        "answered": 60,
        "response_rate": 0.6,
        "median_first_response_min": 60.0,
        "p90_first_response_min": 200.0,
        "followers_end": 1000,
        "following_end": 500,
        "follows_per_follower": 0.5,
        "follower_growth": 10,
        "follower_growth_rate": 0.01,
        "following_growth": 5,
        "engagement_posts": 92,
        "engagement_per_post_per_1k_followers": 2.0,
        "posts_count_end": 5000,
        "flag_default_avatar": False,
        "flag_empty_bio": False,
        "flag_few_posts": False,
        "question_inbound": 30,
        "question_answered": 20,
        "question_response_rate": 20 / 30,
        "first_contacts": 20,
        "first_contact_pitches": 1,
        "first_contact_pitch_share": 0.05,
        "first_contact_amplify_requests": 0,
        "first_contact_amplify_request_share": 0.0,
        "text_replies": 50,
        "canned_replies": 2,
        "canned_reply_share": 0.04,
        "top_canned_reply": "thanks!",
        "top_canned_reply_uses": 2,
        "threads": 40,
        "threads_brand_last_word": 30,
        "threads_last_word_share": 0.75,
        "introductions": 2,
        "hashtags": 4,
        "hashtags_broadcast_only": 1,
        "hashtag_broadcast_share": 0.25,
        "follow_churn_events": 0,
        "follow_churn_followed": 0,
        "follow_churn_unfollowed": 0,
    }
    return base | figures


def benchmarked(rows: list[dict]) -> list[dict]:
    """The rows as marts.audit_scorecard gives them: each carries the period's competitor
    benchmark (pooled messages, mean engagement of the competitors with an account)."""
    seen = [r for r in rows if r["role"] == "competitor" and r["account_id"] is not None]
    inbound, answered = sum(r["inbound"] for r in seen), sum(r["answered"] for r in seen)
    per_1k = [
        r["engagement_per_post_per_1k_followers"]
        for r in seen
        if r["engagement_per_post_per_1k_followers"] is not None
    ]
    bench = {
        "competitor_inbound": inbound,
        "competitor_answered": answered,
        "competitor_response_rate": answered / inbound if inbound else None,
        "competitor_engagement_per_post_per_1k_followers": (
            sum(per_1k) / len(per_1k) if per_1k else None
        ),
    }
    return [r | bench for r in rows]


def find_in(rows: list[dict], thresholds: Thresholds) -> list:
    return find(benchmarked(rows), thresholds)


DEFAULTS = Thresholds()


def codes(rows: list[dict], thresholds: Thresholds = DEFAULTS) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for f in find_in(rows, thresholds):
        out.setdefault(f.handle, set()).add(f.code)
    return out


def test_an_unremarkable_brand_has_no_finding():
    assert codes([row("Fine"), row("Rival", "competitor")]) == {}


def test_the_etiquette_findings_state_their_figures_and_thresholds():
    rows = [
        row(
            "Pushy",
            first_contacts=40,
            first_contact_pitches=20,
            first_contact_pitch_share=0.5,
            first_contact_amplify_requests=4,
            first_contact_amplify_request_share=0.1,
            canned_replies=45,
            canned_reply_share=0.9,
            top_canned_reply="please dm us <b>now</b>",
            top_canned_reply_uses=45,
            question_answered=5,
            question_response_rate=5 / 30,
        ),
        row("Small", first_contacts=4, first_contact_pitches=4, first_contact_pitch_share=1.0),
    ]
    found = {(f.handle, f.code): f for f in find_in(rows, Thresholds())}
    assert set(found) == {
        ("Pushy", "pitches_on_first_contact"),
        ("Pushy", "asks_strangers_to_amplify"),
        ("Pushy", "canned_replies"),
        ("Pushy", "unanswered_questions"),
    }  # 4 first contacts are too few to judge (min_first_contacts 5)
    pitch = found["Pushy", "pitches_on_first_contact"]
    assert pitch.figure == (
        "first_contact_pitch_share 50.0% = first_contact_pitches 20 / first_contacts 40"
    )
    assert (
        pitch.threshold
        == "first_contact_pitch_share at or above 30% (judged from 5 first contacts)"
    )
    canned = found["Pushy", "canned_replies"]
    assert canned.text == (
        "90% of @Pushy's 50 replies repeat another of its replies word for word (mentions and "
        'links aside); the most repeated, 45 times: "please dm us <b>now</b>".'
    )
    assert found["Pushy", "unanswered_questions"].text == (
        "@Pushy answered 5 of the 30 questions put to it (17%)."
    )


def test_low_response_rate_quotes_the_competitors_pooled_rate():
    rows = [
        row("Quiet", inbound=340, answered=41, response_rate=41 / 340),
        row("R1", "competitor", inbound=100, answered=60),
        row("R2", "competitor", inbound=50, answered=12),
    ]
    (finding,) = [f for f in find_in(rows, Thresholds()) if f.code == "low_response_rate"]
    assert finding.kind == CONCERN
    assert finding.text == (
        "@Quiet answered 12% of 340 messages sent to it; competitors answered 48% of 150."
    )
    assert "answered 41 / inbound 340" in finding.figure
    assert "below 50%" in finding.threshold


def test_response_findings_need_enough_messages():
    few = row("Small", inbound=9, answered=0, response_rate=0.0)
    assert "low_response_rate" not in codes([few]).get("Small", set())
    enough = row("Small", inbound=10, answered=0, response_rate=0.0)
    assert "low_response_rate" in codes([enough])["Small"]


def test_thresholds_are_the_clients():
    brand = row("B", response_rate=0.55, answered=55)
    assert "low_response_rate" not in codes([brand]).get("B", set())
    stricter = replace(Thresholds(), response_rate_below=0.6)
    assert "low_response_rate" in codes([brand], stricter)["B"]


def test_a_broadcaster_gets_the_broadcaster_findings():
    acme = row(
        "AcmeCo",
        posts=97,
        originals=97,
        replies=0,
        retweets=0,
        quotes=0,
        amplify_share=0.0,
        broadcast_posts=81,
        broadcast_share=81 / 97,
        reply_share=0.0,
        inbound=123,
        answered=0,
        response_rate=0.0,
        median_first_response_min=None,
        p90_first_response_min=None,
    )
    found = {f.code: f for f in find_in([acme], Thresholds())}
    assert set(found) == {"low_response_rate", "broadcaster", "rarely_replies", "never_amplifies"}
    assert found["broadcaster"].text == (
        "84% of @AcmeCo's 97 posts are announcements that mention nobody."
    )
    assert verdict(list(found.values())) == "Shouts into the room and leaves"


def test_follow_for_follow_names_the_ratio():
    f4f = row("Deals", followers_end=470, following_end=4606, follows_per_follower=4606 / 470)
    assert "follow_for_follow" not in codes([f4f]).get("Deals", set())  # default: 10
    lower = replace(Thresholds(), follows_per_follower_above=8)
    (finding,) = [f for f in find_in([f4f], lower) if f.code == "follow_for_follow"]
    assert finding.text.startswith("@Deals follows 9.8 accounts per follower (4,606 following")
    assert "follows_per_follower 9.80 = following_end 4,606 / followers_end 470" in finding.figure


def test_a_ghost_needs_enough_legitimacy_flags():
    one_flag = row("Labs", flag_empty_bio=True)
    assert "looks_abandoned" not in codes([one_flag]).get("Labs", set())
    ghost = row("Labs", flag_empty_bio=True, flag_default_avatar=True, posts_count_end=7)
    (finding,) = [f for f in find_in([ghost], Thresholds()) if f.code == "looks_abandoned"]
    assert "the default avatar, an empty bio" in finding.text


def test_a_responsive_brand_is_praised_and_competitors_are_never_judged():
    rows = [
        row("Talker", answered=90, response_rate=0.9),
        row("Rival", "competitor", answered=0, response_rate=0.0, broadcast_share=1.0),
    ]
    found = find_in(rows, Thresholds())
    assert [(f.handle, f.code, f.kind) for f in found] == [("Talker", "responsive", STRENGTH)]


def test_a_handle_never_seen_is_reported_as_no_data():
    missing = row("Ghosted", account_id=None)
    (finding,) = find_in([missing], Thresholds())
    assert (finding.code, finding.kind) == ("no_data", CONCERN)


def test_far_better_engagement_than_the_competitors_is_a_strength():
    rival = row("Rival", "competitor", engagement_per_post_per_1k_followers=2.0)
    double = row("Star", engagement_per_post_per_1k_followers=4.0)
    (finding,) = [f for f in find_in([double, rival], DEFAULTS) if f.handle == "Star"]
    assert (finding.code, finding.kind) == ("high_engagement", STRENGTH)
    assert finding.text == (
        "Each post of @Star drew 4.00 likes, reposts, replies and quotes per 1,000 "
        "followers, 2.0 times the competitors' 2.00."
    )
    assert finding.threshold == "at or above 2 x the competitors'"
    assert verdict([finding]) == "Engaging: its posts draw people in"
    just_below = row("Star", engagement_per_post_per_1k_followers=3.99)
    assert codes([just_below, rival]) == {}
    # the client's threshold, and the same minimum of posts as the concern
    assert (
        "high_engagement"
        in codes([just_below, rival], replace(DEFAULTS, engagement_vs_competitors_above=1.5))[
            "Star"
        ]
    )
    few = row("Star", engagement_per_post_per_1k_followers=40.0, engagement_posts=9)
    assert codes([few, rival]) == {}


def test_low_engagement_is_still_a_concern():
    rival = row("Rival", "competitor", engagement_per_post_per_1k_followers=2.0)
    weak = row("Weak", engagement_per_post_per_1k_followers=0.9)
    assert codes([weak, rival]) == {"Weak": {"low_engagement"}}


def test_the_conversation_findings_state_their_figures_and_thresholds():
    rows = [
        row(
            "Loud",
            threads=40,
            threads_brand_last_word=4,
            threads_last_word_share=0.1,
            hashtags=8,
            hashtags_broadcast_only=6,
            hashtag_broadcast_share=0.75,
            follow_churn_events=2,
            follow_churn_followed=900,
            follow_churn_unfollowed=850,
        ),
        row("Host", introductions=12),
        # too few threads and hashtags to judge; the churn threshold raised above its events
        row(
            "Quiet",
            threads=9,
            threads_brand_last_word=0,
            threads_last_word_share=0.0,
            hashtags=2,
            hashtags_broadcast_only=2,
            hashtag_broadcast_share=1.0,
        ),
    ]
    found = {(f.handle, f.code): f for f in find_in(rows, Thresholds())}
    assert set(found) == {
        ("Loud", "leaves_threads_hanging"),
        ("Loud", "broadcasts_into_hashtags"),
        ("Loud", "follow_churn"),
        ("Host", "connects_people"),
    }
    assert found["Loud", "leaves_threads_hanging"].figure == (
        "threads_last_word_share 10.0% = threads_brand_last_word 4 / threads 40"
    )
    assert found["Loud", "broadcasts_into_hashtags"].threshold == (
        "hashtag_broadcast_share at or above 50% (judged from 3 hashtags)"
    )
    churn = found["Loud", "follow_churn"]
    assert churn.text == (
        "@Loud followed 900 accounts in 2 sprees and unfollowed 850 within 7 days: "
        "following for the follow-back, then dropping those who did not."
    )
    assert "following up at least 10% and down as much within 7 days" in churn.threshold
    assert found["Host", "connects_people"].kind == "strength"
    # a client may raise a threshold: two events no longer make a finding at three
    raised = find_in(rows, Thresholds(follow_churn_events_min=3))
    assert ("Loud", "follow_churn") not in {(f.handle, f.code) for f in raised}
