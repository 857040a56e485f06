"""How a query's result is written: an aligned table for a terminal, CSV (RFC 4180) or
JSON for files and programs.

The table is for eyes: text from the networks (posts, bios, names) has its control
characters shown escaped (an ESC sequence cannot move the cursor, a newline cannot break
a row) and long cells are cut with an ellipsis. CSV and JSON are for machines: every
value in full, NULL as an empty field or null, floats in their shortest round-trip form,
timestamps ISO 8601 in UTC with Z, DECIMAL and HUGEINT as exact numbers, lists, structs
and maps as JSON."""

from __future__ import annotations

import csv
import json
import math
import re
import struct
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import TextIO

from pipelines.reports.export import csv_value

FORMATS = ("table", "csv", "json", "jsonl")
CELL_WIDTH = 60  # display columns a table cell may take before it is cut
BATCH = 10_000  # rows fetched at a time when writing every row

# C0 and C1 controls, DEL, line and paragraph separators, bidi marks and overrides.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def fetch(cur, limit: int) -> tuple[Iterable[tuple], bool]:
    """The rows to write (at most `limit`, every row streamed when 0) and whether more
    rows were left out: one row past the limit is fetched to know, nothing more."""
    if not limit:
        return _batches(cur), False
    rows = cur.fetchmany(limit + 1)
    return rows[:limit], len(rows) > limit


def _batches(cur) -> Iterator[tuple]:
    while batch := cur.fetchmany(BATCH):
        yield from batch


def write(fmt: str, description, rows: Iterable[tuple], out: TextIO) -> None:
    names = [d[0] for d in description]
    rows = _prepared(description, rows)
    if fmt == "table":
        write_table(names, rows, out)
    elif fmt == "csv":
        writer = csv.writer(out)  # RFC 4180: CRLF line ends, quotes doubled
        writer.writerow(names)
        writer.writerows([text(v) for v in row] for row in rows)
    else:
        _write_json(names, rows, out, lines=fmt == "jsonl")


def write_table(names: list[str], rows: Iterable[tuple], out: TextIO) -> None:
    cells = [[cell(n) for n in names]]
    cells += [[cell(f"{v:.3f}" if isinstance(v, float) else text(v)) for v in row] for row in rows]
    widths = [max(_width(r[i]) for r in cells) for i in range(len(names))]
    for n, row in enumerate(cells):
        out.write("  " + "  ".join(_pad(c, w) for c, w in zip(row, widths, strict=True)) + "\n")
        if n == 0:
            out.write("  " + "  ".join("-" * w for w in widths) + "\n")


def _write_json(names: list[str], rows: Iterable[tuple], out: TextIO, lines: bool) -> None:
    keys = [json.dumps(k, ensure_ascii=False) for k in _unique(names)]

    def obj(row: tuple) -> str:
        return "{" + ",".join(f"{k}:{json_text(v)}" for k, v in zip(keys, row, strict=True)) + "}"

    if lines:
        for row in rows:
            out.write(obj(row) + "\n")
        return
    out.write("[")
    for n, row in enumerate(rows):
        out.write(("," if n else "") + "\n" + obj(row))
    out.write("\n]\n")


def _unique(names: list[str]) -> list[str]:
    """JSON keys: a repeated column name gets _1, _2 ... so no value is lost."""
    seen: set[str] = set()
    out = []
    for name in names:
        key, n = name, 0
        while key in seen:
            n += 1
            key = f"{name}_{n}"
        seen.add(key)
        out.append(key)
    return out


class RawJSON(str):
    """A JSON column's value: already JSON text, written into JSON output as it is."""


def _prepared(description, rows: Iterable[tuple]) -> Iterable[tuple]:
    """Values as the column's type means them: a FLOAT (4-byte) as its shortest
    decimal, not the longer double it widens to; a JSON column as JSON."""
    fix: dict[int, Callable] = {}
    for i, d in enumerate(description):
        kind = str(d[1])
        if kind == "FLOAT":
            fix[i] = _float32
        elif kind == "JSON":
            fix[i] = RawJSON
    if not fix:
        return rows
    return (
        tuple(v if v is None or i not in fix else fix[i](v) for i, v in enumerate(row))
        for row in rows
    )


def _float32(value: float) -> float:
    if not math.isfinite(value):
        return value
    packed = struct.pack("<f", value)
    for digits in range(1, 10):
        shorter = float(f"{value:.{digits}g}")
        if struct.pack("<f", shorter) == packed:
            return shorter
    return value


def text(value: object) -> str:
    """A value as CSV text, as the scorecard CSV writes it (NULL empty, booleans
    true/false, floats shortest), and the types a query adds: timestamps to the
    microsecond, dates, durations, blobs, nested values as JSON."""
    if isinstance(value, datetime):
        return _timestamp(value)
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return _duration(value)
    if isinstance(value, bytes):
        return "".join(chr(b) if 32 <= b < 127 and b != 92 else f"\\x{b:02X}" for b in value)
    if isinstance(value, list | tuple | dict):
        return json_text(value)
    return csv_value(value)  # None, bool, float, str, int, Decimal, UUID


def json_text(value: object) -> str:
    """A value as JSON: exact integers and decimals as numbers, a float that is not
    finite as null (JSON has no NaN), everything else not numeric as text()."""
    if value is None:
        return "null"
    if isinstance(value, RawJSON):
        return str(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | Decimal):
        return str(value)
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else "null"
    if isinstance(value, list | tuple):
        return "[" + ",".join(json_text(v) for v in value) + "]"
    if isinstance(value, dict):
        pairs = (
            f"{json.dumps(k if isinstance(k, str) else text(k), ensure_ascii=False)}:{json_text(v)}"
            for k, v in value.items()
        )
        return "{" + ",".join(pairs) + "}"
    return json.dumps(text(value), ensure_ascii=False)


def _timestamp(value: datetime) -> str:
    """ISO 8601 in UTC with Z; a TIMESTAMP without time zone is taken as UTC, which is
    how the warehouse stores times."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.isoformat() + "Z"


def _duration(value: timedelta) -> str:
    """ISO 8601 duration: P1DT2H3M4.5S (DuckDB hands a month over as 30 days)."""
    sign = "-" if value < timedelta(0) else ""
    value = abs(value)
    hours, rest = divmod(value.seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    secs = f"{seconds}.{value.microseconds:06d}".rstrip("0").rstrip(".")
    clock = "".join(f"{n}{u}" for n, u in ((hours, "H"), (minutes, "M")) if n)
    if seconds or value.microseconds:
        clock += f"{secs}S"
    day = f"{value.days}D" if value.days else ""
    if not day and not clock:
        return "PT0S"
    return f"{sign}P{day}" + (f"T{clock}" if clock else "")


def cell(value: str) -> str:
    """A table cell a terminal shows as it is: controls escaped, cut at CELL_WIDTH."""
    value = _UNSAFE.sub(_escape, value)
    if _width(value) <= CELL_WIDTH:
        return value
    out, used = [], 0
    for ch in value:
        used += _char_width(ch)
        if used > CELL_WIDTH - 1:
            break
        out.append(ch)
    return "".join(out) + "…"


def _escape(match: re.Match) -> str:
    ch = match.group()
    if ch in _NAMED:
        return _NAMED[ch]
    return f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}"


def _char_width(ch: str) -> int:
    if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def _width(value: str) -> int:
    if value.isascii():
        return len(value)
    return sum(_char_width(ch) for ch in value)


def _pad(value: str, width: int) -> str:
    return value + " " * (width - _width(value))
