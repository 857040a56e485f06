"""Secrets never leave the process: every configured secret is replaced by a marker
such as ``[redacted X_BEARER_TOKEN]`` before a string is stored, logged or printed.

A secret can come back from anywhere: a proxy or debug gateway that echoes the
``Authorization`` header in a 401 body, a tweet text, an exception message, tweepy's
debug log of the request headers. So the scrubbing is applied where text enters (the
X client rewrites every response), where it is written (the ops tables, Dagster
messages) and where it leaves (``install_output_scrubbing``: stdout, stderr and
Python logging).

The secrets are the values of ``SECRET_ENV_VARS`` plus any a caller hands over with
``remember`` (a token passed in code rather than read from the environment)."""

from __future__ import annotations

import functools
import json
import logging
import os
import re
import sys
import traceback
from urllib.parse import quote, quote_plus, unquote, unquote_plus

# The one list of secret environment variables. The last three are for features not
# built yet (Bluesky, Mastodon, mailed reports); naming them now means they are
# scrubbed from the day they are set.
SECRET_ENV_VARS = (
    "X_BEARER_TOKEN",
    "BLUESKY_APP_PASSWORD",
    "MASTODON_ACCESS_TOKEN",
    "RAPPORT_SMTP_PASSWORD",
)

# Values shorter than this are not scrubbed: replacing a 3-letter password everywhere
# would mangle ordinary text (ids, words, numbers) and hide nothing worth hiding. Real
# tokens are far longer (X bearer ~110 chars, Mastodon 43, a Bluesky app password 19);
# an SMTP password under 8 characters is not protected by this module.
MIN_SECRET_LENGTH = 8

_remembered: dict[tuple[str, str], None] = {}  # (name, value), in the order given


def marker(name: str) -> str:
    return f"[redacted {name}]"


def remember(name: str, value: str | None) -> None:
    """Scrub `value` as the secret `name` from now on, in this process."""
    value = (value or "").strip()
    if len(value) >= MIN_SECRET_LENGTH:
        _remembered[(name, value)] = None


def secret_values() -> list[tuple[str, str]]:
    """(name, value) of every configured secret: the non-empty SECRET_ENV_VARS and
    the remembered ones, surrounding whitespace stripped. Values shorter than
    MIN_SECRET_LENGTH (8) are left out: scrubbing them would mangle ordinary text."""
    pairs = dict(_remembered)
    for name in SECRET_ENV_VARS:
        value = os.environ.get(name, "").strip()
        if len(value) >= MIN_SECRET_LENGTH:
            pairs[(name, value)] = None
    return list(pairs)


def _forms(value: str) -> set[str]:
    """The value as an echo may show it: as is, URL-encoded or decoded (X's console
    hands out tokens already percent-encoded), and each of those escaped inside a JSON
    string (with or without ``\\/`` and ``\\uXXXX`` escapes)."""
    url = {value, quote(value, safe=""), quote(value), quote_plus(value)}
    url |= {unquote(value), unquote_plus(value)}
    forms = set(url)
    for form in url:
        forms.add(json.dumps(form)[1:-1])
        forms.add(json.dumps(form, ensure_ascii=False)[1:-1])
        forms.add(json.dumps(form)[1:-1].replace("/", "\\/"))
    return {f for f in forms if len(f) >= MIN_SECRET_LENGTH}


@functools.lru_cache(maxsize=16)
def _patterns(pairs: tuple[tuple[str, str], ...]) -> tuple[re.Pattern, re.Pattern, dict]:
    """One regex over every form of every secret, longest first, so a secret that
    contains another is replaced whole; and the marker of each form."""
    markers: dict[str, str] = {}
    for name, value in pairs:
        for form in _forms(value):
            markers.setdefault(form, marker(name))
    ordered = sorted(markers, key=len, reverse=True)
    text = re.compile("|".join(re.escape(f) for f in ordered))
    binary = re.compile(b"|".join(re.escape(f.encode()) for f in ordered))
    return text, binary, markers


def scrub(text: str) -> str:
    """`text` with every form of every secret replaced by its marker."""
    pairs = tuple(secret_values())
    if not pairs or not text:
        return text
    pattern, _, markers = _patterns(pairs)
    return pattern.sub(lambda m: markers[m.group()], text)


def scrub_bytes(data: bytes) -> bytes:
    """`data` (UTF-8 or ASCII text, such as a JSON body) with every form of every
    secret replaced by its marker; all other bytes are left as they were."""
    pairs = tuple(secret_values())
    if not pairs or not data:
        return data
    _, pattern, markers = _patterns(pairs)
    return pattern.sub(lambda m: markers[m.group().decode()].encode(), data)


# ---------------------------------------------------------------------------- output


class ScrubbingWriter:
    """A text stream that scrubs each write before passing it on. Each write is
    scrubbed whole (print() writes its formatted message in one call); bytes written
    to ``.buffer`` or straight to the file descriptor bypass it."""

    def __init__(self, stream) -> None:  # noqa: ANN001 (any text stream)
        self.stream = stream

    def write(self, text: str) -> int:
        self.stream.write(scrub(text))
        return len(text)  # what the caller handed over, as TextIOBase.write reports

    def writelines(self, lines) -> None:  # noqa: ANN001
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str):  # noqa: ANN204 (flush, fileno, encoding, isatty, ...)
        if name == "stream":  # not set yet (copy, pickle): no endless lookup
            raise AttributeError(name)
        return getattr(self.stream, name)


def _scrub_record(record: logging.LogRecord) -> None:
    """Replace the record's message (and formatted traceback) by scrubbed text, if
    they hold a secret; otherwise leave it alone (its args stay lazy)."""
    if not secret_values():
        return
    try:
        message = record.getMessage()
    except Exception:  # a bad format string: logging reports it as it always does
        return
    clean = scrub(message)
    if clean != message:
        record.msg, record.args = clean, ()
    if record.exc_info and not record.exc_text:
        record.exc_text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
    if record.exc_text:
        record.exc_text = scrub(record.exc_text)
    if record.stack_info:
        record.stack_info = scrub(record.stack_info)


class ScrubFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        _scrub_record(record)
        return True


SCRUB_FILTER = ScrubFilter()


def _scrubbing_factory(make_record):  # noqa: ANN001, ANN202
    def factory(*args, **kwargs) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        _scrub_record(record)
        return record

    factory.scrubs = True
    return factory


def install_output_scrubbing() -> None:
    """Scrub sys.stdout, sys.stderr and every Python log record from now on. Safe to
    call again: nothing is wrapped or added twice.

    Records are scrubbed as they are made (the record factory), so loggers and
    handlers set up later (Dagster's, pytest's) get clean text too; the filter on the
    root logger and its handlers also catches records whose text is changed after."""
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if stream is not None and not isinstance(stream, ScrubbingWriter):
            setattr(sys, name, ScrubbingWriter(stream))
    factory = logging.getLogRecordFactory()
    if not getattr(factory, "scrubs", False):
        logging.setLogRecordFactory(_scrubbing_factory(factory))
    root = logging.getLogger()
    for target in (root, *root.handlers):
        if SCRUB_FILTER not in target.filters:
            target.addFilter(SCRUB_FILTER)
