"""The model as a readable JSON file, and scoring from that file alone.

    probability = 1 / (1 + exp(-(intercept + sum_i coefficient_i * (x_i - mean_i) / scale_i)))

with x_i the features of features.py; a profile is fake when probability >= threshold.
Scoring needs numpy and this file, never scikit-learn."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from pipelines.audience.features import BY_NAME, matrix
from pipelines.audience.profiles import FAKE_COLLECTIONS, HUMAN_COLLECTIONS, Profile

MODEL_PATH = Path(__file__).with_name("model.json")
MODEL_X_PATH = Path(__file__).with_name("model_x.json")
DIGITS = 12  # significant digits kept: the file reads the same on any machine's last bits


def rounded(value: float) -> float:
    return float(f"{value:.{DIGITS}g}")


MEASURED_ERROR_METHOD = (
    "each labelled collection scored by the same features trained on the other three "
    "collections (that one left out), flagged when p >= threshold"
)


def measured_error(counts: dict[str, dict[str, int]]) -> dict:
    """evaluate.left_out_counts grouped by class: what estimate.py corrects with."""
    return {
        "fake": {name: counts[name] for name in FAKE_COLLECTIONS},
        "human": {name: counts[name] for name in HUMAN_COLLECTIONS},
        "method": MEASURED_ERROR_METHOD,
    }


def model_document(
    fitted, files: dict[str, dict], command: str, sklearn_version: str, error: dict | None = None
) -> dict:
    """`fitted` is a train.Fitted; `files` each training CSV's rows and sha256; `error`
    the measured_error block (left out of the documents evaluate.py trains on the fly)."""
    scaler, model = fitted.scaler, fitted.model
    document = {
        "model": "logistic regression on standardised features (issue 17)",
        "formula": "p = 1 / (1 + exp(-(intercept + sum(coefficient * (x - mean) / scale))))",
        "features": [
            {
                "name": name,
                "definition": BY_NAME[name].doc,
                "mean": rounded(mean),
                "scale": rounded(scale),
                "coefficient": rounded(coef),
            }
            for name, mean, scale, coef in zip(
                fitted.features, scaler.mean_, scaler.scale_, model.coef_[0], strict=True
            )
        ],
        "intercept": rounded(model.intercept_[0]),
        "threshold": 0.5,
        "training_collections": fitted.collections,
        "training_files": files,
        "sklearn_version": sklearn_version,
        "command": command,
    }
    if error is not None:
        document["measured_error"] = error
    return document


def dumps(document: dict) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def load(path: Path = MODEL_PATH) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def score(model: dict, profiles: Sequence[Profile]) -> np.ndarray:
    """Fake probability of each profile, from the JSON document only."""
    features = model["features"]
    x = matrix(profiles, [f["name"] for f in features])
    mean = np.array([f["mean"] for f in features])
    scale = np.array([f["scale"] for f in features])
    coef = np.array([f["coefficient"] for f in features])
    z = model["intercept"] + ((x - mean) / scale) @ coef
    return 1.0 / (1.0 + np.exp(-z))


def is_fake(model: dict, probabilities: np.ndarray) -> np.ndarray:
    return probabilities >= model["threshold"]
