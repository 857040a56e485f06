"""The scorecard as CSV, byte for byte the same for the same period and data: fixed
column and row order, floats in Python's shortest round-trip form, times in UTC, no
wall-clock time anywhere in the file."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
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


def scorecard_csv(data: AuditData) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(data.columns)
    for row in data.scorecard:
        writer.writerow([csv_value(row[c]) for c in data.columns])
    return out.getvalue().encode("utf-8")


def write_atomically(path: Path, content: bytes) -> Path:
    """Readers (a browser, a sync tool) never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(content)
    tmp.replace(path)
    return path
