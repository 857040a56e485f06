"""Where `rapport demo` puts the demo world: each network's files in the inbox folder of
the source that imports them (``<inbox>/<source>/demo``, see
pipelines/canonical/imports.py PARSERS), and, for the networks whose saved responses
carry no retrieval time (Bluesky, Mastodon), landing them in raw at the time the
simulated collector saved them.

Why land them here: those parsers date a profile snapshot by when its file landed.
Imported from the inbox, all 28 days of profiles would land in the same second today:
no daily history, and a period end ("the latest data") of today instead of the world's
anchor, so the demo's reports would change with the day they are built. Landing each
file first with its simulated retrieval time gives them the dates a daily collector
would have given them; the inbox import then finds the bytes already landed and loads
them with that time (pipelines/raw/landing.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from pipelines.raw.landing import land

from . import followers, networks, render, render_bluesky, render_followers, render_mastodon, world
from .cast import BLUESKY, MASTODON

SAMPLE_SOURCE = "follower-sample"  # what `rapport import followers` imports

#: import source -> the inbox folder (under the inbox) its demo files go to.
FOLDERS = {
    "twarc2": "twarc2/demo",
    BLUESKY: "bluesky/demo",
    MASTODON: "mastodon/demo",
    SAMPLE_SOURCE: f"{SAMPLE_SOURCE}/demo",
}
#: import source -> what its files are, as `rapport demo` names them.
FORMATS = {
    "twarc2": "X API v2 page",
    BLUESKY: "Bluesky AppView response",
    MASTODON: "Mastodon REST API response",
    SAMPLE_SOURCE: "follower sample",
}
#: sources whose parser takes a snapshot's time from the landing, not the file.
DATED_BY_LANDING = (BLUESKY, MASTODON)


@dataclass(frozen=True)
class DemoFile:
    source: str  # the `rapport import` source that reads it
    path: Path
    retrieved_at: datetime  # when the simulated collector saved it


def write_network(
    platform: str, out_dir: Path, seed: int, anchor: datetime, days: int
) -> list[DemoFile]:
    """One network's files (``bluesky`` or ``mastodon``) in ``out_dir``, sorted."""
    renderer = {BLUESKY: render_bluesky, MASTODON: render_mastodon}[platform]
    written = renderer.write(networks.simulate(platform, seed, anchor, days), out_dir)
    return [DemoFile(platform, path, when) for path, when in written]


def write_followers(out_dir: Path, seed: int, anchor: datetime, days: int) -> list[DemoFile]:
    """The follower samples (``followers``): each sample file, its pages beside it, in
    the order they load (each account's samples by time)."""
    audiences, samples = followers.simulate(seed, anchor, days)
    written = render_followers.write(audiences, samples, out_dir)
    return [DemoFile(SAMPLE_SOURCE, path, when) for path, when in written]


def write_inbox(inbox_dir: Path, seed: int, anchor: datetime, days: int) -> list[DemoFile]:
    """Every network's files in its inbox folder: X first, then Bluesky, Mastodon, then
    the follower samples."""
    x_world = world.simulate(seed, anchor, days)
    files = [
        DemoFile("twarc2", path, x_world.anchor)
        for path in render.write(x_world, inbox_dir / FOLDERS["twarc2"])
    ]
    for platform in (BLUESKY, MASTODON):
        files += write_network(platform, inbox_dir / FOLDERS[platform], seed, anchor, days)
    return files + write_followers(inbox_dir / FOLDERS[SAMPLE_SOURCE], seed, anchor, days)


def land_as_retrieved(raw_dir: Path, files: list[DemoFile]) -> int:
    """Land the files of DATED_BY_LANDING sources at their retrieval time; returns how
    many. A file whose bytes landed before keeps its first landing (as any file does)."""
    dated = [f for f in files if f.source in DATED_BY_LANDING]
    for f in dated:
        land(raw_dir, f.source, f.path, landed_at=f.retrieved_at)
    return len(dated)
