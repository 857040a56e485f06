"""Mastodon REST API entities to canonical rows: a Status to a canonical.posts row, an
Account to a canonical.account_snapshots row, each value checked against the source
contract (pipelines/sources/contract.py). Files, response kinds and how the serving
instance is found are in pipelines/sources/mastodon/parse.py.

Mapping (platform 'mastodon'):

* Ids are the serving instance's own (every server numbers the statuses and accounts
  it knows, remote ones too), so they are qualified by it: post_id is
  ``<instance>:<status id>``, account_id ``<instance>:<account id>``, and so are
  in_reply_to_post_id, in_reply_to_account_id, reposted_post_id and quoted_post_id.
  An id is a string of 1-64 letters, digits, '_' or '-' (Mastodon's are digits, other
  servers of the same API use base62 or ULID ids) or a non-negative JSON integer; a
  bad one rejects the object (it cannot be placed).
* A handle is ``user@domain`` lowercased: ``acct`` as given when it holds a domain
  (a remote account), else ``acct@<instance>`` (a local one), so a local user and the
  same user seen from another server match. Mentions (``mentions[].acct``) the same.
* Text is ``content`` (HTML) as plain text (html.parser: tags dropped, ``<br>`` a
  newline, paragraphs and other blocks a blank line, entities unescaped). A content
  warning (``spoiler_text``) is the author's words too: it comes first, then a blank
  line, then the content. A reblog's row has no text (its content is always empty).
* hashtags are ``tags[].name`` lowercased (Mastodon matches tags without case); urls
  are the links in the content that are neither mentions nor hashtags, then the
  preview card's url, each once.
* A reblog (``reblog`` not null) is its own row: its own id, author and time, with
  reposted_post_id the reblogged status (which parse.py loads as a post of its own).
* A quote (Mastodon 4.4+ ``quote``: ``quoted_status``, or ``quoted_status_id`` in a
  shallow quote) gives quoted_post_id; a quote that was never accepted or has been
  removed carries no status and gives none.
* conversation_id: the REST API carries none. A status that replies to nothing is
  its own conversation; for a reply parse.py follows in_reply_to links within the
  file to a status that replies to nothing, and leaves it NULL when the chain leaves
  the file.
* Counts: favourites_count -> like_count, reblogs_count -> repost_count,
  replies_count -> reply_count, quotes_count (4.4+) -> quote_count; no impressions.
  ``edited_at`` is not kept: an edited status is still one id, so one row.
* An account: display_name, note (HTML, as plain text) -> bio, avatar ->
  profile_image_url (has_default_avatar when it is Mastodon's ``missing.png``),
  created_at -> account_created_at, locked -> protected, followers_count,
  following_count, statuses_count -> post_count. ``bot`` and ``fields`` have no
  column and are not kept; verified is NULL (a verified link is not a verified
  account).
"""

from __future__ import annotations

import re
from datetime import datetime
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

from pipelines.sources import contract
from pipelines.sources.contract import Drops, Violation
from pipelines.sources.twarc2.objects import ItemError, as_list, iso_time

