"""Parser for saved Mastodon REST API JSON responses (platform 'mastodon').

A file holds one response (``*.json``) or one response per line (``*.jsonl``). Its
kind is recognised from its content, not its name:

* an Account (``id``, ``username``, ``acct``, ``followers_count``...): a snapshot;
* a list of accounts (followers, following, favourited_by, reblogged_by, directory,
  list members, account search): a snapshot each;
* a Status (``id``, ``content``, ``account``, ``created_at``...) and a list of them
  (account statuses, timelines, hashtag pages): a post each, the author's account
  (which carries its counts) a snapshot, the reblogged and the quoted status posts of
  their own (objects.py has the mapping);
* a Context (``{"ancestors": [...], "descendants": [...]}``): every status in it;
* a search result (``{"accounts", "statuses", "hashtags"}``): its accounts and
  statuses;
* an Instance (``/api/v2/instance``: ``domain``; v1: ``uri``; with ``title`` and
  ``version``): names the serving instance; its contact account is a snapshot.

An empty list is an empty page (the end of a paginated read): it loads nothing and
is not refused. Anything else (an X page, a Bluesky file, a CSV, a list of
relationships) raises NotThisFormat; among responses of a known kind, a line of
another kind is a reject.

The serving instance qualifies every id (objects.py). The JSON does not name it, so
it is the ``instance`` the caller gives (a live ingest knows which server it asked),
else it is found in the file: an account whose ``acct`` has no domain is local to the
serving instance, so the host of its ``url`` is the instance (mentions carry ``acct``
and ``url`` too), as is an Instance response's domain. A file with statuses or
accounts and no such account, or with accounts local to two hosts, raises
InstanceUnknown (the import refuses it with the reason and the fix).

Snapshots are observed at the landing time (a saved response has no retrieval time).
Every value is checked against the source contract; a malformed item is a Reject
(line, item such as ``[3]`` or ``descendants[5].account``, reason) and its neighbours
load; a bad field is dropped with a reject naming it. An item nested deeper than 64
levels is rejected alone. A whole-document file's items are at line 1.

Deduplication within a file: one post per post_id and one snapshot per account, the
first occurrence winning and later ones filling its empty fields.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from pipelines.sources import contract
from pipelines.sources.contract import Drops
from pipelines.sources.mastodon.objects import (
    PLATFORM,
    account_to_snapshot,
    host_name,
    mentions_of,
    status_to_post,
)
from pipelines.sources.records import (
    NotThisFormat,
    ParsedBatch,
    RejectCollector,
)
from pipelines.sources.records import json_documents as documents
from pipelines.sources.twarc2.objects import ItemError, as_list

# A status nests its reblog, whose quote nests the quoted status: two levels are all
# Mastodon serves (deeper quotes come as ids only).
MAX_NESTING = 2


class InstanceUnknown(NotThisFormat):
    """A Mastodon file whose serving instance cannot be told: its ids are that
    server's own, so nothing in it can be placed. Refused whole, as NotThisFormat is."""


def is_status(obj: Any) -> bool:
    return isinstance(obj, dict) and "content" in obj and isinstance(obj.get("account"), dict)


def is_account(obj: Any) -> bool:
    return isinstance(obj, dict) and {"acct", "username"} <= obj.keys() and "content" not in obj


def _instance_domain(obj: dict) -> str | None:
    return host_name(obj.get("domain") or obj.get("uri"))


def kind_of(obj: Any) -> str | None:
    """The response kind of a JSON value, or None when it is no Mastodon response."""
    if isinstance(obj, list):
        if not obj:
            return "empty page"
        if any(is_status(v) for v in obj):
            return "statuses"
        if any(is_account(v) for v in obj):
            return "accounts"
        return None
    if not isinstance(obj, dict):
        return None
    if isinstance(obj.get("ancestors"), list) and isinstance(obj.get("descendants"), list):
        return "context"
    if isinstance(obj.get("accounts"), list) and isinstance(obj.get("statuses"), list):
        return "search" if "hashtags" in obj else None
    if is_status(obj):
        return "status"
    if is_account(obj):
        return "account"
    if {"title", "version"} <= obj.keys() and _instance_domain(obj):
        return "instance"
    return None


def local_hosts(value: Any) -> set[str]:
    """The hosts of the local accounts anywhere in a JSON value (walked without
    recursion): an ``acct`` without '@' is the serving instance's own user."""
    hosts: set[str] = set()
    stack = [value]
    while stack:
        node = stack.pop()
        if type(node) is dict:
            acct = node.get("acct")
            if isinstance(acct, str) and acct and "@" not in acct:
                host = host_name(node.get("url"))
                if host is not None:
                    hosts.add(host)
            stack.extend(node.values())
        elif type(node) is list:
            stack.extend(node)
    return hosts


