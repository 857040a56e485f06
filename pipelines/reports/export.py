"""The scorecard as CSV, byte for byte the same for the same period and data: fixed
column and row order, times in UTC, no wall-clock time anywhere in the file.

Floats are rounded for a person reading the file in a spreadsheet (the HTML report's
data-value attributes keep the mart's exact values, and marts.audit_scorecard has
them to full precision):

* minutes and hours (``*_min``, ``*_hours``): 1 decimal (a tenth of a minute or hour);
* every other float (shares and rates in [0, 1], per-week and per-post averages,
  ratios): 4 decimals, so a share keeps a hundredth of a percentage point;
* trailing zeros are dropped, so a whole value is written as an integer
  (``period_days`` 28, not 28.0); counts are integers in the mart and stay so."""

from __future__ import annotations

import csv
import io
import math
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from pipelines.reports.data import AuditData


def csv_value(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return str(value)


#: decimals a float column keeps in scorecard.csv, by the end of its name; else DECIMALS
DURATION_DECIMALS = {"_min": 1, "_hours": 1}
DECIMALS = 4


def decimals(column: str) -> int:
    return next((d for end, d in DURATION_DECIMALS.items() if column.endswith(end)), DECIMALS)


def rounded(value: float, digits: int) -> str:
    """``value`` to ``digits`` decimals, trailing zeros dropped: 28.0 -> '28',
    0.76600 -> '0.766', -0.00001 -> '0'."""
    text = f"{value:.{digits}f}".rstrip("0").rstrip(".") if digits else f"{value:.0f}"
    return "0" if text in ("-0", "") else text


def csv_cell(column: str, value: object) -> str:
    if isinstance(value, float) and math.isfinite(value):
        return rounded(value, decimals(column))
    if isinstance(value, Decimal):
        return rounded(float(value), decimals(column))
    return csv_value(value)


def scorecard_csv(data: AuditData) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(data.columns)
    for row in data.scorecard:
        writer.writerow([csv_cell(c, row[c]) for c in data.columns])
    return out.getvalue().encode("utf-8")


def write_atomically(path: Path, content: bytes) -> Path:
    """Readers (a browser, a sync tool) never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(content)
    tmp.replace(path)
    return path
