"""`rapport sql` output (issue 16): a table that says how many rows it left out, CSV and
JSON with every row that read back to exactly what DuckDB returns, text from the
networks that cannot break a terminal, and the same read-only lockdown for every
format."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime
from decimal import Decimal

import duckdb
import pytest

from pipelines.cli import main
from tests.test_sql_readonly import ESCAPES, analyst  # noqa: F401 (analyst: a fixture)

ROWS = 898
HOSTILE = "gotcha\x1b[2J\x1b]0;owned\x07 line one\nline two\r\tend"

# A table in the analyst copy with the kinds of values marts hold: ids, text from the
# networks (quotes, commas, emoji, a terminal escape), doubles, decimals, a hugeint,
# times with a time zone, dates, lists, structs, booleans and NULLs.
SAMPLE = f"""
CREATE TABLE sample AS
SELECT
    i AS id,
    CASE WHEN i = 0 THEN '{HOSTILE}'
         WHEN i % 7 = 0 THEN NULL
         WHEN i % 5 = 0 THEN 'says "hi", then 😀 ' || i
         ELSE 'post ' || i END AS text,
    CASE WHEN i % 11 = 0 THEN NULL ELSE i / 7.0 + 0.1 END AS score,
    (i * 1.125)::DECIMAL(18, 3) AS amount,
    (i::HUGEINT * 1000000000000000000000) AS big,
    TIMESTAMPTZ '2024-03-01 12:00:00+00' + to_seconds(i * 3601) AS posted_at,
    DATE '2024-01-01' + i::INTEGER AS day,
    CASE WHEN i % 3 = 0 THEN [] ELSE ['#tag' || i, 'b'] END AS tags,
    {{'likes': i, 'lang': 'en'}} AS metrics,
    i % 2 = 0 AS even
FROM range({ROWS}) t(i)
"""
QUERY = "SELECT * FROM sample ORDER BY id"


@pytest.fixture
def copy(analyst):  # noqa: F811
    """The analyst copy with the sample table in it."""
    with duckdb.connect(str(analyst.analyst_copy_path)) as con:
        con.execute(SAMPLE)
    return analyst


def direct(settings, query: str = QUERY) -> tuple[list[str], list[str], list[tuple]]:
    """The same query through DuckDB itself: column names, types, rows."""
    with duckdb.connect(str(settings.analyst_copy_path), read_only=True) as con:
        cur = con.execute(query)
        names = [d[0] for d in cur.description]
        types = [str(d[1]) for d in cur.description]
        return names, types, cur.fetchall()


def run(args: list[str], capsys) -> tuple[int, str, str]:
    code = main(["sql", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def table_rows(out: str) -> list[str]:
    lines = out.splitlines()
    assert set(lines[1].strip()) <= {"-", " "}  # the rule under the header
    return lines[2:]


def test_table_shows_fifty_rows_and_says_how_many_there_are(copy, capsys):
    code, out, err = run([QUERY], capsys)
    assert code == 0
    rows = table_rows(out)
    assert len(rows) == 50
    assert rows[-1].split()[0] == "49"
    assert err == f"50 of {ROWS} rows shown; --limit 0 for all\n"


def test_limit_five_and_limit_zero(copy, capsys):
    code, out, err = run(["--limit", "5", QUERY], capsys)
    assert code == 0 and len(table_rows(out)) == 5
    assert err == f"5 of {ROWS} rows shown; --limit 0 for all\n"

    code, out, err = run(["--limit", "0", QUERY], capsys)
    assert code == 0 and err == ""
    assert [r.split()[0] for r in table_rows(out)] == [str(i) for i in range(ROWS)]


def test_no_line_when_every_row_is_shown(copy, capsys):
    code, out, err = run(["SELECT id FROM sample WHERE id < 50"], capsys)
    assert code == 0 and len(table_rows(out)) == 50 and err == ""


def test_a_statement_that_cannot_be_counted_still_says_rows_are_missing(copy, capsys):
    code, out, err = run(["--limit", "3", "SELECT 1; SELECT id FROM sample"], capsys)
    assert code == 0 and len(table_rows(out)) == 3
    assert err == "3 rows shown, more rows not shown; --limit 0 for all\n"


TIMES = ("TIMESTAMP WITH TIME ZONE", "DATE")


def from_iso(value: str, kind: str) -> datetime | date:
    """Times and dates in CSV and JSON alike: ISO 8601, in UTC with Z."""
    if kind == "DATE":
        return date.fromisoformat(value)
    assert value.endswith("Z")
    return datetime.fromisoformat(value)


def from_csv(cell: str, kind: str):
    """A CSV cell read back as the column's type, by the rules the format promises."""
    if cell == "":
        return None
    if kind == "BIGINT" or kind == "HUGEINT":
        return int(cell)
    if kind == "DOUBLE":
        assert cell == repr(float(cell))  # the shortest round-trip form
        return float(cell)
    if kind.startswith("DECIMAL"):
        return Decimal(cell)
    if kind in TIMES:
        return from_iso(cell, kind)
    if kind == "BOOLEAN":
        return {"true": True, "false": False}[cell]
    if kind.endswith("[]") or kind.startswith("STRUCT"):
        return json.loads(cell)
    return cell