def serving_instance(
    path: Path, docs: list[tuple[int, str, Any]], kinds: list[str | None], instance: str | None
) -> str:
    """The instance the ids are qualified by: ``instance`` when given, else the one the
    file's local accounts or Instance response name ('' when nothing needs placing)."""
    if instance is not None:
        name = host_name(instance.strip().lower())
        if name is None:
            raise ValueError(f"instance {instance!r} is not a host name (e.g. 'mastodon.social')")
        return name
    found: set[str] = set()
    for (_, _, value), kind in zip(docs, kinds, strict=True):
        if kind == "instance":
            found.add(_instance_domain(value))
        elif kind is not None:
            found |= local_hosts(value)
    if len(found) == 1:
        return found.pop()
    if found:
        raise InstanceUnknown(
            f"{path}: holds accounts local to more than one Mastodon server "
            f"({', '.join(sorted(found))}); each server numbers statuses and accounts its "
            "own way, so the ids cannot be placed. Save each server's responses in a file "
            "of their own."
        )
    if all(kind in (None, "empty page") for kind in kinds):
        return ""
    raise InstanceUnknown(
        f"{path}: Mastodon JSON that does not say which server it was read from (no "
        "account in it is local to the server: every 'acct' has a domain), and its ids "
        "are that server's own, so they cannot be placed. Save the server's "
        "/api/v2/instance response, or any response of it holding one of its own "
        "accounts (e.g. /api/v1/accounts/lookup?acct=USER), as another line of a "
        ".jsonl file with these responses, or read them with the live ingest, which "
        "names the server."
    )


def _at(item: str, key: str) -> str:
    return f"{item}.{key}" if item else key