PLATFORM = "mastodon"
_ID_RE = re.compile(r"[0-9A-Za-z_-]{1,64}")
_HOST_RE = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*")
# Block elements Mastodon's sanitiser lets through: each starts on a line of its own.
_BLOCKS = {"p", "blockquote", "pre", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6"}


# --------------------------------------------------------------------------- ids


def local_id(value: Any) -> str | None:
    """A status or account id as the serving instance gives it, or None when absent
    (null or ''). Raises Violation otherwise."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise Violation(f"{value!r} is a boolean, not an id")
    if isinstance(value, int) and 0 <= value < 10**64:
        return str(value)
    if isinstance(value, str):
        s = value.strip()
        if not s:
            return None
        if _ID_RE.fullmatch(s):
            return s
    raise Violation(f"{contract.show(value)} is not an id of 1-64 letters, digits, '_' or '-'")


def qualified_id(value: Any, instance: str) -> str | None:
    """``<instance>:<id>``, or None when absent. Raises Violation for a bad id."""
    local = local_id(value)
    return None if local is None else f"{instance}:{local}"


def _placing(value: Any, instance: str, what: str) -> str | None:
    """An id that places a status or account: a bad one rejects the whole object."""
    try:
        return qualified_id(value, instance)
    except Violation as exc:
        raise ItemError(f"{what} {exc}; the object cannot be placed, so it is not loaded") from None


def host_name(value: Any) -> str | None:
    """The lowercased host of a URL or a bare domain, or None when it has none."""
    if not isinstance(value, str) or contract.has_lone_surrogate(value):
        return None
    try:
        host = urlsplit(value if "//" in value else f"//{value}").hostname
    except ValueError:  # a malformed IPv6 literal
        return None
    return host if host and _HOST_RE.fullmatch(host) else None


# docs.joinmastodon.org/entities/Account/#acct: username, or username@domain for a
# remote account; a username is letters, digits and '_' (servers of other software that
# speak the API also use '.' and '-').
_USERNAME_RE = re.compile(r"[a-z0-9_.-]{1,64}")


def _acct(value: Any, instance: str) -> str | None:
    acct = (contract.text(value) or "").strip().lstrip("@").lower()
    if not acct:
        return None
    user, _, domain = acct.partition("@")
    if not _USERNAME_RE.fullmatch(user) or (domain and host_name(domain) != domain):
        raise Violation(f"{contract.show(value)} is not an account (user or user@domain)")
    return acct if domain else f"{acct}@{instance}"


def handle_of(acct: Any, instance: str, path: str, drops: Drops) -> str | None:
    """``user@domain`` lowercased; a local ``acct`` (no domain) is on ``instance``. A
    malformed one is dropped with a reject naming it."""
    return drops.check(lambda v: _acct(v, instance), acct, path)


# --------------------------------------------------------------------------- HTML


class _PlainText(HTMLParser):
    """Mastodon's HTML (p, br, a, span and a few blocks) as plain text, and the links
    it holds that are not mentions or hashtags. Entities are unescaped by the parser
    (convert_charrefs); the text of hidden spans is kept, as it is a link's full URL."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[str] = []
        self._pending = ""  # the line break owed before the next text

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.parts.append(self._pending + "\n")
            self._pending = ""
        elif tag in _BLOCKS and self.parts:
            self._pending = "\n\n"
        elif tag == "li" and self.parts:
            self._pending = self._pending or "\n"
        elif tag == "a":
            attributes = dict(attrs)
            classes = (attributes.get("class") or "").split()
            href = attributes.get("href")
            if href and "mention" not in classes and "hashtag" not in classes:
                self.links.append(href)

    def handle_data(self, data: str) -> None:
        if self._pending and not data.strip():
            return  # layout white space between blocks is not text
        self.parts.append(self._pending + data)
        self._pending = ""


def html_text(html: Any, path: str, drops: Drops) -> tuple[str | None, list[str]]:
    """(plain text, links) of an HTML field; a bad one is dropped into ``drops``."""
    html = drops.check(contract.text, html, path)
    if html is None:
        return None, []
    parser = _PlainText()
    try:
        parser.feed(html)
        parser.close()
    except AssertionError as exc:  # html.parser's answer to a declaration it cannot read
        drops.add(path, f"is HTML that cannot be read ({exc})", html[:200])
        return None, []
    return "".join(parser.parts).strip(), parser.links


# --------------------------------------------------------------------------- statuses


def _dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def mentions_of(status: dict, instance: str, drops: Drops) -> list[tuple[str | None, str]]:
    """(account_id or None, handle) of each account the status mentions."""
    out = []
    for i, mention in enumerate(as_list(status.get("mentions"))):
        mention = _dict(mention)
        handle = handle_of(mention.get("acct"), instance, f"mentions[{i}].acct", drops)
        if handle is not None:
            account_id = drops.check(
                lambda v: qualified_id(v, instance), mention.get("id"), f"mentions[{i}].id"
            )
            out.append((account_id, handle))
    return out


def _quoted(quote: Any, instance: str, what: str) -> str | None:
    """The status a Mastodon 4.4+ quote refers to: a full quote's ``quoted_status``, a
    shallow one's ``quoted_status_id``; None while it is not accepted (no status)."""
    quote = _dict(quote)
    if isinstance(quote.get("quoted_status"), dict):
        return _placing(
            quote["quoted_status"].get("id"), instance, f"{what} quote.quoted_status.id"
        )
    return _placing(quote.get("quoted_status_id"), instance, f"{what} quote.quoted_status_id")


def _text(status: dict, drops: Drops) -> tuple[str | None, list[str]]:
    body, links = html_text(status.get("content"), "content", drops)
    warning = drops.check(contract.text, status.get("spoiler_text"), "spoiler_text")
    if warning and warning.strip():
        body = f"{warning.strip()}\n\n{body}" if body else warning.strip()
    return body, links


def status_to_post(status: dict, instance: str, latest: datetime, drops: Drops) -> dict:
    """One Status to a canonical.posts row. Raises ItemError when it cannot be placed
    (no id; a bad id, author, reference or created_at); a bad count, text or list
    element is dropped into ``drops`` and the rest loads."""
    post_id = _placing(status.get("id"), instance, "status id")
    if post_id is None:
        raise ItemError("status has no id")
    what = f"status {post_id}:"
    account_id = _placing(_dict(status.get("account")).get("id"), instance, f"{what} account.id")
    try:
        created_at = iso_time(status.get("created_at"), latest)
    except Violation as exc:
        raise ItemError(f"{what} created_at {exc}") from None
    reblog = status.get("reblog")
    if reblog is not None and not isinstance(reblog, dict):
        raise ItemError(f"{what} reblog is a JSON {contract.json_type(reblog)}, not a status")
    reblogged = _placing(_dict(reblog).get("id"), instance, f"{what} reblog.id")
    if reblog is not None and reblogged is None:
        raise ItemError(f"{what} reblog has no id; the reblog cannot be placed")
    parent = _placing(status.get("in_reply_to_id"), instance, f"{what} in_reply_to_id")
    parent_account = _placing(
        status.get("in_reply_to_account_id"), instance, f"{what} in_reply_to_account_id"
    )
    body, links = (None, []) if reblogged else _text(status, drops)
    # The links are checked already: they come from content, which passed contract.text.
    urls = links + drops.texts([("card.url", _dict(status.get("card")).get("url") or None)])
    tags = [
        (f"tags[{i}].name", _dict(tag).get("name"))
        for i, tag in enumerate(as_list(status.get("tags")))
    ]

    def count(key: str) -> int | None:
        return drops.check(contract.count, status.get(key), key)

    return {
        "platform": PLATFORM,
        "post_id": post_id,
        "account_id": account_id,
        "created_at": created_at,
        "text": body,
        "lang": drops.check(contract.text, status.get("language"), "language"),
        "in_reply_to_post_id": parent,
        "in_reply_to_account_id": parent_account,
        "conversation_id": post_id if parent is None else None,  # a reply's: parse.py
        "quoted_post_id": _quoted(status.get("quote"), instance, what),
        "reposted_post_id": reblogged,
        "mentions": [handle for _, handle in mentions_of(status, instance, drops)],
        "hashtags": list(dict.fromkeys(t.lower() for t in drops.texts(tags))),
        "urls": list(dict.fromkeys(urls)),
        "like_count": count("favourites_count"),
        "repost_count": count("reblogs_count"),
        "reply_count": count("replies_count"),
        "quote_count": count("quotes_count"),
        "impression_count": None,
        "edit_history_post_ids": None,
    }


# --------------------------------------------------------------------------- accounts


def account_to_snapshot(
    account: dict, instance: str, observed_at: datetime, latest: datetime, drops: Drops
) -> dict:
    """One Account to a canonical.account_snapshots row. Raises ItemError without an
    id or with a bad one; a bad count, time, text or flag is dropped into ``drops``."""
    account_id = _placing(account.get("id"), instance, "account id")
    if account_id is None:
        raise ItemError("account has no id")
    created = drops.check(lambda v: iso_time(v, latest), account.get("created_at"), "created_at")
    avatar = drops.check(contract.text, account.get("avatar"), "avatar") or None
    # Mastodon serves /avatars/original/missing.png for an account without one.
    default_avatar = None if avatar is None else avatar.split("?")[0].endswith("missing.png")

    def count(key: str) -> int | None:
        return drops.check(contract.count, account.get(key), key)

    return {
        "platform": PLATFORM,
        "account_id": account_id,
        "observed_at": observed_at,
        "handle": handle_of(account.get("acct"), instance, "acct", drops),
        "display_name": drops.check(contract.text, account.get("display_name"), "display_name"),
        "bio": html_text(account.get("note"), "note", drops)[0],
        "location": None,
        "profile_image_url": avatar,
        "has_default_avatar": default_avatar,
        "verified": None,
        "protected": drops.check(contract.flag, account.get("locked"), "locked"),
        "account_created_at": created,
        "followers_count": count("followers_count"),
        "following_count": count("following_count"),
        "post_count": count("statuses_count"),
        "listed_count": None,
    }
