"""Scores the warehouse's follower samples with the committed model and stores, per
sample, the corrected fake share (estimate.py) for marts.audience_quality.

Each network's followers are scored by the model measured on what that network gives:
X by model_x.json (the full feature set: X returns listed and liked counts, url and
location), Bluesky and Mastodon by model.json (the fields all three share). A sample is
scored once per model version (the model file's sha256), so a build with no new sample
scores nothing; samples a rebuild dropped lose their scores too."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from pipelines.audience import artefact
from pipelines.audience.estimate import error_words, estimate
from pipelines.audience.profiles import Profile

MODEL_FOR = {
    "x": artefact.MODEL_X_PATH,
    "bluesky": artefact.MODEL_PATH,
    "mastodon": artefact.MODEL_PATH,
}
# A follower needs its network's model's counts to be scored: a missing count read as 0
# would push it toward fake (X's model weighs likes given), so it is left unscored.
SHARED = ("followers_count", "following_count", "post_count")
REQUIRED = {
    "x": (*SHARED, "listed_count", "favourites_count"),
    "bluesky": SHARED,
    "mastodon": SHARED,
}


@dataclass(frozen=True)
class Model:
    document: dict
    file: str
    version: str  # the file's name and the first 12 hex digits of its sha256


def model_for(platform: str) -> Model:
    path = Path(MODEL_FOR[platform])
    data = path.read_bytes()
    return Model(
        artefact.load(path), path.name, f"{path.name}@{hashlib.sha256(data).hexdigest()[:12]}"
    )


def profile_of(row: dict) -> Profile:
    observed: datetime = row["observed_at"]
    return Profile(
        id=row["follower_id"],
        followers=row["followers_count"],
        following=row["following_count"],
        posts=row["post_count"],
        bio=row["bio"] or "",
        avatar_url=row["profile_image_url"] or "",
        default_avatar=bool(row["has_default_avatar"]),
        created_at=row["account_created_at"] or observed,
        observed_at=observed,
        listed=row["listed_count"] or 0,
        favourites=row["favourites_count"] or 0,
        url=row["url"] or "",
        location=row["location"] or "",
    )


def unscorable(row: dict) -> str | None:
    missing = [c for c in REQUIRED[row["platform"]] if row[c] is None]
    return f"no {', '.join(missing)} in the profile" if missing else None


def _pending(con: duckdb.DuckDBPyConnection, versions: dict[str, str]) -> list[tuple]:
    """Complete samples with no estimate by their platform's current model version."""
    return con.execute(
        "SELECT s.platform, s.account_id, s.sampled_at FROM canonical.follower_samples s "
        "LEFT JOIN audience.sample_estimates e ON e.platform = s.platform "
        "AND e.account_id = s.account_id AND e.sampled_at = s.sampled_at "
        "AND e.model_version = (CASE s.platform "
        + " ".join(f"WHEN '{p}' THEN '{v}'" for p, v in versions.items())
        + " END) WHERE e.platform IS NULL ORDER BY 1, 2, 3"
    ).fetchall()


def _drop_orphans(con: duckdb.DuckDBPyConnection) -> None:
    for table in ("follower_scores", "sample_estimates"):
        con.execute(
            f"DELETE FROM audience.{table} t WHERE NOT EXISTS (SELECT 1 FROM "
            "canonical.follower_samples s WHERE s.platform = t.platform "
            "AND s.account_id = t.account_id AND s.sampled_at = t.sampled_at)"
        )


def score_sample(con: duckdb.DuckDBPyConnection, key: tuple, model: Model) -> dict:
    """Score one sample's followers and store them and the sample's estimate."""
    cursor = con.execute(
        "SELECT * FROM canonical.sampled_followers WHERE platform = ? AND account_id = ? "
        "AND sampled_at = ? ORDER BY position",
        list(key),
    )
    names = [d[0] for d in cursor.description]
    rows = [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]
    good = [r for r in rows if unscorable(r) is None]
    probabilities = artefact.score(model.document, [profile_of(r) for r in good])
    flags = artefact.is_fake(model.document, probabilities)
    found = estimate(model.document, len(good), int(flags.sum()))
    con.execute("BEGIN TRANSACTION")
    try:
        for table in ("follower_scores", "sample_estimates"):
            con.execute(
                f"DELETE FROM audience.{table} WHERE platform = ? AND account_id = ? "
                "AND sampled_at = ?",
                list(key),
            )
        if good:
            con.executemany(
                "INSERT INTO audience.follower_scores VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    [*key, r["follower_id"], model.version, float(p), bool(f)]
                    for r, p, f in zip(good, probabilities, flags, strict=True)
                ],
            )
        con.execute(
            "INSERT INTO audience.sample_estimates VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                *key,
                model.version,
                len(rows),
                found.profiles,
                len(rows) - len(good),
                found.flagged,
                found.observed_share,
                found.share,
                found.low,
                found.high,
                error_words(model.document),
            ],
        )
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return {"sample": key, "scored": found.profiles, "flagged": found.flagged}


def score_new_samples(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Score every sample not yet scored by its platform's current model."""
    models = {p: model_for(p) for p in MODEL_FOR}
    _drop_orphans(con)
    return [
        score_sample(con, key, models[key[0]])
        for key in _pending(con, {p: m.version for p, m in models.items()})
    ]
