"""Mixed audiences: fakes and humans of a left-out pair drawn at known shares, the
observed fake share corrected with Rogan-Gladen, using the detection and false-positive
rates measured on the *other* pair (collections neither in the audience nor in the
audience model's training), as production would use rates measured elsewhere."""

from __future__ import annotations

import numpy as np

from pipelines.audience.evaluate import PAIRS, predictions

SEED = 0
OTHER = {"FSF": "TWT", "TWT": "FSF", "GEN": "TFP", "TFP": "GEN"}
AUDIENCE_SIZE = {"GEN": 1000, "TFP": 400}
SHARES = (0.0, 0.1, 0.3, 0.6)


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
