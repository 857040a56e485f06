"""What a command prints while dbt runs. dagster-dbt echoes every dbt event to stdout:
a demo build is some 250 node lines ("12 of 122 START ...", "12 of 122 PASS ..."), which
bury the few a person needs. Unless `--verbose` is given, `quiet_dbt()` folds them into
one live line on a terminal ("dbt: 57 of 122 nodes done") and none in a log, drops
dbt's start-up chatter and the summary of a clean run (the stage lines say it), and
passes everything else through untouched: a failing or warning node, dbt's summary of a
run with errors, Rapport's own lines."""

from __future__ import annotations

import contextlib
import io
import os
import re
import sys
import threading
from collections.abc import Iterator

# dbt's per-node progress, and a node that did what it should; FAIL / ERROR / WARN lines
# do not match and are shown.
NODE_DONE = re.compile(r"^\s*(\d+) of (\d+) (PASS|OK|SKIP|NO-OP)\b")
NODE_START = re.compile(r"^\s*\d+ of \d+ START\b")
# dbt's start-up lines; "Unable to do partial parsing" appears once per new warehouse
# (its path is part of the profile), then never again (pipelines/defs/dbt_project.py).
# And dbt's closing summary of a clean run: the stage line (pipelines/cli/stages.py)
# says the same in one line. A summary with errors or warnings does not match: shown.
CHATTER = re.compile(
    r"^(\x1b\[\d+m)?(Concurrency: |Registered adapter: |Running with dbt=|"
    r"Unable to do partial parsing|Found \d+ models|Finished running |"
    r"Completed successfully|Done\. PASS=\d+ WARN=0 ERROR=0 )"
)


class QuietDbt(io.TextIOBase):
    def __init__(self, out, live: bool) -> None:
        self.out = out
        self.live = live  # a terminal: keep one progress line up to date
        self.pending = ""
        self.done = 0
        self.showing = False  # the live line is on screen
        self.blank = False  # the last line shown was blank
        # the stage lines (pipelines/cli/stages.py) write from their own thread
        self.lock = threading.RLock()

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        with self.lock:
            self.pending += text
            *lines, self.pending = self.pending.split("\n")
            for line in lines:
                self._line(line)
        return len(text)

    def status(self, text: str) -> None:
        """Replace the live line (a terminal only)."""
        if not self.live:
            return
        with self.lock:
            self.out.write(f"\r\033[K{text}")
            self.out.flush()
            self.showing = True

    def clear_line(self) -> None:
        with self.lock:
            if self.showing:
                self.out.write("\r\033[K")
                self.showing = False

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
        with self.lock:
            self._close_line()

    def _close_line(self) -> None:
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
