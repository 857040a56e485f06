"""Mixed audiences: fakes and humans of a left-out pair drawn at known shares, scored by
the model trained on the other pair, and the fake share estimated by estimate.py.

Two calibrations (the measured_error estimate() corrects with), because four
collections cannot give both an unseen audience and a measured spread:
- "other pair": only the two collections outside the audience, each scored by the model
  trained on the audience's pair. Strictly out of sample, but one collection per class,
  so the interval cannot see how much rates move between collections.
- "committed": the measured_error of the committed model (every collection left out in
  turn, evaluate.left_out_counts). It spans the spread, but it includes the audience's
  own collections, so it is optimistic about them."""

from __future__ import annotations

import numpy as np

from pipelines.audience.artefact import measured_error
from pipelines.audience.estimate import estimate, pooled_rates
from pipelines.audience.evaluate import PAIRS, left_out_counts, predictions

SEED = 0
OTHER = {"FSF": "TWT", "TWT": "FSF", "GEN": "TFP", "TFP": "GEN"}
AUDIENCE_SIZE = {"GEN": 1000, "TFP": 400}
SHARES = (0.0, 0.1, 0.3, 0.6)
CALIBRATIONS = ("other pair", "committed")
TARGET = 0.05  # the 5 points


def flagged_by_collection(profiles, features, out: set[str]) -> dict[str, np.ndarray]:
    """Each left-out collection's is_fake flags under the model trained without `out`."""
    test, flagged = predictions(profiles, features, out)
    collection = np.array([p.collection for p in test])
    return {name: flagged[collection == name].astype(int) for name in sorted(out)}


def counts(flags: np.ndarray) -> dict[str, int]:
    return {"profiles": len(flags), "flagged": int(flags.sum())}


def other_pair_error(profiles, features, f: str, h: str) -> dict:
    """measured_error from the pair outside the audience only."""
    flags = flagged_by_collection(profiles, features, {OTHER[f], OTHER[h]})
    return {
        "fake": {OTHER[f]: counts(flags[OTHER[f]])},
        "human": {OTHER[h]: counts(flags[OTHER[h]])},
    }


def measures(model: dict, estimates, truth: float) -> dict:
    errors = np.abs(np.array([e.share for e in estimates]) - truth)
    sensitivity, specificity = pooled_rates(model)
    return {
        "sensitivity": sensitivity,
        "specificity": specificity,
        "mean_abs_error": 100 * float(errors.mean()),
        "max_abs_error": 100 * float(errors.max()),
        "within_5": float((errors <= TARGET + 1e-12).mean()),
        "coverage": float(np.mean([e.low <= truth <= e.high for e in estimates])),
        "mean_width": 100 * float(np.mean([e.high - e.low for e in estimates])),
    }


def mixed_audiences(profiles, features, draws: int = 200) -> list[dict]:
    """Per audience (fake f + human h, model trained without both) and true share: the
    estimate's error over `draws` audiences and how often its 95% interval held the
    truth, under each calibration."""
    rng = np.random.default_rng(SEED)
    committed = {"measured_error": measured_error(left_out_counts(profiles, features))}
    rows = []
    for f, h in PAIRS:
        models = {
            "other pair": {"measured_error": other_pair_error(profiles, features, f, h)},
            "committed": committed,
        }
        flags = flagged_by_collection(profiles, features, {f, h})
        size = AUDIENCE_SIZE[h]
        for share in SHARES:
            n_fake = round(share * size)
            truth = n_fake / size
            flagged = [
                int(
                    rng.choice(flags[f], n_fake, replace=False).sum()
                    + rng.choice(flags[h], size - n_fake, replace=False).sum()
                )
                for _ in range(draws)
            ]
            row = {
                "audience": f"{f} + {h}",
                "size": size,
                "truth": truth,
                "naive_max_abs_error": 100 * max(abs(k / size - truth) for k in flagged),
            }
            for name, model in models.items():
                row[name] = measures(model, [estimate(model, size, k) for k in flagged], truth)
            rows.append(row)
    return rows
