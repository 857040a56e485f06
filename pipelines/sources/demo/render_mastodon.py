"""The demo's Mastodon world (``networks``) as saved Mastodon REST API responses, the
JSON a server returns (entities: docs.joinmastodon.org/entities/Account, /Status,
/Context; methods: docs.joinmastodon.org/methods/accounts, /statuses), which
pipelines/sources/mastodon/parse.py reads. Per brand account, as its home server
(the instance of its ``user@instance``) serves them:

* ``account_<user>_<YYYY-MM-DD>.json``: ``GET /api/v1/accounts/lookup?acct=<user>`` as
  it answered at 06:00 UTC that day (followers_count, following_count, statuses_count);
* ``statuses_<user>.jsonl``: ``GET /api/v1/accounts/:id/statuses`` pages, one JSON array
  a line, newest first, up to 40 a page (the largest the method serves; the next page
  is named in the Link header, which a saved body does not keep): its statuses, its
  replies and its boosts (a Status whose ``reblog`` is the boosted Status);
* ``threads_<user>.jsonl``: for each of its statuses that has replies, two lines:
  ``GET /api/v1/statuses/:id`` (the Status) and ``GET /api/v1/statuses/:id/context``
  (``{"ancestors": [], "descendants": [...]}``, the replies in thread order), as a
  collector reading a thread saves them; the customers' replies are the inbound
  messages here, and the status beside its context ties each reply to its thread.

Every id is the serving server's own (Mastodon numbers every status and account it
knows, remote ones too): a snowflake, milliseconds since 1970 << 16 | a sequence.
``acct`` is ``user`` for the server's own accounts and ``user@instance`` for the others;
the brand's own account is in every file (the lookup itself, or the author of its
statuses), so a reader can tell which server answered. Content is HTML as Mastodon
renders it (``<p>``, h-card mentions, hashtag links, links with the invisible/ellipsis
spans)."""

from __future__ import annotations

import hashlib
import html
from datetime import UTC, datetime, time
from pathlib import Path

from .networks import Member, Network, Post
from .saved import write_lines

_PAGE_SIZE = 40


