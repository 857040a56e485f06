"""What `rapport audience score` writes: the per-profile CSV and the summary document
(counts, the estimate of estimate.py, the model's identity and measured error, what
could not be scored). The formula lives in estimate.py; this file only arranges it."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from pipelines.audience.estimate import Estimate, error_words, estimate
from pipelines.audience.inputs import Read

CSV_COLUMNS = ("id", "fake_probability", "is_fake")


def write_scores(path: Path, read: Read, probabilities: np.ndarray, flags: np.ndarray) -> None:
    """One row per scored profile, in input order; the probability to full precision."""
    with Path(path).open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        for profile, probability, fake in zip(read.profiles, probabilities, flags, strict=True):
            writer.writerow([profile.id, repr(float(probability)), "true" if fake else "false"])


def model_identity(model: dict, file: str) -> dict:
    return {
        "file": file,
        "sklearn_version": model.get("sklearn_version", ""),
        "command": model.get("command", ""),
        "training_files": {
            name: info["sha256"] for name, info in model.get("training_files", {}).items()
        },
    }


def summary(model: dict, model_file: str, read: Read, flagged: int) -> tuple[dict, Estimate]:
    result = estimate(model, len(read.profiles), flagged)
    document = {
        "profiles": read.records,
        "scored": result.profiles,
        "flagged": result.flagged,
        "estimated_fake_share": result.share,
        "interval": [result.low, result.high],
        "observed_share": result.observed_share,
        "model": model_identity(model, model_file),
        "measured_error": error_words(model),
        "unscored": read.unscored_dicts(),
    }
    return document, result


def percent(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def one_line(read: Read, result: Estimate, model_file: str) -> str:
    return (
        f"scored {result.profiles} of {read.records} profiles with {model_file}: "
        f"{result.flagged} flagged ({percent(result.observed_share)}), estimated fake share "
        f"{percent(result.share)} (95% interval {percent(result.low)} to "
        f"{percent(result.high)}); {len(read.unscored)} not scored"
    )
