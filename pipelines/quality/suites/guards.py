"""The building blocks of the mart suites: each guard is the set of GX expectations one
kind of metric needs (a count, a share, a ratio, a latency), plus any column the fetch
query must derive for them (GX compares columns; it cannot divide one by another).

Great Expectations is imported inside the functions: it takes ~3 s to import, and only
a process that actually runs checks should pay for it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# The dtypes DuckDB hands pandas: int64, or the nullable Int64 when the column has NULLs.
# The nullable ones are named by class ("Int64Dtype"): GX 1.24 cannot resolve "Int64"
# and then fails every nullable integer column.
INTEGER_DTYPES = ["int32", "int64", "Int32Dtype", "Int64Dtype"]
FLOAT_DTYPES = ["float64", "Float64Dtype"]


@dataclass(frozen=True)
class Guard:
    expectations: list[Any]  # great_expectations.expectations.Expectation
    derived: dict[str, str] = field(default_factory=dict)  # column -> SQL expression


def _gxe():
    import great_expectations.expectations as gxe

    return gxe


def _col(name: str):
    from great_expectations.expectations.row_conditions import Column

    return Column(name)


def not_null(*columns: str) -> Guard:
    gxe = _gxe()
    return Guard([gxe.ExpectColumnValuesToNotBeNull(column=c) for c in columns])


def derive(**expressions: str) -> Guard:
    """Columns the fetch query adds (name=SQL expression) for other guards to use."""
    return Guard([], dict(expressions))


def unique(*columns: str) -> Guard:
    """The grain: no two rows share these columns (NULL-free: derive a key if needed)."""
    gxe = _gxe()
    if len(columns) == 1:
        return Guard([gxe.ExpectColumnValuesToBeUnique(column=columns[0])])
    return Guard([gxe.ExpectCompoundColumnsToBeUnique(column_list=list(columns))])


def count(column: str, *, nullable: bool = False, min_value: int = 0) -> Guard:
    """A count: a whole number, >= min_value; NULL only where `nullable` (unknown)."""
    gxe = _gxe()
    found = [
        gxe.ExpectColumnValuesToBeInTypeList(column=column, type_list=INTEGER_DTYPES),
        gxe.ExpectColumnValuesToBeBetween(column=column, min_value=min_value),
    ]
    if not nullable:
        found.append(gxe.ExpectColumnValuesToNotBeNull(column=column))
    return Guard(found)


def at_most(smaller: str, larger: str) -> Guard:
    """smaller <= larger on every row where both are known (answered <= inbound)."""
    gxe = _gxe()
    return Guard(
        [
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A=larger,
                column_B=smaller,
                or_equal=True,
                ignore_row_if="either_value_is_missing",
            )
        ]
    )


def ratio(
    column: str,
    numerator: str,
    denominator: str,
    *,
    min_value: float | None = 0,
    max_value: float | None = None,
    scale: int | None = None,
) -> Guard:
    """numerator / denominator (times `scale`, e.g. per 1,000): within [min_value,
    max_value], and equal to the division done afresh as numerator / nullif(denominator,
    0), both mart columns (or a sum of them). That equality also makes the value NULL
    exactly when the denominator is 0 (or unknown), and fails a value that is in range
    but wrong. The check restates no metric: the mart's macro
    (dbt_project/macros/metrics.sql) is the one definition, this is "a ratio of these
    two columns"."""
    gxe = _gxe()
    expected = f"{column}__expected"
    found = [
        gxe.ExpectColumnValuesToBeInTypeList(column=column, type_list=FLOAT_DTYPES),
        gxe.ExpectColumnValuesToBeBetween(column=column, min_value=min_value, max_value=max_value),
        gxe.ExpectColumnPairValuesToBeEqual(
            column_A=column, column_B=expected, ignore_row_if="both_values_are_missing"
        ),
    ]
    division = f"({numerator}) / nullif({denominator}, 0)"
    if scale is not None:
        division += f" * {scale}"
    return Guard(found, {expected: division})


def share(column: str, numerator: str, denominator: str) -> Guard:
    """A ratio of a part to its whole: in [0, 1]."""
    return ratio(column, numerator, denominator, max_value=1)


