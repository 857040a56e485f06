"""Raw landing: every payload is written here unchanged, before it is parsed, so the
warehouse can always be rebuilt from raw alone and a parser bug never loses data.

Files are content-addressed (sha256), which makes landing idempotent and append-only:
the same bytes land once, and nothing here is ever rewritten or deleted."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path


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


def land(raw_dir: Path, source: str, path: Path, landed_at: datetime | None = None) -> LandedFile:
    """Copy `path` into raw_dir/<source>/<sha[:2]>/<sha><suffix> with a sidecar that
    records where it came from and when, unless the same bytes already landed."""
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


def landed_files(raw_dir: Path) -> list[LandedFile]:
    """Everything ever landed, oldest first (the order a rebuild must replay)."""
    files = [
        _from_meta(raw_dir, json.loads(meta.read_text()), already_landed=True)
        for meta in raw_dir.glob("*/*/*.meta.json")
    ]
    return sorted(files, key=lambda f: (f.landed_at, f.raw_file_id))
