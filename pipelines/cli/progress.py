"""What a command prints while dbt runs. dagster-dbt echoes every dbt event to stdout:
a demo build is some 250 node lines ("12 of 122 START ...", "12 of 122 PASS ..."), which
bury the few a person needs. Unless `--verbose` is given, `quiet_dbt()` folds them into
one live line on a terminal ("dbt: 57 of 122 nodes done") and none in a log, drops
dbt's start-up chatter, and passes everything else through untouched: a failing or
warning node, dbt's "Found ..." and "Finished running ..." summary, Rapport's own lines."""

from __future__ import annotations

import contextlib
import io
import os
import re
import sys
from collections.abc import Iterator

# dbt's per-node progress, and a node that did what it should; FAIL / ERROR / WARN lines
# do not match and are shown.
NODE_DONE = re.compile(r"^\s*(\d+) of (\d+) (PASS|OK|SKIP|NO-OP)\b")
NODE_START = re.compile(r"^\s*\d+ of \d+ START\b")
CHATTER = re.compile(r"^(Concurrency: |Registered adapter: |Running with dbt=)")


class QuietDbt(io.TextIOBase):
    def __init__(self, out, live: bool) -> None:
        self.out = out
        self.live = live  # a terminal: keep one progress line up to date
        self.pending = ""
        self.done = 0
        self.showing = False  # the live line is on screen
        self.blank = False  # the last line shown was blank

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self.pending += text
        *lines, self.pending = self.pending.split("\n")
        for line in lines:
            self._line(line)
        return len(text)

    def _line(self, line: str) -> None:
        if NODE_START.match(line) or CHATTER.match(line):
            return
        if m := NODE_DONE.match(line):
            self.done += 1
            if self.live:
                self.out.write(f"\r  dbt: {self.done} of {m.group(2)} nodes done")
                self.out.flush()
                self.showing = True
            return
        if not line.strip():
            if self.blank:
                return  # the dropped lines leave runs of blank lines behind
            self.blank = True
        else:
            self.blank = False
        if self.showing:
            self.out.write("\r\033[K")
            self.showing = False
        self.out.write(line + "\n")

    def flush(self) -> None:
        self.out.flush()

    def close_line(self) -> None:
        if self.pending:
            self._line(self.pending)
            self.pending = ""
        if self.showing:
            self.out.write("\n")
            self.showing = False
        self.out.flush()


@contextlib.contextmanager
def quiet_dbt(verbose: bool) -> Iterator[None]:
    """stdout with dbt's node lines folded and Dagster's log at WARNING, for the length
    of a command (not with --verbose; RAPPORT_LOG_LEVEL, when set, wins)."""
    if verbose:
        yield
        return
    chosen = os.environ.get("RAPPORT_LOG_LEVEL")
    os.environ["RAPPORT_LOG_LEVEL"] = chosen or "WARNING"
    real = sys.stdout
    quiet = QuietDbt(real, live=real.isatty())
    sys.stdout = quiet
    try:
        yield
    finally:
        quiet.close_line()
        sys.stdout = real
        if chosen is None:  # leave the environment as it was (tests run many commands)
            del os.environ["RAPPORT_LOG_LEVEL"]
