"""The corrected fake share of an audience: the one home of its formula and interval.

The model flags some real people and misses some fakes, so the flagged share is
corrected (Rogan-Gladen) with the detection and false-positive rates of the model
document's `measured_error`, each measured on a collection the model was not trained on.

Those rates differ between collections more than sampling noise explains (TWT fakes
are caught less often than FSF ones), so the interval carries that spread: the
observed share over its 95% Wilson interval, sensitivity over the lowest Wilson low to
the highest Wilson high of the fake collections, specificity likewise over the human
ones, and Rogan-Gladen at every corner of that box (it is monotone in each of the three,
so its extremes are corners). No random draws: the same counts give the same interval."""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import product

Z95 = 1.959963984540054  # two-sided 95% normal quantile


@dataclass(frozen=True)
class Estimate:
    profiles: int  # scored profiles
    flagged: int  # of them, is_fake
    observed_share: float | None  # flagged / profiles (None when profiles == 0)
    share: float | None  # Rogan-Gladen corrected, clipped to [0, 1]
    low: float | None  # 95% interval
    high: float | None


def clip(value: float) -> float:
    return min(1.0, max(0.0, value))


def wilson(k: int, n: int, z: float = Z95) -> tuple[float, float]:
    """95% Wilson score interval of k successes in n (n > 0)."""
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return clip(centre - half), clip(centre + half)


def rogan_gladen(observed: float, sensitivity: float, specificity: float) -> float:
    """True prevalence from an observed share: (p + spec - 1) / (sens + spec - 1), in [0, 1].
    Needs sens + spec > 1 (a model better than chance)."""
    return clip((observed + specificity - 1) / (sensitivity + specificity - 1))


def _counts(model: dict, kind: str) -> list[dict]:
    try:
        return list(model["measured_error"][kind].values())
    except KeyError:
        raise ValueError(
            "the model document has no measured_error (rapport audience train)"
        ) from None


def _rates(model: dict, kind: str) -> list[float]:
    return [c["flagged"] / c["profiles"] for c in _counts(model, kind)]


def _pooled(model: dict, kind: str) -> float:
    counts = _counts(model, kind)
    return sum(c["flagged"] for c in counts) / sum(c["profiles"] for c in counts)


def _wilson_span(model: dict, kind: str) -> tuple[float, float]:
    """Lowest Wilson low and highest Wilson high of the flagged share over collections."""
    bounds = [wilson(c["flagged"], c["profiles"]) for c in _counts(model, kind)]
    return min(lo for lo, _ in bounds), max(hi for _, hi in bounds)


def detection_rate(model: dict) -> tuple[float, float]:
    """(lowest, highest) share of fakes caught over the left-out fake collections."""
    rates = _rates(model, "fake")
    return min(rates), max(rates)


def false_positive_rate(model: dict) -> tuple[float, float]:
    """(lowest, highest) share of humans flagged over the left-out human collections."""
    rates = _rates(model, "human")
    return min(rates), max(rates)


def pooled_rates(model: dict) -> tuple[float, float]:
    """(sensitivity, specificity) the point estimate corrects with: flagged over profiles
    summed across the fake collections, and one minus that across the human ones."""
    return _pooled(model, "fake"), 1 - _pooled(model, "human")


def estimate(model: dict, profiles: int, flagged: int) -> Estimate:
    """The fake share of an audience of `profiles` scored profiles, `flagged` of them fake."""
    if profiles == 0:
        return Estimate(0, 0, None, None, None, None)
    if not 0 <= flagged <= profiles:
        raise ValueError(f"flagged {flagged} is not between 0 and profiles {profiles}")
    sensitivity, specificity = pooled_rates(model)
    if sensitivity + specificity <= 1:
        raise ValueError("the model's measured error is no better than chance: no correction")
    observed = flagged / profiles
    share = rogan_gladen(observed, sensitivity, specificity)
    sens_box = _wilson_span(model, "fake")
    fp_low, fp_high = _wilson_span(model, "human")
    spec_box = (1 - fp_high, 1 - fp_low)
    corners = list(product(wilson(flagged, profiles), sens_box, spec_box))
    if min(sens + spec for _, sens, spec in corners) <= 1:
        low, high = 0.0, 1.0  # some corner is no better than chance: nothing is ruled out
    else:
        values = [rogan_gladen(*corner) for corner in corners]
        low, high = min(values), max(values)
    return Estimate(profiles, flagged, observed, share, low, high)


def _percent(value: float) -> str:
    """Whole percent, except where rounding would claim none or all of them."""
    text = f"{100 * value:.0f}"
    if text in ("0", "100") and 0 < value < 1:
        text = f"{100 * value:.1f}"
    return text + "%"


def _span(low: float, high: float) -> str:
    a, b = _percent(low), _percent(high)
    return a if a == b else f"{a} to {b}"


def error_words(model: dict) -> str:
    """The model's measured error in plain words, for the report."""
    return (
        "on collections it was not trained on it caught "
        f"{_span(*detection_rate(model))} of bought followers and wrongly flagged "
        f"{_span(*false_positive_rate(model))} of real people"
    )
