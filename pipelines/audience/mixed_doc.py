"""The mixed-audience sections of docs/audience-evaluation.md (mixed.py's cells), and
the plain words on the issue's 5-point target, per cell and calibration."""

from __future__ import annotations

import numpy as np

from pipelines.audience import mixed

TARGET_POINTS = 5.0


def mixed_section(model: str, cells: list[dict]) -> list[str]:
    out = [
        "",
        f"## Mixed audiences ({model.upper()} model, estimated by estimate.py)",
        "",
        "Audiences of 1,000 (GEN) or 400 (TFP) profiles drawn from a left-out pair at a known "
        "fake share, 200 draws each, scored by the model trained on the other pair (it never "
        "saw either collection). The share is Rogan-Gladen corrected and its 95% interval "
        "spans the Wilson intervals of the observed share and of each collection's rates "
        "(pipelines/audience/estimate.py). Two calibrations (mixed.py): *other pair* uses "
        "only the two collections outside the audience (strictly unseen, but one collection "
        "per class, so no spread between collections); *committed* uses the committed "
        "model's measured_error (all four collections, each left out in turn: it includes "
        "the audience's own collections, so it is optimistic). Errors and widths in "
        "percentage points; *met* = every draw within 5 points of the truth.",
        "",
        "| audience | true share | uncorrected max error "
        "| other pair: sens / spec | max error | within 5 | met | interval held truth | width "
        "| committed: max error | within 5 | met | interval held truth | width |",
        "|---|" + "---:|" * 13,
    ]
    for r in cells:
        strict, committed = r["other pair"], r["committed"]
        out.append(
            f"| {r['audience']} | {r['truth']:.1f} | {r['naive_max_abs_error']:.1f} | "
            f"{strict['sensitivity']:.3f} / {strict['specificity']:.3f} | "
            + cell(strict)
            + " | "
            + cell(committed)
            + " |"
        )
    return out


def cell(m: dict) -> str:
    met = "yes" if target_met(m) else "no"
    return (
        f"{m['max_abs_error']:.1f} | {m['within_5']:.2f} | {met} | {m['coverage']:.2f} | "
        f"{m['mean_width']:.1f}"
    )


def target_met(m: dict) -> bool:
    return m["max_abs_error"] <= TARGET_POINTS + 1e-9


def calibration_words(cells: list[dict], calibration: str) -> str:
    total = len(cells)
    met = [c for c in cells if target_met(c[calibration])]
    held = sum(c[calibration]["coverage"] >= 0.95 for c in cells)
    lowest = min(c[calibration]["coverage"] for c in cells)
    width = np.mean([c[calibration]["mean_width"] for c in cells])
    return (
        f"{calibration} calibration: within 5 points in every draw in {len(met)} of {total} "
        f"cells ({'target met' if len(met) == total else 'target **not met**'}"
        + (f"; missed in {missed(cells, calibration)}" if len(met) < total else "")
        + f"); the 95% interval held the truth in at least 95% of draws in {held} of "
        f"{total} cells (lowest {lowest:.2f}), {width:.1f} points wide on average"
    )


def missed(cells: list[dict], calibration: str) -> str:
    """The cells that miss the target, by audience: "FSF + TFP at every share, ..."."""
    shares: dict[str, list[str]] = {}
    for c in cells:
        shares.setdefault(c["audience"], [])
        if not target_met(c[calibration]):
            shares[c["audience"]].append(f"{c['truth']:.1f}")
    return ", ".join(
        f"{audience} at {'every share' if len(s) == len(mixed.SHARES) else ' and '.join(s)}"
        for audience, s in shares.items()
        if s
    )