class _Collector(RejectCollector):
    def __init__(self, instance: str, observed_at: datetime, latest: datetime) -> None:
        super().__init__()
        self.instance = instance
        self.observed_at = observed_at
        self.latest = latest
        self.posts: dict[str, dict] = {}
        self.snapshots: dict[str, dict] = {}
        self.accounts: dict[str, dict] = {}

    def account(self, account_id: str, handle: str | None) -> None:
        row = {"platform": PLATFORM, "account_id": account_id, "handle": handle,
               "is_brand": False, "first_seen_at": None}  # fmt: skip
        self._keep(self.accounts, account_id, row)

    @staticmethod
    def _keep(rows: dict[str, dict], key: str, row: dict) -> None:
        """The first row for a key wins; a later one fills its empty fields."""
        old = rows.setdefault(key, row)
        for name, value in row.items():
            if old[name] is None or old[name] == []:
                old[name] = value

    def _unloadable(self, value: Any, line_no: int, item: str, what: str) -> bool:
        """A value that is no ``what`` (status, account), or one nested past
        MAX_JSON_DEPTH, is rejected alone; its neighbours load."""
        shaped = is_status(value) if what == "status" else is_account(value)
        if not shaped:
            if isinstance(value, dict):
                keys = ", ".join(sorted(value)[:8]) + (", ..." if len(value) > 8 else "")
                reason = f"a JSON object with keys [{keys}], not a Mastodon {what}"
            else:
                reason = f"a JSON {contract.json_type(value)}, not a Mastodon {what}"
            self.reject(line_no, item, reason, value)
            return True
        if contract.too_deep(value):
            reason = f"nested deeper than {contract.MAX_JSON_DEPTH} levels; not loaded"
            self.reject(line_no, item, reason, "")
            return True
        return False

    def add_status(self, status: Any, line_no: int, item: str, nesting: int = 0) -> None:
        if self._unloadable(status, line_no, item, "status"):
            return
        drops = Drops()
        try:
            post = status_to_post(status, self.instance, self.latest, drops)
        except ItemError as exc:
            self.reject(line_no, item, str(exc), status)
            return
        self.dropped(line_no, item, drops, "status")
        self._keep(self.posts, post["post_id"], post)
        self.add_account(status["account"], line_no, _at(item, "account"))
        # The mentions' bad fields were reported with the post just above.
        for account_id, handle in mentions_of(status, self.instance, Drops()):
            if account_id is not None:
                self.account(account_id, handle)
        if nesting < MAX_NESTING:
            if status.get("reblog") is not None:
                self.add_status(status["reblog"], line_no, _at(item, "reblog"), nesting + 1)
            quote = status.get("quote")
            if isinstance(quote, dict) and quote.get("quoted_status") is not None:
                where = _at(item, "quote.quoted_status")
                self.add_status(quote["quoted_status"], line_no, where, nesting + 1)

    def add_account(self, account: Any, line_no: int, item: str) -> None:
        if self._unloadable(account, line_no, item, "account"):
            return
        drops = Drops()
        try:
            snap = account_to_snapshot(account, self.instance, self.observed_at, self.latest, drops)
        except ItemError as exc:
            self.reject(line_no, item, str(exc), account)
            return
        self.dropped(line_no, item, drops, "account")
        self._keep(self.snapshots, snap["account_id"], snap)
        self.account(snap["account_id"], snap["handle"])

    def add_response(self, obj: Any, kind: str, line_no: int) -> None:
        if kind == "statuses":
            for i, status in enumerate(obj):
                self.add_status(status, line_no, f"[{i}]")
        elif kind == "accounts":
            for i, account in enumerate(obj):
                self.add_account(account, line_no, f"[{i}]")
        elif kind == "status":
            self.add_status(obj, line_no, "")
        elif kind == "account":
            self.add_account(obj, line_no, "")
        elif kind in ("context", "search"):
            for key in ("ancestors", "descendants", "statuses"):
                for i, status in enumerate(as_list(obj.get(key))):
                    self.add_status(status, line_no, f"{key}[{i}]")
            for i, account in enumerate(as_list(obj.get("accounts"))):
                self.add_account(account, line_no, f"accounts[{i}]")
        elif kind == "instance":
            contact = obj.get("contact")
            if isinstance(contact, dict) and contact.get("account") is not None:  # v2
                self.add_account(contact["account"], line_no, "contact.account")
            elif obj.get("contact_account") is not None:  # v1
                self.add_account(obj["contact_account"], line_no, "contact_account")

    def _conversations(self) -> None:
        """A reply's conversation is the status its in_reply_to chain reaches that
        replies to nothing, when the whole chain is in the file (else NULL)."""
        root: dict[str, str | None] = {}
        for post in self.posts.values():
            chain: list[str] = []
            current: str | None = post["post_id"]
            while current is not None and current not in root and current not in chain:
                chain.append(current)
                parent = self.posts.get(current)
                if parent is None:  # the chain leaves the file: no root known
                    current = None
                elif parent["in_reply_to_post_id"] is None:
                    root[current] = current
                else:
                    current = parent["in_reply_to_post_id"]
            found = root.get(current) if current is not None else None
            for post_id in chain:
                root[post_id] = found
        for post in self.posts.values():
            post["conversation_id"] = root.get(post["post_id"])

    def finish(self) -> ParsedBatch:
        self._conversations()
        self.batch.posts = list(self.posts.values())
        self.batch.snapshots = list(self.snapshots.values())
        self.batch.accounts = list(self.accounts.values())
        return self.batch


def parse_mastodon(
    path: Path,
    observed_at: datetime,
    not_after: datetime | None = None,
    *,
    instance: str | None = None,
) -> ParsedBatch:
    """Parse one saved Mastodon response file. ``observed_at`` stamps the snapshots
    (the landing time); ``not_after`` is when the file was received (None: now);
    ``instance`` is the serving instance's host (e.g. 'fosstodon.org'; a URL is taken
    for its host), else it is found in the file. Raises NotThisFormat when no document
    in the file is a Mastodon response, InstanceUnknown when the instance cannot be
    told; an empty file or an empty page gives an empty batch."""
    path = Path(path)
    docs = documents(path)
    kinds = [kind_of(value) for _, _, value in docs]
    if docs and not any(kinds):
        first = docs[0][1].lstrip()[:80]
        raise NotThisFormat(
            f"{path}: does not look like saved Mastodon REST API JSON (an account, a "
            f"status, a list of them, a context or a search result); it starts {first!r}"
        )
    served_by = serving_instance(path, docs, kinds, instance)
    c = _Collector(served_by, contract.as_utc(observed_at), contract.not_after(not_after))
    for (line_no, text, value), kind in zip(docs, kinds, strict=True):
        c.batch.items_read += 1
        if isinstance(value, ValueError):
            c.reject(line_no, "", f"line is not loaded: {value}", text)
        elif kind is None:
            if isinstance(value, dict) and "error" in value:
                reason = f"Mastodon API error: {contract.show(value.get('error'))}"
            else:
                reason = "not a Mastodon response (account, status, context, search)"
            c.reject(line_no, "", reason, text)
        else:
            c.add_response(value, kind, line_no)
    return c.finish()
