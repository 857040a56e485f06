"""Measured error on collections the model never saw (issue 17).

A pair is one fake-follower collection and one human collection left out together: the
model is trained on the rest and scored (from its JSON document, as in production) on
the pair. Single collections: one left out, recall (fakes) or specificity (humans).
Cresci et al. 2015's single rules (a rule's failure = fake) are measured on the same rows.
Mixed audiences (estimated fake shares): mixed.py."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from pipelines.audience import artefact
from pipelines.audience.profiles import FAKE, FAKE_COLLECTIONS, HUMAN_COLLECTIONS, Profile
from pipelines.audience.train import fit

PAIRS = tuple((f, h) for f in FAKE_COLLECTIONS for h in HUMAN_COLLECTIONS)

# Cresci et al. 2015, table of single rules: True = passes (looks human). The thresholds
# are those of the paper, and the dbt vars cresci_* (dbt_project.yml) that the marts'
# cresci_* columns use; tests/test_audience_model.py holds the two equal.
RULES: dict[str, Callable[[Profile], bool]] = {
    "followers >= 30": lambda p: p.followers >= 30,
    "posts >= 50": lambda p: p.posts >= 50,
    "2 x followers >= friends": lambda p: 2 * p.followers >= p.following,
    "has bio": lambda p: p.bio.strip() != "",
    "has avatar": lambda p: not p.default_avatar,
}

# Each rule's column in marts.accounts and marts.audit_scorecard: true when it FAILS
# (dbt macro cresci_rules; the bio and avatar rules are legitimacy_flags' own flags).
RULE_COLUMNS: dict[str, str] = {
    "followers >= 30": "cresci_fewer_than_30_followers",
    "posts >= 50": "cresci_fewer_than_50_posts",
    "2 x followers >= friends": "cresci_follows_more_than_twice_followers",
    "has bio": "flag_empty_bio",
    "has avatar": "flag_default_avatar",
}

# Digits the measures keep: the evaluation's table and single_rules.json print the same.
DIGITS = 3


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


def left_out_counts(profiles, features) -> dict[str, dict[str, int]]:
    """Each collection scored by the model trained on the three others: its profiles and
    how many were flagged fake. The model document's `measured_error` (artefact.py)."""
    out = {}
    for name in (*FAKE_COLLECTIONS, *HUMAN_COLLECTIONS):
        test, predicted = predictions(profiles, features, {name})
        out[name] = {"profiles": len(test), "flagged": int(predicted.sum())}
    return out


def single_rates(profiles, features) -> dict[str, float]:
    """Recall on a left-out fake collection, specificity on a left-out human one."""
    out = {}
    for name, c in left_out_counts(profiles, features).items():
        flagged = c["flagged"] / c["profiles"]
        out[name] = flagged if name in FAKE_COLLECTIONS else 1 - flagged
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


def rule_measures(confusions: dict[str, dict[tuple[str, str], Confusion]]) -> dict[str, dict]:
    """Per rule (rule_confusions), the lowest balanced accuracy and the lowest MCC over the
    left-out pairs (each its own minimum), rounded to DIGITS: the numbers of the
    evaluation's table and of single_rules.json, computed once."""

    def rounded(value: float) -> float:
        return float(f"{value:.{DIGITS}f}")

    return {
        rule: {
            "lowest_balanced_accuracy": rounded(min(c.balanced_accuracy for c in by_pair.values())),
            "lowest_mcc": rounded(min(c.mcc for c in by_pair.values())),
        }
        for rule, by_pair in confusions.items()
    }
