"""Raw landing: every payload is written here unchanged, before it is parsed, so the
warehouse can always be rebuilt from raw alone and a parser bug never loses data.

Files are content-addressed (sha256), which makes landing idempotent and append-only:
the same bytes land once, and nothing here is ever rewritten or deleted.

A file can be forgotten on purpose (`rapport raw forget`): a tombstone beside it says
who, when and why, imports and rebuilds skip it, and its bytes stay where they are."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from pipelines.core.secrets import scrub_bytes, secret_values


@dataclass(frozen=True)
class LandedFile:
    raw_file_id: str  # sha256 of the bytes
    source: str
    raw_path: Path  # absolute path of the landed copy
    relative_path: str  # the same, relative to the raw landing dir
    original_name: str
    bytes: int
    landed_at: datetime
    already_landed: bool


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _meta_path(raw_path: Path) -> Path:
    return raw_path.with_name(raw_path.name + ".meta.json")


def _holds_secret(path: Path) -> bool:
    """Does the file hold a configured secret (pipelines/core/secrets.py)? One pass, only
    when a secret is configured; windows overlap so none is missed at a boundary."""
    if not secret_values():
        return False
    tail = b""
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            window = tail + chunk
            if scrub_bytes(window) != window:
                return True
            tail = window[-4096:]
    return False


def land(raw_dir: Path, source: str, path: Path, landed_at: datetime | None = None) -> LandedFile:
    """Copy `path` into raw_dir/<source>/<sha[:2]>/<sha><suffix> with a sidecar that
    records where it came from and when, unless the same bytes already landed.

    The one exception to "unchanged": a file holding a configured secret (a token a
    proxy echoed into a saved page, say) lands with the secret replaced by its marker,
    and its id is the sha256 of what landed. Secrets are never stored."""
    scrubbed = _holds_secret(path)
    if scrubbed:
        data = scrub_bytes(path.read_bytes())
        raw_file_id = hashlib.sha256(data).hexdigest()
    else:
        raw_file_id = sha256_of(path)
    target = raw_dir / source / raw_file_id[:2] / (raw_file_id + "".join(path.suffixes[-1:]))
    meta_path = _meta_path(target)
    if target.exists() and meta_path.exists():
        meta = json.loads(meta_path.read_text())
        return _from_meta(raw_dir, meta, already_landed=True)

    target.parent.mkdir(parents=True, exist_ok=True)
    # Copy to a temporary name first: a run killed mid-copy never leaves a partial
    # file under the final name.
    with tempfile.NamedTemporaryFile(dir=target.parent, delete=False) as tmp:
        if scrubbed:
            tmp.write(data)
        else:
            with path.open("rb") as src:
                shutil.copyfileobj(src, tmp)
    os.replace(tmp.name, target)
    meta = {
        "raw_file_id": raw_file_id,
        "source": source,
        "raw_path": str(target.relative_to(raw_dir)),
        "original_name": str(path),
        "bytes": target.stat().st_size,
        "landed_at": (landed_at or datetime.now(UTC)).isoformat(),
        **({"secrets_scrubbed": True} if scrubbed else {}),
    }
    tmp_meta = meta_path.with_suffix(".tmp")
    tmp_meta.write_text(json.dumps(meta, indent=1))
    os.replace(tmp_meta, meta_path)
    return _from_meta(raw_dir, meta, already_landed=False)


def _from_meta(raw_dir: Path, meta: dict, already_landed: bool) -> LandedFile:
    return LandedFile(
        raw_file_id=meta["raw_file_id"],
        source=meta["source"],
        raw_path=raw_dir / meta["raw_path"],
        relative_path=meta["raw_path"],
        original_name=meta["original_name"],
        bytes=meta["bytes"],
        landed_at=datetime.fromisoformat(meta["landed_at"]),
        already_landed=already_landed,
    )


def landed_files(raw_dir: Path, include_forgotten: bool = False) -> list[LandedFile]:
    """Everything landed, oldest first (the order a rebuild must replay), without the
    forgotten files unless asked."""
    files = [
        _from_meta(raw_dir, json.loads(meta.read_text()), already_landed=True)
        for meta in raw_dir.glob("*/*/*.meta.json")
    ]
    if not include_forgotten:
        files = [f for f in files if tombstone(f) is None]
    return sorted(files, key=lambda f: (f.landed_at, f.raw_file_id))


@dataclass(frozen=True)
class Tombstone:
    raw_file_id: str
    forgotten_at: datetime
    forgotten_by: str
    reason: str


def _tombstone_path(landed: LandedFile) -> Path:
    return landed.raw_path.with_name(landed.raw_path.name + ".forgotten.json")


def tombstone(landed: LandedFile) -> Tombstone | None:
    path = _tombstone_path(landed)
    if not path.exists():
        return None
    t = json.loads(path.read_text())
    return Tombstone(
        t["raw_file_id"], datetime.fromisoformat(t["forgotten_at"]), t["forgotten_by"], t["reason"]
    )


def forget(landed: LandedFile, by: str, reason: str, at: datetime | None = None) -> Tombstone:
    """Write the tombstone (atomically: a half-written one would not parse)."""
    t = Tombstone(landed.raw_file_id, at or datetime.now(UTC), by, reason)
    path = _tombstone_path(landed)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(
        json.dumps(
            {
                "raw_file_id": t.raw_file_id,
                "forgotten_at": t.forgotten_at.isoformat(),
                "forgotten_by": t.forgotten_by,
                "reason": t.reason,
            },
            indent=1,
        )
    )
    os.replace(tmp, path)
    return t


def unforget(landed: LandedFile) -> bool:
    path = _tombstone_path(landed)
    existed = path.exists()
    path.unlink(missing_ok=True)
    return existed


def find_landed(raw_dir: Path, sha_prefix: str) -> list[LandedFile]:
    """The landed file whose sha256 starts with `sha_prefix` (at least 8 hex digits):
    one, or more if the same bytes landed as several sources."""
    prefix = sha_prefix.strip().lower()
    if len(prefix) < 8 or any(c not in "0123456789abcdef" for c in prefix):
        raise LookupError(f"{sha_prefix!r} is not a sha256 or a prefix of 8+ hex digits")
    found = [f for f in landed_files(raw_dir, True) if f.raw_file_id.startswith(prefix)]
    if not found:
        raise LookupError(f"no raw file in {raw_dir} has a sha256 starting {prefix}")
    if len({f.raw_file_id for f in found}) > 1:
        raise LookupError(f"{prefix} matches {len(found)} raw files: give more digits")
    return found