def _iso(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def _snowflake(when: datetime, low: int) -> str:
    return str((int(when.timestamp() * 1000) << 16) | (low & 0xFFFF))


def split(handle: str) -> tuple[str, str]:
    user, instance = handle.split("@", 1)
    return user, instance


class Server:
    """One Mastodon server's view of a :class:`~.networks.Network`: the ids, ``acct``
    and URLs it gives the accounts and statuses it serves."""

    def __init__(self, network: Network, instance: str) -> None:
        self.network = network
        self.instance = instance

    def account_id(self, member: Member) -> str:
        low = int.from_bytes(hashlib.sha256(f"{self.instance}:{member.key}".encode()).digest()[:2])
        return _snowflake(member.created_at, low)

    def status_id(self, post: Post) -> str:
        return _snowflake(post.created_at, post.seq)

    def acct(self, member: Member) -> str:
        user, instance = split(member.handle)
        return user if instance == self.instance else member.handle

    def account(self, member: Member, when: datetime) -> dict:
        """The Account entity as this server showed it at ``when``."""
        user, home = split(member.handle)
        followers, following, statuses = self.network.counts_at(member, when, reposts_count=True)
        last = self.network.last_post_before(member, when)
        account_id = self.account_id(member)
        media = f"https://{self.instance}/system/" + (
            "accounts/" if home == self.instance else "cache/accounts/"
        )
        folder = "/".join(account_id[i : i + 3] for i in range(0, len(account_id), 3))
        if member.has_avatar:
            avatar = f"{media}avatars/{folder}/original/{member.key % 16**16:016x}.png"
        else:
            avatar = f"https://{self.instance}/avatars/original/missing.png"
        note = f"<p>{html.escape(member.description)}</p>" if member.description else ""
        fields = []
        if member.website:
            value = _link(member.website, rel="nofollow noopener me")
            fields.append({"name": "Website", "value": value, "verified_at": None})
        return {
            "id": account_id,
            "username": user,
            "acct": self.acct(member),
            "display_name": member.name,
            "locked": False,
            "bot": False,
            "discoverable": True,
            "indexable": True,
            "group": False,
            # Mastodon gives an account's creation day, not its time.
            "created_at": _iso(datetime.combine(member.created_at.date(), time(), UTC)),
            "note": note,
            "url": f"https://{home}/@{user}",
            "uri": f"https://{home}/users/{user}",
            "avatar": avatar,
            "avatar_static": avatar,
            "header": f"https://{self.instance}/headers/original/missing.png",
            "header_static": f"https://{self.instance}/headers/original/missing.png",
            "followers_count": followers,
            "following_count": following,
            "statuses_count": statuses,
            "last_status_at": f"{last:%Y-%m-%d}" if last else None,
            "hide_collections": False,
            "noindex": False,
            "emojis": [],
            "roles": [],
            "fields": fields,
        }

    def content(self, post: Post) -> tuple[str, list[dict], list[dict]]:
        """(HTML content, mentions, tags) of a status, as Mastodon renders them."""
        parts, mentions, tags = [], [], []
        for kind, value in post.pieces:
            if kind == "mention":
                assert isinstance(value, Member)
                user, home = split(value.handle)
                url = f"https://{home}/@{user}"
                parts.append(
                    f'<span class="h-card" translate="no"><a href="{url}" class="u-url mention">'
                    f"@<span>{user}</span></a></span>"
                )
                mention = {"id": self.account_id(value), "username": user, "url": url}
                mention["acct"] = self.acct(value)
                if mention not in mentions:
                    mentions.append(mention)
            elif kind == "link":
                assert isinstance(value, str)
                parts.append(_link(value, rel="nofollow noopener"))
            elif kind == "tag":
                name = str(value).lower()
                url = f"https://{self.instance}/tags/{name}"
                parts.append(
                    f'<a href="{url}" class="mention hashtag" rel="tag">#<span>{value}</span></a>'
                )
                if {"name": name, "url": url} not in tags:
                    tags.append({"name": name, "url": url})
            else:
                parts.append(_escape(str(value)))
        return f"<p>{''.join(parts)}</p>", mentions, tags

    def status(self, post: Post, when: datetime) -> dict:
        """The Status entity; a boost's ``reblog`` is the boosted status."""
        user, home = split(post.author.handle)
        status_id = self.status_id(post)
        reblog = self.status(post.reposted, when) if post.reposted is not None else None
        content, mentions, tags = ("", [], []) if reblog else self.content(post)
        parent = post.parent
        return {
            "id": status_id,
            "created_at": _iso(post.created_at),
            "in_reply_to_id": self.status_id(parent) if parent else None,
            "in_reply_to_account_id": self.account_id(parent.author) if parent else None,
            "sensitive": False,
            "spoiler_text": "",
            "visibility": "public",
            "language": None if reblog else post.lang,
            "uri": f"https://{home}/users/{user}/statuses/{status_id}"
            + ("/activity" if reblog else ""),
            "url": None if reblog else f"https://{home}/@{user}/{status_id}",
            "replies_count": 0 if reblog else len(post.replies),
            "reblogs_count": 0 if reblog else post.reposts,
            "favourites_count": 0 if reblog else post.likes,
            # Mastodon 4.5 and later count quotes (docs.joinmastodon.org/entities/Status);
            # nobody quotes in the demo's Mastodon world
            "quotes_count": 0,
            "edited_at": None,
            "content": content,
            "reblog": reblog,
            "account": self.account(post.author, when),
            "media_attachments": [],
            "mentions": mentions,
            "tags": tags,
            "emojis": [],
            "card": None,
            "poll": None,
        }

    def statuses_pages(self, brand: Member) -> list[list[dict]]:
        when = self.network.anchor
        own = sorted(brand.own, key=lambda p: int(self.status_id(p)), reverse=True)
        return [
            [self.status(p, when) for p in own[i : i + _PAGE_SIZE]]
            for i in range(0, len(own), _PAGE_SIZE)
        ]

    def context(self, root: Post) -> dict:
        """The context of ``root``: no ancestors; the replies depth first, oldest first."""
        descendants: list[dict] = []
        stack = list(reversed(root.replies))
        while stack:
            post = stack.pop()
            descendants.append(self.status(post, self.network.anchor))
            stack.extend(reversed(post.replies))
        return {"ancestors": [], "descendants": descendants}


def _escape(text: str) -> str:
    """Text as Mastodon's HTML escapes it (``&quot;`` and ``&#39;``, not ``&#x27;``)."""
    return html.escape(text, quote=False).replace('"', "&quot;").replace("'", "&#39;")


def _link(url: str, rel: str) -> str:
    """A link as Mastodon renders it: the scheme hidden, past 30 characters an
    ellipsis, the rest hidden."""
    scheme, rest = url.split("://", 1)
    shown, hidden = rest[:30], rest[30:]
    return (
        f'<a href="{html.escape(url)}" target="_blank" rel="{rel}" translate="no">'
        f'<span class="invisible">{scheme}://</span>'
        f'<span class="{"ellipsis" if hidden else ""}">{html.escape(shown)}</span>'
        f'<span class="invisible">{html.escape(hidden)}</span></a>'
    )


def write(network: Network, out_dir: Path) -> list[tuple[Path, datetime]]:
    """Write the network's responses into ``out_dir`` (made if missing); return each
    file with the time its responses were retrieved, sorted by path."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for brand in network.brands:
        user, instance = split(brand.handle)
        server = Server(network, instance)
        for when in network.snapshot_times:
            path = out_dir / f"account_{user}_{when:%Y-%m-%d}.json"
            written.append((write_lines(path, [server.account(brand, when)]), when))
        statuses = write_lines(out_dir / f"statuses_{user}.jsonl", server.statuses_pages(brand))
        written.append((statuses, network.anchor))
        threads = []
        for post in brand.own:
            if post.kind == "original" and post.replies:
                threads += [server.status(post, network.anchor), server.context(post)]
        written.append((write_lines(out_dir / f"threads_{user}.jsonl", threads), network.anchor))
    return sorted(written)