def test_csv_reads_back_to_exactly_the_rows_of_the_query(copy, capsys):
    names, types, expected = direct(copy)
    code, out, err = run(["--format", "csv", QUERY], capsys)
    assert code == 0 and err == ""  # every row, nothing said
    assert "\r\n" in out  # RFC 4180 line ends
    records = list(csv.reader(io.StringIO(out, newline="")))
    assert records[0] == names
    got = [tuple(from_csv(c, k) for c, k in zip(r, types, strict=True)) for r in records[1:]]
    text = names.index("text")
    # NULL and the empty string are both an empty field; the sample has no empty string
    assert got == expected and len(got) == ROWS
    assert got[0][text] == HOSTILE  # in full, not escaped: a file wants the bytes
    assert records[1][names.index("posted_at")] == "2024-03-01T12:00:00Z"


def test_csv_limit_leaves_stdout_clean(copy, capsys):
    code, out, err = run(["--format", "csv", "--limit", "10", QUERY], capsys)
    assert code == 0
    assert len(list(csv.reader(io.StringIO(out, newline="")))) == 11
    assert err == f"10 of {ROWS} rows shown; --limit 0 for all\n"


def from_json(value, kind: str):
    if value is None:
        return None
    if kind == "DOUBLE":
        return float(value)
    if kind in TIMES:
        return from_iso(value, kind)
    return value  # numbers, text, booleans, lists and structs as JSON has them


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_json_reads_back_to_exactly_the_rows_of_the_query(copy, capsys, fmt):
    names, types, expected = direct(copy)
    code, out, err = run(["--format", fmt, QUERY], capsys)
    assert code == 0 and err == ""
    if fmt == "json":
        objects = json.loads(out, parse_float=Decimal)
    else:
        objects = [json.loads(line, parse_float=Decimal) for line in out.splitlines()]
    assert all(list(o) == names for o in objects)
    got = [tuple(from_json(o[n], k) for n, k in zip(names, types, strict=True)) for o in objects]
    assert got == expected and len(got) == ROWS
    first = objects[1]
    assert first["amount"] == Decimal("1.125") and isinstance(first["big"], int)
    assert first["big"] == 10**21 and first["posted_at"] == "2024-03-01T13:00:01Z"


def test_json_of_no_rows_is_an_empty_array(copy, capsys):
    code, out, _ = run(["--format", "json", "SELECT * FROM sample WHERE false"], capsys)
    assert code == 0 and json.loads(out) == []


def test_table_escapes_control_characters_and_cuts_long_cells(copy, capsys):
    long = "x" * 500
    query = f"SELECT text, '{long}' AS long FROM sample WHERE id = 0"
    code, out, _ = run([query], capsys)
    assert code == 0
    assert "\x1b" not in out and "\x07" not in out and "\r" not in out and "\t" not in out
    rows = table_rows(out)
    assert len(rows) == 1  # the newline in the post did not start a row
    assert "gotcha\\x1b[2J\\x1b]0;owned\\x07 line one\\nline two\\r\\tend" in rows[0]
    assert long not in rows[0] and ("x" * 59 + "…") in rows[0]
    assert len(rows[0]) < 2 + 60 + 2 + 60 + 1


def test_errors_are_one_line_and_exit_2(copy, capsys):
    code, out, err = run(["--format", "csv", "SELECT nope FROM\nsample"], capsys)
    assert code == 2 and out == ""
    assert err.startswith("rapport: query failed:") and err.count("\n") == 1


@pytest.mark.parametrize("fmt", ["csv", "json", "jsonl"])
@pytest.mark.parametrize("case", sorted(ESCAPES))
def test_lockdown_is_as_strict_for_every_format(analyst, case, fmt, tmp_path, capsys):  # noqa: F811
    code, out, err = run(["--format", fmt, ESCAPES[case].format(tmp=tmp_path)], capsys)
    assert code == 2 and out == ""
    assert err.startswith("rapport: query failed:") and err.count("\n") == 1
    assert not (tmp_path / "out.csv").exists() and not (tmp_path / "dump").exists()
    assert not (tmp_path / "other.duckdb").exists()
    assert "root:" not in err
