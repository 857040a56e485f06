"""The committed model document: trained on every labelled file, with the error measured
by leaving each collection out (evaluate.left_out_counts). Its own module so that
training (train.py) and measuring (evaluate.py) do not import each other."""

from __future__ import annotations

import sklearn

from pipelines.audience import artefact, evaluate, profiles
from pipelines.audience.features import FEATURE_SETS
from pipelines.audience.train import fit


def command(feature_set: str) -> str:
    return "rapport audience train" + (
        "" if feature_set == "reduced" else f" --features {feature_set}"
    )


def build(data_dir, feature_set: str = "reduced") -> dict:
    """The model document trained on every labelled file of `data_dir`."""
    read = profiles.load(data_dir)
    if read.problems:
        raise ValueError("; ".join(str(p) for p in read.problems[:5]))
    features = FEATURE_SETS[feature_set]
    fitted = fit(read.profiles, features)
    error = artefact.measured_error(evaluate.left_out_counts(read.profiles, features))
    return artefact.model_document(
        fitted, read.files, command(feature_set), sklearn.__version__, error
    )
