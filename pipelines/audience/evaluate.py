"""Measured error on collections the model never saw (issue 17).

A pair is one fake-follower collection and one human collection left out together: the
model is trained on the rest and scored (from its JSON document, as in production) on
the pair. Single collections: one left out, recall (fakes) or specificity (humans).
Cresci et al. 2015's single rules (a rule's failure = fake) are measured on the same rows.
Mixed audiences: fakes and humans of a left-out pair drawn at known shares; the observed
fake share is corrected with Rogan-Gladen, using the detection and false-positive rates
measured on the *other* pair (collections neither in the audience nor in training)."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from pipelines.audience import artefact
from pipelines.audience.profiles import FAKE, Profile
from pipelines.audience.train import fit

SEED = 0
FAKE_COLLECTIONS = ("FSF", "TWT")
HUMAN_COLLECTIONS = ("GEN", "TFP")
PAIRS = tuple((f, h) for f in FAKE_COLLECTIONS for h in HUMAN_COLLECTIONS)
OTHER = {"FSF": "TWT", "TWT": "FSF", "GEN": "TFP", "TFP": "GEN"}
AUDIENCE_SIZE = {"GEN": 1000, "TFP": 400}
SHARES = (0.0, 0.1, 0.3, 0.6)

# Cresci et al. 2015, table of single rules: True = passes (looks human).
RULES: dict[str, Callable[[Profile], bool]] = {
    "followers >= 30": lambda p: p.followers >= 30,
    "posts >= 50": lambda p: p.posts >= 50,
    "2 x followers >= friends": lambda p: 2 * p.followers >= p.following,
    "has bio": lambda p: p.bio.strip() != "",
    "has avatar": lambda p: not p.default_avatar,
}


@dataclass(frozen=True)
class Confusion:
    tp: int
    fn: int
    tn: int
    fp: int

    @classmethod
    def of(cls, truth: Sequence[bool], predicted: Sequence[bool]) -> Confusion:
        t, p = np.asarray(truth, bool), np.asarray(predicted, bool)
        return cls(
            int((t & p).sum()), int((t & ~p).sum()), int((~t & ~p).sum()), int((~t & p).sum())
        )

    def ratio(self, a: int, b: int) -> float:
        return a / (a + b) if a + b else math.nan

    @property
    def recall(self) -> float:
        return self.ratio(self.tp, self.fn)

    @property
    def specificity(self) -> float:
        return self.ratio(self.tn, self.fp)

    @property
    def precision(self) -> float:
        return self.ratio(self.tp, self.fp)

    @property
    def balanced_accuracy(self) -> float:
        return (self.recall + self.specificity) / 2

    @property
    def mcc(self) -> float:
        tp, fn, tn, fp = self.tp, self.fn, self.tn, self.fp
        denominator = math.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn))
        return (tp * tn - fp * fn) / denominator if denominator else 0.0


def is_fake(profiles: Sequence[Profile]) -> np.ndarray:
    return np.array([p.label == FAKE for p in profiles], dtype=bool)


def left_out_document(profiles: Sequence[Profile], features: Sequence[str], out: set[str]) -> dict:
    """The model document trained on every collection not in `out`."""
    fitted = fit([p for p in profiles if p.collection not in out], features)
    return artefact.model_document(fitted, {}, "evaluation", "")


def predictions(profiles, features, out: set[str]) -> tuple[list[Profile], np.ndarray]:
    model = left_out_document(profiles, features, out)
    test = [p for p in profiles if p.collection in out]
    return test, artefact.is_fake(model, artefact.score(model, test))


def pair_confusions(profiles, features) -> dict[tuple[str, str], Confusion]:
    out = {}
    for pair in PAIRS:
        test, predicted = predictions(profiles, features, set(pair))
        out[pair] = Confusion.of(is_fake(test), predicted)
    return out


def single_rates(profiles, features) -> dict[str, float]:
    """Recall on a left-out fake collection, specificity on a left-out human one."""
    out = {}
    for name in (*FAKE_COLLECTIONS, *HUMAN_COLLECTIONS):
        test, predicted = predictions(profiles, features, {name})
        out[name] = float(predicted.mean() if name in FAKE_COLLECTIONS else 1 - predicted.mean())
    return out


def rule_confusions(profiles) -> dict[str, dict[tuple[str, str], Confusion]]:
    out = {}
    for rule, passes in RULES.items():
        out[rule] = {}
        for pair in PAIRS:
            test = [p for p in profiles if p.collection in pair]
            out[rule][pair] = Confusion.of(is_fake(test), [not passes(p) for p in test])
    return out


def rule_rates(profiles) -> dict[str, dict[str, float]]:
    out = {}
    for rule, passes in RULES.items():
        out[rule] = {}
        for name in (*FAKE_COLLECTIONS, *HUMAN_COLLECTIONS):
            flagged = [not passes(p) for p in profiles if p.collection == name]
            out[rule][name] = float(
                np.mean(flagged) if name in FAKE_COLLECTIONS else 1 - np.mean(flagged)
            )
    return out


def rogan_gladen(observed, sensitivity, specificity):
    """True prevalence from an observed share: (p + spec - 1) / (sens + spec - 1), in [0, 1]."""
    return np.clip((observed + specificity - 1) / (sensitivity + specificity - 1), 0.0, 1.0)


def mixed_audiences(profiles, features, draws: int = 200, boot: int = 2000) -> list[dict]:
    """Per audience (fake f + human h, model trained without both) and true share: the
    Rogan-Gladen error over `draws` audiences and how often the 95% interval (a parametric
    bootstrap over audience and calibration counts) held the truth."""
    rng = np.random.default_rng(SEED)
    rows = []
    for f, h in PAIRS:
        fo, ho = OTHER[f], OTHER[h]
        calibration, flagged = predictions(profiles, features, {fo, ho})
        coll = np.array([p.collection for p in calibration])
        n_sens, n_spec = int((coll == fo).sum()), int((coll == ho).sum())
        sens, spec = flagged[coll == fo].mean(), 1 - flagged[coll == ho].mean()
        audience, flagged = predictions(profiles, features, {f, h})
        coll = np.array([p.collection for p in audience])
        fakes, humans = flagged[coll == f].astype(float), flagged[coll == h].astype(float)
        size = AUDIENCE_SIZE[h]
        for share in SHARES:
            n_fake = round(share * size)
            truth = n_fake / size
            errors, naive, covered = [], [], []
            for _ in range(draws):
                sample = np.concatenate(
                    [
                        rng.choice(fakes, n_fake, replace=False),
                        rng.choice(humans, size - n_fake, replace=False),
                    ]
                )
                observed = sample.mean()
                estimate = float(rogan_gladen(observed, sens, spec))
                lo, hi = np.percentile(
                    rogan_gladen(
                        rng.binomial(size, observed, boot) / size,
                        rng.binomial(n_sens, sens, boot) / n_sens,
                        rng.binomial(n_spec, spec, boot) / n_spec,
                    ),
                    [2.5, 97.5],
                )
                errors.append(estimate - truth)
                naive.append(observed - truth)
                covered.append(lo <= truth <= hi)
            errors = np.abs(np.array(errors))
            rows.append(
                {
                    "audience": f"{f} + {h}",
                    "size": size,
                    "truth": truth,
                    "sensitivity_used": float(sens),
                    "specificity_used": float(spec),
                    "mean_abs_error": 100 * float(errors.mean()),
                    "max_abs_error": 100 * float(errors.max()),
                    "within_5": float((errors <= 0.05 + 1e-12).mean()),
                    "coverage": float(np.mean(covered)),
                    "naive_max_abs_error": 100 * float(np.abs(naive).max()),
                }
            )
    return rows