def latency(column: str, *, known_when_positive: str) -> Guard:
    """A duration in minutes: >= 0, NULL exactly when `known_when_positive` is 0."""
    gxe = _gxe()
    return Guard(
        [
            gxe.ExpectColumnValuesToBeInTypeList(column=column, type_list=FLOAT_DTYPES),
            gxe.ExpectColumnValuesToBeBetween(column=column, min_value=0),
            gxe.ExpectColumnValuesToBeNull(
                column=column, row_condition=_col(known_when_positive) == 0
            ),
            gxe.ExpectColumnValuesToNotBeNull(
                column=column, row_condition=_col(known_when_positive) > 0
            ),
        ]
    )


def computed(
    column: str,
    expression: str,
    *,
    min_value: float | None = 0,
    max_value: float | None = None,
    integer: bool = False,
) -> Guard:
    """A figure derived from other columns of the row: within its bounds (if any) and
    equal to `expression` computed afresh, NULL exactly where the expression is."""
    gxe = _gxe()
    expected = f"{column}__expected"
    found = [
        gxe.ExpectColumnValuesToBeInTypeList(
            column=column, type_list=INTEGER_DTYPES if integer else FLOAT_DTYPES
        ),
        gxe.ExpectColumnPairValuesToBeEqual(
            column_A=column, column_B=expected, ignore_row_if="both_values_are_missing"
        ),
    ]
    if min_value is not None or max_value is not None:
        found.append(
            gxe.ExpectColumnValuesToBeBetween(
                column=column, min_value=min_value, max_value=max_value
            )
        )
    return Guard(found, {expected: expression})


def fraction(column: str) -> Guard:
    """A share the row cannot recompute (its inputs are not in the mart): in [0, 1]."""
    gxe = _gxe()
    return Guard(
        [
            gxe.ExpectColumnValuesToBeInTypeList(column=column, type_list=FLOAT_DTYPES),
            gxe.ExpectColumnValuesToBeBetween(column=column, min_value=0, max_value=1),
        ]
    )


def at_least_zero(column: str, *, null_when_zero: str | None = None) -> Guard:
    """A non-negative figure the row cannot recompute (its inputs are not in the mart);
    NULL exactly when `null_when_zero` (a count column) is 0, if given."""
    gxe = _gxe()
    found = [
        gxe.ExpectColumnValuesToBeInTypeList(column=column, type_list=FLOAT_DTYPES),
        gxe.ExpectColumnValuesToBeBetween(column=column, min_value=0),
    ]
    if null_when_zero:
        found.append(
            gxe.ExpectColumnValuesToBeNull(column=column, row_condition=_col(null_when_zero) == 0)
        )
    return Guard(found)


def equals(column: str, expression: str, name: str) -> Guard:
    """column = a SQL expression over the row (e.g. posts = the sum of its kinds)."""
    gxe = _gxe()
    return Guard(
        [gxe.ExpectColumnPairValuesToBeEqual(column_A=column, column_B=name)], {name: expression}
    )


def contains_all(column: str, expression: str, parameter: str) -> Guard:
    """Every value of the run-time parameter `parameter` appears in the derived column."""
    gxe = _gxe()
    return Guard(
        [
            gxe.ExpectColumnDistinctValuesToContainSet(
                column=column, value_set={"$PARAMETER": parameter}
            )
        ],
        {column: expression},
    )


def zero(*columns: str) -> Guard:
    """Profile suites: each column counts offending rows, computed in the database."""
    gxe = _gxe()
    return Guard(
        [gxe.ExpectColumnValuesToBeBetween(column=c, min_value=0, max_value=0) for c in columns]
    )


# The post kinds a mart counts, which add up to its posts.
KINDS = ("originals", "replies", "retweets", "quotes")


def post_mix() -> list[Guard]:
    """The post mix of any mart that has one (all time, or an audit period): the kinds
    add up to posts, broadcasts are originals, each share is its count over posts."""
    return [
        *(count(c) for c in (*KINDS, "broadcast_posts")),
        equals("posts", " + ".join(KINDS), "posts__sum_of_kinds"),
        at_most("broadcast_posts", "originals"),
        share("original_share", "originals", "posts"),
        share("reply_share", "replies", "posts"),
        share("retweet_share", "retweets", "posts"),
        share("quote_share", "quotes", "posts"),
        share("broadcast_share", "broadcast_posts", "posts"),
    ]


