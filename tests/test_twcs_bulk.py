"""The SQL fast path for TWCS files gives exactly what the Python parser and loader
give, and hands every file it cannot vouch for to them (which keep exact rejects)."""

from __future__ import annotations

import random
from pathlib import Path

import duckdb
import pytest

from pipelines.canonical.imports import import_file
from pipelines.canonical.loader import load_batch
from pipelines.canonical.tables import connect
from pipelines.canonical.twcs_bulk import bulk_load_twcs, hashtags_sql, mentions_sql, urls_sql
from pipelines.raw.landing import land
from pipelines.sources.twcs.parse import (
    extract_hashtags,
    extract_mentions,
    extract_urls,
    parse_twcs,
)
from tests.conftest import shared_file

HEADER = "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n"

# Characters where RE2 and Python's re could part ways: word/non-word edges in several
# scripts, digits of other scripts, combining marks, Unicode spaces, '&', punctuation
# that URLs shed, and the sigils themselves.
TRICKY = (
    list("aZ9_ @#&.,;:!?)]}'\"<>/-\n\t")
    + ["\u00e9", "\u0301", "\u0663", "\u00b2", "\u2160", "\u4e00", "\u00a0", "\u2003",
       "\u3000", "\u2026", "\u0431", "\U0001f600", "\x0b", "\x1c", "\u200b", "\u05d0"]
    + ["https://", "http://", "HTTPS://", "@Brand", "#tag", "&#", "@a_very_long_handle_x"]
)  # fmt: skip


def _random_texts(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(TRICKY) for _ in range(rng.randint(0, 30))) for _ in range(n)]


def test_sql_extraction_matches_python_on_awkward_text():
    texts = _random_texts(3000, seed=7)
    con = duckdb.connect()
    con.execute("CREATE TABLE t (i INTEGER, text VARCHAR)")
    con.executemany("INSERT INTO t VALUES (?, ?)", list(enumerate(texts)))
    rows = con.execute(
        f"SELECT i, {mentions_sql('text')}, {hashtags_sql('text')}, {urls_sql('text')} "
        "FROM t ORDER BY i"
    ).fetchall()
    for i, mentions, hashtags, urls in rows:
        text = texts[i]
        assert mentions == extract_mentions(text), repr(text)
        assert hashtags == extract_hashtags(text), repr(text)
        assert urls == extract_urls(text), repr(text)
    # the sample is not trivially empty: the patterns did find things
    assert sum(len(r[1]) for r in rows) > 500 and sum(len(r[2]) for r in rows) > 300
    assert sum(len(r[3]) for r in rows) > 100


def _both_ways(tmp_path: Path, csv_path: Path) -> tuple[Path, Path, object]:
    """Load one file through the parser and through the SQL path, into two warehouses."""
    py_db, sql_db = tmp_path / "py.duckdb", tmp_path / "sql.duckdb"
    with connect(py_db) as con:
        landed = land(tmp_path / "raw_py", "twcs", csv_path)
        load_batch(con, parse_twcs(landed.raw_path), landed)
    with connect(sql_db) as con:
        result = bulk_load_twcs(con, land(tmp_path / "raw_sql", "twcs", csv_path))
    return py_db, sql_db, result


def _differences(py_db: Path, sql_db: Path) -> dict[str, int]:
    con = duckdb.connect()
    con.execute(f"ATTACH '{py_db}' AS a (READ_ONLY); ATTACH '{sql_db}' AS b (READ_ONLY)")
    out = {}
    for table in ("posts", "accounts", "rejects"):
        for x, y in (("a", "b"), ("b", "a")):
            out[f"{table} {x}-{y}"] = con.execute(
                f"SELECT count(*) FROM (SELECT * FROM {x}.canonical.{table} "
                f"EXCEPT ALL SELECT * FROM {y}.canonical.{table})"
            ).fetchone()[0]
        rows = con.execute(f"SELECT count(*) FROM b.canonical.{table}").fetchone()
        out[f"{table} rows"] = rows[0]
    return out


def test_real_sample_loads_identically(tmp_path: Path):
    # The sample's one row with a bare '\r' sends the file to the parser (tested below);
    # without that row every other real row takes the SQL path.
    text = shared_file("twcs/twcs_sample.csv").read_bytes().decode("utf-8")
    lines = text.split("\n")
    kept = [line for line in lines if "\r" not in line]
    assert len(kept) == len(lines) - 1
    path = tmp_path / "sample_without_cr.csv"
    path.write_text("\n".join(kept), encoding="utf-8")

    py_db, sql_db, result = _both_ways(tmp_path, path)
    assert not isinstance(result, str), result
    assert result.posts == 4999
    diff = _differences(py_db, sql_db)
    assert diff["posts rows"] == 4999 and diff["accounts rows"] > 1000
    assert {k: v for k, v in diff.items() if "rows" not in k} == dict.fromkeys(
        ("posts a-b", "posts b-a", "accounts a-b", "accounts b-a", "rejects a-b", "rejects b-a"),
        0,
    )


