"""Deterministic training: a standardised logistic regression (lbfgs, no randomness;
SEED only pins anything that might draw). Training weights: every collection weighs the
same inside its class, and the two classes weigh the same, so the 3,474 GEN humans do
not drown the 469 TFP ones. Spambots are not trained on (they lowered the left-out
fake-follower scores in the prototype)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

from pipelines.audience.features import matrix
from pipelines.audience.profiles import FAKE, Profile

SEED = 0
C = 1.0
THRESHOLD = 0.5


@dataclass
class Fitted:
    features: tuple[str, ...]
    scaler: StandardScaler
    model: LogisticRegression
    collections: dict[str, int]

    def predict_proba(self, profiles: Sequence[Profile]) -> np.ndarray:
        x = self.scaler.transform(matrix(profiles, self.features))
        return self.model.predict_proba(x)[:, 1]


def labels(profiles: Sequence[Profile]) -> np.ndarray:
    return np.array([p.label == FAKE for p in profiles], dtype=int)


def weights(profiles: Sequence[Profile]) -> np.ndarray:
    """1 / (rows of the row's collection x collections of its class), scaled to mean 1."""
    size = Counter(p.collection for p in profiles)
    per_class = Counter(label for label, _ in {(p.label, p.collection) for p in profiles})
    w = np.array([1.0 / (size[p.collection] * per_class[p.label]) for p in profiles])
    return w / w.mean()


def fit(profiles: Sequence[Profile], features: Sequence[str]) -> Fitted:
    y = labels(profiles)
    if len(set(y)) < 2:
        raise ValueError("training needs both fake and human profiles")
    x = matrix(profiles, features)
    scaler = StandardScaler().fit(x)
    model = LogisticRegression(C=C, max_iter=5000, random_state=SEED)
    model.fit(scaler.transform(x), y, sample_weight=weights(profiles))
    collections = dict(sorted(Counter(p.collection for p in profiles).items()))
    return Fitted(tuple(features), scaler, model, collections)
