"""Parser for an X account's own archive ("Settings > Download an archive of your
data"), platform 'x': a brand audits itself at no API cost.

The archive is a .zip (or the folder it unzips to; `pack_folder` zips one so it lands
as one raw file). Its ``data/`` folder holds JavaScript files, each one assignment of a
JSON array: ``window.YTD.tweets.part0 = [ {"tweet": {...}}, ... ]``. Read here:

* ``account.js``: the owner's id, username, display name and creation time. Required.
* ``profile.js``: bio, website, location, avatar.
* ``follower.js`` / ``following.js``: one entry per account; their lengths are the
  follower and following counts (the archive has no other).
* ``tweets.js`` plus ``tweets-part1.js``, ... (``tweet.js`` in older archives): the
  owner's posts, v1.1-shaped (``id_str``, ``full_text``, ``created_at`` like
  ``Wed Oct 10 20:19:24 +0000 2018``, ``entities.user_mentions``, ...).
* ``manifest.js``, when present: the archive's generation time, which becomes the
  snapshot's observed_at (otherwise the landing time).

What the archive lacks, the rows leave NULL: conversation ids, reply / quote counts,
impressions. Two things it only implies: a retweet is stored as its "RT @user: ..."
text without the original's id, so ``reposted_post_id`` is the literal 'unknown' (the
marts then count it as a retweet, as it is); a quote is a post whose links include a
post permalink (x.com or twitter.com /status/ID), the only trace a quote leaves.

One snapshot of the owner (observed at the archive's generation), one post per tweet,
and account rows for the owner and every account it replied to or mentioned (with
their handles, so conversation metrics can name them). Rejects carry the line in the
inner file and the item, e.g. ``data/tweets.js[12]``.

Every value is checked against the source contract (pipelines/sources/contract.py). A
tweet with a bad id, reply reference or created_at (before 2006-03-21, or more than a
day after the archive was received) is rejected whole; an impossible count, a text
that is not a string or holds a lone surrogate, or a bad mentioned-account id is
dropped alone (item ``data/tweets.js[12].favorite_count``) and the tweet kept. The
owner's bad handle, name, bio or creation time is dropped the same way (item
``data/account.js[0].username``); a manifest date out of range gives way to the
landing time. An entry nested deeper than 64 levels is rejected; one nested past what
Python can read, like broken JSON, refuses the file (its end cannot be found)."""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from pipelines.sources import contract
from pipelines.sources.contract import Drops, Violation
from pipelines.sources.records import NotThisFormat, ParsedBatch, Reject
from pipelines.sources.twarc2.objects import iso_time, parse_iso_timestamp

PLATFORM = "x"
REQUIRED = "account.js"
_ASSIGNMENT = re.compile(r"^\s*window\.(?:YTD\.[A-Za-z_]+\.part\d+|__THAR_CONFIG)\s*=\s*")
_TWEET_FILES = re.compile(r"tweets?(-part[0-9]+)?\.js")  # fullmatch
_PERMALINK = re.compile(
    r"https?://(?:www\.|mobile\.)?(?:twitter|x)\.com/[^/]+/status/([0-9]{1,19})(?![0-9])"
)
_EXCERPT = 200


class _ItemError(ValueError):
    pass


# --------------------------------------------------------------------------- reading


def _members(path: Path) -> dict[str, bytes]:
    """The archive's data files by base name (account.js, tweets.js, ...)."""
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise NotThisFormat(f"{path}: not a zip file ({exc}): not an X archive") from exc
    with archive:
        names = [n for n in archive.namelist() if not n.endswith("/")]
        account = [n for n in names if PurePosixPath(n).name == REQUIRED]
        if not account:
            raise NotThisFormat(
                f"{path}: no data/{REQUIRED} inside: not an X archive (download it from "
                "Settings > Your account > Download an archive of your data)"
            )
        data_dir = PurePosixPath(sorted(account, key=len)[0]).parent
        return {
            PurePosixPath(n).name: archive.read(n)
            for n in names
            if PurePosixPath(n).parent == data_dir
        }


