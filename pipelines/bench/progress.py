"""The progress line of a running stage: its latest output line, or for dbt (quiet on
stdout) the latest node line of its log file, as the bench prints it now and then."""

from __future__ import annotations

import re
from pathlib import Path

_DBT_NODE = re.compile(r"\d+ of \d+ (START|OK|PASS|FAIL|ERROR)\b.*")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def last_line(path: Path, dbt_log: Path | None = None) -> str:
    """The stage's latest output line; for dbt (quiet on stdout), the latest node line of
    its log file."""
    source = dbt_log if dbt_log is not None and dbt_log.exists() else path
    try:
        with source.open("rb") as fh:
            fh.seek(max(0, source.stat().st_size - 65536))
            lines = [ln.strip() for ln in fh.read().decode(errors="replace").splitlines()]
    except OSError:
        return ""
    for line in reversed(lines):
        line = _ANSI.sub("", line)
        if source is dbt_log:
            found = _DBT_NODE.search(line)
            if found:
                return found.group(0)[:160]
        elif line:
            return line[:160]
    return ""