def conversation() -> list[Guard]:
    """The conversation figures of any mart that has them (an account all time, an audit
    period, a brand's total): answered <= inbound, the rate their share, the response
    times known exactly when something was answered and the median below the p90."""
    return [
        count("inbound"),
        count("answered"),
        at_most("answered", "inbound"),
        share("response_rate", "answered", "inbound"),
        latency("median_first_response_min", known_when_positive="answered"),
        latency("p90_first_response_min", known_when_positive="answered"),
        at_most("median_first_response_min", "p90_first_response_min"),
    ]


GuardList = Callable[[], list[Guard]]


def etiquette() -> list[Guard]:
    """The first-contact and canned-reply figures of any mart that has them (an account
    all time, an audit period): counts within their wholes, each share their ratio."""
    return [
        *(
            count(c)
            for c in (
                "first_contacts",
                "first_contact_pitches",
                "first_contact_amplify_requests",
                "text_replies",
                "canned_replies",
            )
        ),
        at_most("first_contact_pitches", "first_contacts"),
        at_most("first_contact_amplify_requests", "first_contacts"),
        share("first_contact_pitch_share", "first_contact_pitches", "first_contacts"),
        share(
            "first_contact_amplify_request_share",
            "first_contact_amplify_requests",
            "first_contacts",
        ),
        at_most("text_replies", "replies"),
        at_most("canned_replies", "text_replies"),
        share("canned_reply_share", "canned_replies", "text_replies"),
    ]


def questions() -> list[Guard]:
    """The question figures of any mart that has them: questions are inbound messages,
    the answered ones answered messages, the rate their share."""
    return [
        count("question_inbound"),
        count("question_answered"),
        at_most("question_inbound", "inbound"),
        at_most("question_answered", "question_inbound"),
        at_most("question_answered", "answered"),
        share("question_response_rate", "question_answered", "question_inbound"),
    ]


def threads() -> list[Guard]:
    """The thread and introduction figures of any mart that has them: threads with the
    last word are threads, introductions are replies, the share their ratio."""
    return [
        count("threads"),
        count("threads_brand_last_word"),
        at_most("threads_brand_last_word", "threads"),
        share("threads_last_word_share", "threads_brand_last_word", "threads"),
        count("introductions"),
        at_most("introductions", "replies"),
    ]


def hashtags() -> list[Guard]:
    """The hashtag and follow-churn figures of a period's mart: broadcast-only tags are
    tags, the share their ratio; a churn event's counts are whole."""
    return [
        count("hashtags"),
        count("hashtags_broadcast_only"),
        at_most("hashtags_broadcast_only", "hashtags"),
        share("hashtag_broadcast_share", "hashtags_broadcast_only", "hashtags"),
        count("follow_churn_events"),
        count("follow_churn_followed"),
        count("follow_churn_unfollowed"),
    ]


def hashtag_conversation() -> list[Guard]:
    """A measured account's hashtag row (all time, or an audit period): whole counts,
    at least one post, and the conversation flag exactly the replies it counts."""
    return [
        not_null("handle", "carried_conversation"),
        count("posts", min_value=1),
        count("replies_from_others"),
        count("others_conversation_replies"),
        equals(
            "carried_conversation",
            "replies_from_others + others_conversation_replies > 0",
            "carried_conversation__expected",
        ),
    ]


def canned_texts() -> list[Guard]:
    """A repeated reply text's row (all time, or an audit period): at least two
    replies, the first no later than the last, never an empty text."""
    return [
        not_null("account_id", "handle", "reply_text", "first_at", "last_at"),
        count("replies", min_value=2),
        at_most("first_at", "last_at"),
        # an empty text (a bare link or mention) is no text to repeat
        derive(reply_text_is_empty="reply_text = ''"),
        equals("reply_text_is_empty", "false", "reply_text_never_empty"),
    ]