def _text(name: str, raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise NotThisFormat(f"data/{name}: not UTF-8 text (byte {exc.start})") from exc


def _line_of(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def _elements(name: str, raw: bytes) -> Iterator[tuple[int, int, object]]:
    """(line, index, value) for each element of the file's JSON array."""
    text = _text(name, raw)
    match = _ASSIGNMENT.match(text)
    pos = match.end() if match else 0
    decoder = json.JSONDecoder()

    def skip(i: int) -> int:
        while i < len(text) and text[i] in " \t\r\n":
            i += 1
        return i

    pos = skip(pos)
    if pos >= len(text) or text[pos] != "[":
        raise NotThisFormat(
            f"data/{name}:{_line_of(text, pos)}: expected `window.YTD.<name>.part0 = [`, "
            f"found {text[pos : pos + 40]!r}"
        )
    pos, index = skip(pos + 1), 0
    while pos < len(text) and text[pos] != "]":
        try:
            value, end = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            raise NotThisFormat(f"data/{name}:{exc.lineno}: not valid JSON: {exc.msg}") from exc
        except RecursionError:
            raise NotThisFormat(
                f"data/{name}:{_line_of(text, pos)}: JSON nested deeper than Python can read "
                f"(the contract allows {contract.MAX_JSON_DEPTH} levels)"
            ) from None
        yield _line_of(text, pos), index, value
        pos, index = skip(end), index + 1
        if pos < len(text) and text[pos] == ",":
            pos = skip(pos + 1)
    if pos >= len(text):
        raise NotThisFormat(f"data/{name}:{_line_of(text, pos)}: the array is never closed")


def _unwrap(value: object, key: str) -> dict | None:
    """Entries are {"tweet": {...}} (older archives: the object itself)."""
    if isinstance(value, dict) and isinstance(value.get(key), dict):
        return value[key]
    return value if isinstance(value, dict) else None


def _first(members: dict[str, bytes], name: str, key: str) -> tuple[int, dict]:
    """The file's first entry, unwrapped, and the line it opens on."""
    if name not in members:
        return 1, {}
    for line, _, value in _elements(name, members[name]):
        return line, _unwrap(value, key) or {}
    return 1, {}


def _generated_at(members: dict[str, bytes], latest: datetime) -> tuple[datetime | None, str]:
    """The manifest's generation time, or None and (when it is there but unusable
    because out of range) why."""
    raw = members.get("manifest.js")
    if raw is None:
        return None, ""
    text = _ASSIGNMENT.sub("", _text("manifest.js", raw), count=1).strip().rstrip(";")
    try:
        stamp = contract.load_json(text)["archiveInfo"]["generationDate"]
        return contract.moment(parse_iso_timestamp(stamp), latest), ""
    except Violation as exc:
        return None, str(exc)
    except (ValueError, KeyError, TypeError):
        return None, ""


# --------------------------------------------------------------------------- mapping


def _placing_id(value: object, what: str) -> str | None:
    """An id that places the tweet: a bad one rejects it (the message is the reason)."""
    try:
        return contract.x_id(value)
    except Violation as exc:
        raise _ItemError(f"{what} {exc}; the tweet cannot be placed, so it is not loaded") from None


def _entities(tweet: dict, key: str) -> list[tuple[int, dict]]:
    """(index, entity) of one entity list; entries that are not objects are skipped."""
    entities = tweet.get("entities") if isinstance(tweet.get("entities"), dict) else {}
    values = entities.get(key)
    return [
        (i, e)
        for i, e in enumerate(values if isinstance(values, list) else [])
        if isinstance(e, dict)
    ]


def _edit_ids(tweet: dict, post_id: str) -> list[str] | None:
    info = tweet.get("edit_info") if isinstance(tweet.get("edit_info"), dict) else {}
    edit = info.get("edit") if isinstance(info.get("edit"), dict) else {}
    for holder in (info.get("initial"), edit.get("editControlInitial")):
        if isinstance(holder, dict) and isinstance(holder.get("editTweetIds"), list):
            what = f"tweet {post_id}: editTweetIds"
            ids = (_placing_id(x, what) for x in holder["editTweetIds"])
            return [i for i in ids if i]
    return None


def _created_at(raw: object, post_id: str, latest: datetime) -> datetime:
    try:
        created_at = datetime.strptime(str(raw), "%a %b %d %H:%M:%S %z %Y").astimezone(UTC)
    except OverflowError:  # year 1 or 9999 shifted by its offset out of datetime's range
        raise _ItemError(
            f"tweet {post_id}: created_at {contract.show(raw)} is outside the years 1-9999 in UTC"
        ) from None
    except ValueError:
        raise _ItemError(
            f"tweet {post_id}: created_at {contract.show(raw)} is not like "
            "'Wed Oct 10 20:19:24 +0000 2018'"
        ) from None
    try:
        return contract.moment(created_at, latest)
    except Violation as exc:
        raise _ItemError(f"tweet {post_id}: created_at {exc}") from None


def _quoted(urls: list[str], post_id: str) -> list[str]:
    """Post ids of the permalinks among a tweet's links (not its own)."""
    out = []
    for url in urls:
        m = _PERMALINK.match(url)
        if m and m.group(1) != post_id and int(m.group(1)) < contract.ID_LIMIT:
            out.append(m.group(1))
    return out


def tweet_to_post(tweet: dict, owner_id: str, latest: datetime, drops: Drops | None = None) -> dict:
    """Map one archive tweet to a canonical.posts row. Raises _ItemError when it cannot
    be placed; fields breaking the contract are left None and listed in ``drops``."""
    drops = Drops() if drops is None else drops
    post_id = _placing_id(tweet.get("id_str"), "id_str") or _placing_id(tweet.get("id"), "id")
    if post_id is None:
        raise _ItemError("tweet has no id_str")
    created_at = _created_at(tweet.get("created_at"), post_id, latest)
    what = f"tweet {post_id}:"
    reply_to = _placing_id(
        tweet.get("in_reply_to_status_id_str"), f"{what} in_reply_to_status_id_str"
    )
    reply_to_user = _placing_id(
        tweet.get("in_reply_to_user_id_str"), f"{what} in_reply_to_user_id_str"
    )
    edit_ids = _edit_ids(tweet, post_id)

    key = "full_text" if tweet.get("full_text") is not None else "text"
    text = drops.check(contract.text, tweet.get(key), key)
    urls = drops.texts(
        [
            (f"entities.urls[{i}].{k}", u.get(k) or None)
            for i, u in _entities(tweet, "urls")
            for k in ["expanded_url" if u.get("expanded_url") else "url"]
        ]
    )
    quoted = _quoted(urls, post_id)
    is_retweet = isinstance(text, str) and text.startswith("RT @")
    return {
        "platform": PLATFORM,
        "post_id": post_id,
        "account_id": owner_id,
        "created_at": created_at,
        "text": text,
        "lang": drops.check(contract.text, tweet.get("lang"), "lang"),
        "in_reply_to_post_id": reply_to,
        "in_reply_to_account_id": reply_to_user,
        "conversation_id": None,
        "quoted_post_id": None if is_retweet or not quoted else quoted[-1],
        "reposted_post_id": "unknown" if is_retweet else None,
        "mentions": drops.texts(
            [
                (f"entities.user_mentions[{i}].screen_name", m.get("screen_name"))
                for i, m in _entities(tweet, "user_mentions")
            ]
        ),
        "hashtags": drops.texts(
            [
                (f"entities.hashtags[{i}].text", h.get("text"))
                for i, h in _entities(tweet, "hashtags")
            ]
        ),
        "urls": urls,
        "like_count": drops.check(contract.count, tweet.get("favorite_count"), "favorite_count"),
        "repost_count": drops.check(contract.count, tweet.get("retweet_count"), "retweet_count"),
        "reply_count": None,
        "quote_count": None,
        "impression_count": None,
        "edit_history_post_ids": edit_ids,
    }


def _quiet_text(value: object) -> str | None:
    """A text already checked (and any drop reported) by tweet_to_post."""
    try:
        return contract.text(value)
    except Violation:
        return None


def _mentioned_accounts(tweet: dict, drops: Drops) -> Iterator[tuple[str, str | None]]:
    """(account_id, handle) of accounts a tweet replies to or mentions. The reply-to id
    was checked by tweet_to_post (a bad one rejected the tweet); a mention's bad id
    leaves that account out, with a drop."""
    reply_to = contract.x_id(tweet.get("in_reply_to_user_id_str"))
    if reply_to:
        path = "in_reply_to_screen_name"
        yield reply_to, drops.check(contract.text, tweet.get(path), path)
    for i, m in _entities(tweet, "user_mentions"):
        key = "id_str" if m.get("id_str") is not None else "id"
        if m.get(key) in ("-1", -1):  # a mention of an account that is gone
            continue
        account_id = drops.check(contract.x_id, m.get(key), f"entities.user_mentions[{i}].{key}")
        if account_id:
            yield account_id, _quiet_text(m.get("screen_name"))


def _excerpt(value: object) -> str:
    try:  # nesting is bounded by the entry's depth check, so this cannot recurse far
        return json.dumps(value, ensure_ascii=False)[:_EXCERPT]
    except (TypeError, ValueError, RecursionError):
        return repr(value)[:_EXCERPT]


def _account_row(account_id: str, handle: str | None) -> dict:
    return {
        "platform": PLATFORM,
        "account_id": account_id,
        "handle": handle,
        "is_brand": False,
        "first_seen_at": None,
    }


def _report(rejects: list[Reject], line: int, item: str, drops: Drops, what: str) -> None:
    """One reject per dropped field, its item naming the field."""
    for path, why, value in drops.found:
        reason = contract.dropped_reason(path, why, what)
        rejects.append(Reject(line, reason, f"{item}.{path}", _excerpt(value)))


def _iso_time(value: object, latest: datetime) -> datetime | None:
    # An archive writes an empty string where it has no date: missing, not bad.
    return iso_time(value, latest) if value else None


def parse_x_archive(
    path: Path, observed_at: datetime, not_after: datetime | None = None
) -> ParsedBatch:
    """Parse one archive zip. ``observed_at`` stamps the owner's snapshot when the
    archive has no manifest.js. ``not_after`` is when the archive was received (its
    landing time; None: now): no time in it may be more than a day later. Raises
    NotThisFormat for a file that is not an archive or whose data files are not the
    archive's JavaScript arrays."""
    latest = contract.not_after(not_after)
    members = _members(Path(path))
    account_line, account = _first(members, "account.js", "account")
    try:
        owner_id = contract.x_id(account.get("accountId"))
    except Violation as exc:
        raise NotThisFormat(
            f"data/account.js: accountId {exc}: not an X archive's account file"
        ) from None
    if owner_id is None:
        raise NotThisFormat("data/account.js: no accountId: not an X archive's account file")
    batch = ParsedBatch()
    owner = Drops()  # fields of account.js that break the contract
    handle = owner.check(contract.text, account.get("username"), "username")
    accounts: dict[str, dict] = {owner_id: _account_row(owner_id, handle)}
    posts: dict[str, dict] = {}
    for name in sorted(n for n in members if _TWEET_FILES.fullmatch(n)):
        for line, index, value in _elements(name, members[name]):
            batch.items_read += 1
            item = f"data/{name}[{index}]"
            if contract.too_deep(value):  # first: even quoting it could recurse too far
                reason = f"JSON nested deeper than {contract.MAX_JSON_DEPTH} levels: not loaded"
                batch.rejects.append(Reject(line, reason, item, ""))
                continue
            tweet = _unwrap(value, "tweet")
            if tweet is None:
                reason = f"a JSON {type(value).__name__}, not a tweet entry"
                batch.rejects.append(Reject(line, reason, item, _excerpt(value)))
                continue
            drops = Drops()
            try:
                post = tweet_to_post(tweet, owner_id, latest, drops)
            except _ItemError as exc:
                batch.rejects.append(Reject(line, str(exc), item, _excerpt(value)))
                continue
            mentioned = list(_mentioned_accounts(tweet, drops))
            _report(batch.rejects, line, item, drops, "post")
            posts[post["post_id"]] = post
            for account_id, mentioned_handle in mentioned:
                row = accounts.setdefault(account_id, _account_row(account_id, None))
                row["handle"] = row["handle"] or mentioned_handle
    batch.posts = list(posts.values())
    batch.accounts = list(accounts.values())
    snapshot = {
        "platform": PLATFORM,
        "account_id": owner_id,
        "observed_at": observed_at.astimezone(UTC),
        "handle": handle,
        "display_name": owner.check(
            contract.text, account.get("accountDisplayName"), "accountDisplayName"
        ),
        "verified": None,
        "protected": None,
        "account_created_at": owner.check(
            lambda v: _iso_time(v, latest), account.get("createdAt"), "createdAt"
        ),
        "followers_count": _length(members, "follower.js"),
        "following_count": _length(members, "following.js"),
        "post_count": len(posts),
        "listed_count": None,
    }
    _report(batch.rejects, account_line, "data/account.js[0]", owner, "profile")
    snapshot.update(_profile(members, batch.rejects))
    generated, why = _generated_at(members, latest)
    if generated is not None:
        snapshot["observed_at"] = generated
    elif why:
        reason = f"archiveInfo.generationDate {why}; the landing time is used instead"
        batch.rejects.append(Reject(1, reason, "data/manifest.js", ""))
    batch.snapshots = [snapshot]
    return batch


def _length(members: dict[str, bytes], name: str) -> int | None:
    return sum(1 for _ in _elements(name, members[name])) if name in members else None


def _profile(members: dict[str, bytes], rejects: list[Reject]) -> dict:
    """The snapshot's profile.js fields; those breaking the contract become rejects."""
    line, profile = _first(members, "profile.js", "profile")
    drops = Drops()
    description = profile.get("description") if isinstance(profile.get("description"), dict) else {}
    avatar = drops.check(contract.text, profile.get("avatarMediaUrl"), "avatarMediaUrl")
    fields = {
        "bio": drops.check(contract.text, description.get("bio"), "description.bio"),
        "location": drops.check(contract.text, description.get("location"), "description.location"),
        "profile_image_url": avatar,
        "has_default_avatar": None if avatar is None else "default_profile" in avatar,
    }
    _report(rejects, line, "data/profile.js[0]", drops, "profile")
    return fields


# --------------------------------------------------------------------------- folders

_FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # zip's epoch: the same folder packs to the same bytes


def is_archive_folder(path: Path) -> bool:
    return (path / "data" / REQUIRED).is_file() or (path / REQUIRED).is_file()


def pack_folder(folder: Path, out_dir: Path) -> Path:
    """Zip an unzipped archive's data files (not its media) into out_dir/<folder>.zip,
    byte-identical for identical contents, so it lands as one content-addressed file."""
    data = folder / "data" if (folder / "data" / REQUIRED).is_file() else folder
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in sorted(p for p in data.iterdir() if p.is_file() and p.suffix == ".js"):
            info = zipfile.ZipInfo(f"data/{file.name}", date_time=_FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, file.read_bytes())
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{folder.resolve().name}.zip"
    target.write_bytes(buffer.getvalue())
    return target


def archive_files(paths: list[Path], staging: Path) -> list[Path]:
    """The paths to import: an unzipped archive folder becomes its packed zip."""
    return [pack_folder(p, staging) if p.is_dir() and is_archive_folder(p) else p for p in paths]
