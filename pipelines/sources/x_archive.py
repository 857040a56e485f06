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
inner file and the item, e.g. ``data/tweets.js[12]``."""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from pipelines.sources.records import NotThisFormat, ParsedBatch, Reject
from pipelines.sources.twarc2 import parse_iso_timestamp

PLATFORM = "x"
REQUIRED = "account.js"
_ASSIGNMENT = re.compile(r"^\s*window\.(?:YTD\.[A-Za-z_]+\.part\d+|__THAR_CONFIG)\s*=\s*")
_TWEET_FILES = re.compile(r"^tweets?(-part\d+)?\.js$")
_PERMALINK = re.compile(r"^https?://(?:www\.|mobile\.)?(?:twitter|x)\.com/[^/]+/status/(\d+)")
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


def _first(members: dict[str, bytes], name: str, key: str) -> dict:
    if name not in members:
        return {}
    for _, _, value in _elements(name, members[name]):
        return _unwrap(value, key) or {}
    return {}


def _generated_at(members: dict[str, bytes]) -> datetime | None:
    raw = members.get("manifest.js")
    if raw is None:
        return None
    text = _ASSIGNMENT.sub("", _text("manifest.js", raw), count=1).strip().rstrip(";")
    try:
        stamp = json.loads(text)["archiveInfo"]["generationDate"]
        return parse_iso_timestamp(stamp)
    except (ValueError, KeyError, TypeError):
        return None


# --------------------------------------------------------------------------- mapping


def _count(value: object) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


def _id(value: object) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def _entities(tweet: dict, key: str) -> list[dict]:
    entities = tweet.get("entities") if isinstance(tweet.get("entities"), dict) else {}
    return [e for e in entities.get(key) or [] if isinstance(e, dict)]


def _edit_ids(tweet: dict) -> list[str] | None:
    info = tweet.get("edit_info") if isinstance(tweet.get("edit_info"), dict) else {}
    for holder in (info.get("initial"), (info.get("edit") or {}).get("editControlInitial")):
        if isinstance(holder, dict) and isinstance(holder.get("editTweetIds"), list):
            return [i for i in (_id(x) for x in holder["editTweetIds"]) if i]
    return None


def tweet_to_post(tweet: dict, owner_id: str) -> dict:
    post_id = _id(tweet.get("id_str")) or _id(tweet.get("id"))
    if post_id is None:
        raise _ItemError("tweet has no id_str")
    raw_created = tweet.get("created_at")
    try:
        created_at = datetime.strptime(str(raw_created), "%a %b %d %H:%M:%S %z %Y").astimezone(UTC)
    except ValueError:
        raise _ItemError(
            f"tweet {post_id}: created_at {raw_created!r} is not like "
            "'Wed Oct 10 20:19:24 +0000 2018'"
        ) from None
    text = tweet.get("full_text") if isinstance(tweet.get("full_text"), str) else None
    text = text if text is not None else tweet.get("text")
    urls = [u.get("expanded_url") or u.get("url") for u in _entities(tweet, "urls")]
    urls = [u for u in urls if isinstance(u, str)]
    quoted = [m.group(1) for u in urls if (m := _PERMALINK.match(u)) and m.group(1) != post_id]
    is_retweet = isinstance(text, str) and text.startswith("RT @")
    return {
        "platform": PLATFORM,
        "post_id": post_id,
        "account_id": owner_id,
        "created_at": created_at,
        "text": text if isinstance(text, str) else None,
        "lang": tweet.get("lang") if isinstance(tweet.get("lang"), str) else None,
        "in_reply_to_post_id": _id(tweet.get("in_reply_to_status_id_str")),
        "in_reply_to_account_id": _id(tweet.get("in_reply_to_user_id_str")),
        "conversation_id": None,
        "quoted_post_id": None if is_retweet or not quoted else quoted[-1],
        "reposted_post_id": "unknown" if is_retweet else None,
        "mentions": [
            m["screen_name"]
            for m in _entities(tweet, "user_mentions")
            if isinstance(m.get("screen_name"), str)
        ],
        "hashtags": [
            h["text"] for h in _entities(tweet, "hashtags") if isinstance(h.get("text"), str)
        ],
        "urls": urls,
        "like_count": _count(tweet.get("favorite_count")),
        "repost_count": _count(tweet.get("retweet_count")),
        "reply_count": None,
        "quote_count": None,
        "impression_count": None,
        "edit_history_post_ids": _edit_ids(tweet),
    }


def _mentioned_accounts(tweet: dict) -> Iterator[tuple[str, str | None]]:
    """(account_id, handle) of accounts a tweet replies to or mentions."""
    reply_to = _id(tweet.get("in_reply_to_user_id_str"))
    if reply_to:
        handle = tweet.get("in_reply_to_screen_name")
        yield reply_to, handle if isinstance(handle, str) else None
    for m in _entities(tweet, "user_mentions"):
        account_id = _id(m.get("id_str")) or _id(m.get("id"))
        if account_id and account_id != "-1":  # -1: a mention of an account that is gone
            yield (
                account_id,
                m.get("screen_name") if isinstance(m.get("screen_name"), str) else None,
            )


def _excerpt(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)[:_EXCERPT]


def parse_x_archive(path: Path, observed_at: datetime) -> ParsedBatch:
    """Parse one archive zip. ``observed_at`` stamps the owner's snapshot when the
    archive has no manifest.js. Raises NotThisFormat for a file that is not an archive
    or whose data files are not the archive's JavaScript arrays."""
    members = _members(Path(path))
    account = _first(members, "account.js", "account")
    owner_id = _id(account.get("accountId"))
    if owner_id is None:
        raise NotThisFormat("data/account.js: no accountId: not an X archive's account file")
    handle = account.get("username") if isinstance(account.get("username"), str) else None
    batch = ParsedBatch()
    accounts: dict[str, dict] = {
        owner_id: {
            "platform": PLATFORM,
            "account_id": owner_id,
            "handle": handle,
            "is_brand": False,
            "first_seen_at": None,
        }
    }
    posts: dict[str, dict] = {}
    for name in sorted(n for n in members if _TWEET_FILES.match(n)):
        for line, index, value in _elements(name, members[name]):
            batch.items_read += 1
            item = f"data/{name}[{index}]"
            tweet = _unwrap(value, "tweet")
            if tweet is None:
                reason = f"a JSON {type(value).__name__}, not a tweet entry"
                batch.rejects.append(Reject(line, reason, item, _excerpt(value)))
                continue
            try:
                post = tweet_to_post(tweet, owner_id)
            except _ItemError as exc:
                batch.rejects.append(Reject(line, str(exc), item, _excerpt(value)))
                continue
            posts[post["post_id"]] = post
            for account_id, mentioned in _mentioned_accounts(tweet):
                row = accounts.setdefault(
                    account_id,
                    {
                        "platform": PLATFORM,
                        "account_id": account_id,
                        "handle": None,
                        "is_brand": False,
                        "first_seen_at": None,
                    },
                )
                row["handle"] = row["handle"] or mentioned
    batch.posts = list(posts.values())
    batch.accounts = list(accounts.values())
    batch.snapshots = [_snapshot(members, account, owner_id, handle, len(posts), observed_at)]
    return batch


def _snapshot(members, account: dict, owner_id: str, handle, posts: int, observed_at) -> dict:
    profile = _first(members, "profile.js", "profile")
    description = profile.get("description") if isinstance(profile.get("description"), dict) else {}
    avatar = (
        profile.get("avatarMediaUrl") if isinstance(profile.get("avatarMediaUrl"), str) else None
    )
    created = account.get("createdAt")
    try:
        created_at = parse_iso_timestamp(created) if created else None
    except ValueError:
        created_at = None

    def count(name: str) -> int | None:
        return sum(1 for _ in _elements(name, members[name])) if name in members else None

    return {
        "platform": PLATFORM,
        "account_id": owner_id,
        "observed_at": _generated_at(members) or observed_at.astimezone(UTC),
        "handle": handle,
        "display_name": account.get("accountDisplayName"),
        "bio": description.get("bio"),
        "location": description.get("location"),
        "profile_image_url": avatar,
        "has_default_avatar": None if avatar is None else "default_profile" in avatar,
        "verified": None,
        "protected": None,
        "account_created_at": created_at,
        "followers_count": count("follower.js"),
        "following_count": count("following.js"),
        "post_count": posts,
        "listed_count": None,
    }


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
