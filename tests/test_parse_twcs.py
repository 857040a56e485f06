"""parse_twcs against the real TWCS sample (../shared/data) and small synthetic files."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pipelines.sources.records import NotThisFormat
from pipelines.sources.twcs.parse import (
    extract_hashtags,
    extract_mentions,
    extract_urls,
    parse_twcs,
)
from tests.conftest import require_shared

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
TWCS_SAMPLE = SHARED_DATA / "twcs" / "twcs_sample.csv"

POST_KEYS = {
    "platform", "post_id", "account_id", "created_at", "text", "lang",
    "in_reply_to_post_id", "in_reply_to_account_id", "conversation_id", "quoted_post_id",
    "reposted_post_id", "mentions", "hashtags", "urls", "like_count", "repost_count",
    "reply_count", "quote_count", "impression_count", "edit_history_post_ids",
}  # fmt: skip
ACCOUNT_KEYS = {"platform", "account_id", "handle", "is_brand", "first_seen_at"}

HEADER = ",tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n"


@pytest.fixture(scope="module")
def sample_path() -> Path:
    return require_shared(TWCS_SAMPLE)


@pytest.fixture(scope="module")
def sample(sample_path):
    return parse_twcs(sample_path)


@pytest.fixture(scope="module")
def posts_by_id(sample):
    return {p["post_id"]: p for p in sample.posts}


def _write(tmp_path: Path, text: str, name: str = "twcs.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


# --------------------------------------------------------------------------- real sample


def test_sample_has_exactly_5000_records(sample):
    assert sample.items_read == 5000
    assert len(sample.posts) == 5000
    assert sample.rejects == []
    assert sample.snapshots == []
    assert len({p["post_id"] for p in sample.posts}) == 5000


def _independent_rows(path: Path) -> list[dict]:
    """The sample read another way: bare CRs blanked out first, then the stdlib csv."""
    raw = path.read_bytes().decode("utf-8").replace("\r", " ")
    return list(csv.DictReader(io.StringIO(raw, newline="")))


def test_sample_records_match_an_independent_read(sample_path, sample):
    with open(sample_path, encoding="utf-8", newline="") as fh:
        naive = list(csv.reader(fh))
    assert len(naive) - 1 != 5000  # the bare-CR quirk is really there
    rows = _independent_rows(sample_path)
    assert len(rows) == 5000
    assert [p["post_id"] for p in sample.posts] == [r["tweet_id"] for r in rows]
    assert [p["account_id"] for p in sample.posts] == [r["author_id"] for r in rows]


def test_bare_carriage_returns_stay_inside_the_text(posts_by_id):
    post = posts_by_id["3399"]
    assert post["account_id"] == "116510"
    assert (
        post["text"] == "@AskPayPal \r\rI just love the start of email 😁 https://t.co/8u1Pf5rJoN"
    )
    assert post["urls"] == ["https://t.co/8u1Pf5rJoN"]
    assert post["in_reply_to_post_id"] is None


def test_post_rows_have_exactly_the_canonical_columns(sample):
    for post in sample.posts:
        assert set(post) == POST_KEYS
        assert post["platform"] == "twcs"
        assert isinstance(post["post_id"], str) and isinstance(post["account_id"], str)
        assert post["created_at"].tzinfo is not None
        assert post["created_at"].utcoffset().total_seconds() == 0
        assert post["conversation_id"] is None
    for acct in sample.accounts:
        assert set(acct) == ACCOUNT_KEYS


def test_76_distinct_brands(sample_path, sample):
    # Expected value computed independently from the raw rows: authors with inbound False.
    rows = _independent_rows(sample_path)
    expected = {r["author_id"] for r in rows if r["inbound"] == "False"}
    assert len(expected) == 76

    brands = {a["account_id"] for a in sample.accounts if a["is_brand"]}
    assert brands == expected
    assert {"sprintcare", "AppleSupport", "AmazonHelp", "hulu_support"} <= brands
    assert len(sample.accounts) == len({p["account_id"] for p in sample.posts})
    for acct in sample.accounts:
        assert acct["handle"] == acct["account_id"]


def test_first_seen_at_is_the_earliest_post(sample):
    earliest: dict[str, datetime] = {}
    for p in sample.posts:
        a = p["account_id"]
        earliest[a] = min(earliest.get(a, p["created_at"]), p["created_at"])
    for acct in sample.accounts:
        assert acct["first_seen_at"] == earliest[acct["account_id"]]


def test_float_reply_ids_are_normalised(posts_by_id, sample):
    # Row 1: in_response_to_tweet_id is written '3.0'.
    first = posts_by_id["1"]
    assert first["in_reply_to_post_id"] == "3"
    assert first["account_id"] == "sprintcare"
    assert first["created_at"] == datetime(2017, 10, 31, 22, 10, 47, tzinfo=UTC)
    for p in sample.posts:
        parent = p["in_reply_to_post_id"]
        assert parent is None or parent.isdigit()


def test_mentions_hashtags_urls(posts_by_id):
    assert posts_by_id["1"]["mentions"] == ["115712"]
    assert posts_by_id["2"]["mentions"] == ["sprintcare"]
    # '.@Handle' is still a mention; several in one text keep their order.
    verizon = [p for p in posts_by_id.values() if p["text"].startswith(".@VerizonSupport @115725")]
    assert verizon and verizon[0]["mentions"] == ["VerizonSupport", "115725", "115726"]
    halloween = [
        p
        for p in posts_by_id.values()
        if p["text"].startswith("Excellent Halloweening @marksandspencer")
    ]
    assert halloween[0]["hashtags"] == ["countcolin", "halloween", "food"]
    assert halloween[0]["mentions"] == ["marksandspencer"]
    assert halloween[0]["urls"] == ["https://t.co/lq1cSooHdj"]


def test_in_reply_to_account_is_filled_from_the_parent_row(posts_by_id, sample):
    # Row 2 (tweet 2 by 115712) answers tweet 1, written by sprintcare.
    assert posts_by_id["2"]["in_reply_to_post_id"] == "1"
    assert posts_by_id["2"]["in_reply_to_account_id"] == "sprintcare"
    assert posts_by_id["1"]["in_reply_to_account_id"] == "115712"
    # Tweet 222 answers 223, which is not in the sample: no account to fill.
    assert posts_by_id["222"]["in_reply_to_post_id"] == "223"
    assert "223" not in posts_by_id
    assert posts_by_id["222"]["in_reply_to_account_id"] is None
    for p in sample.posts:
        parent = posts_by_id.get(p["in_reply_to_post_id"] or "")
        expected = parent["account_id"] if parent else None
        assert p["in_reply_to_account_id"] == expected


def test_line_numbers_count_physical_lines_through_the_real_file(sample_path, tmp_path):
    raw = sample_path.read_bytes()
    assert raw.endswith(b"\n")
    bad = b"5000,99999,someone,True,not a date,@x hi,,\n"
    path = tmp_path / "twcs_plus_one.csv"
    path.write_bytes(raw + bad)
    batch = parse_twcs(path)
    assert batch.items_read == 5001
    assert len(batch.posts) == 5000
    [reject] = batch.rejects
    assert reject.line_number == raw.count(b"\n") + 1  # newlines, not records or \r
    assert "created_at" in reject.reason and "not a date" in reject.reason


# --------------------------------------------------------------------------- synthetic


def test_bad_rows_are_rejected_with_their_line_numbers_and_good_rows_kept(tmp_path):
    text = (
        HEADER  # line 1
        + "0,10,brandco,False,Tue Oct 31 22:10:47 +0000 2017,@111 hello,,11.0\n"  # 2
        + "1,11,111,True,31/10/2017 22:00,@brandco help,10,\n"  # 3: bad date
        + '2,12,111,True,Tue Oct 31 22:12:00 +0000 2017,"@brandco two\nlines",,10.0\n'  # 4-5
        + ",,111,True,Tue Oct 31 22:13:00 +0000 2017,@brandco no id,,\n"  # 6: missing id
        + "4,14,brandco,False,Tue Oct 31 22:14:00 +0000 2017,@111 ok \r bare cr,,12\n"  # 7
        + "5,15,222,True,Tue Oct 31 22:15:00 +0000 2017,#support please,,\n"  # 8
    )
    batch = parse_twcs(_write(tmp_path, text))
    assert batch.items_read == 6
    assert [p["post_id"] for p in batch.posts] == ["10", "12", "14", "15"]
    assert [(r.line_number, r.item) for r in batch.rejects] == [(3, ""), (6, "")]
    bad_date, missing_id = batch.rejects
    assert "created_at" in bad_date.reason and "31/10/2017 22:00" in bad_date.reason
    assert bad_date.excerpt.startswith("1,11,111,True,31/10/2017")
    assert "tweet_id" in missing_id.reason and "missing" in missing_id.reason

    posts = {p["post_id"]: p for p in batch.posts}
    assert posts["12"]["text"] == "@brandco two\nlines"
    assert posts["14"]["text"] == "@111 ok \r bare cr"
    assert posts["14"]["in_reply_to_account_id"] == "111"  # parent 12 by 111
    assert posts["10"]["in_reply_to_post_id"] == "11"
    assert posts["10"]["in_reply_to_account_id"] is None  # parent 11 was rejected
    assert posts["15"]["hashtags"] == ["support"]
    accounts = {a["account_id"]: a for a in batch.accounts}
    assert accounts["brandco"]["is_brand"] is True
    assert accounts["111"]["is_brand"] is False
    assert accounts["111"]["first_seen_at"] == datetime(2017, 10, 31, 22, 12, tzinfo=UTC)


def test_other_bad_values_and_duplicates(tmp_path):
    text = (
        HEADER  # 1
        + "0,20,a,True,Tue Oct 31 22:10:47 +0000 2017,hi,,\n"  # 2 ok
        + "1,21,a,maybe,Tue Oct 31 22:10:47 +0000 2017,hi,,\n"  # 3 inbound
        + "2,22,a,True,Tue Oct 31 22:10:47 +0000 2017,hi,,abc\n"  # 4 reply id
        + "3,23,a,True,Tue Oct 31 22:10:47 +0000 2017,hi\n"  # 5 too few fields
        + "4,20,b,False,Tue Oct 31 22:11:47 +0000 2017,again,,\n"  # 6 duplicate of 20
        + "5,24,,True,Tue Oct 31 22:10:47 +0000 2017,hi,,\n"  # 7 missing author
        + "\n"  # 8 blank: skipped
        + "6,25,a,True,Tue Oct 31 22:10:47 +0000 2017,hi,,24.5\n"  # 9 fractional id
        + "7,26,a,TRUE,Tue Oct 31 22:10:47 -0500 2017,hi,,20\n"  # 10 ok
    )
    batch = parse_twcs(_write(tmp_path, text))
    assert [p["post_id"] for p in batch.posts] == ["20", "26"]
    assert batch.items_read == 8
    by_line = {r.line_number: r.reason for r in batch.rejects}
    assert sorted(by_line) == [3, 4, 5, 6, 7, 9]
    assert "inbound" in by_line[3] and "'maybe'" in by_line[3]
    assert "in_response_to_tweet_id" in by_line[4] and "'abc'" in by_line[4]
    assert "expected 8" in by_line[5] and "found 6" in by_line[5]
    assert "duplicate tweet_id '20'" in by_line[6] and "line 2" in by_line[6]
    assert "author_id" in by_line[7]
    assert "in_response_to_tweet_id" in by_line[9] and "'24.5'" in by_line[9]
    posts = {p["post_id"]: p for p in batch.posts}
    assert posts["20"]["account_id"] == "a"  # the first row wins
    assert posts["26"]["created_at"] == datetime(2017, 11, 1, 3, 10, 47, tzinfo=UTC)
    assert posts["26"]["in_reply_to_account_id"] == "a"
    # the rejected duplicate's author is not an account
    assert {a["account_id"] for a in batch.accounts} == {"a"}


def test_an_unclosed_quote_is_one_reject_not_a_crash(tmp_path):
    text = (
        HEADER
        + '0,1,a,True,Tue Oct 31 22:10:47 +0000 2017,"never closed,,\n'  # 2
        + "1,2,a,True,Tue Oct 31 22:10:47 +0000 2017,hi,,\n"  # 3: swallowed by line 2
    )
    batch = parse_twcs(_write(tmp_path, text))
    [reject] = batch.rejects
    assert reject.line_number == 2
    assert "wrong number of fields" in reject.reason
    assert reject.excerpt.startswith('0,1,a,True,Tue Oct 31 22:10:47 +0000 2017,"never closed')
    assert batch.posts == []


def test_header_without_index_column_and_crlf_line_endings(tmp_path):
    text = (
        "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\r\n"
        "1,brand,False,Tue Oct 31 22:10:47 +0000 2017,@9 hi,,2.0\r\n"
        "2,9,True,Tue Oct 31 22:00:00 +0000 2017,@brand hey,1,\r\n"
    )
    batch = parse_twcs(_write(tmp_path, text))
    assert [p["post_id"] for p in batch.posts] == ["1", "2"]
    assert batch.posts[0]["in_reply_to_account_id"] == "9"
    assert batch.posts[1]["text"] == "@brand hey"
    assert batch.rejects == []


def test_wrong_header_is_not_this_format(tmp_path):
    path = _write(tmp_path, "id,user,date,body\n1,a,2017-10-31,hi\n", "other.csv")
    with pytest.raises(NotThisFormat) as excinfo:
        parse_twcs(path)
    message = str(excinfo.value)
    assert "other.csv" in message
    for col in ("tweet_id", "author_id", "inbound", "in_response_to_tweet_id"):
        assert col in message


def test_partial_header_names_only_the_missing_columns(tmp_path):
    path = _write(tmp_path, "tweet_id,author_id,inbound,created_at,text\n", "partial.csv")
    with pytest.raises(NotThisFormat, match="response_tweet_id, in_response_to_tweet_id"):
        parse_twcs(path)


def test_empty_file_is_not_this_format(tmp_path):
    with pytest.raises(NotThisFormat, match="empty"):
        parse_twcs(_write(tmp_path, "", "empty.csv"))


def test_entity_extraction_rules():
    assert extract_mentions("hi @abc_1, mail me@example.com @toolonghandle_12345 @ok") == [
        "abc_1",
        "ok",
    ]
    assert extract_mentions("(@Brand) .@Other") == ["Brand", "Other"]
    assert extract_hashtags("#one #2 a#b #two_3 #Café") == ["one", "two_3", "Café"]
    assert extract_urls("see https://t.co/abc. and (http://x.io/a?b=1)") == [
        "https://t.co/abc",
        "http://x.io/a?b=1",
    ]


def test_contract_ids_times_and_bytes_reject_the_row(tmp_path):
    # '1e5' was post 100000 and invalid UTF-8 became U+FFFD before the source contract.
    landed = datetime(2017, 11, 1, tzinfo=UTC)
    text = (
        HEADER.encode()  # 1
        + b"0,1e5,a,True,Tue Oct 31 22:10:47 +0000 2017,hi,,\n"  # 2 exponent id
        + b"1,30,a,True,Tue Oct 31 22:10:47 +0000 2017,caf\xe9,,\n"  # 3 not UTF-8
        + b"2,31,a,True,Thu Jan 01 00:00:00 +0000 1970,hi,,\n"  # 4 before Twitter
        + b"3,32,a,True,Thu Nov 02 00:00:01 +0000 2017,hi,,\n"  # 5 a day after landing
        + b"4,33,a,True,Thu Nov 02 00:00:00 +0000 2017,hi,,\n"  # 6 exactly a day: kept
        + b"5,34,a.b,True,Tue Oct 31 22:10:47 +0000 2017,hi,,\n"  # 7 not a handle
    )
    path = tmp_path / "contract.csv"
    path.write_bytes(text)
    batch = parse_twcs(path, not_after=landed)
    assert [p["post_id"] for p in batch.posts] == ["33"]
    by_line = {r.line_number: r.reason for r in batch.rejects}
    assert sorted(by_line) == [2, 3, 4, 5, 7]
    assert "tweet_id '1e5' is not a numeric id" in by_line[2]
    assert "line 3 is not valid UTF-8" in by_line[3]
    assert "before 2006-03-21" in by_line[4]
    assert "after the file was received (2017-11-01T00:00:00+00:00)" in by_line[5]
    assert "author_id 'a.b'" in by_line[7]
    assert (
        batch.rejects[1].excerpt.startswith("1,30,a,True") and "\ufffd" in batch.rejects[1].excerpt
    )


def test_a_header_that_is_not_utf8_is_not_this_format(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes(HEADER.replace("text", "t\xe9xt").encode("latin-1") + b"1,2\n")
    with pytest.raises(NotThisFormat, match="not UTF-8"):
        parse_twcs(path)


def test_the_bare_cr_placeholder_never_changes_a_text(tmp_path):
    # The parser hides a bare '\r' from the csv module behind U+FDD0; a text that holds
    # U+FDD0 itself (or the placeholder's pair) must come out exactly as written.
    texts = ["a\ufdd0b", "c\ufdd0\ufdd2d", "e\rf\ufdd0", "\ufdd0\r\ufdd1\ufdd2"]
    rows = "".join(
        f"{i},{i + 10},a,True,Tue Oct 31 22:10:47 +0000 2017,{t},,\n" for i, t in enumerate(texts)
    )
    batch = parse_twcs(_write(tmp_path, HEADER + rows))
    assert [p["text"] for p in batch.posts] == texts and batch.rejects == []