def test_awkward_text_and_ids_load_identically(tmp_path: Path):
    texts = _random_texts(400, seed=11)
    rows = []
    for i, t in enumerate(texts, 1):
        quoted = '"' + t.replace('"', '""') + '"'
        parent = "" if i % 3 == 0 else f"{i - 1}.0" if i % 3 == 1 else f"00{i - 1}"
        inbound = "True" if i % 2 else "false"
        author = f"brand{i % 7}" if i % 2 == 0 else str(1000 + i % 50)
        rows.append(f"{i},{author},{inbound},Tue Oct 31 22:{i % 60:02d}:47 +0130 2017,"
                    f"{quoted},,{parent}\n")  # fmt: skip
    path = tmp_path / "awkward.csv"
    path.write_text(HEADER + "".join(rows), encoding="utf-8")
    py_db, sql_db, result = _both_ways(tmp_path, path)
    assert not isinstance(result, str), result
    diff = _differences(py_db, sql_db)
    assert diff["posts rows"] == 400
    assert sum(v for k, v in diff.items() if "rows" not in k) == 0, diff


@pytest.mark.parametrize(
    ("row", "why"),
    [
        ("2,7,True,yesterday,hi,,", "row(s) not in the common shape"),
        ("2,7,True,Tue Oct 31 22:10:47 +0000 2017,hi,,x1", "row(s) not in the common shape"),
        ("2,7,True,Tue Oct 31 22:10:47 +0000 2017,hi", "CSV reader refused"),
        ("1,7,True,Tue Oct 31 22:10:47 +0000 2017,again,,", "tweet_id is repeated"),
        ("2,7,True,Tue Oct 31 22:10:47 +0000 2017,a\rb,,", "'\\r'"),
        # the source contract (pipelines/sources/contract.py)
        ("1e5,7,True,Tue Oct 31 22:10:47 +0000 2017,hi,,", "row(s) not in the common shape"),
        ("2,7,True,Tue Oct 31 22:10:47 +0000 2017,hi,,1e0", "row(s) not in the common shape"),
        ("9223372036854775808,7,True,Tue Oct 31 22:10:47 +0000 2017,hi,,", "common shape"),
        ("2," + "a" * 51 + ",True,Tue Oct 31 22:10:47 +0000 2017,hi,,", "common shape"),
        ("2,7,True,Thu Jan 01 00:00:00 +0000 1970,hi,,", "row(s) not in the common shape"),
        ("2,7,True,Fri Dec 31 23:59:59 +0000 9999,hi,,", "row(s) not in the common shape"),
        ("2,7,True,Mon Mar 20 23:59:59 +0000 2006,hi,,", "row(s) not in the common shape"),
        ("2,7,True,Tue Oct 31 22:10:47 +0000 2017," + "x" * 200_000 + ",,", "common shape"),
        (b"2,7,True,Tue Oct 31 22:10:47 +0000 2017,caf\xe9,,", "CSV reader refused"),
    ],
)
def test_odd_files_go_to_the_parser_with_exact_rejects(tmp_path: Path, row: str | bytes, why: str):
    good = b"1,5,True,Tue Oct 31 22:10:47 +0000 2017,@brand0 help,,\n"
    path = tmp_path / "odd.csv"
    row = row if isinstance(row, bytes) else row.encode()
    last = b"\n3,5,True,Wed Nov 01 10:00:00 +0000 2017,x,,\n"
    path.write_bytes(HEADER.encode() + good + row + last)

    with connect(tmp_path / "probe.duckdb") as con:
        reason = bulk_load_twcs(con, land(tmp_path / "probe_raw", "twcs", path))
        assert isinstance(reason, str) and why in reason
        # nothing was written by the refused fast path
        assert con.execute("SELECT count(*) FROM canonical.posts").fetchone()[0] == 0
        assert con.execute("SELECT count(*) FROM ops.raw_files").fetchone()[0] == 0

    with connect(tmp_path / "wh.duckdb") as con:
        result = import_file(con, tmp_path / "raw", "twcs", path)
        (landed_at,) = con.execute("SELECT landed_at FROM ops.raw_files").fetchone()
        expected = parse_twcs(path, not_after=landed_at)
        assert result.counts.posts == len(expected.posts) >= 2  # the good rows are kept
        assert [(r.line_number, r.reason) for r in result.rejects] == [
            (r.line_number, r.reason) for r in expected.rejects
        ]
        stored = con.execute(
            "SELECT line_number, reason FROM canonical.rejects ORDER BY line_number"
        ).fetchall()
        assert stored == [(r.line_number, r.reason) for r in expected.rejects]
        # exactly the odd row, on its line (a bare '\r' in a text is odd, not bad)
        assert [r[0] for r in stored] == ([] if b"\r" in row else [3])


def test_values_at_the_contract_edges_load_identically(tmp_path: Path):
    # The largest id, the longest author, the first day of Twitter, a NUL in a text, a
    # field at the csv module's limit and the parser's own placeholder characters: in
    # the common shape, so loaded in SQL, and the parser must read them the same.
    rows = [
        "9223372036854775807.0,a" + "b" * 49 + ",False,Tue Mar 21 00:00:00 +0000 2006,first,,",
        "0009,7,True,Tue Oct 31 22:10:47 +0000 2017,nul \x00 inside,,9223372036854775807",
        "10,7,True,Tue Oct 31 22:10:47 +0000 2017," + "y" * 131_072 + ",,",
        "11,7,True,Tue Oct 31 22:10:47 +0000 2017,noncharacters \ufdd0\ufdd2 kept,,",
    ]
    path = tmp_path / "edges.csv"
    path.write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    py_db, sql_db, result = _both_ways(tmp_path, path)
    assert not isinstance(result, str), result
    diff = _differences(py_db, sql_db)
    assert diff["posts rows"] == 4 and diff["rejects rows"] == 0
    assert sum(v for k, v in diff.items() if "rows" not in k) == 0, diff
